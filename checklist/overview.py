"""The figures of the dashboards, as SQL aggregates, and the filters of the lists behind them.

A dashboard number and the list it links to use the same filter, so they always agree.
"""

from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from . import access
from .clock import local_today
from .db import sql_int
from .models import (
    Campaign,
    Enterprise,
    Hazard,
    HazardLevel,
    HazardStatus,
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


def _count_columns(campaign: Campaign, today: date):
    not_closed = Hazard.status != HazardStatus.CLOSED
    in_campaign = Inspection.campaign_id == campaign.id
    return (
        func.count().filter(not_closed),
        func.count().filter(not_closed, Hazard.deadline < today),
        func.count().filter(Hazard.status == HazardStatus.SUBMITTED),
        func.count().filter(not_closed, Hazard.level == HazardLevel.MAJOR),
        func.count().filter(not_closed, Hazard.listed_unit_id.is_not(None)),
        func.count().filter(in_campaign),
        func.count().filter(in_campaign, Hazard.status == HazardStatus.CLOSED),
    )


def _scoped(user: User) -> Select:
    return (
        select().select_from(Hazard).join(Hazard.enterprise).join(Hazard.inspection)
        .where(Hazard.found_at.is_not(None), access.enterprise_filter(user))
    )


def hazard_counts(session: Session, user: User, campaign: Campaign) -> HazardCounts:
    """The hazard figures of everything the user may see."""
    row = session.execute(_scoped(user).add_columns(*_count_columns(campaign, local_today()))).one()
    return HazardCounts(*row)


def hazard_counts_by_county(session: Session, user: User, campaign: Campaign) -> dict[int, HazardCounts]:
    """The same figures, one set per county (for the city's dashboard)."""
    rows = session.execute(
        _scoped(user).add_columns(Enterprise.county_id, *_count_columns(campaign, local_today()))
        .group_by(Enterprise.county_id)
    )
    return {row[0]: HazardCounts(*row[1:]) for row in rows}


def _inspections(user: User, campaign: Campaign) -> Select:
    return (
        select().select_from(Inspection).join(Inspection.enterprise)
        .where(Inspection.status == InspectionStatus.SUBMITTED, Inspection.campaign_id == campaign.id,
               access.enterprise_filter(user))
    )


def inspections_by_mode(session: Session, user: User, campaign: Campaign) -> dict[InspectionMode, int]:
    rows = session.execute(
        _inspections(user, campaign).add_columns(Inspection.mode, func.count()).group_by(Inspection.mode)
    )
    counts = dict(rows.all())
    return {mode: counts.get(mode, 0) for mode in InspectionMode}


def inspections_by_sector(session: Session, user: User, campaign: Campaign) -> list[tuple[Sector, int]]:
    rows = session.execute(
        _inspections(user, campaign).add_columns(Enterprise.sector_id, func.count()).group_by(Enterprise.sector_id)
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
    """Hazards found and closed per week of the campaign (up to today)."""
    end = min(campaign.ends_on, local_today())
    found_day, closed_day = func.date(Hazard.found_at), func.date(Hazard.closed_at)
    found = dict(session.execute(
        _scoped(user).add_columns(found_day, func.count()).where(Inspection.campaign_id == campaign.id)
        .group_by(found_day)
    ).all())
    closed = dict(session.execute(
        _scoped(user).add_columns(closed_day, func.count())
        .where(Inspection.campaign_id == campaign.id, Hazard.closed_at.is_not(None)).group_by(closed_day)
    ).all())
    weeks, start = [], campaign.starts_on
    while start <= end:
        days = {str(start + timedelta(days=offset)) for offset in range(7)}
        weeks.append(Week(
            start, sum(n for day, n in found.items() if str(day) in days),
            sum(n for day, n in closed.items() if str(day) in days),
        ))
        start += timedelta(days=7)
    return weeks
