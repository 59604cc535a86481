"""The site page an enterprise's QR code opens, and starting an inspection there."""

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from checklist import access
from checklist.db import get_session
from checklist.models import Enterprise, Hazard, Inspection, InspectionMode, InspectionStatus, Team
from checklist.read import enterprises, hazards
from checklist.read.teams import offered_teams
from checklist.rules.inspections import InspectionError, start_inspection
from checklist.web.forms import StartInspectionForm, choices

bp = Blueprint("site", __name__)


def site_enterprise(token: str) -> Enterprise:
    """The enterprise of a site page's QR token, or 404."""
    return enterprises.enterprise_by_token(get_session(), token) or abort(404)


def start_form(enterprise: Enterprise) -> StartInspectionForm:
    form = StartInspectionForm()
    modes = access.allowed_modes(current_user)
    form.mode.choices = choices(modes)
    if modes and not form.mode.data:
        form.mode.data = modes[0].value
    mine = offered_teams(current_user)
    form.team.choices = [SelectChoice(0, "—")] + [SelectChoice(team.id, team.name) for team in mine]
    if not form.client_uuid.data:
        form.client_uuid.data = str(uuid.uuid4())
    if form.team.data is None and mine:
        form.team.data = mine[0].id
    return form


@bp.route("/s/<token>")
def page(token: str):
    enterprise = site_enterprise(token)
    if not current_user.is_authenticated:
        return render_template("site/public.html", enterprise=enterprise)
    access.require(access.can_view_enterprise(current_user, enterprise))
    session = get_session()
    inspections = session.scalars(
        select(Inspection).options(joinedload(Inspection.unit)).where(
            Inspection.enterprise_id == enterprise.id, Inspection.status == InspectionStatus.SUBMITTED
        ).order_by(Inspection.submitted_at.desc()).limit(20)
    ).all()
    hazard_numbers = dict(session.execute(
        select(Hazard.inspection_id, func.count()).where(Hazard.inspection_id.in_([each.id for each in inspections]))
        .group_by(Hazard.inspection_id)
    ).all())
    form = start_form(enterprise) if access.can_inspect(current_user, enterprise) else None
    return render_template(
        "site/page.html",
        enterprise=enterprise,
        open_hazards=hazards.open_hazards(session, enterprise),
        inspections=inspections,
        hazard_numbers=hazard_numbers,
        form=form,
    )


@bp.route("/s/<token>/inspections", methods=["POST"])
def start(token: str):
    enterprise = site_enterprise(token)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    access.require(access.can_inspect(current_user, enterprise))
    form = start_form(enterprise)
    if not form.validate_on_submit():
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for("site.page", token=token))
    session = get_session()
    team = (session.get(Team, form.team.data) or abort(404)) if form.team.data else None
    try:
        inspection = start_inspection(
            session, current_app.extensions["catalogue"], current_user, enterprise,
            mode=InspectionMode(form.mode.data), team=team, client_uuid=form.client_uuid.data,
        )
    except InspectionError as error:
        flash(str(error.message), "error")
        return redirect(url_for("site.page", token=token))
    session.commit()
    return redirect(url_for("inspect.checklist", inspection_id=inspection.id))
