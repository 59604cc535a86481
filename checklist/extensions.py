"""The Flask extensions, made here unbound so that no module imports the app factory."""

from flask import has_request_context, request
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in first.")


def select_locale() -> str:
    """Chinese unless the user chose English (a cookie set by the language switch); the commands speak Chinese."""
    choice = request.cookies.get("lang") if has_request_context() else None
    return choice if choice in ("zh_CN", "en") else "zh_CN"
