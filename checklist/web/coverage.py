"""检查全覆盖 pages: the coverage of a county (or the city's ranking of counties), and the lists behind it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from checklist import access
from checklist.clock import local_today
from checklist.db import get_session, sql_int
from checklist.models import County, CrossAssignment, Enterprise, Sector, Team, Unit
from checklist.read import coverage
from checklist.read.enterprises import county_enterprises
from checklist.read.paging import paged
from checklist.rules.assignments import AssignmentError, assign, recall_team, send_team
from checklist.sheets.exports import coverage_list_xlsx, coverage_xlsx
from checklist.web.errors import bad_request
from checklist.web.forms import ActionForm, AssignForm, CrossForm, PeriodForm, named_choices
from checklist.web.respond import form_errors, page_number, running_campaign, send_xlsx
from checklist.web.tables import asks_period, default_period

bp = Blueprint("coverage", __name__)


@bp.before_request
@login_required
def require_supervisor():
    """Coverage is the supervisors' view of their inspectors' work."""
    access.require(access.is_supervisor(current_user))


def chosen_county() -> County | None:
    """The county asked for (?county=<id>); a county's supervisors always get their own."""
    county_id = request.args.get("county", type=sql_int)
    if county_id is None and current_user.county_id is not None:
        county_id = current_user.county_id
    if county_id is None:
        return None
    county = get_session().get(County, county_id) or abort(404)
    access.require(access.can_view_table(current_user, county))
    return county


def chosen_period(strict: bool) -> tuple[coverage.Period, PeriodForm]:
    """The period asked for, else the running campaign's so far; a bad one is refused (strict) or shown."""
    campaign = running_campaign()
    form = PeriodForm(request.args)
    if asks_period() and form.validate():
        start, end = form.start.data, form.end.data
    elif asks_period() and strict:
        bad_request(form_errors(form))
    else:
        start, end = default_period()
        if not asks_period():
            form.start.data, form.end.data = start, end
    return coverage.Period(campaign, start, end), form


def period_args(period: coverage.Period) -> dict:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


@bp.route("/coverage")
def overview():
    period, form = chosen_period(strict=False)
    county = chosen_county()
    counties = coverage.coverage(get_session(), current_user, period, county.id if county else None)
    return render_template(
        "coverage/overview.html", period=period, form=form, county=county,
        counties=counties if county else coverage.ranked(counties),
        total=coverage.city_total(counties), args=period_args(period), list_filter=coverage.ListFilter(),
    )


@bp.route("/coverage.xlsx")
def download():
    period, _form = chosen_period(strict=True)
    county = chosen_county()
    counties = coverage.coverage(get_session(), current_user, period, county.id if county else None)
    name = f"coverage-{county.code if county else 'city'}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    return send_xlsx(coverage_xlsx(counties if county else coverage.ranked(counties), period), name)


def list_filter() -> coverage.ListFilter:
    kind = request.args.get("kind", "not_inspected")
    if kind not in coverage.KINDS:
        bad_request(_("There is no such list of enterprises."))
    county = chosen_county()
    return coverage.ListFilter(
        kind=kind, county=county.id if county else None, sector=request.args.get("sector", type=sql_int),
        unit=request.args.get("unit", type=sql_int),
    )


@bp.route("/coverage/enterprises")
def enterprise_list():
    period, form = chosen_period(strict=False)
    chosen = list_filter()
    page = paged(get_session(), page_number(), coverage.enterprises(current_user, period, chosen))
    return render_template("coverage/enterprises.html", page=page, period=period, chosen=chosen,
                           labels=coverage.KIND_LABELS, args={**period_args(period), **chosen.args()},
                           assigned=coverage.assignments_of(get_session(), period.campaign, page.rows))


@bp.route("/coverage/enterprises.xlsx")
def enterprise_download():
    period, _form = chosen_period(strict=True)
    chosen = list_filter()
    rows = coverage.enterprise_rows(get_session(), current_user, period, chosen)
    return send_xlsx(coverage_list_xlsx(rows, period, chosen.kind), f"coverage-{chosen.kind}.xlsx")


# 包保: the county's enterprises assigned to a team's member.


def assignment_filter() -> dict:
    return {
        "sector": request.values.get("sector", type=sql_int), "unit": request.values.get("unit", type=sql_int),
        "unassigned": 1 if request.values.get("unassigned") == "1" else None,
    }


@bp.route("/assignments", methods=["GET", "POST"])
def assignments():
    """Assign enterprises one by one (the chosen ones) or all those the filter shows, to a team's member."""
    session, county = get_session(), chosen_county()
    if county is None:  # the city chooses a county first
        return render_template("coverage/assignments.html", county=None,
                               counties=session.scalars(select(County).order_by(County.code)).all())
    access.require(access.can_assign(current_user, county.id))
    campaign = running_campaign()
    chosen = assignment_filter()
    query = coverage.assignment_list(campaign, county.id, chosen["sector"], chosen["unit"], bool(chosen["unassigned"]))
    members = {f"{team.id}-{user.id}": (team, user) for team, user in coverage.county_members(session, county.id)}
    form = AssignForm()
    form.member.choices = [SelectChoice(key, f"{team.unit.name} {team.name} · {user.name}")
                           for key, (team, user) in members.items()]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                count = assign_from(form, query, county, campaign, members)
            except AssignmentError as error:
                session.rollback()
                form.member.errors = [str(error.message)]
            else:
                session.commit()
                flash(_("%(count)d enterprises assigned.", count=count), "success")
                return redirect(url_for("coverage.assignments", county=county.id, **filter_args(chosen)))
        status = 400
    page = paged(session, page_number(), query, count_all=True)  # its button assigns them all: count them all
    return render_template(
        "coverage/assignments.html", county=county, page=page, form=form, chosen=chosen,
        assigned=coverage.assignments_of(session, campaign, page.rows), campaign=campaign,
        sectors=session.scalars(select(Sector).order_by(Sector.id)).all(),
        units=session.scalars(select(Unit).where(Unit.county_id == county.id).order_by(Unit.name)).all(),
        args={"county": county.id, **filter_args(chosen)},
    ), status


def filter_args(chosen: dict) -> dict:
    return {key: value for key, value in chosen.items() if value is not None}


def assign_from(form: AssignForm, query, county: County, campaign, members: dict) -> int:
    """Assign the chosen enterprises of the county, or all the filter shows, to the chosen member."""
    team, person = members.get(form.member.data, (None, None))
    if team is None:
        raise AssignmentError(_("Choose a team member."), field="member")
    if form.scope.data == "all":
        enterprises = get_session().scalars(query).unique().all()
    else:
        ids = set(form.enterprises.data or [])
        enterprises = get_session().scalars(
            select(Enterprise).where(Enterprise.id.in_(ids), Enterprise.county_id == county.id)
        ).all() if ids else []
        if len(enterprises) != len(ids):
            abort(404)
    return assign(get_session(), current_user, campaign, enterprises, team, person)


# 交叉检查: the city sends a county's team to another county's enterprises for a period.


def cross_form() -> CrossForm:
    session = get_session()
    form = CrossForm()
    form.team.choices = [SelectChoice(team.id, f"{team.unit.county.name} {team.unit.name} {team.name}")
                         for team in coverage.county_teams(session)]
    form.county.choices = named_choices(session.scalars(select(County).order_by(County.code)))
    form.sector.choices = named_choices(session.scalars(select(Sector).order_by(Sector.id)), blank=True)
    return form


@bp.route("/cross-assignments", methods=["GET", "POST"])
def cross_assignments():
    """The teams sent to other counties for cross inspections, and the form to send one."""
    access.require(access.is_city(current_user))
    session, form, status = get_session(), cross_form(), 200
    if request.method == "POST":
        if form.validate_on_submit():
            team = session.get(Team, form.team.data) or abort(404)
            county = session.get(County, form.county.data) or abort(404)
            try:
                count = send_team(session, current_user, team,
                                  county_enterprises(session, county, form.sector.data or None),
                                  form.starts_on.data, form.ends_on.data)
            except AssignmentError as error:
                session.rollback()
                form[error.field or "team"].errors = [str(error.message)]
            else:
                session.commit()
                flash(_("%(team)s is sent to %(count)d enterprises.", team=team.name, count=count), "success")
                return redirect(url_for("coverage.cross_assignments"))
        status = 400
    page = paged(session, page_number(), coverage.cross_assignments(local_today()))
    return render_template("coverage/cross.html", form=form, page=page), status


@bp.route("/cross-assignments/<int:crossing_id>/recall", methods=["POST"])
def recall(crossing_id: int):
    access.require(access.is_city(current_user))
    session = get_session()
    crossing = session.get(CrossAssignment, crossing_id) or abort(404)
    if ActionForm().validate_on_submit():
        recall_team(session, current_user, crossing)
        session.commit()
        flash(_("The team no longer goes to %(enterprise)s.", enterprise=crossing.enterprise.name), "success")
    return redirect(url_for("coverage.cross_assignments"))
