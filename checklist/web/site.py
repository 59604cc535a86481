"""The site page an enterprise's QR code opens, and starting an inspection there."""

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import current_user
from sqlalchemy import bindparam, func, select

from checklist import access
from checklist.db import get_session
from checklist.models import (
    Enterprise,
    Hazard,
    HazardLevel,
    HazardStatus,
    Inspection,
    InspectionMode,
    InspectionStatus,
    Unit,
)
from checklist.read import enterprises, hazards
from checklist.read.teams import offered_teams
from checklist.web import forms
from checklist.web.forms import StartInspectionForm
from checklist.web.inspections import start_from

bp = Blueprint("site", __name__)

# The enterprise's last 20 inspections, each with its unit and number of hazards; built once, the enterprise
# bound at each run (building a statement costs half as much as running it).
PAST_INSPECTIONS = (
    select(Inspection.id, Inspection.submitted_at, Inspection.mode, Unit.name.label("unit"),
           select(func.count()).where(Hazard.inspection_id == Inspection.id).scalar_subquery().label("hazards"))
    .outerjoin(Inspection.unit)
    .where(Inspection.enterprise_id == bindparam("enterprise_id"), Inspection.status == InspectionStatus.SUBMITTED)
    .order_by(Inspection.submitted_at.desc()).limit(20)
)


def site_enterprise(token: str) -> Enterprise:
    """The enterprise of a site page's QR token, or 404."""
    return enterprises.enterprise_by_token(get_session(), token) or abort(404)


def start_form(enterprise: Enterprise) -> StartInspectionForm:
    return forms.start_form(access.allowed_modes(current_user, enterprise), offered_teams(get_session(), current_user))


@bp.route("/s/<token>")
def page(token: str):
    enterprise = site_enterprise(token)
    if not current_user.is_authenticated:
        return render_template("site/public.html", enterprise=enterprise)
    access.require(access.can_view_enterprise(current_user, enterprise))
    session = get_session()
    form = start_form(enterprise) if access.can_inspect(current_user, enterprise) else None
    return render_template(
        "site/page.html",
        enterprise=enterprise,
        open_hazards=hazards.open_hazards(session, enterprise),
        inspections=session.execute(PAST_INSPECTIONS, {"enterprise_id": enterprise.id}).all(),
        form=form, levels=HazardLevel.labels(), statuses=HazardStatus.labels(), modes=InspectionMode.labels(),
    )


@bp.route("/s/<token>/inspections", methods=["POST"])
def start(token: str):
    enterprise = site_enterprise(token)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    access.require(access.can_inspect(current_user, enterprise))
    return start_from(start_form(enterprise), enterprise, url_for("site.page", token=token))
