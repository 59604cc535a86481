"""The API's errors: every answer under /api/v1 is JSON, errors included, with the message in the user's
language: {"error": {"code": ..., "message": ..., "field": ...}}."""

from flask import Blueprint, Flask, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, default_exceptions

from checklist.api import schemas
from checklist.db import get_session
from checklist.refusal import Refused

PREFIX = "/api/v1"
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
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


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


def api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, **error.details)


def refused(error: Refused):
    get_session().rollback()
    code = error.code or ("invalid" if error.field else "refused")
    return error_response(
        STATUS_BY_CODE.get(code, 422), code, error.message, field=error.field, **getattr(error, "details", {})
    )


def install(bp: Blueprint) -> None:
    """Answer the blueprint's errors, and those of /api/v1 paths no route matches, as JSON."""
    bp.record_once(json_errors_for_unrouted_paths)
    for status in HTTP_ERRORS:
        bp.register_error_handler(status, http_error)
    bp.register_error_handler(HTTPException, http_error)
    bp.register_error_handler(ApiError, api_error)
    bp.register_error_handler(Refused, refused)
