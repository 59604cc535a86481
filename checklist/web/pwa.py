"""The installable app: manifest, service worker, and the pages of the offline outbox.

These pages only work with JavaScript (IndexedDB, a service worker); the plain HTML flow on the
site page stays the way in for every other browser.
"""

from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from checklist import access
from checklist.models import EnforcementKind, HazardLevel, HazardStatus, InspectionMode, Outcome
from checklist.web.site import site_enterprise

bp = Blueprint("pwa", __name__)


@bp.route("/sw.js")
def service_worker():
    """Served from the root so that its scope is the whole site."""
    response = send_file(Path(current_app.static_folder) / "js" / "sw.js", mimetype="application/javascript",
                         max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    icon = lambda size: {  # noqa: E731
        "src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
        "type": "image/png", "purpose": "any",
    }
    response = jsonify({
        "name": _("Jinzhong safety inspection"),
        "short_name": _("Safety inspection"),
        "id": "/",
        "start_url": url_for("views.home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f5f6f8",
        "theme_color": "#0b5cad",
        "lang": "en" if str(get_locale()) == "en" else "zh-CN",
        "icons": [icon(192), icon(512)],
        "shortcuts": [
            {"name": _("Scan a QR code"), "url": url_for("pwa.scan")},
            {"name": _("Outbox"), "url": url_for("pwa.outbox")},
        ],
    })
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


def labels() -> dict:
    """The names of the enum values, for the pages' scripts (they hold no text of their own)."""
    return {
        "modes": {mode.value: str(mode.label) for mode in InspectionMode},
        "outcomes": {outcome.value: str(outcome.label) for outcome in Outcome},
        "levels": {level.value: str(level.label) for level in HazardLevel},
        "statuses": {status.value: str(status.label) for status in HazardStatus},
        "kinds": {kind.value: str(kind.label) for kind in EnforcementKind},
    }


@bp.route("/app/inspect/<token>")
@login_required
def inspect_shell(token: str):
    """The offline inspection form. One page serves every site: the script reads the token from the
    address and the site and checklist from the API, so the service worker keeps a single copy."""
    enterprise = site_enterprise(token)
    access.require(access.can_inspect(current_user, enterprise))
    return render_template(
        "app/inspect.html", labels=labels(), deadline_days=current_app.config["HAZARD_DEADLINE_DAYS"],
    )


@bp.route("/app/site")
@login_required
def site_shell():
    """The site page drawn on the phone from its copy of the sites, when there is no signal. One page serves every
    site, as the inspection form does; it holds no enterprise's data."""
    return render_template("app/site.html", labels=labels())


@bp.route("/app/outbox")
@login_required
def outbox():
    return render_template("app/outbox.html", labels=labels())


@bp.route("/app/scan")
@login_required
def scan():
    return render_template("app/scan.html")
