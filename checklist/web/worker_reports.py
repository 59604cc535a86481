"""Workers' hazard reports (员工隐患报告): the public form a site's QR code offers, the reporter's page found by code,
and the receiving unit's queue where each report is turned into a hazard or dismissed.

The public pages are plain forms (WeChat's browser, no JavaScript needed); a report is read by id only by those who
decide on it, and by its reporter only with its code.
"""

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from checklist import access
from checklist.db import get_session
from checklist.models import HazardLevel, WorkerReport
from checklist.read import worker_reports as reading
from checklist.read.paging import paged
from checklist.refusal import Refused
from checklist.rules import photos
from checklist.rules import worker_reports as reports
from checklist.rules.accounts import normalize_code
from checklist.rules.inspections import HazardInput, default_deadline
from checklist.web.auth import too_many_attempts
from checklist.web.forms import AcceptReportForm, DismissReportForm, WorkerReportForm
from checklist.web.home import photo_file
from checklist.web.respond import form_errors, no_store, page_number
from checklist.web.site import site_enterprise

bp = Blueprint("worker_reports", __name__)


# The reporter's side: no login.


@bp.route("/s/<token>/report", methods=["GET", "POST"])
def new(token: str):
    """The report form; sent, the report is stored and its code shown once, on the answer to the post."""
    enterprise = site_enterprise(token)
    form = WorkerReportForm()
    if not form.client_uuid.data:
        form.client_uuid.data = str(uuid.uuid4())
    if not form.validate_on_submit():
        return no_store((render_template("worker_reports/new.html", form=form, enterprise=enterprise),
                         400 if form.is_submitted() else 200))
    session, settings = get_session(), current_app.config
    try:
        reports.admit_report(session, enterprise, request.remote_addr, settings)
    except reports.ReportLimited as error:
        session.rollback()
        return too_many_attempts(error, "worker_reports/new.html", form=form, enterprise=enterprise)
    session.commit()  # the try counts, whatever its photo
    upload = form.photo.data
    try:
        accepted = photos.accept(session, [upload.read()] if upload and upload.filename else [], enterprise, None,
                                 settings)
        report, code = reports.report_hazard(
            session, enterprise,
            reports.ReportInput(form.description.data, form.place.data, form.contact.data or ""),
            photo=accepted[0] if accepted else None, upload_dir=settings["UPLOAD_DIR"],
            client_uuid=form.client_uuid.data,
        )
    except (photos.PhotoError, reports.ReportError) as error:
        session.rollback()
        name = "photo" if isinstance(error, photos.PhotoError) else error.field
        if name in form:  # beside the field it is about; the form keeps what was typed
            form[name].errors = [*form[name].errors, str(error.message)]
        else:
            flash(str(error.message), "error")
        return no_store((render_template("worker_reports/new.html", form=form, enterprise=enterprise), 400))
    session.commit()
    return no_store(render_template("worker_reports/thanks.html", report=report, code=code, enterprise=enterprise))


def reported(code: str) -> WorkerReport:
    """The report of this code; a wrong code is a page that does not exist, as a missing one."""
    return reading.by_code(get_session(), reports.code_hash(code)) or abort(404)


@bp.route("/r")
def lookup():
    """Where a reporter types the code (the form sends it here as ?code=); its page is /r/<code>."""
    code = normalize_code(request.args.get("code", ""))[:40]
    if code:
        return redirect(url_for("worker_reports.status", code=code))
    return render_template("worker_reports/lookup.html")


@bp.route("/r/<code>")
def status(code: str):
    """What became of a report, for whoever holds its code: waiting, turned into a hazard (and how that stands),
    or dismissed with the reason. Never the contact."""
    return no_store(render_template("worker_reports/status.html", report=reported(code), code=code))


@bp.route("/r/<code>/photo")
@bp.route("/r/<code>/photo/thumb", endpoint="photo_thumbnail")
def photo(code: str):
    report = reported(code)
    stored = report.photos[0] if report.photos else abort(404)
    response = photo_file(stored, thumbnail=request.endpoint == "worker_reports.photo_thumbnail")
    response.headers["Cache-Control"] = "no-store"
    return response


# The receiving unit's side.


@bp.route("/worker-reports")
@login_required
def queue():
    access.require(not access.is_enterprise(current_user))
    decided = request.args.get("decided") == "1"
    return render_template("worker_reports/queue.html", decided=decided,
                           page=paged(get_session(), page_number(), reading.queue(current_user, decided)))


def load(report_id: int) -> WorkerReport:
    """A report the current user decides on; a POST holds its row until it commits (one decision, not two)."""
    session = get_session()
    report = session.get(WorkerReport, report_id, with_for_update=request.method == "POST") or abort(404)
    access.require(access.can_triage(current_user, report))
    return report


def accept_form(report: WorkerReport) -> AcceptReportForm:
    """The form turning the report into a hazard, filled in from it the first time it is shown."""
    form = AcceptReportForm()
    if not form.is_submitted():
        form.description.data = f"{report.description}（{report.place}）"
        form.responsible_person.data = report.enterprise.contact_name
        form.deadline.data = default_deadline(HazardLevel.GENERAL, current_app.config["HAZARD_DEADLINE_DAYS"])
    return form


@bp.route("/worker-reports/<int:report_id>")
@login_required
def report(report_id: int):
    report = load(report_id)
    return no_store(render_template("worker_reports/report.html", report=report, accept_form=accept_form(report),
                                    dismiss_form=DismissReportForm()))


def decide(report_id: int, form_class, rule, message: str):
    """Validate the form, apply one rule to the report, and come back to its page, saying what happened."""
    report, form, session = load(report_id), form_class(), get_session()
    try:
        if not form.validate_on_submit():
            raise Refused(form_errors(form))
        rule(session, report, form)
    except Refused as error:  # the report's rules, and no campaign to record a hazard in
        session.rollback()
        flash(str(error.message), "error")
    else:
        session.commit()
        flash(message, "success")
    return redirect(url_for("worker_reports.report", report_id=report.id))


@bp.route("/worker-reports/<int:report_id>/accept", methods=["POST"])
@login_required
def accept(report_id: int):
    return decide(report_id, AcceptReportForm, lambda session, report, form: reports.accept_report(
        session, current_app.extensions["catalogue"], current_user, report, HazardInput(
            level=HazardLevel(form.level.data), description=form.description.data, deadline=form.deadline.data,
            responsible_person=form.responsible_person.data)),
        _("The report is now a hazard of the enterprise."))


@bp.route("/worker-reports/<int:report_id>/dismiss", methods=["POST"])
@login_required
def dismiss(report_id: int):
    return decide(report_id, DismissReportForm, lambda session, report, form: reports.dismiss_report(
        session, current_user, report, form.reason.data),
        _("The report is dismissed; its reporter can read the reason."))
