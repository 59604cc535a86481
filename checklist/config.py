"""Default settings; instance/config.py and environment variables override them."""

import os

ENV_KEYS = ("SECRET_KEY", "DATABASE_URL", "UPLOAD_DIR", "BASE_URL")


class Defaults:
    SECRET_KEY = "dev-only-change-me"
    DATABASE_URL = None  # None: SQLite file in the instance folder
    UPLOAD_DIR = None  # None: instance/uploads
    BASE_URL = "http://127.0.0.1:8000"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    PHOTO_MAX_BYTES = 20 * 1024 * 1024
    PHOTO_MAX_PIXELS = 40_000_000
    # Days given to fix a hazard, by level, when the inspector does not set a deadline.
    HAZARD_DEADLINE_DAYS = {"general": 15, "major": 60}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # an inspection can take all day on site


def from_environment() -> dict:
    """Return the settings given as environment variables."""
    return {key: os.environ[key] for key in ENV_KEYS if os.environ.get(key)}
