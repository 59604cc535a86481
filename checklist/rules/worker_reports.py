"""Workers' hazard reports (员工隐患报告): anyone reports a hazard through an enterprise's QR code, without logging
in; the unit that supervises the enterprise (else its county's committee office) turns it into a hazard or
dismisses it with a reason; the reporter follows the outcome with a code shown once.

A report is bounded: its texts have limits, and reports are counted against the sender's address and the
enterprise (rules.limits, as failed logins are). Turning a report into a hazard records it on an inspection made
for the purpose: of the receiving unit, mode REPORT, status RECORDED (InspectionStatus): nobody visited, so it is
counted as no inspection (coverage, the statistics table's teams, people and enterprises inspected, the
dashboards' inspections), while its hazard is counted as every hazard is: in the dashboards, and in the receiving
unit's hazards found and rectified of the statistics table and the daily report.

Each function checks the rule (and the permission, where someone acts), flushes, and raises ReportError when
refused; the caller commits.
"""

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access
from checklist.clock import local_day
from checklist.imaging import ProcessedPhoto
from checklist.models import (
    WORKER_REPORT_CONTACT_MAX,
    WORKER_REPORT_PLACE_MAX,
    WORKER_REPORT_TEXT_MAX,
    Enterprise,
    Hazard,
    HazardStatus,
    HistoryAction,
    Inspection,
    InspectionMode,
    InspectionStatus,
    Unit,
    UnitKind,
    User,
    WorkerReport,
    WorkerReportStatus,
    utcnow,
)
from checklist.refusal import Refused
from checklist.rules import limits, photos
from checklist.rules.accounts import CODE_ALPHABET, normalize_code
from checklist.rules.definitions import Catalogue, current_checklist
from checklist.rules.hazards import record_history, refuse_deadline_outside
from checklist.rules.inspections import HazardInput, active_campaign
from checklist.rules.limits import Limit

CODE_LENGTH = 16  # of 31 symbols: about 79 bits, beyond guessing; only its SHA-256 is stored
ADDRESS_WINDOW = timedelta(hours=1)
ENTERPRISE_WINDOW = timedelta(days=1)


class ReportError(Refused):
    """A refused step of a worker's report."""


class ReportLimited(ReportError):
    """Too many reports from the address, or of the enterprise, lately: not even read."""


@dataclass(frozen=True)
class ReportInput:
    description: str  # what was seen
    place: str  # where
    contact: str = ""  # how to reach the reporter, if they wish: only the deciding unit sees it


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_hash(code: str) -> str:
    """The stored form of a code, typed in any case or in groups: a report is found by it, and the code is not kept."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def receiving_unit(session: Session, enterprise: Enterprise) -> Unit | None:
    """The unit whose queue the enterprise's reports go to: its supervising unit, else its county's committee
    office."""
    if enterprise.supervising_unit_id is not None:
        return session.get(Unit, enterprise.supervising_unit_id)
    return session.scalars(
        select(Unit).where(Unit.county_id == enterprise.county_id, Unit.kind == UnitKind.COMMITTEE).order_by(Unit.id)
    ).first()


def report_limits(enterprise: Enterprise, address: str | None, settings: Mapping) -> tuple[Limit, Limit]:
    """The reports allowed from the address in an hour and of the enterprise in a day (settings
    WORKER_REPORTS_PER_ADDRESS and WORKER_REPORTS_PER_ENTERPRISE)."""
    return (Limit(f"report-addr:{address or 'unknown'}", settings["WORKER_REPORTS_PER_ADDRESS"], ADDRESS_WINDOW),
            Limit(f"report-enterprise:{enterprise.id}", settings["WORKER_REPORTS_PER_ENTERPRISE"], ENTERPRISE_WINDOW))


def admit_report(session: Session, enterprise: Enterprise, address: str | None, settings: Mapping,
                 now: datetime | None = None) -> None:
    """Count a report's try against its address and its enterprise, before its photo is read; refuse it
    (ReportLimited) when either has had as many as allowed. A try with a photo refused counts too."""
    by_address, by_enterprise = report_limits(enterprise, address, settings)
    reached = limits.reached(session, (by_address, by_enterprise), now)
    if reached is by_address:
        raise ReportLimited(_l("Too many reports have been sent from this network in the last hour. Please try "
                               "again later."))
    if reached is by_enterprise:
        raise ReportLimited(_l("This enterprise has received too many reports today. Please try again tomorrow, "
                               "or contact its supervising unit directly."))
    limits.count(session, (by_address.key, by_enterprise.key), now)


def _checked(report: ReportInput) -> ReportInput:
    """The report's texts stripped, or a refusal naming the empty or too long one."""
    description, place, contact = report.description.strip(), report.place.strip(), report.contact.strip()
    if not description:
        raise ReportError(_l("Describe the hazard you saw."), field="description")
    if not place:
        raise ReportError(_l("Say where at the enterprise you saw it."), field="place")
    for field, text, most in (("description", description, WORKER_REPORT_TEXT_MAX),
                              ("place", place, WORKER_REPORT_PLACE_MAX),
                              ("contact", contact, WORKER_REPORT_CONTACT_MAX)):
        if len(text) > most:
            raise ReportError(_l("At most %(num)d characters.", num=most), field=field)
    return ReportInput(description, place, contact)


def report_hazard(
    session: Session, enterprise: Enterprise, report: ReportInput, *, photo: ProcessedPhoto | None,
    upload_dir: str, client_uuid: str, now: datetime | None = None,
) -> tuple[WorkerReport, str | None]:
    """Store a worker's report of a hazard at the enterprise, and its photo (accepted by rules.photos.accept); return
    it with its code in clear, to be shown once.

    The same form sent again (its client UUID) stores nothing: the first report is returned without its code.
    """
    existing = session.scalars(select(WorkerReport).where(WorkerReport.uuid == client_uuid)).first()
    if existing is not None:
        if existing.enterprise_id != enterprise.id:
            raise ReportError(_l("This form was already used for another report. Reload the page and send it again."))
        return existing, None
    report = _checked(report)
    unit = receiving_unit(session, enterprise)
    if unit is None:
        raise ReportError(_l("No unit receives reports of this enterprise yet. Please report the hazard to the "
                             "work safety committee office of the county."))
    code = new_code()
    stored = WorkerReport(
        uuid=client_uuid, code_hash=code_hash(code), enterprise=enterprise, unit=unit, description=report.description,
        place=report.place, contact=report.contact, submitted_at=now or utcnow(),
    )
    session.add(stored)
    session.flush()
    if photo is not None:
        photos.store(session, upload_dir, photo, None, enterprise=enterprise, worker_report=stored)
    return stored, code


def _require_waiting(user: User, report: WorkerReport) -> None:
    if not access.can_triage(user, report):
        raise ReportError(_l("Only the unit that received this report, the county or the city decides on it."),
                          code="forbidden")
    if not report.is_pending:
        raise ReportError(_l("This report has already been decided."))


def accept_report(
    session: Session, catalogue: Catalogue, user: User, report: WorkerReport, hazard: HazardInput,
    now: datetime | None = None,
) -> Hazard:
    """Turn a waiting report into a hazard of its enterprise, with its first history row.

    The hazard is recorded on an inspection made for the purpose: by the receiving unit (which verifies its fix),
    mode REPORT, status RECORDED, so that it counts as a hazard and not as an inspection (see the module). Its
    description is the deciding officer's, who leaves out whatever would name the reporter; the report's photo
    and contact stay with the report.
    """
    _require_waiting(user, report)
    if not hazard.description.strip():
        raise ReportError(_l("Describe the hazard for the enterprise."), field="description")
    if not hazard.responsible_person.strip():
        raise ReportError(_l("Name the person responsible for the fix."), field="responsible_person")
    refuse_deadline_outside(hazard.deadline, local_day(now), ReportError)
    now = now or utcnow()
    enterprise = report.enterprise
    record = Inspection(
        uuid=str(uuid.uuid4()), campaign=active_campaign(session, local_day(now)), enterprise=enterprise,
        unit_id=report.unit_id, team=None, checklist=current_checklist(session, catalogue, enterprise.sector),
        created_by=user, mode=InspectionMode.REPORT, status=InspectionStatus.RECORDED, started_at=now,
        submitted_at=now, inspectors=[],
    )
    found = Hazard(enterprise_id=enterprise.id, item=None, level=hazard.level, description=hazard.description.strip(),
                   deadline=hazard.deadline, responsible_person=hazard.responsible_person.strip(), found_at=now)
    record.hazards.append(found)
    session.add(record)
    record_history(session, user, found, HistoryAction.FOUND, HazardStatus.OPEN, at=now)
    report.status, report.hazard, report.decided_at, report.decided_by_id = (
        WorkerReportStatus.ACCEPTED, found, now, user.id)
    session.flush()
    return found


def dismiss_report(
    session: Session, user: User, report: WorkerReport, reason: str, now: datetime | None = None,
) -> None:
    """Dismiss a waiting report; the reason is required, and its reporter reads it with the code."""
    _require_waiting(user, report)
    reason = reason.strip()
    if not reason:
        raise ReportError(_l("Give the reason for dismissing the report: its reporter reads it."), field="reason")
    if len(reason) > WORKER_REPORT_TEXT_MAX:
        raise ReportError(_l("At most %(num)d characters.", num=WORKER_REPORT_TEXT_MAX), field="reason")
    report.status, report.dismissal_reason = WorkerReportStatus.DISMISSED, reason
    report.decided_at, report.decided_by_id = now or utcnow(), user.id
    session.flush()
