"""Rules of a re-inspection (复查): the unit that found the hazards (or supervises them, once listed) goes back
and records per hazard 已整改 / 部分整改 / 未整改, and the 整改复查意见书 issues.

Through the hazard's own lifecycle: rectified → closed (销号, the history's ACCEPTED row); partly or not
rectified → open again with a new deadline (a REVIEWED row, which also sends back a fix waiting for
verification). A re-inspection needs two officers with their 执法证号, like every enforcement document.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access
from checklist.clock import local_day
from checklist.imaging import ProcessedPhoto
from checklist.models import (
    DocumentKind,
    Hazard,
    HazardStatus,
    HistoryAction,
    Inspection,
    PhotoKind,
    Reinspection,
    ReviewResult,
    ReviewVerdict,
    User,
    utcnow,
)
from checklist.refusal import Refused
from checklist.rules import documents, photos
from checklist.rules.hazards import record_history, refuse_deadline_outside


class ReviewError(Refused):
    """A refused re-inspection."""


@dataclass(frozen=True)
class Verdict:
    """What the officers found of one hazard, as a form or a phone sends it."""

    hazard: Hazard
    verdict: ReviewVerdict
    note: str = ""
    new_deadline: date | None = None
    photos: tuple[ProcessedPhoto, ...] = ()


def _check(user: User, inspection: Inspection, verdict: Verdict, today: date) -> None:
    hazard = verdict.hazard
    if hazard.inspection_id != inspection.id:
        raise ReviewError(_l("That hazard was not found by this inspection."))
    if not access.can_review(user, hazard):
        raise ReviewError(_l("Only the unit that found this hazard, or the unit supervising it, re-inspects it."),
                          code="forbidden")
    if hazard.is_closed:
        raise ReviewError(_l("“%(hazard)s” is already closed: it is not re-inspected again.",
                             hazard=hazard.description))
    if verdict.verdict is ReviewVerdict.FIXED:
        return
    if not verdict.note.strip():
        raise ReviewError(_l("Say what is still not rectified of “%(hazard)s”.", hazard=hazard.description),
                          field=f"note-{hazard.id}")
    if verdict.new_deadline is None:
        raise ReviewError(_l("Give a new deadline for “%(hazard)s”.", hazard=hazard.description),
                          field=f"deadline-{hazard.id}")
    refuse_deadline_outside(verdict.new_deadline, today, ReviewError)


def _apply(session: Session, user: User, verdict: Verdict, now: datetime) -> None:
    hazard = verdict.hazard
    if verdict.verdict is ReviewVerdict.FIXED:
        hazard.closed_at = now
        record_history(session, user, hazard, HistoryAction.ACCEPTED, HazardStatus.CLOSED, verdict.note, at=now)
        return
    record_history(session, user, hazard, HistoryAction.REVIEWED, HazardStatus.OPEN,
                   gettext("%(verdict)s: %(note)s", verdict=verdict.verdict.label, note=verdict.note.strip()), at=now,
                   deadline_from=hazard.deadline, deadline_to=verdict.new_deadline)
    hazard.deadline = verdict.new_deadline


def review_hazards(
    session: Session, user: User, inspection: Inspection, verdicts: list[Verdict], co_inspectors: list[User], *,
    uuid: str, upload_dir: str, now: datetime | None = None,
) -> Reinspection:
    """Record a re-inspection of some of the inspection's hazards and issue its 整改复查意见书.

    The form's uuid makes a retried post return the re-inspection already recorded, adding nothing.
    """
    done = session.scalar(select(Reinspection).where(Reinspection.uuid == uuid))
    if done is not None:
        if done.created_by_id != user.id:
            raise ReviewError(_l("This re-inspection was recorded by someone else."), code="forbidden")
        return done
    if not verdicts:
        raise ReviewError(_l("Give the result of at least one hazard."))
    now = now or utcnow()
    for verdict in verdicts:
        _check(user, inspection, verdict, local_day(now))
    if any(other.unit_id != user.unit_id for other in co_inspectors):
        raise ReviewError(_l("The second officer must belong to your unit."), field="inspectors")
    officers = [user] + [other for other in co_inspectors if other.id != user.id]
    documents.require_two_cards(officers)
    reinspection = Reinspection(
        uuid=uuid, inspection=inspection, enterprise_id=inspection.enterprise_id, unit=user.unit,
        created_by_id=user.id, at=now, inspectors=officers,
        results=[ReviewResult(hazard=verdict.hazard, verdict=verdict.verdict, note=verdict.note.strip(),
                              new_deadline=None if verdict.verdict is ReviewVerdict.FIXED else verdict.new_deadline)
                 for verdict in verdicts],
    )
    session.add(reinspection)
    for verdict in verdicts:
        for processed in verdict.photos:
            photo = photos.store(session, upload_dir, processed, user, inspection, item=verdict.hazard.item,
                                 hazard=verdict.hazard)
            photo.kind = PhotoKind.REVIEW
        _apply(session, user, verdict, now)
    documents.issue(session, user, user.unit, DocumentKind.REVIEW, inspection, reinspection, now)
    session.flush()
    return reinspection
