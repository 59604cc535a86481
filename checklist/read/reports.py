"""Daily reports (日报), the city's daily bulletin (简报) and monthly reports (月报): who reports for which
unit, what the data says, and what the reports hold.

Who reports: every county, through its committee office (县安委办), for the work of all the county's units;
and every city department, for its own work (access.can_report). The city's committee office (市安委办)
receives the reports and reports to nobody. A report's day is a day in China Standard Time, due by 10:00 CST
the next morning; the database stores naive UTC, so every day and deadline is turned into UTC bounds
(checklist.clock), whatever the server's zone.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
from sqlalchemy.orm import Session, joinedload

from checklist.access import can_report
from checklist.clock import CHINA, day_bounds, local_day, month_bounds, month_of, naive_utc
from checklist.models import (
    Campaign,
    County,
    DailyReport,
    EnforcementAction,
    Enterprise,
    Hazard,
    HazardLevel,
    Inspection,
    InspectionMode,
    InspectionStatus,
    LabelledEnum,
    MonthlyReport,
    Role,
    Unit,
    UnitKind,
    User,
    utcnow,
)
from checklist.read import coverage, hazards

DEADLINE_HOUR = 10  # the report of a day is due at 10:00 CST the next morning
MONTHLY_LIMIT = 2500  # characters, whitespace not counted
VIDEO_MODES = (InspectionMode.VIDEO,)
SURPRISE_MODES = (InspectionMode.SURPRISE, InspectionMode.CITY_SPOT)
SUPERVISION_MODES = (InspectionMode.COUNTY_FULL, InspectionMode.CROSS)


def reporting_unit_clause() -> ColumnElement[bool]:
    """The WHERE clause of is_reporting_unit, over Unit."""
    return or_(
        and_(Unit.county_id.is_(None), Unit.kind == UnitKind.DEPARTMENT),
        and_(Unit.county_id.is_not(None), Unit.kind == UnitKind.COMMITTEE),
    )


def reporting_units(session: Session) -> list[Unit]:
    """Every unit that reports: the counties in code order, then the city departments by name."""
    return list(session.scalars(
        select(Unit).outerjoin(Unit.county).where(reporting_unit_clause())
        .order_by(Unit.county_id.is_(None), County.code, Unit.name)
    ))


def reporting_unit_for(session: Session, user: User) -> Unit | None:
    """Return the unit the user reports for, or None."""
    if user.role is Role.COUNTY_ADMIN and user.county_id is not None:
        return session.scalars(
            select(Unit).where(Unit.county_id == user.county_id, Unit.kind == UnitKind.COMMITTEE).order_by(Unit.id)
        ).first()
    if user.unit is not None and can_report(user, user.unit):
        return user.unit
    return None


def work_clause(unit: Unit) -> ColumnElement[bool]:
    """The WHERE clause over Inspection of the work a unit's report covers: a county's all its units'."""
    if unit.county_id is None:
        return Inspection.unit_id == unit.id
    return Inspection.unit_id.in_(select(Unit.id).where(Unit.county_id == unit.county_id))


def area_clause(unit: Unit) -> ColumnElement[bool]:
    """The WHERE clause over Hazard, its Inspection and Enterprise, of the hazards of a unit's area.

    A county's area is its enterprises, whoever found the hazard; a city department's is what it found,
    the enterprises it supervises and the hazards listed under its supervision.
    """
    if unit.county_id is not None:
        return Enterprise.county_id == unit.county_id
    return or_(
        Inspection.unit_id == unit.id, Enterprise.supervising_unit_id == unit.id, Hazard.listed_unit_id == unit.id,
    )


def deadline(day: date) -> datetime:
    """Return when the report of a day is due, 10:00 CST the next morning, as naive UTC."""
    return naive_utc(datetime.combine(day + timedelta(days=1), time(DEADLINE_HOUR), tzinfo=CHINA))


def yesterday(now: datetime | None = None) -> date:
    """Return the day a unit reports on this morning."""
    return local_day(now) - timedelta(days=1)


def is_reportable_day(day: date, now: datetime | None = None) -> bool:
    """Tell whether a day can be reported: once it is over, from the next morning on."""
    return day < local_day(now)


# The figures of a day, from the data.


@dataclass(frozen=True)
class Figures:
    """What the data says about a unit's day; stored with the report as a snapshot."""

    video_checks: int = 0
    surprise_checks: int = 0
    supervision_checks: int = 0
    hazards_found: int = 0
    hazards_closed: int = 0
    enforcement_actions: int = 0
    # 检查全覆盖 at the end of the day, the campaign so far (read.coverage): a county's roster, or the
    # enterprises a city department supervises.
    enterprises_inspected: int = 0
    enterprises_not_inspected: int = 0
    fines_wan: Decimal = Decimal("0.00")  # last: the sums bring it back to exact cents apart

    @classmethod
    def of(cls, report: DailyReport) -> "Figures":
        """Return the figures stored with a report."""
        return cls(**{name: getattr(report, name) for name in FIGURE_NAMES})

    def items(self) -> list[tuple[str, object]]:
        """Pairs of (translated label, value), in the bulletin's order."""
        return [(FIGURE_LABELS[name], getattr(self, name)) for name in FIGURE_NAMES]


FIGURE_NAMES = [field.name for field in fields(Figures)]
FIGURE_LABELS = {
    "video_checks": _l("Video dispatch checks"),
    "surprise_checks": _l("On-site surprise checks"),
    "supervision_checks": _l("Supervision checks"),
    "hazards_found": _l("Hazards found"),
    "hazards_closed": _l("Hazards closed"),
    "enforcement_actions": _l("Enforcement actions"),
    "enterprises_inspected": _l("Enterprises inspected so far"),
    "enterprises_not_inspected": _l("Enterprises not yet inspected"),
    "fines_wan": _l("Fine (10,000 yuan)"),
}
# A city department's enterprises are in their county's roster too: the day's total counts the counties' only.
COVERAGE_NAMES = ("enterprises_inspected", "enterprises_not_inspected")


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def daily_figures(session: Session, unit: Unit, day: date) -> Figures:
    """Count a unit's work of a CST day from submitted inspections, in one SQL statement.

    Checks by mode: video; on-site surprise (surprise and city spot checks of enterprises); supervision (督导检查:
    county full and cross inspections, and every on-site 督政 inspection of a county or department). Hazards
    found at enterprises and closed that day, enforcement actions recorded that day with their fines; all of
    inspections made by the units the report covers.
    """
    start, end = day_bounds(day)
    covered, submitted = work_clause(unit), Inspection.status == InspectionStatus.SUBMITTED
    video, oversight = Inspection.mode.in_(VIDEO_MODES), Inspection.inspected_unit_id.is_not(None)
    inspections = select(
        func.count().filter(video).label("video_checks"),
        func.count().filter(Inspection.mode.in_(SURPRISE_MODES), ~oversight).label("surprise_checks"),
        func.count().filter(or_(Inspection.mode.in_(SUPERVISION_MODES), oversight & ~video)).label(
            "supervision_checks"),
    ).where(submitted, covered, Inspection.submitted_at >= start, Inspection.submitted_at < end).subquery()
    found = and_(Hazard.found_at >= start, Hazard.found_at < end)
    closed = and_(Hazard.closed_at >= start, Hazard.closed_at < end)
    hazard_counts = (
        select(func.count().filter(found).label("hazards_found"), func.count().filter(closed).label("hazards_closed"))
        .select_from(Hazard).join(Hazard.inspection)
        .where(covered, Hazard.enterprise_id.is_not(None), Hazard.found_at.is_not(None), or_(found, closed))
    ).subquery()
    actions = (
        select(func.count().label("enforcement_actions"), func.sum(EnforcementAction.fine_wan).label("fines_wan"))
        .select_from(EnforcementAction).join(EnforcementAction.inspection)
        .where(submitted, covered, EnforcementAction.created_at >= start, EnforcementAction.created_at < end)
    ).subquery()
    row = session.execute(
        select(inspections, hazard_counts, actions)
        .select_from(inspections.join(hazard_counts, true()).join(actions, true()))
    ).one()._mapping
    counted = {name: row[name] or 0 for name in FIGURE_NAMES if name not in COVERAGE_NAMES and name != "fines_wan"}
    covered = coverage_at(session, unit, day)
    return Figures(**counted, enterprises_inspected=covered.inspected, enterprises_not_inspected=covered.not_inspected,
                   fines_wan=_money(row["fines_wan"]))


def coverage_at(session: Session, unit: Unit, day: date) -> coverage.Figures:
    """The coverage at the end of the day of the campaign running then: the county's, or a city department's
    supervised enterprises'."""
    campaign = session.scalars(
        select(Campaign).where(Campaign.starts_on <= day, Campaign.ends_on >= day).order_by(Campaign.starts_on.desc())
    ).first()
    if campaign is None:
        return coverage.Figures()
    return coverage.of_unit(session, unit, coverage.Period.so_far(campaign, day))


# Daily reports: submission and lateness.


@dataclass(frozen=True)
class DailyTexts:
    """What only people know: leaders' own performance (领导履职), highlights, problems, typical cases."""

    leadership: str = ""
    highlights: str = ""
    problems: str = ""
    typical_cases: str = ""


DAILY_TEXT_LABELS = {
    "leadership": _l("Leaders' performance of duties"),
    "highlights": _l("Highlights"),
    "problems": _l("Problems"),
    "typical_cases": _l("Typical cases"),
}


class ReportState(LabelledEnum):
    ON_TIME = "on_time", _l("On time"), "ok"
    LATE = "late", _l("Late"), "late"
    MISSING = "missing", _l("Missing"), "missing"
    NOT_DUE = "not_due", _l("Not yet due"), "pending"

    @property
    def flagged(self) -> bool:
        return self in (ReportState.LATE, ReportState.MISSING)


def report_state(day: date, report: DailyReport | None, now: datetime | None = None) -> ReportState:
    """Judge a day's report: late if sent after 10:00 CST the next morning, missing if none once that has passed."""
    due = deadline(day)
    if report is None:
        return ReportState.MISSING if (now or utcnow()) > due else ReportState.NOT_DUE
    return ReportState.LATE if report.submitted_at > due else ReportState.ON_TIME


def find_daily_report(session: Session, unit: Unit, day: date) -> DailyReport | None:
    """Return the unit's report of the day, if sent."""
    return session.scalars(
        select(DailyReport).where(DailyReport.unit_id == unit.id, DailyReport.report_date == day)
    ).first()


@dataclass(frozen=True)
class UnitDay:
    """One reporting unit's report of a day, or its absence, and what that means."""

    unit: Unit
    report: DailyReport | None
    state: ReportState

    @property
    def figures(self) -> Figures | None:
        return Figures.of(self.report) if self.report else None

    @property
    def texts(self) -> list[tuple[str, str]]:
        """Pairs of (translated label, text) of the texts written."""
        if self.report is None:
            return []
        return [(label, getattr(self.report, name)) for name, label in DAILY_TEXT_LABELS.items()]


@dataclass(frozen=True)
class Day:
    """Every unit's report of one day: the status page and the bulletin (简报) both show it."""

    day: date
    rows: list[UnitDay]
    totals: Figures

    @property
    def deadline(self) -> datetime:
        return deadline(self.day)

    @property
    def reported(self) -> list[UnitDay]:
        return [row for row in self.rows if row.report is not None]

    @property
    def not_reported(self) -> list[UnitDay]:
        return [row for row in self.rows if row.report is None]

    def count(self, state: ReportState) -> int:
        return sum(1 for row in self.rows if row.state is state)


def compile_day(session: Session, day: date, now: datetime | None = None) -> Day:
    """Gather every reporting unit's report of a day, with its state, and the totals of the reports."""
    reports = session.execute(
        select(Unit, DailyReport).outerjoin(Unit.county)
        .outerjoin(DailyReport, and_(DailyReport.unit_id == Unit.id, DailyReport.report_date == day))
        .where(reporting_unit_clause())
        .options(joinedload(DailyReport.submitted_by))
        .order_by(Unit.county_id.is_(None), County.code, Unit.name)
    ).all()
    counted = Unit.county_id.is_not(None)
    sums = session.execute(
        select(*(
            func.coalesce(func.sum(case((counted, getattr(DailyReport, name)), else_=0) if name in COVERAGE_NAMES
                                   else getattr(DailyReport, name)), 0)
            for name in FIGURE_NAMES
        ))
        .join(DailyReport.unit).where(DailyReport.report_date == day)
    ).one()
    totals = Figures(*sums[:-1], fines_wan=_money(sums[-1]))
    rows = [UnitDay(unit, report, report_state(day, report, now)) for unit, report in reports]
    return Day(day=day, rows=rows, totals=totals)


# Monthly reports: at most 2,500 characters, the problems at least half of them.


@dataclass(frozen=True)
class MonthlyTexts:
    highlights: str = ""
    problems: str = ""
    measures: str = ""


MONTHLY_TEXT_LABELS = {
    "highlights": _l("Highlights"),
    "problems": _l("Problems"),
    "measures": _l("Measures"),
}


def count_characters(text: str) -> int:
    """Count the characters of a text as the notice counts 字: whitespace and line breaks not counted."""
    return sum(1 for character in text or "" if not character.isspace())


@dataclass(frozen=True)
class MonthlyCount:
    total: int
    problems: int

    @property
    def others(self) -> int:
        return self.total - self.problems

    @property
    def share(self) -> int:
        """The problems' share of the total in whole percent, rounded down."""
        return self.problems * 100 // self.total if self.total else 0

    @property
    def too_long(self) -> bool:
        return self.total > MONTHLY_LIMIT

    @property
    def too_few_problems(self) -> bool:
        return self.problems == 0 or self.problems * 2 < self.total


def monthly_count(highlights: str, problems: str, measures: str) -> MonthlyCount:
    """Count a monthly report's characters in all and those of its problems part."""
    problem_count = count_characters(problems)
    return MonthlyCount(count_characters(highlights) + problem_count + count_characters(measures), problem_count)


def check_monthly(highlights: str, problems: str, measures: str) -> list:
    """Return what breaks the monthly report's rules, as translatable messages with the exact numbers."""
    count = monthly_count(highlights, problems, measures)
    messages = []
    if count.too_long:
        messages.append(_l(
            "The report has %(total)d characters; at most %(limit)d are allowed, so remove %(excess)d.",
            total=count.total, limit=MONTHLY_LIMIT, excess=count.total - MONTHLY_LIMIT,
        ))
    if count.problems == 0:
        messages.append(_l("Write the problems part: it must be at least half of the report."))
    elif count.too_few_problems:
        messages.append(_l(
            "The problems part is %(share)d%% of the report (%(problems)d of %(total)d characters); it must be "
            "at least half, as long as the other parts together: %(others)d characters.",
            share=count.share, problems=count.problems, total=count.total, others=count.others,
        ))
    return messages


def find_monthly_report(session: Session, unit: Unit, month: date) -> MonthlyReport | None:
    """Return the unit's report of the month, if sent."""
    return session.scalars(
        select(MonthlyReport).where(MonthlyReport.unit_id == unit.id, MonthlyReport.month == month_of(month))
    ).first()


@dataclass(frozen=True)
class UnitMonth:
    """One reporting unit's report of a month, or None."""

    unit: Unit
    report: MonthlyReport | None

    @property
    def count(self) -> MonthlyCount | None:
        if self.report is None:
            return None
        return monthly_count(self.report.highlights, self.report.problems, self.report.measures)

    @property
    def texts(self) -> list[tuple[str, str]]:
        if self.report is None:
            return []
        return [(label, getattr(self.report, name)) for name, label in MONTHLY_TEXT_LABELS.items()]


def monthly_reports(session: Session, month: date) -> list[UnitMonth]:
    """Every reporting unit with its report of the month, if sent."""
    return [UnitMonth(unit, report) for unit, report in session.execute(
        select(Unit, MonthlyReport).outerjoin(Unit.county)
        .outerjoin(MonthlyReport, and_(MonthlyReport.unit_id == Unit.id, MonthlyReport.month == month_of(month)))
        .where(reporting_unit_clause())
        .order_by(Unit.county_id.is_(None), County.code, Unit.name)
    )]


def major_hazards_of_month(unit: Unit, month: date) -> Select:
    """The major hazards of the unit's area found in the month or still open during it, the earliest found first."""
    start, end = month_bounds(month)
    return (
        hazards.found().join(Hazard.inspection).join(Hazard.enterprise)
        .where(
            Hazard.level == HazardLevel.MAJOR, area_clause(unit), Hazard.found_at < end,
            or_(Hazard.closed_at.is_(None), Hazard.closed_at >= start),
        )
        .options(joinedload(Hazard.enterprise), joinedload(Hazard.listed_unit), joinedload(Hazard.item))
        .order_by(Hazard.found_at, Hazard.id)
    )
