"""The JSON API under /api/v1 that a phone's offline outbox talks to.

Two ways in: the browser's session cookie (every PUT and POST then carries the page's CSRF token in
the X-CSRFToken header) or a bearer token from POST /tokens. Every answer is JSON, errors included:
{"error": {"code": ..., "message": ...}} with the message in the user's language.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Flask, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, default_exceptions
from wtforms import ValidationError

from checklist import access
from checklist.api.openapi import document
from checklist.db import get_session, writes
from checklist.extensions import csrf
from checklist.models import Checklist, County, Enterprise, Inspection, Photo, Role, Sector, User
from checklist.refusal import Refused
from checklist.rules import accounts, outbox
from checklist.rules.definitions import current_checklist

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked in authenticate(): a bearer token needs no CSRF token, a cookie does

TOKEN_SALT = "api-token"
TOKEN_LIFETIME = timedelta(days=30)
PUBLIC_ENDPOINTS = {"api.create_token", "api.openapi"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
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
    response = jsonify({"error": {"code": code, "message": str(message), **details}})
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
    code = getattr(error, "code", "refused")
    return error_response(STATUS_BY_CODE.get(code, 422), code, error.message, **getattr(error, "details", {}))


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
    """The request's JSON document; NaN and Infinity are not JSON."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("Send the data as application/json."))
    try:
        return json.loads(request.get_data(cache=True), parse_constant=_not_json)
    except (ValueError, RecursionError):
        raise ApiError(400, "bad_request", _("The request could not be understood.")) from None


def _not_json(constant: str):
    raise ValueError(constant)


# The routes.


@bp.post("/tokens")
def create_token():
    data = json_body()
    username = data.get("username") if isinstance(data, dict) else None
    password = data.get("password") if isinstance(data, dict) else None
    if not (isinstance(username, str) and 0 < len(username) <= 40 and "\x00" not in username):
        raise outbox.invalid("username")
    if not (isinstance(password, str) and len(password) <= 200):
        raise outbox.invalid("password")
    session, address = get_session(), request.remote_addr
    if accounts.login_blocked(session, username, address):
        minutes = int(accounts.FAILURE_WINDOW.total_seconds() // 60)
        raise ApiError(429, "too_many_attempts", _(
            "Too many failed attempts. Wait %(minutes)d minutes and try again.", minutes=minutes
        ))
    user = accounts.find_user(session, username)
    if user is not None and user.active and user.check_password(password):
        accounts.forget_failures(session, username)
        session.commit()
        token, expires_at = issue_token(user)
        return {"token": token, "expires_at": expires_at.isoformat(timespec="seconds").replace("+00:00", "Z")}, 201
    accounts.record_failure(session, username, address)
    session.commit()
    raise ApiError(401, "invalid_credentials", _("Wrong user name or password."))


def offered_teams(user: User) -> list:
    """The teams the start form offers: the user's own teams in the unit, else all of the unit's."""
    teams = user.unit.teams if user.unit else []
    return [team for team in teams if user in team.members] or teams


@bp.get("/me")
def me():
    user = acting_user()
    unit = user.unit
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role.value,
        "unit": {"id": unit.id, "name": unit.name, "county_id": unit.county_id} if unit else None,
        "teams": [{"id": team.id, "name": team.name} for team in offered_teams(user)],
        "modes": [mode.value for mode in access.allowed_modes(user)],
    }


def user_county_id(user: User) -> int | None:
    """The county whose sites a user sees by default: none for the city (all of them)."""
    if user.role is Role.ENTERPRISE:
        return user.enterprise.county_id if user.enterprise else None
    return user.county_id


@bp.get("/sites")
def sites():
    user, session = acting_user(), get_session()
    query = access.visible_enterprises(select(Enterprise), user).join(Enterprise.county).join(Enterprise.sector)
    county = request.args.get("county")
    if county is not None:
        if not county.isascii() or not county.isdigit() or not 0 < int(county) <= outbox.MAX_ID:
            raise outbox.invalid("county")
        if session.get(County, int(county)) is None:
            raise ApiError(404, "not_found", _("There is no such county."))
        sees_all = access.is_city(user) or (user.unit is not None and user.unit.is_city)
        if not sees_all and int(county) != user_county_id(user):
            raise ApiError(403, "forbidden", _("You may not see this county's enterprises."))
        query = query.where(Enterprise.county_id == int(county))
    if not access.allowed_modes(user):
        return jsonify([])
    own_first = case((Enterprise.supervising_unit_id == user.unit_id, 0), else_=1)  # what a phone precaches first
    enterprises = session.scalars(query.order_by(own_first, County.id, Enterprise.name, Enterprise.id)).all()
    return jsonify([
        {
            "token": enterprise.qr_token,
            "name": enterprise.name,
            "county": enterprise.county.name,
            "county_id": enterprise.county_id,
            "sector_code": enterprise.sector.code,
            "sector_name": enterprise.sector.name,
            "address": enterprise.address,
        }
        for enterprise in enterprises
    ])


@bp.get("/checklists/<sector_code>")
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
    return {
        "id": version.id,
        "version": version.version,
        "sector_code": sector.code,
        "sector_name": sector.name,
        "items": [
            {
                "id": item.id, "code": item.code, "section": item.section, "text": item.text,
                "basis": item.basis, "guidance": item.guidance,
            }
            for item in version.items
        ],
    }


def photo_body(photo: Photo) -> dict:
    return {"uuid": photo.uuid, "id": photo.id, "sha256": photo.sha256, "attached": photo.inspection_id is not None}


@bp.put("/photos/<client_uuid>")
def put_photo(client_uuid: str):
    if request.mimetype not in PHOTO_TYPES:
        raise ApiError(415, "unsupported_media_type", _("Send the photo as a JPEG, PNG or WebP image."))
    data, session, config = request.get_data(cache=False), get_session(), current_app.config
    arguments = {
        "site": request.args.get("site"), "captured_at": request.args.get("captured_at"),
        "upload_dir": config["UPLOAD_DIR"], "limits": config,
    }
    try:
        received = outbox.receive_photo(session, acting_user(), client_uuid, data, **arguments)
        session.commit()
    except IntegrityError:  # the same photo sent twice at the same moment: the first one is kept
        session.rollback()
        received = outbox.receive_photo(session, acting_user(), client_uuid, data, **arguments)
        session.commit()
    return photo_body(received.record), 201 if received.created else 200


def inspection_body(inspection: Inspection) -> dict:
    missing = outbox.missing_photos(inspection)
    return {
        "id": inspection.id,
        "uuid": inspection.uuid,
        "status": "incomplete" if missing else "complete",
        "missing_photos": missing,
        "problem_list_url": url_for("inspect.problems", inspection_id=inspection.id),
    }


@bp.put("/inspections/<client_uuid>")
def put_inspection(client_uuid: str):
    body, session, user = json_body(), get_session(), acting_user()
    try:
        received = outbox.receive_inspection(
            session, current_app.extensions["catalogue"], user, client_uuid, body,
            current_app.config["HAZARD_DEADLINE_DAYS"],
        )
        session.commit()
    except IntegrityError:  # sent twice at the same moment: the other request stored it first
        session.rollback()
        stored = outbox.received_before(session, user, client_uuid, body)
        if stored is None:
            raise outbox.conflict() from None
        return inspection_body(stored), 200
    return inspection_body(received.record), 201 if received.created else 200


@bp.get("/inspections/<client_uuid>")
def get_inspection(client_uuid: str):
    user = acting_user()
    known = outbox.UUID_PATTERN.match(client_uuid.lower())
    inspection = outbox.find_inspection(get_session(), client_uuid.lower()) if known else None
    if inspection is None or not access.can_view_inspection(user, inspection):
        raise ApiError(404, "not_found", _("There is no such inspection."))
    return inspection_body(inspection)


@bp.get("/openapi.json")
def openapi():
    return document()
