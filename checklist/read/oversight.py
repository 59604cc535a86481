"""督政: the units a user may inspect, a unit's problems, its 督政 inspections and the measures taken, and the
evidence the app already holds about a unit, shown beside the 督政 checklist's items so that the inspector
confirms instead of asking.

A unit's scope is itself for a department, and every unit of its county for a county's committee office (the
county is inspected through it). Every figure is one SQL aggregate.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Row, Select, and_, case, distinct, func, or_, select, true
from sqlalchemy.orm import Session, joinedload

from checklist import access
from checklist.clock import local_day, month_bounds, month_of
from checklist.models import (
    Campaign,
    ChecklistItem,
    County,
    DailyReport,
    EnforcementAction,
    EnforcementKind,
    Enterprise,
    Hazard,
    HazardLevel,
    HazardStatus,
    Inspection,
    InspectionMode,
    InspectionStatus,
    Measure,
    MeasureKind,
    MonthlyReport,
    Role,
    Team,
    Unit,
    UnitKind,
    User,
    team_member,
    utcnow,
)
from checklist.read import coverage, hazards, overview
from checklist.read.reports import ReportState, report_state


def inspectable_units(session: Session, user: User) -> list[Unit]:
    """The units the user may inspect by 督政, county by county, each county's office first."""
    return list(session.scalars(
        select(Unit).join(Unit.county).where(access.inspectable_units_filter(user))
        .options(joinedload(Unit.county))
        .order_by(County.code, Unit.kind != UnitKind.COMMITTEE, Unit.name)
    ))


@dataclass(frozen=True)
class UnitStanding:
    """A unit's 督政 record at a glance: its problems not closed, those overdue, and its last 督政 inspection."""

    open: int = 0
    overdue: int = 0
    last_inspected: datetime | None = None


def standings(session: Session, units: list[Unit], today: date) -> dict[int, UnitStanding]:
    """Return {unit id: UnitStanding} for the units, in two grouped queries."""
    ids = [unit.id for unit in units]
    problems = dict.fromkeys(ids, (0, 0))
    for unit_id, open_, overdue in session.execute(
        select(Hazard.inspected_unit_id, func.count(), func.count().filter(Hazard.deadline < today))
        .where(Hazard.inspected_unit_id.in_(ids), Hazard.found_at.is_not(None), Hazard.status != HazardStatus.CLOSED)
        .group_by(Hazard.inspected_unit_id)
    ):
        problems[unit_id] = (open_, overdue)
    last = dict(session.execute(
        select(Inspection.inspected_unit_id, func.max(Inspection.submitted_at))
        .where(Inspection.inspected_unit_id.in_(ids), Inspection.status == InspectionStatus.SUBMITTED)
        .group_by(Inspection.inspected_unit_id)
    ).all())
    return {unit_id: UnitStanding(*problems[unit_id], last.get(unit_id)) for unit_id in ids}


def unit_problems(session: Session, unit: Unit) -> dict[HazardStatus, list[Hazard]]:
    """The unit's problem list by status; in each group the overdue first, then by deadline."""
    return hazards.by_status(session, Hazard.inspected_unit_id == unit.id)


def unit_problem_rows(session: Session, unit: Unit) -> list[Row]:
    """The unit's problem list in the page's order (unit_problems), as rows of the columns its sheet prints."""
    query = (
        select(
            Hazard.id, ChecklistItem.code.label("item_code"), Hazard.description, Hazard.level, Hazard.found_at,
            Unit.name.label("found_by"), Hazard.deadline, Hazard.status, Hazard.responsible_person, Hazard.closed_at,
        )
        .select_from(Hazard).join(Hazard.inspection).outerjoin(Inspection.unit).outerjoin(Hazard.item)
        .where(Hazard.found_at.is_not(None), Hazard.inspected_unit_id == unit.id)
    )
    groups = hazards.grouped(session.execute(hazards.overdue_first(query)))
    return [row for group in groups.values() for row in group]


def unit_inspections(session: Session, unit: Unit) -> list[Inspection]:
    """The unit's submitted 督政 inspections, the newest first."""
    return list(session.scalars(
        select(Inspection)
        .where(Inspection.inspected_unit_id == unit.id, Inspection.status == InspectionStatus.SUBMITTED)
        .options(joinedload(Inspection.unit)).order_by(Inspection.submitted_at.desc()).limit(100)
    ))


def problems_to_verify(session: Session, user: User) -> list[Hazard]:
    """Fixes of units' problems waiting for the user's verification (access.can_verify), the oldest first."""
    if user.role is Role.ENTERPRISE or user.unit_id is None:
        return []
    may = true() if access.is_city(user) else Inspection.unit_id == user.unit_id
    return list(session.scalars(
        select(Hazard).join(Hazard.inspection)
        .where(Hazard.status == HazardStatus.SUBMITTED, Hazard.inspected_unit_id.is_not(None),
               Hazard.inspected_unit_id != user.unit_id, may)
        .options(joinedload(Hazard.inspected_unit)).order_by(Hazard.deadline, Hazard.id).limit(200)
    ))


def measures(user: User, unit: Unit | None = None) -> Select:
    """The measures (通报, 曝光, 约谈) the user may see, the latest first; of one unit if given."""
    query = select(Measure).join(Measure.unit).where(access.visible_units_filter(user))
    if unit is not None:
        query = query.where(Measure.unit_id == unit.id)
    return query.options(
        joinedload(Measure.unit).joinedload(Unit.county), joinedload(Measure.created_by),
    ).order_by(Measure.held_on.desc(), Measure.id.desc())


@dataclass(frozen=True)
class OversightFigures:
    """督政 on the dashboard, apart from the enterprises' figures: the units the user may see."""

    inspections: int = 0  # 督政 inspections submitted in the campaign
    units: int = 0  # distinct units they inspected
    open: int = 0  # problems not closed
    overdue: int = 0
    closed: int = 0
    notices: int = 0
    exposures: int = 0
    talks: int = 0


def figures(session: Session, user: User, campaign: Campaign, today: date) -> OversightFigures:
    """Count the 督政 of the units the user may see, in three aggregate queries."""
    visible = select(Unit.id).where(access.visible_units_filter(user))
    submitted = and_(Inspection.campaign_id == campaign.id, Inspection.status == InspectionStatus.SUBMITTED)
    inspections, units = session.execute(
        select(func.count().filter(submitted), func.count(distinct(case((submitted, Inspection.inspected_unit_id)))))
        .where(overview.oversight_only(Inspection.inspected_unit_id), Inspection.inspected_unit_id.in_(visible))
    ).one()
    not_closed, found = Hazard.status != HazardStatus.CLOSED, Hazard.found_at.is_not(None)
    open_, overdue, closed = session.execute(
        select(func.count().filter(found, not_closed), func.count().filter(found, not_closed, Hazard.deadline < today),
               func.count().filter(found, Hazard.status == HazardStatus.CLOSED))
        .where(overview.oversight_only(Hazard.inspected_unit_id), Hazard.inspected_unit_id.in_(visible))
    ).one()
    kinds = dict(session.execute(
        select(Measure.kind, func.count()).where(Measure.unit_id.in_(visible)).group_by(Measure.kind)
    ).all())
    return OversightFigures(
        inspections, units, open_, overdue, closed, kinds.get(MeasureKind.NOTICE, 0),
        kinds.get(MeasureKind.EXPOSURE, 0), kinds.get(MeasureKind.INTERVIEW, 0),
    )


# The evidence beside the 督政 checklist's items.


@dataclass(frozen=True)
class Fact:
    """One line of evidence: what, its value, and whether it falls short of what the notice asks."""

    label: str
    value: str
    flagged: bool = False


def scope_ids(session: Session, unit: Unit) -> list[int]:
    """The units whose work a unit answers for: a county's office answers for the whole county."""
    if unit.kind is UnitKind.COMMITTEE and unit.county_id is not None:
        return list(session.scalars(select(Unit.id).where(Unit.county_id == unit.county_id)))
    return [unit.id]


def reporting_unit_of(session: Session, unit: Unit) -> Unit | None:
    """The unit that reports for it: a county department's reports are its county office's."""
    if access.is_reporting_unit(unit):
        return unit
    return session.scalars(
        select(Unit).where(Unit.county_id == unit.county_id, Unit.kind == UnitKind.COMMITTEE).order_by(Unit.id)
    ).first()


def supervised_clause(unit: Unit) -> ColumnElement[bool]:
    """The enterprises a unit answers for: a county office its county's, a department those it supervises."""
    if unit.kind is UnitKind.COMMITTEE:
        return Enterprise.county_id == unit.county_id
    return Enterprise.supervising_unit_id == unit.id


def _day(moment: datetime | None) -> str:
    return local_day(moment).isoformat() if moment else "—"


def team_facts(session: Session, unit: Unit, scope: list[int]) -> list[Fact]:
    teams, members, first, last = session.execute(
        select(func.count(distinct(Team.id)), func.count(distinct(team_member.c.user_id)),
               func.min(Team.created_at), func.max(Team.created_at))
        .select_from(Team).outerjoin(team_member, team_member.c.team_id == Team.id).where(Team.unit_id.in_(scope))
    ).one()
    liaison = " ".join(part for part in (unit.liaison_name, unit.liaison_phone) if part)
    return [
        Fact(_l("Teams registered"), _l("%(teams)d teams, %(members)d members", teams=teams, members=members),
             flagged=not teams or not members),
        Fact(_l("Registered"), f"{_day(first)} – {_day(last)}" if first else "—"),
        Fact(_l("Liaison"), liaison or _l("No liaison reported"), flagged=not liaison),
    ]


def daily_report_facts(session: Session, reporter: Unit | None, campaign: Campaign, now: datetime) -> list[Fact]:
    if reporter is None:
        return [Fact(_l("Daily reports"), _l("No unit reports for it"), flagged=True)]
    today = local_day(now)
    first = max(month_of(today), campaign.starts_on)
    days = [first + timedelta(days=number) for number in range((today - first).days)]
    reports = {report.report_date: report for report in session.scalars(
        select(DailyReport).where(DailyReport.unit_id == reporter.id, DailyReport.report_date >= first,
                                  DailyReport.report_date < today)
    )}
    states = {day: report_state(day, reports.get(day), now) for day in days}
    late = [day for day, state in states.items() if state is ReportState.LATE]
    missing = [day for day, state in states.items() if state is ReportState.MISSING]
    listed = ", ".join(f"{day.month}/{day.day}" for day in (late + missing)[:10])
    return [
        Fact(_l("Daily reports this month (by %(unit)s)", unit=reporter.name),
             _l("%(on_time)d on time, %(late)d late, %(missing)d missing", on_time=len(reports) - len(late),
                late=len(late), missing=len(missing)),
             flagged=bool(late or missing)),
        *([Fact(_l("Late or missing days"), listed, flagged=True)] if listed else []),
    ]


def monthly_report_facts(session: Session, reporter: Unit | None, campaign: Campaign, now: datetime) -> list[Fact]:
    if reporter is None:
        return [Fact(_l("Monthly reports"), _l("No unit reports for it"), flagged=True)]
    this_month = month_of(local_day(now))
    last_month = month_of(this_month - timedelta(days=1))
    sent = dict(session.execute(
        select(MonthlyReport.month, MonthlyReport.submitted_at)
        .where(MonthlyReport.unit_id == reporter.id, MonthlyReport.month.in_([last_month, this_month]))
    ).all())
    facts = []
    for month in (last_month, this_month):
        if month < month_of(campaign.starts_on):
            continue
        due = month_bounds(month)[1]  # by the month's end
        submitted = sent.get(month)
        if submitted is not None:
            value, flagged = _l("Sent %(day)s", day=_day(submitted)), submitted >= due
        else:
            value, flagged = _l("Not sent"), now >= due
        facts.append(Fact(_l("Monthly report of %(month)s", month=f"{month.year}-{month.month:02d}"), value,
                          flagged=flagged))
    return facts


def hazard_facts(session: Session, unit: Unit, today: date) -> list[Fact]:
    not_closed = Hazard.status != HazardStatus.CLOSED
    area = or_(supervised_clause(unit), Hazard.listed_unit_id == unit.id)
    open_, overdue, major, listed, listed_overdue = session.execute(
        select(
            func.count(), func.count().filter(Hazard.deadline < today),
            func.count().filter(Hazard.level == HazardLevel.MAJOR),
            func.count().filter(Hazard.listed_unit_id.is_not(None)),
            func.count().filter(Hazard.listed_unit_id.is_not(None), Hazard.listed_deadline < today),
        ).select_from(Hazard).join(Hazard.enterprise)
        .where(Hazard.found_at.is_not(None), not_closed, area)
    ).one()
    own_open, own_overdue = session.execute(
        select(func.count(), func.count().filter(Hazard.deadline < today))
        .where(Hazard.inspected_unit_id == unit.id, Hazard.found_at.is_not(None), not_closed)
    ).one()
    return [
        Fact(_l("Hazards not closed in its area"), _l("%(open)d, of which %(overdue)d overdue, %(major)d major",
                                                      open=open_, overdue=overdue, major=major), flagged=overdue > 0),
        Fact(_l("Under listed supervision"), _l("%(listed)d, of which %(overdue)d past the listed deadline",
                                                listed=listed, overdue=listed_overdue), flagged=listed_overdue > 0),
        Fact(_l("Its own problems from earlier oversight"), _l("%(open)d open, %(overdue)d overdue",
                                                              open=own_open, overdue=own_overdue),
             flagged=own_overdue > 0),
    ]


def _campaign_inspections(scope: list[int], campaign: Campaign) -> list[ColumnElement[bool]]:
    return [
        Inspection.unit_id.in_(scope), Inspection.campaign_id == campaign.id,
        Inspection.status == InspectionStatus.SUBMITTED,
    ]


def inspection_facts(session: Session, unit: Unit, scope: list[int], campaign: Campaign, now: datetime,
                     ) -> list[Fact]:
    total, video, with_hazards, signed = session.execute(
        select(
            func.count(), func.count().filter(Inspection.mode == InspectionMode.VIDEO),
            func.count().filter(Inspection.hazards.any()),
            func.count().filter(Inspection.hazards.any(), Inspection.signed_at.is_not(None)),
        ).where(*_campaign_inspections(scope, campaign), Inspection.enterprise_id.is_not(None))
    ).one()
    figures = coverage.of_unit(session, unit, coverage.Period.so_far(campaign, local_day(now)))
    supervised, covered = figures.roster, figures.inspected
    share = f" ({covered * 100 // supervised}%)" if supervised else ""
    return [
        Fact(_l("Inspections of enterprises this campaign"), _l("%(total)d, of which %(video)d by video",
                                                                total=total, video=video), flagged=not total),
        Fact(_l("Enterprises it answers for, inspected"), f"{covered} / {supervised}{share}",
             flagged=covered < supervised),
        Fact(_l("Problem lists signed"), f"{signed} / {with_hazards}", flagged=signed < with_hazards),
    ]


def enforcement_facts(session: Session, scope: list[int], campaign: Campaign) -> list[Fact]:
    kind = EnforcementAction.kind
    documents, suspensions, fines, others = session.execute(
        select(
            func.count().filter(kind == EnforcementKind.DOCUMENT),
            func.count().filter(kind == EnforcementKind.SUSPENSION),
            func.coalesce(func.sum(case((kind == EnforcementKind.FINE, EnforcementAction.fine_wan))), 0),
            func.count().filter(kind.in_([EnforcementKind.LICENCE, EnforcementKind.CLOSURE, EnforcementKind.OTHER])),
        ).select_from(EnforcementAction).join(EnforcementAction.inspection)
        .where(*_campaign_inspections(scope, campaign))
    ).one()
    return [Fact(
        _l("Enforcement this campaign"),
        _l("%(documents)d documents, %(suspensions)d suspensions, fines %(fines)s (10,000 yuan), %(others)d other",
           documents=documents, suspensions=suspensions, fines=f"{float(fines):.2f}", others=others),
        flagged=not (documents or suspensions or fines or others),
    )]


def evidence(session: Session, unit: Unit, campaign: Campaign, now: datetime | None = None,
             only: str | None = None) -> dict[str, list[Fact]]:
    """The facts the app holds about the unit, by the evidence key of the 督政 checklist's items (only one key's,
    for an item's page)."""
    now = now or utcnow()
    scope = cache(lambda: scope_ids(session, unit))  # each read once, and only when a key needs it
    reporter = cache(lambda: reporting_unit_of(session, unit))
    draws = {
        "teams": lambda: team_facts(session, unit, scope()),
        "daily_reports": lambda: daily_report_facts(session, reporter(), campaign, now),
        "monthly_reports": lambda: monthly_report_facts(session, reporter(), campaign, now),
        "hazards": lambda: hazard_facts(session, unit, local_day(now)),
        "inspections": lambda: inspection_facts(session, unit, scope(), campaign, now),
        "enforcement": lambda: enforcement_facts(session, scope(), campaign),
    }
    return {key: draw() for key, draw in draws.items() if only in (None, key)}


def inspection_measures(session: Session, inspection: Inspection) -> list[Measure]:
    """The measures taken after a 督政 inspection, in the order they were recorded."""
    return list(session.scalars(select(Measure).where(Measure.inspection_id == inspection.id).order_by(Measure.id)))
