"""The JSON API under /api/v1 that a phone's offline outbox talks to.

Who is asking: checklist.api.tokens; how errors answer: checklist.api.errors.

Each route is declared once with ``operation``: its path, what it takes and answers (the models of
checklist.api.schemas) and who may call it; the OpenAPI document is made from these declarations.
"""

import json
import re

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import TypeAdapter
from pydantic import ValidationError as Unparsed
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from checklist import access
from checklist.api import errors, schemas, tokens
from checklist.api.errors import ApiError
from checklist.api.schemas import PUBLIC, READ, WRITE, Operation
from checklist.api.tokens import acting_user, issue_token
from checklist.clock import local_today
from checklist.db import get_session, writes
from checklist.extensions import csrf
from checklist.models import (
    Checklist,
    County,
    EnforcementKind,
    Enterprise,
    Inspection,
    InspectionMode,
    Outcome,
    Photo,
    Role,
    Sector,
    User,
)
from checklist.presence import fix_of
from checklist.read import enterprises, offline
from checklist.read import teams as read_teams
from checklist.rules import accounts, outbox
from checklist.rules.definitions import current_checklist
from checklist.rules.inspections import HazardInput, active_campaign_or_none, default_deadline

bp = Blueprint("api", __name__, url_prefix=errors.PREFIX)
csrf.exempt(bp)  # checked in authenticate(): a bearer token needs no CSRF token, a cookie does


errors.install(bp)
bp.before_request(tokens.authenticate)


def json_body() -> object:
    """The request's JSON document; NaN and Infinity are not JSON, nor is half a UTF-16 surrogate pair."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("Send the data as application/json."))
    try:
        body = json.loads(request.get_data(cache=True), parse_constant=_not_json)
        json.dumps(body, ensure_ascii=False).encode()  # a lone surrogate ("\\ud800") has no UTF-8
    except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        raise ApiError(400, "bad_request", _("The request could not be understood.")) from None
    return body


def _not_json(constant: str):
    raise ValueError(constant)


def field_path(location: tuple) -> str:
    """The dotted path of a refused value, as the error names it: results[0].hazard.description."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in schemas.UNION_TAGS:
            path += f".{part}" if path else part
    return path or "body"


def parse(model, data: object):
    """Validate data against a model of checklist.api.schemas; refuse the first bad value by its path."""
    try:
        return TypeAdapter(model).validate_python(data)
    except Unparsed as error:
        raise outbox.invalid(field_path(error.errors()[0]["loc"])) from None


# The routes, each declared once for Flask and for the OpenAPI document.

OPERATIONS: list[Operation] = []


def operation(method: str, path: str, **declared):
    """Route a view and describe it: path as in the document (/inspections/{client_uuid}), see schemas.Operation."""
    def register(view):
        OPERATIONS.append(Operation(method=method.lower(), path=path, operation_id=view.__name__, **declared))
        return bp.route(re.sub(r"\{(\w+)\}", r"<\1>", path), methods=[method])(view)
    return register


@operation(
    "POST", "/tokens", summary="Exchange a user name and password for a bearer token valid 30 days",
    security=PUBLIC, body=schemas.TokenRequest, answers={201: ("the token", schemas.Token)},
    errors=(400, 401, 413, 415, 422, 429),
)
def create_token():
    login = parse(schemas.TokenRequest, json_body())
    session = get_session()
    try:
        user = accounts.authenticate(session, login.username, login.password, request.remote_addr)
    except accounts.LoginBlocked as error:
        raise ApiError(429, "too_many_attempts", str(error.message)) from None
    except accounts.LoginRefused as error:
        session.commit()  # the failure counts
        raise ApiError(401, "invalid_credentials", str(error.message)) from None
    session.commit()
    token, expires_at = issue_token(user)
    expires = expires_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    return schemas.Token(token=token, expires_at=expires).model_dump(), 201


def answer(model, **values) -> dict:
    return model(**values).model_dump(mode="json")


@operation(
    "GET", "/me", summary="The user, their unit, the teams they may inspect with and the modes they may start",
    security=READ, answers={200: ("the user", schemas.Me)}, errors=(400, 401),
)
def me():
    user = acting_user()
    unit = user.unit
    return answer(
        schemas.Me,
        id=user.id,
        name=user.name,
        role=user.role,
        unit=schemas.UnitRef(id=unit.id, name=unit.name, county_id=unit.county_id) if unit else None,
        teams=[schemas.TeamRef(id=team.id, name=team.name) for team in read_teams.offered_teams(get_session(), user)],
        modes=access.allowed_modes(user),
    )


def user_county_id(user: User) -> int | None:
    """The county whose sites a user sees by default: none for the city (all of them)."""
    if user.role is Role.ENTERPRISE:
        return user.enterprise.county_id if user.enterprise else None
    return user.county_id


def asked_county(user: User, county_id: int | None) -> County | None:
    """The county whose sites are asked for (?county=): any for the city, the user's own for the others (403)."""
    if county_id is None:
        return None
    county = get_session().get(County, county_id)
    if county is None:
        raise ApiError(404, "not_found", _("There is no such county."))
    if not access.sees_whole_city(user) and county.id != user_county_id(user):
        raise ApiError(403, "forbidden", _("You may not see this county's enterprises."))
    return county


@operation(
    "GET", "/sites", summary="The enterprises the user may inspect: their county's, or for the city a county's or"
    " all; those their own unit supervises first",
    security=READ, query=schemas.SitesQuery, answers={200: ("the sites", schemas.Sites)},
    errors=(400, 401, 403, 404, 422),
)
def sites():
    user, session = acting_user(), get_session()
    county = asked_county(user, parse(schemas.SitesQuery, request.args.to_dict()).county)
    query, first = enterprises.sites(user, active_campaign_or_none(session), local_today())
    if county is not None:
        query = query.where(Enterprise.county_id == county.id)
    if not access.allowed_modes(user):
        return jsonify([])
    # Rows, not ORM objects, in schemas.Site's order of fields: a city's 30,000 sites in one answer.
    columns = (Enterprise.qr_token, Enterprise.name, County.name, Enterprise.county_id, Sector.code, Sector.name,
               Enterprise.address)
    rows = session.execute(query.with_only_columns(*columns).order_by(first, County.id, Enterprise.name, Enterprise.id))
    return jsonify([dict(zip(schemas.Site.model_fields, row, strict=True)) for row in rows])


@operation(
    "GET", "/sites/offline", summary="The user's sites with what their site pages show, for the phone to keep offline:"
    " all of them in parts, or those changed since the last answer's cursor (and the ids of all)",
    security=READ, query=schemas.OfflineSitesQuery, answers={200: ("the sites", schemas.OfflineSites)},
    errors=(400, 401, 403, 404, 422),
)
def offline_sites():
    user, session = acting_user(), get_session()
    asked = parse(schemas.OfflineSitesQuery, request.args.to_dict())
    kept = offline.offline_sites(session, user, active_campaign_or_none(session), local_today(),
                                 asked_county(user, asked.county), asked.since, asked.after,
                                 current_app.config["OFFLINE_PART_SITES"])
    answer = {**vars(kept), "cursor": kept.cursor.isoformat(timespec="microseconds") + "Z", "after": asked.after}
    # Chinese as UTF-8, not \uXXXX, and no spaces: a county's copy is a phone's biggest download (as rows, the
    # bench's biggest county took 2.0 MB gzipped with the escapes, 1.5 MB without).
    text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    return current_app.response_class(text, mimetype="application/json")


@operation(
    "GET", "/checklists/{sector_code}", summary="The current checklist version of a sector",
    security=READ, answers={200: ("the checklist", schemas.Checklist)}, errors=(400, 401, 404),
)
@writes  # makes the sector's current checklist version when its file changed
def checklist(sector_code: str):
    session, catalogue = get_session(), current_app.extensions["catalogue"]
    sector = None
    if len(sector_code) <= 40 and "\x00" not in sector_code:
        sector = session.scalars(select(Sector).where(Sector.code == sector_code)).first()
    if sector is None:
        raise ApiError(404, "not_found", _("There is no checklist for this sector."))
    if sector.code in catalogue.sectors:
        version = current_checklist(session, catalogue, sector)
        session.commit()
    else:  # a sector known only from an imported table: its newest version
        version = session.scalars(
            select(Checklist).where(Checklist.sector_id == sector.id).order_by(Checklist.version.desc())
        ).first()
        if version is None:
            raise ApiError(404, "not_found", _("There is no checklist for this sector."))
    return answer(
        schemas.Checklist,
        id=version.id,
        version=version.version,
        sector_code=sector.code,
        sector_name=sector.name,
        items=[
            schemas.ChecklistItem(
                id=item.id, code=item.code, section=item.section, text=item.text, basis=item.basis,
                guidance=item.guidance, criterion=item.criterion,
            )
            for item in version.items
        ],
    )


def canonical_uuid(value: str) -> str:
    """The UUID a phone made, in its canonical lower-case form."""
    try:
        return TypeAdapter(schemas.Uuid).validate_python(value)
    except Unparsed:
        raise outbox.invalid("uuid") from None


def photo_body(photo: Photo) -> dict:
    return answer(
        schemas.PhotoReceipt, uuid=photo.uuid, id=photo.id, sha256=photo.sha256,
        attached=photo.inspection_id is not None,
    )


@operation(
    "PUT", "/photos/{client_uuid}", summary="Send a photo, before or after the inspection that declares it",
    description="Stamped and re-encoded like an upload. The same bytes again: 200 and the stored photo; "
    "other bytes under the same UUID: 409.",
    security=WRITE, body="photo", query=schemas.PhotoQuery,
    answers={201: ("stored", schemas.PhotoReceipt), 200: ("stored before, with these bytes", schemas.PhotoReceipt)},
    errors=(400, 401, 403, 404, 409, 413, 415, 422),
)
def put_photo(client_uuid: str):
    if request.mimetype not in schemas.PHOTO_TYPES:
        raise ApiError(415, "unsupported_media_type", _("Send the photo as a JPEG, PNG or WebP image."))
    photo_uuid = canonical_uuid(client_uuid)
    query = parse(schemas.PhotoQuery, request.args.to_dict())
    data, session, config = request.get_data(cache=False), get_session(), current_app.config
    arguments = {
        "site": query.site, "captured_at": query.captured_at, "upload_dir": config["UPLOAD_DIR"], "limits": config,
        "fix": fix_of(query.latitude, query.longitude, query.accuracy, query.located_at, query.sent_at),
        "marked_from": query.marked_from,
    }
    try:
        received = outbox.receive_photo(session, acting_user(), photo_uuid, data, **arguments)
        session.commit()
    except IntegrityError:  # the same photo sent twice at the same moment: the first one is kept
        session.rollback()
        received = outbox.receive_photo(session, acting_user(), photo_uuid, data, **arguments)
        session.commit()
    return photo_body(received.record), 201 if received.created else 200


def inspection_body(inspection: Inspection) -> dict:
    missing = outbox.missing_photos(inspection)
    return answer(
        schemas.InspectionReceipt,
        id=inspection.id,
        uuid=inspection.uuid,
        status="incomplete" if missing else "complete",
        missing_photos=missing,
        problem_list_url=url_for("inspect.problems", inspection_id=inspection.id),
    )


def hazard_input(hazard: schemas.HazardBody) -> HazardInput:
    deadline_days = current_app.config["HAZARD_DEADLINE_DAYS"]
    return HazardInput(
        level=hazard.level,
        description=hazard.description,
        deadline=hazard.deadline or default_deadline(hazard.level, deadline_days),
        responsible_person=hazard.responsible_person,
    )


def submission_input(body: schemas.SelfInspection | schemas.TeamInspection, sent_at) -> outbox.Submission:
    """What the rules receive: the parsed body in their own types (`sent_at`: the phone's clock, of the query)."""
    signature, position = body.signature, body.position
    return outbox.Submission(
        site=body.site,
        mode=InspectionMode(body.mode),
        team_id=body.team_id,
        started_at=body.started_at,
        checklist_id=body.checklist_id,
        results=tuple(
            outbox.ResultInput(
                item_code=result.item_code, outcome=Outcome(result.outcome), note=result.note,
                photo_uuids=tuple(result.photos), hazard_uuid=result.hazard.uuid if result.hazard else None,
                hazard=hazard_input(result.hazard) if result.hazard else None,
            )
            for result in body.results
        ),
        actions=tuple(
            outbox.ActionInput(
                kind=EnforcementKind(action.kind), document_number=action.document_number,
                fine_wan=action.fine_wan, note=action.note,
            )
            for action in body.actions
        ),
        inspector_ids=tuple(body.inspectors),
        signature=None if signature is None else outbox.SignatureInput(
            signer_name=signature.signer_name, png_base64=getattr(signature, "png_base64", None),
            refused=signature.refused,
        ),
        position=None if position is None else fix_of(
            position.latitude, position.longitude, position.accuracy, position.located_at, sent_at, prefix="position",
        ),
    )


@operation(
    "PUT", "/inspections/{client_uuid}",
    summary="Send a whole inspection: results, hazards, actions, inspectors, signature",
    description="One transaction: the inspection is started, every item answered, submitted and signed. The same "
    "body again: 200 and the stored inspection; another body under the same UUID: 409. Photo UUIDs are declared; "
    "the photos that already arrived are attached at once.",
    security=WRITE, body=schemas.Submission, query=schemas.SentQuery,
    answers={201: ("created", schemas.InspectionReceipt),
             200: ("received before, with this body", schemas.InspectionReceipt)},
    errors=(400, 401, 403, 404, 409, 413, 415, 422),
)
def put_inspection(client_uuid: str):
    inspection_uuid, raw, session, user = canonical_uuid(client_uuid), json_body(), get_session(), acting_user()
    body_hash = outbox.submission_hash(raw)
    try:
        stored = outbox.received_before(session, user, inspection_uuid, body_hash)
        if stored is not None:  # sent before: answered as then, even if the rules changed since
            return inspection_body(stored), 200
        if isinstance(raw, dict):  # who may send it, before what it holds is read
            outbox.site_for(session, user, raw.get("site"))
        sent_at = parse(schemas.SentQuery, request.args.to_dict()).sent_at
        submission = submission_input(parse(schemas.Submission, raw), sent_at)
        received = outbox.receive_inspection(
            session, current_app.extensions["catalogue"], user, inspection_uuid, submission, body_hash,
        )
        session.commit()
    except IntegrityError:  # sent twice at the same moment: the other request stored it first
        session.rollback()
        stored = outbox.received_before(session, user, inspection_uuid, body_hash)
        if stored is None:
            raise outbox.conflict() from None
        return inspection_body(stored), 200
    return inspection_body(received.record), 201 if received.created else 200


@operation(
    "GET", "/inspections/{client_uuid}", summary="What became of an inspection sent earlier",
    security=READ, answers={200: ("the inspection", schemas.InspectionReceipt)}, errors=(400, 401, 404),
)
def get_inspection(client_uuid: str):
    user = acting_user()
    known = re.match(schemas.UUID_PATTERN, client_uuid)
    inspection = outbox.find_inspection(get_session(), client_uuid.lower()) if known else None
    if inspection is None or not access.can_view_inspection(user, inspection):
        raise ApiError(404, "not_found", _("There is no such inspection."))
    return inspection_body(inspection)


@operation(
    "GET", "/openapi.json", summary="This document", security=PUBLIC,
    answers={200: ("the OpenAPI document", schemas.OpenApiDocument)}, errors=(400,),
)
def openapi():
    return schemas.document(OPERATIONS)
