"""Rules of an inspection, from its start to the signed problem list.

Each function takes the session and the acting user, checks the rule and the permission,
flushes, and raises InspectionError when refused; the caller commits. The HTML form and the phone's
API both come here, so each rule and its message exist once; a refusal names its field
(``hazard.description``) when there is one, and has the code "forbidden" when the user may not do it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access, presence, tallies
from checklist.clock import local_today, to_local
from checklist.db import lock
from checklist.imaging import ProcessedPhoto
from checklist.models import (
    Campaign,
    Checklist,
    ChecklistItem,
    EnforcementAction,
    EnforcementKind,
    Enterprise,
    Hazard,
    HazardLevel,
    HazardStatus,
    HistoryAction,
    Inspection,
    InspectionMode,
    InspectionStatus,
    ItemResult,
    Outcome,
    Team,
    Unit,
    User,
    utcnow,
)
from checklist.refusal import Refused
from checklist.rules import documents
from checklist.rules.definitions import Catalogue, current_checklist
from checklist.rules.hazards import record_history, refuse_deadline_outside
from checklist.rules.photos import store


class InspectionError(Refused):
    """A refused step of an inspection."""


@dataclass(frozen=True)
class HazardInput:
    level: HazardLevel
    description: str
    deadline: date
    responsible_person: str


def default_deadline(level: HazardLevel, days_by_level: dict[str, int], today: date | None = None) -> date:
    """Return the deadline given to a hazard of this level when none is set."""
    return (today or local_today()) + timedelta(days=days_by_level[level.value])


def active_campaign(session: Session, today: date | None = None) -> Campaign:
    """Return the campaign running today, else the one that started last."""
    today = today or local_today()
    running = session.scalars(
        select(Campaign).where(Campaign.starts_on <= today, Campaign.ends_on >= today)
        .order_by(Campaign.starts_on.desc())
    ).first()
    latest = running or session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).first()
    if latest is None:
        raise InspectionError(_l("No inspection campaign has been set up."))
    return latest


def active_campaign_or_none(session: Session, today: date | None = None) -> Campaign | None:
    """active_campaign, or None when no campaign has been set up."""
    try:
        return active_campaign(session, today)
    except InspectionError:
        return None


def start_inspection(
    session: Session,
    catalogue: Catalogue,
    user: User,
    target: Enterprise | Unit,
    *,
    mode: InspectionMode,
    team: Team | None,
    client_uuid: str,
    checklist: Checklist | None = None,
    fix: presence.Fix | None = None,
) -> Inspection:
    """Open a draft inspection of an enterprise, or of a unit (督政); the same client UUID sent again returns
    the same draft.

    A checklist version given by the caller (the one a phone worked offline with) is kept; else the current one:
    the sector's for an enterprise, the 督政 checklist for a unit. `fix` is where the phone was at the start, if
    the inspector let it tell: kept with the server's time of receipt.
    """
    if fix is not None:
        presence.check_fix(fix)
    lock(session, target)  # the same form sent twice at once: the second finds the first's draft
    existing = session.scalars(select(Inspection).where(Inspection.uuid == client_uuid)).first()
    if existing is not None:
        if existing.created_by_id != user.id or existing.target is not target:
            raise InspectionError(_l("This form was already used for another inspection."))
        return existing
    oversight = isinstance(target, Unit)
    if oversight and not access.can_inspect_unit(user, target):
        raise InspectionError(_l("You may not inspect this unit."), code="forbidden")
    if not oversight and not access.can_inspect(user, target):
        raise InspectionError(_l("You may not inspect this enterprise."), code="forbidden")
    if mode not in (access.oversight_modes(user) if oversight else access.allowed_modes(user, target)):
        raise InspectionError(_l("Your role cannot run this kind of inspection."), field="mode", code="forbidden")
    if team is not None and team.unit_id != user.unit_id:
        raise InspectionError(_l("That team belongs to another unit."), field="team_id")
    inspection = Inspection(
        uuid=client_uuid,
        campaign=active_campaign(session),
        enterprise=None if oversight else target,
        inspected_unit=target if oversight else None,
        unit_id=user.unit_id,
        team=team,
        checklist=checklist or current_checklist(session, catalogue, None if oversight else target.sector),
        created_by=user,
        mode=mode,
        inspectors=[user],
    )
    inspection.start_fix = fix
    session.add(inspection)
    session.flush()
    return inspection


def _require_editable(user: User, inspection: Inspection) -> None:
    if not inspection.is_draft:
        raise InspectionError(_l("This inspection has been submitted and can no longer be changed."))
    if not access.can_edit_inspection(user, inspection):
        raise InspectionError(_l("Only the inspectors of this inspection may change it."))


def result_for(inspection: Inspection, item: ChecklistItem) -> ItemResult | None:
    """Find the item's result by identity, so that unflushed results count too."""
    return next((result for result in inspection.results if result.item is item), None)


def hazard_for(inspection: Inspection, item: ChecklistItem) -> Hazard | None:
    return next((hazard for hazard in inspection.hazards if hazard.item is item), None)


def record_result(
    session: Session,
    user: User,
    inspection: Inspection,
    item: ChecklistItem,
    outcome: Outcome,
    note: str = "",
    hazard: HazardInput | None = None,
    *,
    photos: Sequence[ProcessedPhoto] = (),
    upload_dir: str | None = None,
    marked: Mapping[int, ProcessedPhoto] | None = None,
    fix: presence.Fix | None = None,
) -> ItemResult:
    """Record an item's outcome and its photos (accepted by rules.photos.accept, stored under upload_dir);
    a failed item needs a hazard, other outcomes drop it.

    `marked` gives the marked copy of a photo by its index in `photos` (stored after it, pointing at it); `fix` is
    where the phone was when they were taken."""
    _require_editable(user, inspection)
    if item.checklist_id != inspection.checklist_id:
        raise InspectionError(_l("That item is not on this inspection's checklist."))
    marked = marked or {}
    if any(not 0 <= index < len(photos) for index in marked):
        raise InspectionError(_l("A marked photo must come with its original."), field="photos")
    if outcome is Outcome.FAIL:
        _require_described(hazard)
        # no earlier than the day of the inspection
        refuse_deadline_outside(hazard.deadline, to_local(inspection.started_at).date(), InspectionError)
    result = result_for(inspection, item)
    if result is None:
        result = ItemResult(item=item, outcome=outcome)
        inspection.results.append(result)
    result.outcome, result.note = outcome, note.strip()
    stored = hazard_for(inspection, item)
    if outcome is Outcome.FAIL:
        if stored is None:
            stored = Hazard(enterprise_id=inspection.enterprise_id, inspected_unit_id=inspection.inspected_unit_id,
                            item=item)
            inspection.hazards.append(stored)
        stored.level, stored.description = hazard.level, hazard.description.strip()
        stored.deadline, stored.responsible_person = hazard.deadline, hazard.responsible_person.strip()
    elif stored is not None:
        inspection.hazards.remove(stored)
        stored = None
    for index, processed in enumerate(photos):
        original = store(session, upload_dir, processed, user, inspection, item=item, hazard=stored, fix=fix)
        if index in marked:
            store(session, upload_dir, marked[index], user, inspection, item=item, hazard=stored, fix=fix,
                  marked_from=original)
    return result


def _require_described(hazard: HazardInput | None) -> None:
    """A hazard is described and names who answers for its fix."""
    if hazard is None:
        raise InspectionError(_l("A failed item needs a hazard: describe it."), field="hazard")
    if not hazard.description.strip():
        raise InspectionError(_l("Describe the hazard found at this item."), field="hazard.description")
    if not hazard.responsible_person.strip():
        raise InspectionError(_l("Name the person responsible for the fix."), field="hazard.responsible_person")


def record_outcomes(session: Session, user: User, inspection: Inspection, outcomes: dict[int, Outcome]) -> int:
    """Mark several items pass or not applicable at once; failing needs the item's own page."""
    items = {item.id: item for item in inspection.checklist.items}
    changed = 0
    for item_id, outcome in outcomes.items():
        item = items.get(item_id)
        if item is None or outcome is Outcome.FAIL:
            continue
        current = result_for(inspection, item)
        if current is None or current.outcome is not outcome:
            record_result(session, user, inspection, item, outcome, current.note if current else "")
            changed += 1
    return changed


def add_enforcement(
    session: Session,
    user: User,
    inspection: Inspection,
    kind: EnforcementKind,
    document_number: str = "",
    fine_wan: Decimal | None = None,
    note: str = "",
) -> EnforcementAction:
    """Record an enforcement action taken during the inspection."""
    _require_editable(user, inspection)
    if inspection.mode is InspectionMode.SELF_CHECK:
        raise InspectionError(_l("A self-inspection has no enforcement actions."))
    if inspection.is_oversight:
        raise InspectionError(_l("A unit is not subject to enforcement actions: record a notice, an exposure or a "
                                 "talk with its officials instead."))
    if kind is EnforcementKind.FINE and not fine_wan:
        raise InspectionError(_l("A fine needs its amount."), field="fine_wan")
    action = EnforcementAction(
        enterprise_id=inspection.enterprise_id,
        kind=kind,
        document_number=(document_number or "").strip(),  # a form may leave out an optional field
        fine_wan=fine_wan if kind is EnforcementKind.FINE else Decimal("0"),
        note=(note or "").strip(),
    )
    inspection.actions.append(action)
    session.flush()
    return action


def remove_enforcement(session: Session, user: User, action: EnforcementAction) -> None:
    _require_editable(user, action.inspection)
    action.inspection.actions.remove(action)
    session.flush()


def set_inspectors(session: Session, user: User, inspection: Inspection, inspectors: list[User]) -> None:
    """Name who took part: the creator and members of the inspection's team."""
    _require_editable(user, inspection)
    allowed = {member.id for member in inspection.team.members} if inspection.team else set()
    if any(other.id not in allowed and other.id != inspection.created_by_id for other in inspectors):
        raise InspectionError(_l("Only members of the team can be named as inspectors."), field="inspectors")
    creator = inspection.created_by
    inspection.inspectors = [creator] + [other for other in inspectors if other.id != creator.id]
    session.flush()


def missing_items(inspection: Inspection) -> list[ChecklistItem]:
    # By id: loading each stored result's item would cost a query (a result not yet flushed has only its item).
    answered = {result.item_id if result.item_id is not None else result.item.id for result in inspection.results}
    return [item for item in inspection.checklist.items if item.id not in answered]


def submit_inspection(session: Session, user: User, inspection: Inspection, now: datetime | None = None) -> Inspection:
    """Submit a draft: its hazards open, each with a first history row, and its documents issue when its
    officers have their 执法证号. Submitting twice is harmless. The demo replays its past, giving `now`."""
    if not inspection.is_draft and (user.id == inspection.created_by_id or user in inspection.inspectors):
        return inspection
    _require_editable(user, inspection)
    if missing_items(inspection):
        raise InspectionError(_l("Some items have no result yet."))
    now = now or utcnow()
    inspection.status, inspection.submitted_at = InspectionStatus.SUBMITTED, now
    for hazard in inspection.hazards:
        hazard.found_at = now
        record_history(session, user, hazard, HistoryAction.FOUND, HazardStatus.OPEN, at=now)
    session.flush()
    tallies.note_submitted(session, inspection)
    tallies.note_cross_check(session, inspection)
    tallies.note_statistics(session, inspection)
    documents.issue_if_ready(session, user, inspection, now)
    return inspection


def sign_problem_list(
    session: Session,
    user: User,
    inspection: Inspection,
    *,
    signer_name: str,
    signature_png: bytes | None,
    refused: bool,
) -> None:
    """Record the enterprise's signature on the problem list, or that it refused to sign."""
    if inspection.is_draft:
        raise InspectionError(_l("Submit the inspection before the problem list is signed."))
    if inspection.status is not InspectionStatus.SUBMITTED:
        raise InspectionError(_l("A hazard recorded from a worker's report had no visit: there is nothing to sign."))
    if not (user.id == inspection.created_by_id or user in inspection.inspectors):
        raise InspectionError(_l("Only the inspectors of this inspection may take the signature."))
    if inspection.is_signed:
        raise InspectionError(_l("The problem list has already been signed."))
    if not refused and (not signer_name.strip() or not signature_png):
        raise InspectionError(_l("Enter the signer's name and sign, or mark the signature as refused."))
    inspection.signer_name = signer_name.strip()
    inspection.signature_png = None if refused else signature_png
    inspection.signature_refused = refused
    inspection.signed_at = utcnow()
    session.flush()
