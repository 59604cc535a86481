"""Reading hazards: only those of submitted inspections exist for anyone but their inspectors."""

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from .clock import local_today
from .models import Enterprise, Hazard, HazardStatus


def found() -> Select:
    """Select the hazards of submitted inspections."""
    return select(Hazard).where(Hazard.found_at.is_not(None))


def open_hazards(session: Session, enterprise: Enterprise) -> list[Hazard]:
    """Return an enterprise's hazards not yet closed, the nearest deadline first."""
    return list(session.scalars(
        found().where(Hazard.enterprise_id == enterprise.id, Hazard.status != HazardStatus.CLOSED)
        .order_by(Hazard.deadline, Hazard.id)
    ))


def is_overdue(hazard: Hazard, today: date | None = None) -> bool:
    """Overdue is derived, never stored: not closed and past its deadline."""
    return hazard.status is not HazardStatus.CLOSED and hazard.deadline < (today or local_today())
