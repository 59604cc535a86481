"""Dashboards of a county and of the city, and the lists behind their numbers."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from checklist import access
from checklist.clock import local_today
from checklist.db import get_session, sql_int
from checklist.models import Campaign, Enterprise, Hazard, Inspection, InspectionMode, InspectionStatus, Sector
from checklist.read import coverage, crosscheck, oversight, overview
from checklist.read.paging import paged
from checklist.rules.inspections import active_campaign
from checklist.web.respond import page_number
from checklist.web.supervise import visible_counties

bp = Blueprint("dashboard", __name__)


@bp.before_request
@login_required
def require_supervisor():
    """Enterprises see their own list, not the dashboards."""
    access.require(not access.is_enterprise(current_user))


@bp.route("/dashboard")
def dashboard():
    session = get_session()
    campaign = active_campaign(session)
    city = current_user.county_id is None
    by_county = overview.hazard_counts_by_county(session, current_user, campaign)
    return render_template(
        "dashboard/dashboard.html", campaign=campaign, city=city,
        totals=overview.total(by_county.values()),
        by_county=by_county if city else {},
        counties=visible_counties(),
        by_mode=[
            (str(mode.label), count, url_for("dashboard.inspection_list", campaign=campaign.id, mode=mode.value))
            for mode, count in overview.inspections_by_mode(session, current_user, campaign).items()
        ],
        by_sector=[
            (sector.name, count, url_for("dashboard.inspection_list", campaign=campaign.id, sector=sector.id))
            for sector, count in overview.inspections_by_sector(session, current_user, campaign)
        ],
        weeks=overview.weekly_trend(session, current_user, campaign),
        oversight=oversight.figures(session, current_user, campaign, local_today()),
        coverage=coverage.city_total(coverage.coverage(
            session, current_user, coverage.Period.so_far(campaign, local_today()),
        )) if access.is_supervisor(current_user) else None,
        empty=overview.HazardFilter(),
    )


@bp.route("/hazards")
def hazard_list():
    session = get_session()
    hazard_filter = overview.HazardFilter.from_args(request.args)
    page = paged(session, page_number(), overview.hazards_query(current_user, hazard_filter).options(
        joinedload(Hazard.enterprise), joinedload(Hazard.item)
    ).order_by(Hazard.deadline, Hazard.id))
    return render_template(
        "dashboard/hazards.html", page=page, hazard_filter=hazard_filter, counties=visible_counties(),
        sectors=session.scalars(select(Sector).order_by(Sector.id)).all(),
    )


@bp.route("/inspection-list")
def inspection_list():
    session = get_session()
    query = (
        select(Inspection).join(Inspection.enterprise)
        .where(Inspection.status == InspectionStatus.SUBMITTED, access.enterprise_filter(current_user))
    )
    campaign_id = request.args.get("campaign", type=sql_int)
    county_id, sector_id = request.args.get("county", type=sql_int), request.args.get("sector", type=sql_int)
    mode = request.args.get("mode")
    if campaign_id:
        query = query.where(Inspection.campaign_id == campaign_id)
    if county_id:
        query = query.where(Enterprise.county_id == county_id)
    if sector_id:
        query = query.where(Enterprise.sector_id == sector_id)
    if mode in {member.value for member in InspectionMode}:
        query = query.where(Inspection.mode == InspectionMode(mode))
    page = paged(session, page_number(), query.options(joinedload(Inspection.enterprise), joinedload(Inspection.unit))
                 .order_by(Inspection.submitted_at.desc()))
    return render_template(
        "dashboard/inspections.html", page=page,
        args={key: value for key, value in request.args.items() if key != "page"},
        campaign=session.get(Campaign, campaign_id) if campaign_id else None,
    )


CROSS_CHECK_SHOWN = 200  # a city's campaign has tens of thousands of discrepancies: one county's first ones


@bp.route("/cross-check")
def cross_check():
    """The city's spot checks held against the county's earlier inspections (印证); one county's discrepancies."""
    access.require(access.can_view_cross_check(current_user))
    session = get_session()
    results = crosscheck.cross_check(session, current_user)
    county_id = request.args.get("county", type=sql_int)
    chosen = next((result for result in results if result.county.id == county_id or len(results) == 1), None)
    found = crosscheck.findings(session, current_user, chosen.county, CROSS_CHECK_SHOWN) if chosen else []
    return render_template("dashboard/crosscheck.html", results=results, chosen=chosen, findings=found)
