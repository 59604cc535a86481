"""The figures of the dashboards, as SQL aggregates, and the filters of the lists behind them.

A dashboard number and the list it links to use the same filter, so they always agree.
"""

from collections import Counter
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from checklist import access
from checklist.clock import local_today
from checklist.db import sql_int
from checklist.models import (
    Campaign,
    CampaignTally,
    Enterprise,
    Hazard,
    HazardLevel,
    HazardStatus,
    HazardTally,
    Inspection,
    InspectionMode,
    InspectionStatus,
    Sector,
    User,
)

STATUSES = ("open", "submitted", "closed", "unclosed")


@dataclass(frozen=True)
class HazardFilter:
    """Which hazards a list shows; built from the query string, turned back into it for links."""

    county: int | None = None
    sector: int | None = None
    status: str | None = None  # one of STATUSES
    overdue: bool = False
    major: bool = False
    listed: bool = False

    @classmethod
    def from_args(cls, args) -> "HazardFilter":
        status = args.get("status")
        return cls(
            county=args.get("county", type=sql_int), sector=args.get("sector", type=sql_int),
            status=status if status in STATUSES else None,
            overdue=args.get("overdue") == "1", major=args.get("major") == "1", listed=args.get("listed") == "1",
        )

    def args(self, **changes) -> dict:
        """The query-string arguments of this filter (with changes), for url_for."""
        values = {**asdict(self), **changes}
        return {key: (1 if value is True else value) for key, value in values.items() if value not in (None, False)}

    def apply(self, query: Select, today: date | None = None) -> Select:
        """Narrow a query over Hazard joined to Enterprise."""
        today = today or local_today()
        if self.county:
            query = query.where(Enterprise.county_id == self.county)
        if self.sector:
            query = query.where(Enterprise.sector_id == self.sector)
        if self.status == "unclosed" or self.overdue:
            query = query.where(Hazard.status != HazardStatus.CLOSED)
        elif self.status:
            query = query.where(Hazard.status == HazardStatus(self.status))
        if self.overdue:
            query = query.where(Hazard.deadline < today)
        if self.major:
            query = query.where(Hazard.level == HazardLevel.MAJOR)
        if self.listed:
            query = query.where(Hazard.listed_unit_id.is_not(None))
        return query


FILTER_FIELDS = [field.name for field in fields(HazardFilter)]


def hazards_query(user: User, hazard_filter: HazardFilter) -> Select:
    """Select the hazards of submitted inspections that the user may see and the filter keeps."""
    query = select(Hazard).join(Hazard.enterprise).where(
        Hazard.found_at.is_not(None), access.enterprise_filter(user)
    )
    return hazard_filter.apply(query)


@dataclass(frozen=True)
class HazardCounts:
    open: int
    overdue: int
    submitted: int
    major: int
    listed: int
    found: int  # in the campaign
    closed: int  # of those found in the campaign

    @property
    def rectification_rate(self) -> float | None:
        return self.closed / self.found if self.found else None


def hazard_counts_by_county(session: Session, user: User, campaign: Campaign) -> dict[int, HazardCounts]:
    """The hazard figures of each county the user may see, from the tallies (checklist/tallies.py)."""
    count, not_closed = HazardTally.count, HazardTally.status != HazardStatus.CLOSED
    states = session.execute(
        select(
            HazardTally.county_id,
            func.sum(count).filter(not_closed),
            func.sum(count).filter(not_closed, HazardTally.deadline < local_today()),
            func.sum(count).filter(HazardTally.status == HazardStatus.SUBMITTED),
            func.sum(count).filter(not_closed, HazardTally.level == HazardLevel.MAJOR),
            func.sum(count).filter(not_closed, HazardTally.listed.is_(True)),
        )
        .where(access.county_filter(user, HazardTally.county_id)).group_by(HazardTally.county_id)
    )
    figures = {row[0]: [int(value or 0) for value in row[1:]] + [0, 0] for row in states}
    campaign_rows = session.execute(
        select(CampaignTally.county_id, func.sum(CampaignTally.found), func.sum(CampaignTally.closed))
        .where(CampaignTally.campaign_id == campaign.id, access.county_filter(user, CampaignTally.county_id))
        .group_by(CampaignTally.county_id)
    )
    for county_id, found, closed in campaign_rows:
        figures.setdefault(county_id, [0] * 7)[5:] = [int(found or 0), int(closed or 0)]
    return {county_id: HazardCounts(*values) for county_id, values in figures.items()}


def total(counts) -> HazardCounts:
    """The figures of several counties added up."""
    counts = list(counts)
    return HazardCounts(*(sum(getattr(each, field.name) for each in counts) for field in fields(HazardCounts)))


def _inspections(user: User, campaign: Campaign, *, by_enterprise: bool = False) -> Select:
    query = select().select_from(Inspection).where(
        Inspection.status == InspectionStatus.SUBMITTED, Inspection.campaign_id == campaign.id
    )
    if by_enterprise or not access.sees_whole_city(user):  # the city counts without the join
        query = query.join(Inspection.enterprise).where(access.enterprise_filter(user))
    return query


def inspections_by_mode(session: Session, user: User, campaign: Campaign) -> dict[InspectionMode, int]:
    """Inspections of enterprises by mode; 督政 inspections are counted apart (read.oversight.figures).

    The city counts every inspection from an index and takes away the few 督政 ones, rather than reading each
    row to tell an enterprise's from a unit's.
    """
    rows = session.execute(
        _inspections(user, campaign).add_columns(Inspection.mode, func.count()).group_by(Inspection.mode)
    )
    counts = Counter(dict(rows.all()))
    if access.sees_whole_city(user):
        counts.subtract(dict(session.execute(
            select(Inspection.mode, func.count().filter(Inspection.status == InspectionStatus.SUBMITTED,
                                                        Inspection.campaign_id == campaign.id))
            .where(oversight_only(Inspection.inspected_unit_id)).group_by(Inspection.mode)
        ).all()))
    return {mode: counts.get(mode, 0) for mode in InspectionMode if mode is not InspectionMode.REPORT}  # no visit


def oversight_only(inspected_unit_id) -> ColumnElement[bool]:
    """Select the few rows of 督政 from their own index: a range, which SQLite reads from the index of
    inspected_unit_id (it would not for IS NOT NULL beside the campaign's conditions)."""
    return inspected_unit_id > 0


def inspections_by_sector(session: Session, user: User, campaign: Campaign) -> list[tuple[Sector, int]]:
    rows = session.execute(
        _inspections(user, campaign, by_enterprise=True).add_columns(Enterprise.sector_id, func.count())
        .group_by(Enterprise.sector_id)
    )
    counts = dict(rows.all())
    sectors = session.scalars(select(Sector).order_by(Sector.id))
    return sorted(((sector, counts.get(sector.id, 0)) for sector in sectors), key=lambda pair: -pair[1])


@dataclass(frozen=True)
class Week:
    starts_on: date
    found: int
    closed: int


def weekly_trend(session: Session, user: User, campaign: Campaign) -> list[Week]:
    """Hazards found and closed per week of the campaign (up to today), by China Standard Time days."""
    end = min(campaign.ends_on, local_today())
    days = session.execute(
        select(CampaignTally.day, func.sum(CampaignTally.found), func.sum(CampaignTally.closed))
        .where(CampaignTally.campaign_id == campaign.id, access.county_filter(user, CampaignTally.county_id))
        .group_by(CampaignTally.day)
    )
    found, closed = Counter(), Counter()
    for day, found_that_day, closed_that_day in days:
        week = (day - campaign.starts_on).days // 7
        found[week] += int(found_that_day or 0)
        closed[week] += int(closed_that_day or 0)
    weeks = range((end - campaign.starts_on).days // 7 + 1) if end >= campaign.starts_on else range(0)
    return [Week(campaign.starts_on + timedelta(days=7 * week), found[week], closed[week]) for week in weeks]
