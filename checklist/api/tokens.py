"""Who is asking the API: a bearer token from POST /tokens, or the browser's session cookie, whose changes
then carry the page's CSRF token in the X-CSRFToken header."""

import hashlib
from datetime import UTC, datetime, timedelta

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError

from checklist.api.errors import ApiError
from checklist.db import get_session
from checklist.models import User

TOKEN_SALT = "api-token"
TOKEN_LIFETIME = timedelta(days=30)
PUBLIC_ENDPOINTS = {"api.create_token", "api.openapi"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}



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
