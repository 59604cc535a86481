"""Rules of a hazard's life after it is found: proof, verification, extension, listed supervision.

open ──(enterprise submits proof)──▶ submitted ──(supervisor accepts)──▶ closed
  ▲                                      │
  └──────(supervisor rejects, with a reason)┘
Each function checks the permission and the state, writes a history row, flushes, and raises
RectificationError when refused; the caller commits. A closed hazard never changes.
Each step happens now; the demo replays its past through the same rules, giving `now` (naive UTC).
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from checklist import access
from checklist.clock import deadline_window, local_day, local_today
from checklist.imaging import ProcessedPhoto
from checklist.models import (
    ExtensionDecision,
    ExtensionRequest,
    Hazard,
    HazardHistory,
    HazardStatus,
    HistoryAction,
    PhotoKind,
    Unit,
    User,
    utcnow,
)
from checklist.refusal import Refused
from checklist.rules import photos


class RectificationError(Refused):
    """A refused step of a hazard's rectification."""


def refuse_deadline_outside(deadline: date, first: date, error: type[Refused] = RectificationError) -> None:
    """Refuse a deadline before `first` or more than three years ahead (clock.deadline_window)."""
    first, last = deadline_window(first)
    if not first <= deadline <= last:
        raise error(_l("The deadline must fall between %(first)s and %(last)s.",
                       first=first.isoformat(), last=last.isoformat()), field="hazard.deadline")


def record_history(
    session: Session, user: User, hazard: Hazard, action: HistoryAction, to_status: HazardStatus, note: str = "",
    *, at: datetime | None = None, **deadlines: date,
) -> None:
    """Write the history row of a step of the hazard's life and move it to its new status.

    The one writer of HazardHistory: the rules below, the finding of a hazard and the demo's past all call it
    (the demo passes the moment it replays, everything else happens now).
    """
    found = action is HistoryAction.FOUND  # a hazard being found had no status before
    session.add(HazardHistory(
        hazard=hazard, at=at or utcnow(), user_id=user.id, action=action,
        from_status=None if found else hazard.status, to_status=to_status, note=(note or "").strip(), **deadlines,
    ))
    hazard.status = to_status


def _require_open_for_change(user: User, hazard: Hazard) -> None:
    if not access.can_view_hazard(user, hazard):
        raise RectificationError(_l("You may not see this hazard."))
    if hazard.is_closed:
        raise RectificationError(_l("This hazard is closed and can no longer be changed."))


def submit_fix(
    session: Session, user: User, hazard: Hazard, *, note: str, proof: list[ProcessedPhoto], upload_dir: str,
    now: datetime | None = None,
) -> None:
    """The enterprise sends proof photos and a note; the hazard waits for verification."""
    _require_open_for_change(user, hazard)
    if not access.can_submit_fix(user, hazard):
        raise RectificationError(_l("Only the enterprise itself submits the proof of its fix."))
    if hazard.status is not HazardStatus.OPEN:
        raise RectificationError(_l("The fix has already been submitted and waits for verification."))
    if not proof:
        raise RectificationError(_l("Add at least one photo that shows the fix."))
    for processed in proof:
        photo = photos.store(session, upload_dir, processed, user, hazard.inspection, item=hazard.item, hazard=hazard)
        photo.kind = PhotoKind.PROOF
    record_history(session, user, hazard, HistoryAction.SUBMITTED, HazardStatus.SUBMITTED, note, at=now)
    session.flush()


def _require_verifier(user: User, hazard: Hazard) -> None:
    _require_open_for_change(user, hazard)
    if not access.can_verify(user, hazard):
        if hazard.is_listed:
            raise RectificationError(_l("A listed hazard is closed only by its supervising unit or the city."))
        raise RectificationError(_l("Only the unit that found this hazard or the county may verify it."))


def accept_fix(session: Session, user: User, hazard: Hazard, note: str = "", now: datetime | None = None) -> None:
    """Accept the fix: the hazard is closed (销号)."""
    _require_verifier(user, hazard)
    if hazard.status is not HazardStatus.SUBMITTED:
        raise RectificationError(_l("No fix has been submitted for this hazard."))
    hazard.closed_at = now or utcnow()
    record_history(session, user, hazard, HistoryAction.ACCEPTED, HazardStatus.CLOSED, note, at=hazard.closed_at)
    session.flush()


def reject_fix(session: Session, user: User, hazard: Hazard, reason: str, now: datetime | None = None) -> None:
    """Send the fix back to the enterprise; the reason is required."""
    _require_verifier(user, hazard)
    if hazard.status is not HazardStatus.SUBMITTED:
        raise RectificationError(_l("No fix has been submitted for this hazard."))
    if not reason.strip():
        raise RectificationError(_l("Give the reason for rejecting the fix."))
    record_history(session, user, hazard, HistoryAction.REJECTED, HazardStatus.OPEN, reason, at=now)
    session.flush()


def extend_deadline(session: Session, user: User, hazard: Hazard, new_deadline: date, reason: str) -> None:
    """Give more time (延期); the reason and both dates are recorded."""
    _require_verifier(user, hazard)
    _extend(session, user, hazard, new_deadline, reason)


def _extend(session: Session, user: User, hazard: Hazard, new_deadline: date, reason: str) -> None:
    if not reason.strip():
        raise RectificationError(_l("Give the reason for the extension."))
    refuse_deadline_outside(new_deadline, local_today())
    if new_deadline <= hazard.deadline:
        raise RectificationError(_l("The new deadline must be later than the current one."))
    record_history(session, user, hazard, HistoryAction.EXTENDED, hazard.status, reason,
                   deadline_from=hazard.deadline, deadline_to=new_deadline)
    hazard.deadline = new_deadline
    session.flush()


def list_hazard(
    session: Session, user: User, hazard: Hazard, unit: Unit, deadline: date, note: str = "",
    now: datetime | None = None,
) -> None:
    """Place a major hazard under listed supervision (挂牌督办) by a unit, with a deadline from today on."""
    _require_open_for_change(user, hazard)
    if not access.can_list(user, hazard):
        raise RectificationError(_l("Only the county or the city lists a major hazard for supervision."))
    if unit.county_id not in (None, hazard.enterprise.county_id):
        raise RectificationError(_l("The supervising unit must belong to the enterprise's county or the city."))
    if not access.is_city(user) and unit.county_id is None:
        raise RectificationError(_l("Only the city places a hazard under a city unit's supervision."))
    refuse_deadline_outside(deadline, local_day(now))
    hazard.listed_unit, hazard.listed_deadline, hazard.listed_at = unit, deadline, now or utcnow()
    record_history(session, user, hazard, HistoryAction.LISTED, hazard.status, note or unit.name,
                   at=hazard.listed_at, deadline_to=deadline)
    session.flush()


def request_extension(
    session: Session, user: User, hazard: Hazard, deadline: date, reason: str, now: datetime | None = None,
) -> ExtensionRequest:
    """The enterprise asks for more time (延期申请), with a reason; its unit decides (decide_extension)."""
    _require_open_for_change(user, hazard)
    if not access.can_submit_fix(user, hazard):
        raise RectificationError(_l("Only the enterprise itself asks for more time."), code="forbidden")
    if hazard.pending_extension is not None:
        raise RectificationError(_l("An extension request for this hazard already waits for a decision."))
    if not reason.strip():
        raise RectificationError(_l("Give the reason why you need more time."), field="reason")
    refuse_deadline_outside(deadline, local_day(now))
    if deadline <= hazard.deadline:
        raise RectificationError(_l("Ask for a deadline later than the current one."), field="deadline")
    request = ExtensionRequest(hazard=hazard, requested_by_id=user.id, requested_at=now or utcnow(),
                               reason=reason.strip(), deadline_from=hazard.deadline, requested_deadline=deadline)
    session.add(request)
    record_history(session, user, hazard, HistoryAction.EXTENSION_ASKED, hazard.status, reason,
                   at=request.requested_at, deadline_from=hazard.deadline, deadline_to=deadline)
    session.flush()
    return request


def decide_extension(
    session: Session, user: User, request: ExtensionRequest, approve: bool, note: str = "",
    now: datetime | None = None,
) -> None:
    """The unit that verifies the hazard approves the request (the deadline moves) or refuses it, with a reason."""
    hazard = request.hazard
    _require_verifier(user, hazard)
    if not request.is_pending:
        raise RectificationError(_l("This extension request has already been decided."))
    if approve:
        _extend(session, user, hazard, request.requested_deadline, note or request.reason)
    elif not note.strip():
        raise RectificationError(_l("Give the reason for refusing the extension."), field="note")
    else:
        record_history(session, user, hazard, HistoryAction.EXTENSION_REFUSED, hazard.status, note, at=now)
    request.decision = ExtensionDecision.APPROVED if approve else ExtensionDecision.REFUSED
    request.decided_by_id, request.decided_at, request.decision_note = user.id, now or utcnow(), note.strip()
    session.flush()
