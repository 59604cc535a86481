"""Reading workers' reports: a unit's queue, what a user may decide on, a report found by its code."""

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from checklist import access
from checklist.models import Enterprise, User, WorkerReport, WorkerReportStatus


def _scoped(query: Select, user: User) -> Select:
    """Restrict a query over WorkerReport to the reports the user decides on (access.can_triage)."""
    return query.join(Enterprise, Enterprise.id == WorkerReport.enterprise_id).where(access.triage_filter(user))


def queue(user: User, decided: bool = False) -> Select:
    """The reports the user decides on, waiting ones oldest first (a queue), or decided ones the latest first; with
    their enterprise, unit and photos, for a page of them (read.paging)."""
    query = _scoped(select(WorkerReport), user).options(
        joinedload(WorkerReport.enterprise), joinedload(WorkerReport.unit), selectinload(WorkerReport.photos),
    )
    if decided:
        return query.where(WorkerReport.status != WorkerReportStatus.PENDING).order_by(
            WorkerReport.decided_at.desc(), WorkerReport.id.desc())
    return query.where(WorkerReport.status == WorkerReportStatus.PENDING).order_by(
        WorkerReport.submitted_at, WorkerReport.id)


def waiting_count(session: Session, user: User) -> int:
    """How many reports wait for the user's decision."""
    return session.scalar(
        _scoped(select(func.count(WorkerReport.id)), user).where(WorkerReport.status == WorkerReportStatus.PENDING)
    )


def by_code(session: Session, code_hash: str) -> WorkerReport | None:
    """The report whose code has this hash (rules.worker_reports.code_hash), if any."""
    return session.scalars(
        select(WorkerReport).where(WorkerReport.code_hash == code_hash)
        .options(joinedload(WorkerReport.enterprise), joinedload(WorkerReport.unit), joinedload(WorkerReport.hazard))
    ).first()
