"""The site page an enterprise's QR code opens, and starting an inspection there."""

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from checklist import access
from checklist.db import get_session
from checklist.models import Enterprise, Hazard, Inspection, InspectionStatus
from checklist.read import enterprises, hazards
from checklist.read.teams import offered_teams
from checklist.web import forms
from checklist.web.forms import StartInspectionForm
from checklist.web.inspections import start_from

bp = Blueprint("site", __name__)


def site_enterprise(token: str) -> Enterprise:
    """The enterprise of a site page's QR token, or 404."""
    return enterprises.enterprise_by_token(get_session(), token) or abort(404)


def start_form(enterprise: Enterprise) -> StartInspectionForm:
    return forms.start_form(access.allowed_modes(current_user, enterprise), offered_teams(current_user))


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
    return start_from(start_form(enterprise), enterprise, url_for("site.page", token=token))
