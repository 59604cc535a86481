"""Rules of the phone's offline outbox: photos and whole inspections sent later, each exactly once.

A phone makes a UUID for every inspection, hazard and photo it records offline and sends them when it
has a signal, in any order and as often as it needs to. The functions here take the session and the
acting user, flush, and raise OutboxError when refused; the caller commits.

Photos and inspections may meet in either order: a photo that arrives before its inspection is kept
with its enterprise only and attached as soon as an inspection declares its UUID; an inspection whose
declared photos have not all arrived is incomplete until they do. Each side writes first and looks for
the other afterwards, under a lock on the enterprise's row, so that two sent at the same moment still
meet (SQLite serialises writers; PostgreSQL waits on the row lock).

The API parses what a phone sends (checklist.api.schemas) into the inputs below; the functions here
find what they name (the site, team, checklist, items and inspectors) and record them through the rule
functions of an inspection, which decide and name the refused field; a refusal rolls everything back.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access
from checklist.clock import is_plausible_moment
from checklist.imaging import PhotoError
from checklist.models import (
    Checklist,
    ChecklistItem,
    DeclaredPhoto,
    EnforcementKind,
    Enterprise,
    Hazard,
    Inspection,
    InspectionMode,
    Outcome,
    Photo,
    Team,
    User,
)
from checklist.presence import Fix
from checklist.read.enterprises import enterprise_by_token
from checklist.refusal import Refused
from checklist.rules import photos
from checklist.rules.definitions import Catalogue
from checklist.rules.inspections import (
    HazardInput,
    add_enforcement,
    hazard_for,
    record_result,
    set_inspectors,
    sign_problem_list,
    start_inspection,
    submit_inspection,
)


class OutboxError(Refused):
    """A refused submission; ``code`` is stable for machines, ``details`` say more (missing_items)."""

    def __init__(self, code: str, message, field: str | None = None, **details):
        super().__init__(message, field=field, code=code)
        self.details = details


@dataclass(frozen=True)
class Received:
    """What a submission became, and whether this request created it (else it had arrived before)."""

    record: Inspection | Photo
    created: bool


def invalid(field: str) -> OutboxError:
    return OutboxError("invalid", _l("%(field)s: missing or not valid.", field=field), field=field)


def conflict() -> OutboxError:
    return OutboxError("conflict", _l("Something different was already sent under this identifier."))


def submission_hash(body: object) -> str:
    """Hash the canonical JSON of a submission: the same content hashes the same, however it was spelt."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# A submission as the API parsed it: every value of the right type and size, nothing looked up yet.


@dataclass(frozen=True)
class ResultInput:
    item_code: str
    outcome: Outcome
    note: str
    photo_uuids: tuple[str, ...]
    hazard_uuid: str | None
    hazard: HazardInput | None


@dataclass(frozen=True)
class ActionInput:
    kind: EnforcementKind
    document_number: str
    fine_wan: Decimal | None
    note: str


@dataclass(frozen=True)
class SignatureInput:
    signer_name: str
    png_base64: str | None
    refused: bool


@dataclass(frozen=True)
class Submission:
    site: str
    mode: InspectionMode
    team_id: int | None
    started_at: datetime | None
    checklist_id: int
    results: tuple[ResultInput, ...]
    actions: tuple[ActionInput, ...]
    inspector_ids: tuple[int, ...]
    signature: SignatureInput | None
    position: Fix | None = None  # where the phone was at the start; its sent_at is the request's


@contextmanager
def naming(field: str) -> Iterator[None]:
    """Name a refusal by the part of the submission it came from: results[2] + hazard.description."""
    try:
        yield
    except Refused as refusal:
        refusal.field = f"{field}.{refusal.field}" if refusal.field else field
        raise


def find_site(session: Session, token: object, field: str = "site") -> Enterprise:
    """Find the enterprise of a QR token."""
    enterprise = None
    if isinstance(token, str) and token and len(token) <= 32 and "\x00" not in token:
        enterprise = enterprise_by_token(session, token)
    if enterprise is None:
        raise OutboxError("unknown_site", _l("There is no enterprise with this code."), field=field)
    return enterprise


def site_for(session: Session, user: User, token: object) -> Enterprise:
    """Find the enterprise of a QR token that the user may inspect: asked before a body is read."""
    enterprise = find_site(session, token)
    if not access.can_inspect(user, enterprise):
        raise OutboxError("forbidden", _l("You may not inspect this enterprise."))
    return enterprise


def _checklist(session: Session, enterprise: Enterprise, checklist_id: int) -> Checklist:
    checklist = session.get(Checklist, checklist_id)
    if checklist is None or checklist.sector_id != enterprise.sector_id:
        raise invalid("checklist_id")
    return checklist


def _items(checklist: Checklist, results: tuple[ResultInput, ...]) -> list[ChecklistItem]:
    """The item of each result: each item of the checklist answered exactly once."""
    by_code = {item.code: item for item in checklist.items}
    items: list[ChecklistItem] = []
    for number, result in enumerate(results):
        item = by_code.get(result.item_code)
        if item is None or item in items:
            raise invalid(f"results[{number}].item_code")
        items.append(item)
    missing = [item.code for item in checklist.items if item not in items]
    if missing:
        raise OutboxError(
            "missing_results",
            _l("These checklist items have no result: %(codes)s", codes=", ".join(missing)),
            missing_items=missing,
        )
    return items


def _repeated_uuids(results: tuple[ResultInput, ...]) -> None:
    """A photo or a hazard is declared at one item only."""
    photos_seen, hazards_seen = set(), set()
    for number, result in enumerate(results):
        if photos_seen & set(result.photo_uuids):
            raise invalid(f"results[{number}].photos")
        photos_seen.update(result.photo_uuids)
        if result.hazard_uuid is not None and result.hazard_uuid in hazards_seen:
            raise invalid(f"results[{number}].hazard.uuid")
        hazards_seen.add(result.hazard_uuid)


def _inspectors(session: Session, inspector_ids: tuple[int, ...]) -> list[User]:
    inspectors = []
    for number, inspector_id in enumerate(inspector_ids):
        inspector = session.get(User, inspector_id)
        if inspector is None:
            raise invalid(f"inspectors[{number}]")
        inspectors.append(inspector)
    return inspectors


def _signature_png(signature: SignatureInput | None) -> bytes | None:
    if signature is None or signature.refused:
        return None
    prefix = "data:image/png;base64,"
    encoded = signature.png_base64 or ""
    try:
        return photos.signature_png(encoded if encoded.startswith(prefix) else prefix + encoded)
    except PhotoError as error:
        raise OutboxError("invalid_signature", error.message, field="signature.png_base64") from None


# The two kinds of submission.


def find_inspection(session: Session, client_uuid: str) -> Inspection | None:
    return session.scalars(select(Inspection).where(Inspection.uuid == client_uuid)).first()


def received_before(session: Session, user: User, client_uuid: str, body_hash: str) -> Inspection | None:
    """Return the inspection this very submission made earlier; refuse the UUID if it was used otherwise."""
    existing = find_inspection(session, client_uuid)
    if existing is None:
        return None
    if existing.created_by_id != user.id or existing.client_hash != body_hash:
        raise conflict()
    return existing


def receive_inspection(
    session: Session, catalogue: Catalogue, user: User, client_uuid: str, submission: Submission, body_hash: str
) -> Received:
    """Record a whole inspection sent from a phone's outbox, submitted and signed, in one transaction.

    The caller asks received_before first: the same submission sent again (the same ``body_hash``) is
    answered with the inspection it made, before it is parsed again; another one under the same UUID is
    refused with the stored inspection unchanged. When two arrive at the same moment the database's unique
    UUID lets one through: the caller rolls back on IntegrityError and asks received_before again. Any
    refusal leaves the caller to roll back what was written.
    """
    if submission.started_at is not None and not is_plausible_moment(submission.started_at):
        raise OutboxError("invalid", _l("%(field)s: the time lies before 2020 or ahead of the present; "
                                        "check the phone's clock.", field="started_at"), field="started_at")
    enterprise = find_site(session, submission.site)
    team = session.get(Team, submission.team_id) if submission.team_id is not None else None
    if submission.team_id is not None and team is None:
        raise invalid("team_id")
    checklist = _checklist(session, enterprise, submission.checklist_id)
    _lock(session, enterprise)
    inspection = start_inspection(
        session, catalogue, user, enterprise, mode=submission.mode, team=team,
        client_uuid=client_uuid, checklist=checklist, fix=submission.position,
    )
    if inspection.client_hash or not inspection.is_draft:  # another request stored it since we looked
        return Received(received_before(session, user, client_uuid, body_hash), created=False)
    items = _items(checklist, submission.results)
    _repeated_uuids(submission.results)
    _refuse_taken_uuids(session, enterprise, submission)
    inspectors = _inspectors(session, submission.inspector_ids)
    signature_png = _signature_png(submission.signature)
    inspection.client_hash = body_hash
    if submission.started_at is not None:
        inspection.started_at = submission.started_at
    for number, (result, item) in enumerate(zip(submission.results, items, strict=True)):
        with naming(f"results[{number}]"):
            record_result(session, user, inspection, item, result.outcome, result.note, result.hazard)
        if result.hazard_uuid is not None:
            hazard_for(inspection, item).uuid = result.hazard_uuid
    for number, action in enumerate(submission.actions):
        with naming(f"actions[{number}]"):
            add_enforcement(
                session, user, inspection, action.kind, action.document_number, action.fine_wan, action.note
            )
    set_inspectors(session, user, inspection, inspectors)
    submit_inspection(session, user, inspection)
    if submission.signature is not None:
        with naming("signature"):
            sign_problem_list(
                session, user, inspection, signer_name=submission.signature.signer_name,
                signature_png=signature_png, refused=submission.signature.refused,
            )
    for result, item in zip(submission.results, items, strict=True):
        hazard = hazard_for(inspection, item)
        for photo_uuid in result.photo_uuids:
            inspection.declared_photos.append(DeclaredPhoto(
                uuid=photo_uuid, item_id=item.id, hazard_id=hazard.id if hazard else None,
            ))
    session.flush()
    attach_arrived(session, inspection)
    return Received(inspection, created=True)


def _refuse_taken_uuids(session: Session, enterprise: Enterprise, submission: Submission) -> None:
    """Refuse hazard and photo UUIDs that belong to something else already."""
    hazard_uuids = [result.hazard_uuid for result in submission.results if result.hazard_uuid]
    if hazard_uuids and session.scalars(select(Hazard.id).where(Hazard.uuid.in_(hazard_uuids))).first():
        raise conflict()
    photo_uuids = [photo_uuid for result in submission.results for photo_uuid in result.photo_uuids]
    if not photo_uuids:
        return
    if session.scalars(select(DeclaredPhoto.uuid).where(DeclaredPhoto.uuid.in_(photo_uuids))).first():
        raise conflict()
    for photo in session.scalars(select(Photo).where(Photo.uuid.in_(photo_uuids))):
        if not _belongs(photo, enterprise.id, photo.uploaded_by_id) or photo.inspection_id is not None:
            raise conflict()


def _belongs(photo: Photo, enterprise_id: int, user_id: int) -> bool:
    return photo.enterprise_id == enterprise_id and photo.uploaded_by_id == user_id


def _lock(session: Session, enterprise: Enterprise) -> None:
    """Take the enterprise's row lock, so that a photo and its inspection arriving together meet."""
    session.execute(select(Enterprise.id).where(Enterprise.id == enterprise.id).with_for_update())


def attach_arrived(session: Session, inspection: Inspection) -> int:
    """Attach the declared photos that have arrived but are not yet attached; return how many."""
    declared = {row.uuid: row for row in inspection.declared_photos}
    if not declared:
        return 0
    waiting = session.scalars(
        select(Photo).where(Photo.uuid.in_(list(declared)), Photo.inspection_id.is_(None))
    ).all()
    attached = 0
    for photo in waiting:
        if _belongs(photo, inspection.enterprise_id, inspection.created_by_id):
            _attach(photo, inspection, declared[photo.uuid])
            attached += 1
    session.flush()
    return attached


def _attach(photo: Photo, inspection: Inspection, declared: DeclaredPhoto) -> None:
    photo.inspection = inspection
    photo.item_id, photo.hazard_id = declared.item_id, declared.hazard_id


def missing_photos(inspection: Inspection) -> list[str]:
    """The declared photo UUIDs of an inspection that have not arrived: while any has not, it is incomplete."""
    arrived = {photo.uuid for photo in inspection.photos}
    return sorted(row.uuid for row in inspection.declared_photos if row.uuid not in arrived)


def photo_received_before(
    session: Session, user: User, client_uuid: str, data: bytes, site: Enterprise
) -> Photo | None:
    """Return the photo these very bytes made earlier; refuse the UUID if it was used otherwise."""
    existing = session.scalars(select(Photo).where(Photo.uuid == client_uuid)).first()
    if existing is None:
        return None
    if existing.sha256 != hashlib.sha256(data).hexdigest() or not _belongs(existing, site.id, user.id):
        raise conflict()
    if existing.inspection_id is None:  # declared in the meantime: attach it now
        _attach_if_declared(session, existing, site, user)
    return existing


def _declaring_inspection(session: Session, client_uuid: str) -> tuple[Inspection, DeclaredPhoto] | None:
    declared = session.scalars(select(DeclaredPhoto).where(DeclaredPhoto.uuid == client_uuid)).first()
    return (session.get(Inspection, declared.inspection_id), declared) if declared is not None else None


def _fits(inspection: Inspection, enterprise: Enterprise, user: User) -> bool:
    """A declared photo is attached only when sent by the inspection's creator from the same enterprise."""
    return inspection.enterprise_id == enterprise.id and inspection.created_by_id == user.id


def _attach_if_declared(session: Session, photo: Photo, enterprise: Enterprise, user: User) -> None:
    found = _declaring_inspection(session, photo.uuid)
    if found is not None and _fits(found[0], enterprise, user):
        _attach(photo, *found)
        session.flush()


def receive_photo(
    session: Session,
    user: User,
    client_uuid: str,
    data: bytes,
    *,
    site: str,
    captured_at: datetime | None,
    upload_dir: str,
    limits: dict,
    fix: Fix | None = None,
    marked_from: str | None = None,
) -> Received:
    """Store a photo sent from a phone's outbox, stamped and re-encoded like an upload.

    It is attached at once when an inspection already declared its UUID, else kept with its enterprise
    until one does. The same bytes sent again return the stored photo; other bytes are refused. `fix` is where
    the phone was when it was taken; `marked_from` the UUID of the original of a marked copy, sent before it by
    the same inspector from the same enterprise (the outbox sends a draft's photos in the order they were made).
    """
    enterprise = site_for(session, user, site)
    existing = photo_received_before(session, user, client_uuid, data, enterprise)
    if existing is not None:
        return Received(existing, created=False)
    original = _original(session, user, enterprise, client_uuid, marked_from) if marked_from else None
    found = _declaring_inspection(session, client_uuid)
    if found is not None and not _fits(found[0], enterprise, user):
        raise conflict()
    try:
        [processed] = photos.accept(session, [data], enterprise, user, limits)
    except PhotoError as error:
        raise OutboxError(error.code, error.message) from None
    _lock(session, enterprise)
    existing = photo_received_before(session, user, client_uuid, data, enterprise)  # sent twice at once
    if existing is not None:
        return Received(existing, created=False)
    photo = photos.store(session, upload_dir, processed, user, enterprise=enterprise, client_uuid=client_uuid,
                         fix=fix, marked_from=original)
    # A phone's clock far off says nothing of when the photo was taken: the photo is kept, its time is not.
    photo.captured_at = processed.captured_at or (captured_at if captured_at and is_plausible_moment(captured_at)
                                                   else None)
    session.flush()
    _attach_if_declared(session, photo, enterprise, user)  # looked up again now that this transaction writes
    return Received(photo, created=True)


def _original(session: Session, user: User, enterprise: Enterprise, client_uuid: str, original_uuid: str) -> Photo:
    """The original a marked copy names: a photo the same inspector sent from the same enterprise, not a copy."""
    original = session.scalars(select(Photo).where(Photo.uuid == original_uuid)).first()
    if (original is None or original_uuid == client_uuid or original.is_marked
            or not _belongs(original, enterprise.id, user.id)):
        raise OutboxError("not_found", _l("The original of this marked photo has not arrived: send it first."),
                          field="marked_from")
    return original
