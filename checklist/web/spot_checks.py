"""The city's 双随机 spot checks: drawing a plan, the plans, a plan with its results, and its xlsx."""

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from checklist import access
from checklist.db import get_session
from checklist.draw import DrawError
from checklist.models import County, InspectionMode, Sector, SpotCheckPlan
from checklist.read import spot_checks
from checklist.read.paging import paged
from checklist.rules.spot_checks import check_plan, draw_plan
from checklist.sheets.exports import spot_check_xlsx
from checklist.web.forms import DrawForm, named_choices
from checklist.web.respond import page_number, running_campaign, send_xlsx

bp = Blueprint("spot_checks", __name__, url_prefix="/spot-checks")


@bp.before_request
@login_required
def require_city():
    """The draws are the city's."""
    access.require(access.can_draw(current_user))


def draw_form() -> DrawForm:
    session = get_session()
    form = DrawForm()
    form.county.choices = named_choices(session.scalars(select(County).order_by(County.code)), blank=True)
    form.sector.choices = named_choices(session.scalars(select(Sector).order_by(Sector.id)), blank=True)
    if request.method == "GET":
        form.seed.data = secrets.randbelow(10**9)  # shown, kept and published: anyone can draw it again
    return form


def chosen_filter(form: DrawForm) -> spot_checks.DrawFilter:
    return spot_checks.DrawFilter(
        county_id=form.county.data or None, sector_id=form.sector.data or None,
        never_inspected=form.never_inspected.data, open_major=form.open_major.data, overdue=form.overdue.data,
        with_counties=form.with_counties.data,
    )


@bp.route("", methods=["GET", "POST"])
def plans():
    session, campaign = get_session(), running_campaign()
    form, status = draw_form(), 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                plan = draw_plan(
                    session, current_user, campaign, chosen_filter(form), enterprises=form.enterprises.data,
                    per_task=form.per_task.data, seed=form.seed.data, mode=InspectionMode(form.mode.data),
                )
            except DrawError as error:
                session.rollback()
                field = getattr(form, error.field, None) if error.field else None
                (field.errors if field is not None else form.form_errors).append(str(error.message))
            else:
                session.commit()
                return redirect(url_for("spot_checks.plan", plan_id=plan.id))
        status = 400
    page = paged(session, page_number(), spot_checks.plans(campaign))
    return render_template("spot_checks/plans.html", form=form, page=page, campaign=campaign), status


def load(plan_id: int) -> SpotCheckPlan:
    return get_session().get(SpotCheckPlan, plan_id) or abort(404)


@bp.route("/<int:plan_id>")
def plan(plan_id: int):
    session, plan = get_session(), load(plan_id)
    tasks = spot_checks.plan_tasks(session, plan)
    return render_template(
        "spot_checks/plan.html", plan=plan, tasks=tasks, results=spot_checks.results(session, plan, tasks),
        chosen=spot_checks.DrawFilter.from_json(plan.filter), recheck=check_plan(session, plan),
        counties={county.id: county.name for county in session.scalars(select(County))},
        sectors={sector.id: sector.name for sector in session.scalars(select(Sector))},
    )


@bp.route("/<int:plan_id>.xlsx")
def download(plan_id: int):
    session, plan = get_session(), load(plan_id)
    tasks = spot_checks.plan_tasks(session, plan)
    return send_xlsx(spot_check_xlsx(plan, tasks, spot_checks.results(session, plan, tasks)),
                     f"spot-check-plan-{plan.id}.xlsx")
