"""Pages of the rectification loop: the enterprise's list, a hazard, verification, major hazards."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms import SelectChoice

from checklist import access
from checklist.db import get_session
from checklist.models import ExtensionRequest, Hazard, Unit
from checklist.read import hazards
from checklist.read.paging import paged
from checklist.rules import hazards as rectify
from checklist.rules import photos
from checklist.sheets.exports import major_hazards_xlsx
from checklist.web.forms import (
    AcceptForm,
    ExtendForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    FixForm,
    ListForm,
    RejectForm,
)
from checklist.web.respond import asked_county, form_errors, page_number, send_xlsx

bp = Blueprint("rectification", __name__)


@bp.before_request
@login_required
def require_login():
    """Every page of the rectification loop needs a logged-in user."""


def load(hazard_id: int) -> Hazard:
    hazard = get_session().get(Hazard, hazard_id) or abort(404)
    access.require(access.can_view_hazard(current_user, hazard))
    return hazard


def list_form(hazard: Hazard) -> ListForm:
    """Offer the units of the enterprise's county, and the city's units to the city."""
    form = ListForm()
    county_units = Unit.county_id == hazard.enterprise.county_id
    where = or_(county_units, Unit.county_id.is_(None)) if access.is_city(current_user) else county_units
    units = get_session().scalars(select(Unit).where(where).order_by(
        Unit.county_id.is_not(None), Unit.county_id, Unit.name  # the city's units first, on either database
    ))
    form.unit.choices = [SelectChoice(unit.id, unit.name) for unit in units]
    if form.unit.data is None and hazard.enterprise.supervising_unit_id:
        form.unit.data = hazard.enterprise.supervising_unit_id
    if form.deadline.data is None:
        form.deadline.data = hazard.deadline
    return form


@bp.route("/rectification")
def rectification_list():
    if not access.is_enterprise(current_user):
        return redirect(url_for("rectification.verification"))
    session = get_session()
    return render_template(
        "rectification/list.html", groups=hazards.rectification_list(session, current_user.enterprise),
        enterprise=current_user.enterprise, waiting=hazards.waiting_for(session, current_user),
    )


@bp.route("/hazards/<int:hazard_id>")
def hazard(hazard_id: int):
    hazard = load(hazard_id)
    user, open_ = current_user, not hazard.is_closed
    return render_template(
        "rectification/hazard.html", hazard=hazard, overdue=hazard.is_overdue(),
        fix_form=FixForm() if open_ and access.can_submit_fix(user, hazard) and hazard.status.value == "open" else None,
        verify=open_ and access.can_verify(user, hazard),
        accept_form=AcceptForm(), reject_form=RejectForm(), extend_form=ExtendForm(),
        list_form=list_form(hazard) if open_ and not hazard.is_listed and access.can_list(user, hazard) else None,
        ask_form=ExtensionRequestForm()
        if open_ and access.can_submit_fix(user, hazard) and hazard.pending_extension is None else None,
        decision_form=ExtensionDecisionForm(), review_allowed=open_ and access.can_review(user, hazard),
    )


def done(hazard: Hazard, message: str):
    get_session().commit()
    flash(message, "success")
    return redirect(url_for("rectification.hazard", hazard_id=hazard.id))


def refused(hazard: Hazard, error: rectify.RectificationError | photos.PhotoError):
    get_session().rollback()
    flash(str(error.message), "error")
    return redirect(url_for("rectification.hazard", hazard_id=hazard.id))


def invalid(hazard: Hazard, form):
    flash(form_errors(form), "error")
    return redirect(url_for("rectification.hazard", hazard_id=hazard.id))


@bp.route("/hazards/<int:hazard_id>/fix", methods=["POST"])
def submit_fix(hazard_id: int):
    hazard, form = load(hazard_id), FixForm()
    if not form.validate_on_submit():
        return invalid(hazard, form)
    uploads = [upload.read() for upload in form.photos.data or [] if upload and upload.filename]
    try:
        proof = photos.accept(get_session(), uploads, hazard.target, current_user, current_app.config,
                               held=(hazard,))
        rectify.submit_fix(get_session(), current_user, hazard, note=form.note.data, proof=proof,
                           upload_dir=current_app.config["UPLOAD_DIR"])
    except (rectify.RectificationError, photos.PhotoError) as error:
        return refused(hazard, error)
    return done(hazard, _("The fix has been submitted for verification."))


def decide(hazard_id: int, form_class, rule, message: str):
    """Validate the form, apply one rule to the hazard, and come back to its page."""
    hazard, form = load(hazard_id), form_class()
    if not form.validate_on_submit():
        return invalid(hazard, form)
    try:
        rule(get_session(), current_user, hazard, form)
    except rectify.RectificationError as error:
        return refused(hazard, error)
    return done(hazard, message)


@bp.route("/hazards/<int:hazard_id>/accept", methods=["POST"])
def accept(hazard_id: int):
    return decide(hazard_id, AcceptForm, lambda session, user, hazard, form: rectify.accept_fix(
        session, user, hazard, form.note.data), _("The fix is accepted and the hazard closed."))


@bp.route("/hazards/<int:hazard_id>/reject", methods=["POST"])
def reject(hazard_id: int):
    return decide(hazard_id, RejectForm, lambda session, user, hazard, form: rectify.reject_fix(
        session, user, hazard, form.reason.data), _("The fix was sent back to the enterprise."))


@bp.route("/hazards/<int:hazard_id>/extend", methods=["POST"])
def extend(hazard_id: int):
    return decide(hazard_id, ExtendForm, lambda session, user, hazard, form: rectify.extend_deadline(
        session, user, hazard, form.deadline.data, form.reason.data), _("The deadline has been extended."))


@bp.route("/hazards/<int:hazard_id>/extension-request", methods=["POST"])
def ask_extension(hazard_id: int):
    return decide(hazard_id, ExtensionRequestForm, lambda session, user, hazard, form: rectify.request_extension(
        session, user, hazard, form.deadline.data, form.reason.data), _("Your request for more time has been sent."))


@bp.route("/extensions/<int:request_id>/decision", methods=["POST"])
def decide_extension(request_id: int):
    extension = get_session().get(ExtensionRequest, request_id) or abort(404)
    approve = request.form.get("approve") == "1"
    return decide(extension.hazard_id, ExtensionDecisionForm, lambda session, user, hazard, form:
                  rectify.decide_extension(session, user, extension, approve, form.note.data or ""),
                  _("The extension is approved.") if approve else _("The extension is refused."))


@bp.route("/hazards/<int:hazard_id>/list", methods=["POST"])
def list_for_supervision(hazard_id: int):
    hazard = load(hazard_id)
    form = list_form(hazard)
    if not form.validate_on_submit():
        return invalid(hazard, form)
    try:
        unit = get_session().get(Unit, form.unit.data) or abort(404)
        rectify.list_hazard(get_session(), current_user, hazard, unit, form.deadline.data, form.note.data)
    except rectify.RectificationError as error:
        return refused(hazard, error)
    return done(hazard, _("The hazard is under listed supervision."))


@bp.route("/verification")
def verification():
    access.require(not access.is_enterprise(current_user))
    session = get_session()
    return render_template(
        "rectification/verification.html",
        queue=paged(session, page_number(), hazards.verification_queue(current_user)),
        overdue=hazards.overdue_in_scope(session, current_user),
    )


@bp.route("/major-hazards")
def major_hazards():
    """The list of major and listed hazards; the city's with a chooser of counties, each with its count."""
    access.require(not access.is_enterprise(current_user))
    include_closed, county, session = request.args.get("closed") == "1", asked_county(), get_session()
    page = paged(session, page_number(), hazards.major_and_listed(current_user, include_closed, county))
    counties = hazards.major_by_county(session, include_closed) if access.is_city(current_user) else []
    return render_template("rectification/major.html", page=page, include_closed=include_closed, county=county,
                           counties=counties)


@bp.route("/major-hazards.xlsx")
def major_hazards_download():
    """The list as xlsx: the city's one county at a time (tens of thousands of rows took seconds to write)."""
    access.require(not access.is_enterprise(current_user))
    include_closed, county = request.args.get("closed") == "1", asked_county()
    if county is None and access.is_city(current_user):
        flash(_("Choose a county: the city's list is downloaded one county at a time."), "error")
        return redirect(url_for("rectification.major_hazards", closed=1 if include_closed else None))
    rows = hazards.major_and_listed_rows(get_session(), current_user, include_closed, county)
    name = f"major-hazards-{county.code}.xlsx" if county else "major-hazards.xlsx"
    return send_xlsx(major_hazards_xlsx(rows), name)


