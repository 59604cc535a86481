"""检查全覆盖: which enterprises of the roster have been inspected in a campaign's period, and which not.

An enterprise counts as inspected when a county or city unit submitted an inspection of it in the period
(any mode but the self-check: 县级全面检查, 市级抽查, 四不两直, 视频, 交叉). Its own self-check is shown beside
that, never instead: the notice asks the county departments to inspect every enterprise of their sector. A
draft counts for nothing; two units inspecting one enterprise count it once.

The figures are grouped by county × sector × supervising unit from one pass over the period's inspections
(a subquery of one row per enterprise inspected) joined to the roster; the lists behind them use the same
clauses, so a number and its list always agree.
"""

from dataclasses import dataclass, fields
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Result, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload

from checklist import access
from checklist.clock import day_bounds
from checklist.models import (
    Assignment,
    Campaign,
    County,
    CoverageTally,
    CrossAssignment,
    Enterprise,
    Inspection,
    InspectionMode,
    InspectionStatus,
    Sector,
    Team,
    Unit,
    UnitKind,
    User,
    team_member,
)
from checklist.read.paging import streamed

# What a list of enterprises shows: those the numbers of a row count.
KIND_LABELS = {
    "roster": _l("Enterprises of the roster"),
    "inspected": _l("Enterprises inspected"),
    "not_inspected": _l("Enterprises not yet inspected"),
    "self_checked": _l("Enterprises that inspected themselves"),
    "by_county": _l("Enterprises inspected by the county"),
    "by_city": _l("Enterprises inspected by the city"),
}
KINDS = tuple(KIND_LABELS)


@dataclass(frozen=True)
class Period:
    campaign: Campaign
    start: date
    end: date

    @classmethod
    def so_far(cls, campaign: Campaign, day: date) -> "Period":
        """The campaign from its start to the end of the day: read from the kept first days."""
        return cls(campaign, campaign.starts_on, max(campaign.starts_on, day))


@dataclass(frozen=True)
class Figures:
    roster: int = 0
    inspected: int = 0  # by a county or city unit
    self_checked: int = 0
    by_county: int = 0
    by_city: int = 0

    @property
    def not_inspected(self) -> int:
        return self.roster - self.inspected

    @property
    def rate(self) -> float | None:
        """The share inspected (覆盖率), None for an empty roster."""
        return self.inspected / self.roster if self.roster else None

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, name) + getattr(other, name) for name in FIGURE_NAMES))


FIGURE_NAMES = [field.name for field in fields(Figures)]


@dataclass(frozen=True)
class Row:
    """One line: a county, a sector and a supervising unit (None: the roster names none), and its figures."""

    county: County
    sector: Sector
    unit: Unit | None
    figures: Figures


@dataclass(frozen=True)
class CountyCoverage:
    """A county's rows and their total; the city ranks these by their share not inspected."""

    county: County
    rows: list[Row]
    total: Figures


def _per_enterprise(period: Period) -> Select:
    """One row per enterprise with a submitted inspection in the period: who inspected it (1 or 0 each).

    A period from the campaign's start on (the campaign so far: the default, the dashboards and the daily
    reports) reads the kept first days (CoverageTally); any other period reads the inspections themselves.
    """
    if period.start <= period.campaign.starts_on:
        return _kept(period)
    lower, upper = day_bounds(period.start, period.end)
    inspecting = aliased(Unit)
    self_check = Inspection.mode == InspectionMode.SELF_CHECK
    return (
        select(
            Inspection.enterprise_id.label("enterprise_id"),
            func.max(case((self_check, 1), else_=0)).label("self_checked"),
            func.max(case((~self_check & inspecting.county_id.is_not(None), 1), else_=0)).label("by_county"),
            func.max(case((~self_check & inspecting.id.is_not(None) & inspecting.county_id.is_(None), 1),
                          else_=0)).label("by_city"),
        )
        .outerjoin(inspecting, inspecting.id == Inspection.unit_id)
        .where(Inspection.campaign_id == period.campaign.id, Inspection.status == InspectionStatus.SUBMITTED,
               Inspection.enterprise_id.is_not(None), Inspection.submitted_at >= lower,
               Inspection.submitted_at < upper)
        .group_by(Inspection.enterprise_id)
        .subquery("inspected")
    )


def _kept(period: Period) -> Select:
    """_per_enterprise from the kept first days: an enterprise is inspected by the period's end if its first
    inspection of that kind came on or before that day."""

    def by_end(column) -> ColumnElement:
        return case((column <= period.end, 1), else_=0)

    return (
        select(CoverageTally.enterprise_id.label("enterprise_id"),
               by_end(CoverageTally.self_checked_on).label("self_checked"),
               by_end(CoverageTally.county_on).label("by_county"), by_end(CoverageTally.city_on).label("by_city"))
        .where(CoverageTally.campaign_id == period.campaign.id)
        .subquery("inspected")
    )


def _scope(user: User | None, county_id: int | None) -> list[ColumnElement[bool]]:
    """The enterprises the user sees (None: the command line, which sees the whole city), of one county if given."""
    clauses = [] if user is None else [access.enterprise_filter(user)]
    if county_id is not None:
        clauses.append(Enterprise.county_id == county_id)
    return clauses


def coverage(session: Session, user: User | None, period: Period, county_id: int | None = None,
             ) -> list[CountyCoverage]:
    """The coverage of each county the user may see (or of one), its rows by sector and supervising unit."""
    inspected = _per_enterprise(period)
    by_county, by_city = func.coalesce(inspected.c.by_county, 0), func.coalesce(inspected.c.by_city, 0)
    rows = session.execute(
        select(
            Enterprise.county_id, Enterprise.sector_id, Enterprise.supervising_unit_id, func.count(),
            func.sum(case((or_(by_county == 1, by_city == 1), 1), else_=0)),
            func.sum(func.coalesce(inspected.c.self_checked, 0)), func.sum(by_county), func.sum(by_city),
        )
        .select_from(Enterprise).outerjoin(inspected, inspected.c.enterprise_id == Enterprise.id)
        .where(*_scope(user, county_id))
        .group_by(Enterprise.county_id, Enterprise.sector_id, Enterprise.supervising_unit_id)
    ).all()
    counties = {county.id: county for county in session.scalars(select(County))}
    sectors = {sector.id: sector for sector in session.scalars(select(Sector))}
    units = {unit.id: unit for unit in session.scalars(
        select(Unit).where(Unit.id.in_({row[2] for row in rows if row[2] is not None}))
    )}
    grouped: dict[int, list[Row]] = {}
    for county, sector, unit, *values in rows:
        figures = Figures(*(int(value or 0) for value in values))
        grouped.setdefault(county, []).append(Row(counties[county], sectors[sector], units.get(unit), figures))
    result = []
    for county, county_rows in grouped.items():
        county_rows.sort(key=lambda row: (row.sector.id, row.unit.name if row.unit else ""))
        result.append(CountyCoverage(counties[county], county_rows, sum((row.figures for row in county_rows),
                                                                         Figures())))
    return sorted(result, key=lambda each: each.county.code)


def of_unit(session: Session, unit: Unit, period: Period) -> Figures:
    """The coverage of the enterprises a unit answers for: a county office its county's, a department (of a
    county or of the city) those it supervises."""
    whole_county = unit.kind is UnitKind.COMMITTEE and unit.county_id is not None
    return sum((row.figures for county in coverage(session, None, period, unit.county_id) for row in county.rows
                if whole_county or row.unit is unit), Figures())


def ranked(counties: list[CountyCoverage]) -> list[CountyCoverage]:
    """The counties with the largest share not yet inspected (the lowest coverage) first."""
    return sorted(counties, key=lambda each: (each.total.rate if each.total.rate is not None else 1.0,
                                              each.county.code))


def city_total(counties: list[CountyCoverage]) -> Figures:
    return sum((each.total for each in counties), Figures())


def by_sector(county: CountyCoverage) -> list[tuple[Sector, Figures]]:
    """A county's figures by sector, its supervising units added up."""
    sectors: dict[int, tuple[Sector, Figures]] = {}
    for row in county.rows:
        sector, figures = sectors.get(row.sector.id, (row.sector, Figures()))
        sectors[row.sector.id] = (sector, figures + row.figures)
    return list(sectors.values())


@dataclass(frozen=True)
class ListFilter:
    """Which enterprises a list behind a number shows; from the query string, back into it for links."""

    kind: str = "not_inspected"
    county: int | None = None
    sector: int | None = None
    unit: int | None = None  # 0: the enterprises whose supervising unit the roster leaves empty

    def args(self, **changes) -> dict:
        values = {**self.__dict__, **changes}
        return {key: value for key, value in values.items() if value is not None}


def supervised_by(unit_id: int) -> ColumnElement[bool]:
    """The enterprises a supervising unit answers for; unit 0: those whose roster row names none."""
    return Enterprise.supervising_unit_id.is_(None) if unit_id == 0 else Enterprise.supervising_unit_id == unit_id


def enterprises(user: User, period: Period, chosen: ListFilter) -> Select:
    """Select the enterprises a number counts, by name, with their county, sector and supervising unit."""
    return _counted(select(Enterprise), user, period, chosen).options(
        joinedload(Enterprise.county), joinedload(Enterprise.sector), joinedload(Enterprise.supervising_unit),
    )


def enterprise_rows(session: Session, user: User, period: Period, chosen: ListFilter) -> Result:
    """The same enterprises as rows of the columns their sheet prints, with who answers for each in the campaign
    (包保), streamed: the city's roster runs to tens of thousands."""
    query = select(
        Enterprise.id, County.name.label("county"), Sector.name.label("sector"), Enterprise.name,
        Enterprise.credit_code, Unit.name.label("supervising_unit"), Enterprise.contact_name, Enterprise.contact_phone,
        Team.name.label("team"), User.name.label("person"),
    ).select_from(Enterprise)
    query = (
        _counted(query, user, period, chosen).join(Enterprise.county).join(Enterprise.sector)
        .outerjoin(Enterprise.supervising_unit)
        .outerjoin(Assignment, and_(Assignment.enterprise_id == Enterprise.id,
                                    Assignment.campaign_id == period.campaign.id))
        .outerjoin(Team, Team.id == Assignment.team_id).outerjoin(User, User.id == Assignment.user_id)
    )
    return streamed(session, query)


def _counted(query: Select, user: User, period: Period, chosen: ListFilter) -> Select:
    """Narrow a query over Enterprise to those a number counts (enterprises), in the lists' order."""
    inspected = _per_enterprise(period)
    government = or_(inspected.c.by_county == 1, inspected.c.by_city == 1)
    kinds = {
        "roster": literal(True),
        "inspected": and_(inspected.c.enterprise_id.is_not(None), government),
        "not_inspected": or_(inspected.c.enterprise_id.is_(None), ~government),
        "self_checked": inspected.c.self_checked == 1,
        "by_county": inspected.c.by_county == 1,
        "by_city": inspected.c.by_city == 1,
    }
    query = (
        query.outerjoin(inspected, inspected.c.enterprise_id == Enterprise.id)
        .where(*_scope(user, chosen.county), kinds[chosen.kind])
    )
    if chosen.sector is not None:
        query = query.where(Enterprise.sector_id == chosen.sector)
    if chosen.unit is not None:
        query = query.where(supervised_by(chosen.unit))
    return query.order_by(Enterprise.county_id, Enterprise.sector_id, Enterprise.name, Enterprise.id)


# 包保: who answers for each enterprise's county inspection.


def assignments_of(session: Session, campaign: Campaign, enterprises: list[Enterprise]) -> dict[int, Assignment]:
    """The campaign's assignments of these enterprises (a page of them), by enterprise id."""
    ids = [enterprise.id for enterprise in enterprises]
    return {row.enterprise_id: row for row in session.scalars(
        select(Assignment).where(Assignment.campaign_id == campaign.id, Assignment.enterprise_id.in_(ids))
        .options(joinedload(Assignment.team), joinedload(Assignment.user))
    )} if ids else {}


def inspected_in(campaign: Campaign) -> ColumnElement[bool]:
    """Whether a county or city unit submitted an inspection of the enterprise in the campaign (kept)."""
    return select(CoverageTally.enterprise_id).where(
        CoverageTally.enterprise_id == Enterprise.id, CoverageTally.campaign_id == campaign.id,
        CoverageTally.county_on.is_not(None) | CoverageTally.city_on.is_not(None),
    ).exists()


def assigned_to(session: Session, user: User, campaign: Campaign, limit: int = 100) -> list[Enterprise]:
    """The enterprises the user answers for in the campaign and nobody has inspected yet, by name."""
    return list(session.scalars(
        select(Enterprise).join(Assignment, Assignment.enterprise_id == Enterprise.id)
        .where(Assignment.campaign_id == campaign.id, Assignment.user_id == user.id, ~inspected_in(campaign))
        .options(joinedload(Enterprise.sector)).order_by(Enterprise.name, Enterprise.id).limit(limit)
    ))


def assignment_list(campaign: Campaign, county_id: int, sector: int | None, unit: int | None,
                    unassigned: bool) -> Select:
    """Select a county's enterprises for assigning, narrowed by sector, supervising unit, and to the unassigned."""
    query = select(Enterprise).where(Enterprise.county_id == county_id)
    if sector is not None:
        query = query.where(Enterprise.sector_id == sector)
    if unit is not None:
        query = query.where(supervised_by(unit))
    if unassigned:
        query = query.where(~select(Assignment.id).where(
            Assignment.enterprise_id == Enterprise.id, Assignment.campaign_id == campaign.id).exists())
    return query.options(joinedload(Enterprise.sector), joinedload(Enterprise.supervising_unit)).order_by(
        Enterprise.sector_id, Enterprise.name, Enterprise.id)


def county_members(session: Session, county_id: int | None = None) -> list[tuple[Team, User]]:
    """The members of the teams of a county's units (None: of every county's), who may answer for its
    enterprises."""
    in_county = Unit.county_id.is_not(None) if county_id is None else Unit.county_id == county_id
    return [tuple(row) for row in session.execute(
        select(Team, User).join(Team.unit).join(team_member, team_member.c.team_id == Team.id)
        .join(User, User.id == team_member.c.user_id)
        .where(in_county).options(contains_eager(Team.unit)).order_by(Unit.name, Team.name, User.name)
    )]


# 交叉检查: the teams the city sends to other counties' enterprises.


def crossing_enterprise_ids(user: User, today: date) -> Select:
    """Select the ids of the enterprises one of the user's teams is sent to today (access.crossing_to)."""
    return (
        select(CrossAssignment.enterprise_id)
        .join(team_member, team_member.c.team_id == CrossAssignment.team_id)
        .where(team_member.c.user_id == user.id, CrossAssignment.starts_on <= today, CrossAssignment.ends_on >= today)
    )


def cross_assignments(today: date) -> Select:
    """The cross assignments not yet ended, the soonest ending first."""
    return (
        select(CrossAssignment).where(CrossAssignment.ends_on >= today)
        .options(joinedload(CrossAssignment.team).joinedload(Team.unit).joinedload(Unit.county),
                 joinedload(CrossAssignment.enterprise).joinedload(Enterprise.county))
        .order_by(CrossAssignment.ends_on, CrossAssignment.team_id, CrossAssignment.id)
    )


def county_teams(session: Session) -> list[Team]:
    """The teams of the counties' units, county by county: those the city may send."""
    return list(session.scalars(
        select(Team).join(Team.unit).join(Unit.county).options(joinedload(Team.unit).joinedload(Unit.county))
        .order_by(County.code, Unit.name, Team.name)
    ))
