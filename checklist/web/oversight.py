"""督政 pages: the units a user may inspect, starting a 督政 inspection, a unit's problem list, and the
measures (通报, 曝光, 约谈) taken against units."""

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from checklist import access
from checklist.clock import local_today
from checklist.db import get_session
from checklist.models import Inspection, MeasureKind, Unit
from checklist.read import oversight
from checklist.read.paging import paged
from checklist.read.teams import offered_teams
from checklist.rules.oversight import MeasureError, MeasureInput, take_measure
from checklist.sheets.exports import unit_problems_xlsx
from checklist.web import forms
from checklist.web.forms import MeasureForm, StartInspectionForm
from checklist.web.inspections import start_from
from checklist.web.respond import page_number, send_xlsx

bp = Blueprint("oversight", __name__, url_prefix="/oversight")


@bp.before_request
@login_required
def require_login():
    """督政 is the governments' business: enterprises have no page here."""
    access.require(not access.is_enterprise(current_user))


def load_unit(unit_id: int) -> Unit:
    unit = get_session().get(Unit, unit_id) or abort(404)
    access.require(access.can_view_unit(current_user, unit))
    return unit


def start_form() -> StartInspectionForm:
    return forms.start_form(access.oversight_modes(current_user), offered_teams(get_session(), current_user))


@bp.route("")
def index():
    session = get_session()
    units = oversight.inspectable_units(session, current_user)
    return render_template(
        "oversight/index.html", units=units, standings=oversight.standings(session, units, local_today()),
        form=start_form() if units else None, to_verify=oversight.problems_to_verify(session, current_user),
    )


@bp.route("/units/<int:unit_id>/inspections", methods=["POST"])
def start(unit_id: int):
    unit = get_session().get(Unit, unit_id) or abort(404)
    access.require(access.can_inspect_unit(current_user, unit))
    return start_from(start_form(), unit, url_for("oversight.index"))


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int):
    """The unit's problem list (问题清单) with its 督政 inspections and measures; it prints as it is."""
    session, unit = get_session(), load_unit(unit_id)
    return render_template(
        "oversight/unit.html", unit=unit, groups=oversight.unit_problems(session, unit),
        inspections=oversight.unit_inspections(session, unit),
        measures=session.scalars(oversight.measures(current_user, unit).limit(100)).all(),
        may_inspect=access.can_inspect_unit(current_user, unit),
    )


@bp.route("/units/<int:unit_id>/problems.xlsx")
def unit_download(unit_id: int):
    session, unit = get_session(), load_unit(unit_id)
    return send_xlsx(unit_problems_xlsx(unit, oversight.unit_problem_rows(session, unit)),
                     f"problems-unit-{unit.id}.xlsx")


def measure_form(inspection: Inspection | None) -> MeasureForm:
    form = MeasureForm()
    units = oversight.inspectable_units(get_session(), current_user)
    form.unit.choices = [SelectChoice(unit.id, unit.name) for unit in units]
    if request.method == "GET":
        form.client_uuid.data = str(uuid.uuid4())
        form.held_on.data = local_today()
        if inspection is not None:
            form.unit.data, form.inspection.data = inspection.inspected_unit_id, str(inspection.id)
    return form


def linked_inspection(value: str | None) -> Inspection | None:
    """The 督政 inspection a measure follows from, if the user may see it."""
    if not value or not value.isdigit():
        return None
    inspection = get_session().get(Inspection, int(value)) or abort(404)
    access.require(access.can_view_inspection(current_user, inspection) and inspection.is_oversight)
    return inspection


@bp.route("/measures", methods=["GET", "POST"])
def measures():
    """The measures taken against units (the city sees all, a county its own), and the form to record one."""
    session = get_session()
    inspection = linked_inspection(request.values.get("inspection"))
    form = measure_form(inspection)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            unit = session.get(Unit, form.unit.data) or abort(404)
            try:
                take_measure(session, current_user, unit, MeasureInput(
                    kind=MeasureKind(form.kind.data), held_on=form.held_on.data, persons=form.persons.data or "",
                    document_number=form.document_number.data or "", note=form.note.data or "",
                ), client_uuid=form.client_uuid.data, inspection=inspection)
            except MeasureError as error:
                session.rollback()
                if error.field in ("persons", "held_on"):
                    form[error.field].errors = [str(error.message)]
                else:
                    flash(str(error.message), "error")
            else:
                session.commit()
                flash(_("The measure has been recorded."), "success")
                return redirect(url_for("oversight.unit", unit_id=unit.id))
        status = 400
    page = paged(session, page_number(), oversight.measures(current_user))
    return render_template(
        "oversight/measures.html", page=page, form=form if form.unit.choices else None, inspection=inspection,
    ), status
