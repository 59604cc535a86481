"""The JSON API under /api/v1 that a phone's offline outbox talks to.

Two ways in: the browser's session cookie (every PUT and POST then carries the page's CSRF token in
the X-CSRFToken header) or a bearer token from POST /tokens. Every answer is JSON, errors included:
{"error": {"code": ..., "message": ..., "field": ...}} with the message in the user's language.

Each route is declared once with ``operation``: its path, what it takes and answers (the models of
checklist.api.schemas) and who may call it; the OpenAPI document is made from these declarations.
"""

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Flask, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pydantic import TypeAdapter
from pydantic import ValidationError as Unparsed
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, default_exceptions
from wtforms import ValidationError

from checklist import access
from checklist.api import schemas
from checklist.api.schemas import PUBLIC, READ, WRITE, Operation
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
from checklist.read import teams as read_teams
from checklist.refusal import Refused
from checklist.rules import accounts, outbox
from checklist.rules.definitions import current_checklist
from checklist.rules.inspections import HazardInput, default_deadline

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked in authenticate(): a bearer token needs no CSRF token, a cookie does

TOKEN_SALT = "api-token"
TOKEN_LIFETIME = timedelta(days=30)
PUBLIC_ENDPOINTS = {"api.create_token", "api.openapi"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
STATUS_BY_CODE = {
    "unknown_site": 404,
    "not_found": 404,
    "forbidden": 403,
    "conflict": 409,
    "too_large": 413,
}


class ApiError(Exception):
    """Stop a request with a JSON error."""

    def __init__(self, status: int, code: str, message: str, **details):
        super().__init__(code)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_response(status: int, code: str, message, **details):
    body = schemas.Error(error=schemas.ErrorDetail(code=code, message=str(message), **details))
    response = jsonify(body.model_dump(mode="json", exclude_none=True))
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# What each HTTP error means to a phone; the messages shared with the HTML pages keep their wording.
HTTP_ERRORS = {
    400: ("bad_request", lambda: _("The request could not be understood.")),
    401: ("unauthorized", lambda: _("Please log in first.")),
    403: ("forbidden", lambda: _("You are not allowed to see this.")),
    404: ("not_found", lambda: _("There is no such page.")),
    405: ("method_not_allowed", lambda: _("This address does not accept this method.")),
    413: ("too_large", lambda: _("The upload is too large. Send fewer or smaller photos at a time.")),
    415: ("unsupported_media_type", lambda: _("This type of content is not accepted here.")),
    500: ("server_error", lambda: _(
        "Something went wrong on the server. Nothing you sent was half-saved; please try again."
    )),
}


def http_error(error: HTTPException):
    status = error.code or 500
    fallback = HTTP_ERRORS[500 if status >= 500 else 400][1]
    code, message = HTTP_ERRORS.get(status, (f"http_{status}", fallback))
    response = error_response(status, code, message())
    if error.code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def is_api_request() -> bool:
    return request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")


@bp.record_once
def json_errors_for_unrouted_paths(state) -> None:
    """Answer JSON for /api/v1 paths whose errors happen outside its views (no such route, 405, ...).

    The app's own handlers, registered before, keep answering HTML everywhere else.
    """
    app: Flask = state.app
    for status in (400, 404, 405, 413, 500):
        previous = app.error_handler_spec[None][status].get(default_exceptions[status])

        def handler(error, previous=previous):
            if is_api_request():
                return http_error(error)
            return previous(error) if previous is not None else error

        app.register_error_handler(status, handler)


for _status in HTTP_ERRORS:
    bp.register_error_handler(_status, http_error)
bp.register_error_handler(HTTPException, http_error)


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, **error.details)


@bp.errorhandler(Refused)
def refused(error: Refused):
    get_session().rollback()
    code = error.code or ("invalid" if error.field else "refused")
    return error_response(
        STATUS_BY_CODE.get(code, 422), code, error.message, field=error.field, **getattr(error, "details", {})
    )


# Who is asking.


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def password_fingerprint(user: User) -> str:
    """A token names the password and the session token it was made with: a new password, a reset or a
    logout ends every older token, as it ends the cookies."""
    return hashlib.sha256(f"{user.password_hash}:{user.session_token}".encode()).hexdigest()[:16]


def issue_token(user: User) -> tuple[str, datetime]:
    token = serializer().dumps({"user": user.id, "password": password_fingerprint(user)})
    return token, datetime.now(UTC) + TOKEN_LIFETIME


def token_user(token: str) -> User:
    try:
        payload = serializer().loads(token, max_age=int(TOKEN_LIFETIME.total_seconds()))
    except SignatureExpired:
        raise ApiError(401, "token_expired", _("Your sign-in has expired. Log in again.")) from None
    except BadSignature:
        payload = None
    user_id = payload.get("user") if isinstance(payload, dict) else None
    user = get_session().get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    if user is None or not user.active or payload.get("password") != password_fingerprint(user):
        raise ApiError(401, "invalid_token", _("Your sign-in is no longer valid. Log in again."))
    return user


@bp.before_request
def authenticate():
    """Find the user from the bearer token or the session cookie; a cookie's changes need the CSRF token."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _space, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "invalid_token", _("Your sign-in is no longer valid. Log in again."))
        g.api_user = token_user(token.strip())
        return
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthorized", _("Please log in first."))
    if request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except ValidationError:
            raise ApiError(400, "csrf_failed", _(
                "The form expired or was not sent from this site. Go back, reload the page and try again."
            )) from None
    g.api_user = current_user._get_current_object()


def acting_user() -> User:
    return g.api_user


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
        teams=[schemas.TeamRef(id=team.id, name=team.name) for team in read_teams.offered_teams(user)],
        modes=access.allowed_modes(user),
    )


def user_county_id(user: User) -> int | None:
    """The county whose sites a user sees by default: none for the city (all of them)."""
    if user.role is Role.ENTERPRISE:
        return user.enterprise.county_id if user.enterprise else None
    return user.county_id


@operation(
    "GET", "/sites", summary="The enterprises the user may inspect: their county's, or for the city a county's or"
    " all; those their own unit supervises first",
    security=READ, query=schemas.SitesQuery, answers={200: ("the sites", schemas.Sites)},
    errors=(400, 401, 403, 404, 422),
)
def sites():
    user, session = acting_user(), get_session()
    county = parse(schemas.SitesQuery, request.args.to_dict()).county
    query = access.visible_enterprises(select(Enterprise), user).join(Enterprise.county).join(Enterprise.sector)
    if county is not None:
        if session.get(County, county) is None:
            raise ApiError(404, "not_found", _("There is no such county."))
        sees_all = access.is_city(user) or (user.unit is not None and user.unit.is_city)
        if not sees_all and county != user_county_id(user):
            raise ApiError(403, "forbidden", _("You may not see this county's enterprises."))
        query = query.where(Enterprise.county_id == county)
    if not access.allowed_modes(user):
        return jsonify([])
    own_first = case((Enterprise.supervising_unit_id == user.unit_id, 0), else_=1)  # what a phone precaches first
    enterprises = session.scalars(query.order_by(own_first, County.id, Enterprise.name, Enterprise.id)).all()
    return jsonify(schemas.Sites([
        schemas.Site(
            token=enterprise.qr_token,
            name=enterprise.name,
            county=enterprise.county.name,
            county_id=enterprise.county_id,
            sector_code=enterprise.sector.code,
            sector_name=enterprise.sector.name,
            address=enterprise.address,
        )
        for enterprise in enterprises
    ]).model_dump(mode="json"))


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
                guidance=item.guidance,
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


def submission_input(body: schemas.SelfInspection | schemas.TeamInspection) -> outbox.Submission:
    """What the rules receive: the parsed body in their own types."""
    signature = body.signature
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
    )


@operation(
    "PUT", "/inspections/{client_uuid}",
    summary="Send a whole inspection: results, hazards, actions, inspectors, signature",
    description="One transaction: the inspection is started, every item answered, submitted and signed. The same "
    "body again: 200 and the stored inspection; another body under the same UUID: 409. Photo UUIDs are declared; "
    "the photos that already arrived are attached at once.",
    security=WRITE, body=schemas.Submission,
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
        submission = submission_input(parse(schemas.Submission, raw))
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
