"""Rules of reporting: send a unit's daily (日报) and monthly (月报) report, and the texts under the statistics
table.

Sending a daily report again updates its texts and refreshes its figures but keeps the first submission time
and submitter: lateness is judged on when the unit first reported, so a correction never turns an on-time
report late, nor a late one on time.
"""

from dataclasses import asdict
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist.access import can_report, note_scope
from checklist.clock import local_day, month_of
from checklist.db import lock
from checklist.models import (
    County,
    DailyReport,
    MonthlyReport,
    TableNote,
    Unit,
    User,
    utcnow,
)
from checklist.read.reports import (
    DailyTexts,
    MonthlyTexts,
    check_monthly,
    daily_figures,
    find_daily_report,
    find_monthly_report,
    is_reportable_day,
)
from checklist.read.statistics import aspects, check_note, reporting_unit
from checklist.refusal import Refused


class ReportError(Refused):
    """A refused report; messages holds every broken rule, message the first."""

    def __init__(self, *messages):
        super().__init__(messages[0])
        self.messages = list(messages)


def submit_daily_report(
    session: Session, user: User, unit: Unit, day: date, texts: DailyTexts, now: datetime | None = None,
) -> DailyReport:
    """Send a unit's report of a day, its figures taken from the data now; sent again, update it.

    The first submission time and submitter are kept: they decide lateness.
    """
    now = now or utcnow()
    if not can_report(user, unit):
        raise ReportError(_l("You do not report for this unit."))
    if not is_reportable_day(day, now):
        raise ReportError(_l("A day is reported from the next morning on; choose an earlier day."))
    lock(session, unit)  # the same day sent twice at once: the second updates the first's report
    figures = daily_figures(session, unit, day)
    report = find_daily_report(session, unit, day)
    if report is None:
        report = DailyReport(unit=unit, report_date=day, submitted_at=now, submitted_by=user)
        session.add(report)
    for name, value in asdict(figures).items():
        setattr(report, name, value)
    for name, value in asdict(texts).items():
        setattr(report, name, (value or "").strip())
    session.flush()
    return report


def submit_monthly_report(
    session: Session, user: User, unit: Unit, month: date, texts: MonthlyTexts, now: datetime | None = None,
) -> MonthlyReport:
    """Send a unit's report of a month, or update it; refused with every broken rule at once."""
    month = month_of(month)
    if not can_report(user, unit):
        raise ReportError(_l("You do not report for this unit."))
    if month > month_of(local_day(now)):
        raise ReportError(_l("A month is reported from within it on; choose this month or an earlier one."))
    messages = check_monthly(texts.highlights, texts.problems, texts.measures)
    if messages:
        raise ReportError(*messages)
    lock(session, unit)  # the same month sent twice at once: the second updates the first's report
    report = find_monthly_report(session, unit, month)
    if report is None:
        report = MonthlyReport(unit=unit, month=month, submitted_at=now or utcnow(), submitted_by=user)
        session.add(report)
    for name, value in asdict(texts).items():
        setattr(report, name, (value or "").strip())
    session.flush()
    return report


class NoteError(Refused):
    """Refused texts under the statistics table."""


def save_note(
    session: Session, user: User, start: date, end: date, *, highlights: str, problems: str, remarks: str = "",
) -> TableNote:
    """Store the texts under the user's table (county committee or city committee) for the period."""
    allowed, county_id = note_scope(user)
    if not allowed:
        raise NoteError(_l("Only county and city supervisors write the texts under the table."))
    if start > end:
        raise NoteError(_l("The period ends before it starts."))
    messages = check_note(highlights, problems)
    if messages:
        raise NoteError(messages[0])
    county = session.get(County, county_id) if county_id is not None else None
    unit = reporting_unit(session, county)
    if unit is None:
        raise NoteError(_l("There is no work safety committee office to report this table."))
    lock(session, unit)  # the same texts sent twice at once: the second updates the first's
    note = session.scalars(
        select(TableNote).where(TableNote.unit_id == unit.id, TableNote.starts_on == start, TableNote.ends_on == end)
    ).first()
    if note is None:
        note = TableNote(unit_id=unit.id, starts_on=start, ends_on=end, updated_by_id=user.id)
        session.add(note)
    note.highlights = highlights.strip()
    note.problems = "\n".join(aspects(problems))
    note.remarks = (remarks or "").strip()
    note.updated_by_id = user.id
    session.flush()
    return note
