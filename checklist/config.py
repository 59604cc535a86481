"""Default settings; instance/config.py and environment variables override them."""

import os
from datetime import timedelta

ENV_KEYS = ("SECRET_KEY", "DATABASE_URL", "UPLOAD_DIR", "BASE_URL", "PROXY_FIX", "OFFLINE_PART_SITES")
INTEGER_KEYS = ("PROXY_FIX", "OFFLINE_PART_SITES")


class Defaults:
    SECRET_KEY = "dev-only-change-me"
    DATABASE_URL = None  # None: SQLite file in the instance folder
    UPLOAD_DIR = None  # None: instance/uploads
    BASE_URL = "http://127.0.0.1:8000"  # https://...: secure cookies and Strict-Transport-Security
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    # How many proxies in front of the app set X-Forwarded-For and X-Forwarded-Proto (nginx alone: 1).
    # 0 trusts none of these headers: the address the login limit counts is then the proxy's.
    PROXY_FIX = 0

    # Request limits; a larger request is refused with 413 before a view sees it.
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # a whole request: several phone photos at once
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024  # one text field of a multipart form (a drawn signature: < 2 MB)
    MAX_FORM_PARTS = 1000  # fields and files of a multipart form (an item's form has about ten)
    PHOTO_MAX_BYTES = 20 * 1024 * 1024
    PHOTO_MAX_PIXELS = 40_000_000
    # Days given to fix a hazard, by level, when the inspector does not set a deadline.
    HAZARD_DEADLINE_DAYS = {"general": 15, "major": 60}
    # Workers' hazard reports through a site's QR code, without logging in: at most this many from one address in
    # an hour (a factory's Wi-Fi or a carrier's shared address: several people), and for one enterprise in a day;
    # more are refused (429) until the oldest leave the window.
    WORKER_REPORTS_PER_ADDRESS = 10
    WORKER_REPORTS_PER_ENTERPRISE = 30
    # The phone's offline copy of its county comes in parts of this many sites (read.offline): each answer takes
    # about the same time and memory whatever the county's size.
    OFFLINE_PART_SITES = 1000

    # A login lasts while the browser sends a request at least every 12 hours (the session cookie is
    # renewed with each one); the remember-me cookie logs the same device in again for 14 days after
    # the password was typed. A logout, a new password or a reset ends both on every device.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_REFRESH_EACH_REQUEST = True
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # SESSION_COOKIE_SECURE and REMEMBER_COOKIE_SECURE follow BASE_URL (https: on), see create_app.
    WTF_CSRF_TIME_LIMIT = None  # an inspection can take all day on site


def from_environment() -> dict:
    """Return the settings given as environment variables."""
    settings = {key: os.environ[key] for key in ENV_KEYS if os.environ.get(key)}
    for key in INTEGER_KEYS:
        if key in settings:
            settings[key] = int(settings[key])
    return settings
