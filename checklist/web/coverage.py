"""检查全覆盖 pages: the coverage of a county (or the city's ranking of counties), and the lists behind it."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from checklist import access
from checklist.db import get_session, sql_int
from checklist.models import County
from checklist.read import coverage
from checklist.read.paging import paged
from checklist.rules.inspections import InspectionError, active_campaign
from checklist.sheets.exports import coverage_list_xlsx, coverage_xlsx
from checklist.web.errors import bad_request
from checklist.web.forms import PeriodForm
from checklist.web.respond import page_number, send_xlsx
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
    session = get_session()
    try:
        campaign = active_campaign(session)
    except InspectionError as error:
        bad_request(str(error.message))
    form = PeriodForm(request.args)
    if asks_period() and form.validate():
        start, end = form.start.data, form.end.data
    elif asks_period() and strict:
        bad_request(" ".join(str(message) for messages in form.errors.values() for message in messages))
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
        bad_request(f"kind: {', '.join(coverage.KINDS)}")
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
                           labels=coverage.KIND_LABELS, args={**period_args(period), **chosen.args()})


@bp.route("/coverage/enterprises.xlsx")
def enterprise_download():
    period, _form = chosen_period(strict=True)
    chosen = list_filter()
    rows = get_session().scalars(coverage.enterprises(current_user, period, chosen)).unique().all()
    return send_xlsx(coverage_list_xlsx(rows, period, chosen.kind), f"coverage-{chosen.kind}.xlsx")
