"""Home page, language switch, health check and photo files."""

import base64
import hashlib
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from checklist import access, presence
from checklist.clock import local_today, to_local
from checklist.db import MAX_INTEGER, get_session
from checklist.models import Enterprise, Inspection, InspectionStatus, Photo, inspection_inspector
from checklist.read import coverage, hazards, reports, spot_checks, worker_reports
from checklist.rules.inspections import active_campaign_or_none

bp = Blueprint("views", __name__)

# The in-app QR scanner uses the camera, and an inspection's start and photos the position (presence evidence,
# with the inspector's permission); nothing uses any other device or sensor. (Only features every
# browser knows: an unknown one is reported as an error in the console.)
PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(self), payment=(), usb=(), magnetometer=(), gyroscope=(), "
    "accelerometer=()"
)
HSTS = "max-age=31536000"  # a year; subdomains are the city's business, not this app's


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The stylesheet is inlined so that a page renders after one round trip on a weak signal;
    # the Content-Security-Policy allows exactly this stylesheet and nothing from elsewhere.
    css = (Path(app.static_folder) / "css" / "app.css").read_text(encoding="utf-8")
    css_hash = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = (
        f"default-src 'self'; style-src 'self' 'sha256-{css_hash}'; img-src 'self' data: blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    https = app.config["BASE_URL"].startswith("https://")

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors 'none' for browsers without CSP 2
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if https or request.is_secure:  # browsers ignore it over plain http anyway
            headers.setdefault("Strict-Transport-Security", HSTS)
        if response.mimetype.startswith("image/"):  # a photo is shown, never offered as a file to open
            headers.setdefault("Content-Disposition", "inline")
        return response

    # Templates ask access, not roles.
    app.jinja_env.globals.update(inline_css=Markup(css), access=access, id_url=id_url, far_metres=presence.FAR_METRES)
    app.add_template_filter(lambda moment: to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else "", "local")
    app.context_processor(lambda: {"today": local_today(), "get_locale": get_locale})


def id_url(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """url_for(endpoint, **{key: id}, **values) for each id of a list: the URL is built once and each id put in
    its place (a url_for costs as much as the rest of a list's line)."""
    marker = str(MAX_INTEGER)  # an id no row has, which the routes' <int:> still accept
    url = url_for(endpoint, **{key: MAX_INTEGER}, **values)
    if url.count(marker) != 1:  # another value is that number too: build each URL
        return lambda each: url_for(endpoint, **{key: each}, **values)
    head, _marker, tail = url.partition(marker)
    return lambda each: f"{head}{each:d}{tail}"


@bp.route("/")
@login_required
def home():
    session = get_session()
    if access.is_enterprise(current_user):
        return redirect(url_for("rectification.rectification_list"))
    drafts = session.scalars(
        select(Inspection)
        .where(Inspection.created_by_id == current_user.id, Inspection.status == InspectionStatus.DRAFT)
        .order_by(Inspection.started_at.desc()).limit(20)
    ).all()
    recent = session.scalars(
        select(Inspection)
        .where(Inspection.id.in_(select(inspection_inspector.c.inspection_id)
                                 .where(inspection_inspector.c.user_id == current_user.id)),
               Inspection.status == InspectionStatus.SUBMITTED)
        .order_by(Inspection.submitted_at.desc()).limit(10)
    ).all()
    query = request.args.get("q", "").strip()
    found = []
    if query:
        found = session.scalars(
            access.visible_enterprises(select(Enterprise), current_user)
            .where(Enterprise.name.icontains(query, autoescape=True) | (Enterprise.credit_code == query.upper()))
            .order_by(Enterprise.name).limit(20)
        ).all()
    campaign = active_campaign_or_none(session)
    assigned = coverage.assigned_to(session, current_user, campaign) if campaign else []
    drawn = spot_checks.drawn_for(session, current_user, campaign) if campaign else []
    return render_template(
        "home.html", drafts=drafts, recent=recent, query=query, found=found, assigned=assigned, drawn=drawn,
        waiting=hazards.waiting_for(session, current_user),
        reports_waiting=worker_reports.waiting_count(session, current_user),
        reporting_unit=reports.reporting_unit_for(session, current_user), oversee=access.can_oversee(current_user),
    )


@bp.route("/lang/<code>")
def switch_language(code: str):
    response = redirect(request.referrer or url_for("views.home"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.route("/healthz")
def healthz():
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "database unreachable"}, 503
    return {"status": "ok"}


@bp.route("/photos/<int:photo_id>")
@bp.route("/photos/<int:photo_id>/thumb", endpoint="photo_thumbnail")
@login_required
def photo(photo_id: int):
    stored = get_session().get(Photo, photo_id) or abort(404)
    if stored.worker_report_id is not None:  # a worker's report's: those who decide on it (its reporter: by code)
        access.require(access.can_triage(current_user, stored.worker_report))
    elif stored.inspection is None:  # sent ahead of its inspection: only its sender sees it yet
        access.require(stored.uploaded_by_id == current_user.id)
    else:
        access.require(access.can_view_inspection(current_user, stored.inspection))
    return photo_file(stored, thumbnail=request.endpoint == "views.photo_thumbnail")


def photo_file(stored: Photo, thumbnail: bool):
    """Answer with a stored photo's file, or its thumbnail, once the caller has checked who may see it."""
    path = Path(current_app.config["UPLOAD_DIR"]) / (stored.thumbnail_path if thumbnail else stored.path)
    # Read whole (a photo is at most a few hundred KB): an open file left to a connection the phone dropped
    # would stay open until the garbage collector found it.
    response = send_file(BytesIO(path.read_bytes()), mimetype="image/jpeg", max_age=0,
                         etag=f"{stored.sha256}{'-thumb' if thumbnail else ''}")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
