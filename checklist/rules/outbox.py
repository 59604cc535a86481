"""Rules of the phone's offline outbox: photos and whole inspections sent later, each exactly once.

A phone makes a UUID for every inspection, hazard and photo it records offline and sends them when it
has a signal, in any order and as often as it needs to. The functions here take the session and the
acting user, flush, and raise OutboxError when refused; the caller commits.

Photos and inspections may meet in either order: a photo that arrives before its inspection is kept
with its enterprise only and attached as soon as an inspection declares its UUID; an inspection whose
declared photos have not all arrived is incomplete until they do. Each side writes first and looks for
the other afterwards, under a lock on the enterprise's row, so that two sent at the same moment still
meet (SQLite serialises writers; PostgreSQL waits on the row lock).
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access
from checklist.clock import CHINA, is_plausible_moment, to_local
from checklist.db import released
from checklist.imaging import PhotoError, process_photo
from checklist.models import (
    Checklist,
    ChecklistItem,
    DeclaredPhoto,
    EnforcementKind,
    Enterprise,
    Hazard,
    HazardLevel,
    Inspection,
    InspectionMode,
    Outcome,
    Photo,
    Team,
    User,
    utcnow,
)
from checklist.refusal import Refused
from checklist.rules import photos
from checklist.rules.definitions import Catalogue
from checklist.rules.inspections import (
    HazardInput,
    add_enforcement,
    default_deadline,
    hazard_for,
    record_result,
    set_inspectors,
    sign_problem_list,
    start_inspection,
    submit_inspection,
)

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FINE_PATTERN = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
MAX_ID = 2**31 - 1
MAX_RESULTS = 1000
MAX_LIST = 100
MAX_FINE_WAN = Decimal("100000")
MAX_SIGNATURE_CHARACTERS = 2_000_000


class OutboxError(Refused):
    """A refused submission; ``code`` is stable for machines, ``details`` name what was wrong."""

    def __init__(self, code: str, message, **details):
        super().__init__(message)
        self.code = code
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


def normalize_uuid(value: object, field: str = "uuid") -> str:
    """Return a client-made UUID in its canonical lower-case form, or refuse it."""
    if isinstance(value, str) and UUID_PATTERN.match(value.lower()):
        return value.lower()
    raise invalid(field)


def submission_hash(body: object) -> str:
    """Hash the canonical JSON of a submission: the same content hashes the same, however it was spelt."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


# Reading the submission: every value checked before anything is written.


def _text(data: dict, key: str, field: str, max_length: int, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None and not required:
        value = ""
    if not isinstance(value, str) or len(value) > max_length or (required and not value.strip()):
        raise invalid(field)
    if "\x00" in value or any("\ud800" <= character <= "\udfff" for character in value):
        raise invalid(field)  # neither can be stored in every database
    return value


def _object(value: object, field: str) -> dict:
    if not isinstance(value, dict):
        raise invalid(field)
    return value


def _list(data: dict, key: str, field: str, max_length: int = MAX_LIST) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_length:
        raise invalid(field)
    return value


def _identifier(value: object, field: str, nullable: bool = False) -> int | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise invalid(field)
    return value


def _choice(value: object, enum_class, field: str):
    try:
        return enum_class(value)
    except ValueError:
        raise invalid(field) from None


def parse_moment(value: object, field: str) -> datetime | None:
    """Read an ISO 8601 time as stored naive UTC; a time without its zone is China Standard Time."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise invalid(field)
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=CHINA)
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise invalid(field) from None
    if not is_plausible_moment(moment):  # a phone's clock far off: 2100, or before the app existed
        raise OutboxError("invalid", _l("%(field)s: the time lies before 2020 or ahead of the present; "
                                        "check the phone's clock.", field=field), field=field)
    return moment


def _date(value: object, field: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 10:
        raise invalid(field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(field) from None


def _fine(value: object, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(field)
    text = str(value) if isinstance(value, str) else f"{value:.2f}" if isinstance(value, float) else str(value)
    if not FINE_PATTERN.match(text):
        raise invalid(field)
    try:
        amount = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise invalid(field) from None
    if amount > MAX_FINE_WAN:
        raise invalid(field)
    return amount


@dataclass(frozen=True)
class ResultInput:
    item: ChecklistItem
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
    png: bytes | None
    refused: bool


@dataclass(frozen=True)
class Submission:
    enterprise: Enterprise
    mode: InspectionMode
    team: Team | None
    started_at: datetime | None
    checklist: Checklist
    results: tuple[ResultInput, ...]
    actions: tuple[ActionInput, ...]
    inspectors: tuple[User, ...]
    signature: SignatureInput | None


def site_for(session: Session, user: User, token: object, field: str = "site") -> Enterprise:
    """Find the enterprise of a QR token that the user may inspect."""
    if not isinstance(token, str) or not token or len(token) > 32 or "\x00" in token:
        raise OutboxError("unknown_site", _l("There is no enterprise with this code."), field=field)
    enterprise = session.scalars(select(Enterprise).where(Enterprise.qr_token == token)).first()
    if enterprise is None:
        raise OutboxError("unknown_site", _l("There is no enterprise with this code."), field=field)
    if not access.can_inspect(user, enterprise):
        raise OutboxError("forbidden", _l("You may not inspect this enterprise."))
    return enterprise


def _hazard(data: object, field: str, deadline_days: dict[str, int]) -> tuple[str, HazardInput]:
    data = _object(data, field)
    level = _choice(data.get("level"), HazardLevel, f"{field}.level")
    return normalize_uuid(data.get("uuid"), f"{field}.uuid"), HazardInput(
        level=level,
        description=_text(data, "description", f"{field}.description", 1000, required=True),
        deadline=_date(data.get("deadline"), f"{field}.deadline") or default_deadline(level, deadline_days),
        responsible_person=_text(data, "responsible_person", f"{field}.responsible_person", 40),
    )


def _results(data: dict, checklist: Checklist, deadline_days: dict[str, int]) -> tuple[ResultInput, ...]:
    items = {item.code: item for item in checklist.items}
    results, seen_photos, seen_hazards = [], set(), set()
    for number, raw in enumerate(_list(data, "results", "results", MAX_RESULTS)):
        field = f"results[{number}]"
        raw = _object(raw, field)
        item = items.get(raw.get("item_code")) if isinstance(raw.get("item_code"), str) else None
        if item is None or any(result.item is item for result in results):
            raise invalid(f"{field}.item_code")
        outcome = _choice(raw.get("outcome"), Outcome, f"{field}.outcome")
        photo_uuids = tuple(
            normalize_uuid(value, f"{field}.photos[{index}]")
            for index, value in enumerate(_list(raw, "photos", f"{field}.photos"))
        )
        if seen_photos & set(photo_uuids) or len(set(photo_uuids)) != len(photo_uuids):
            raise invalid(f"{field}.photos")
        seen_photos.update(photo_uuids)
        hazard_uuid = hazard = None
        if raw.get("hazard") is not None:
            if outcome is not Outcome.FAIL:  # a hazard only at a failed item: dropping it silently would lose it
                raise invalid(f"{field}.hazard")
            hazard_uuid, hazard = _hazard(raw["hazard"], f"{field}.hazard", deadline_days)
            if hazard_uuid in seen_hazards:
                raise invalid(f"{field}.hazard.uuid")
            seen_hazards.add(hazard_uuid)
        elif outcome is Outcome.FAIL:
            raise OutboxError(
                "invalid", _l("A failed item needs a hazard: describe it."), field=f"{field}.hazard"
            )
        results.append(ResultInput(
            item=item, outcome=outcome, note=_text(raw, "note", f"{field}.note", 1000),
            photo_uuids=photo_uuids, hazard_uuid=hazard_uuid, hazard=hazard,
        ))
    missing = [item.code for item in checklist.items if not any(result.item is item for result in results)]
    if missing:
        raise OutboxError(
            "missing_results",
            _l("These checklist items have no result: %(codes)s", codes=", ".join(missing)),
            missing_items=missing,
        )
    return tuple(results)


def _actions(data: dict) -> tuple[ActionInput, ...]:
    actions = []
    for number, raw in enumerate(_list(data, "actions", "actions")):
        field = f"actions[{number}]"
        raw = _object(raw, field)
        action = ActionInput(
            kind=_choice(raw.get("kind"), EnforcementKind, f"{field}.kind"),
            document_number=_text(raw, "document_number", f"{field}.document_number", 60),
            fine_wan=_fine(raw.get("fine_wan"), f"{field}.fine_wan"),
            note=_text(raw, "note", f"{field}.note", 500),
        )
        if action.kind is EnforcementKind.FINE and not action.fine_wan:
            raise OutboxError("invalid", _l("A fine needs its amount."), field=f"{field}.fine_wan")
        actions.append(action)
    return tuple(actions)


def _signature(value: object) -> SignatureInput | None:
    if value is None:
        return None
    data = _object(value, "signature")
    signer_name = _text(data, "signer_name", "signature.signer_name", 40)
    refused = data.get("refused", False)
    if not isinstance(refused, bool):
        raise invalid("signature.refused")
    if refused:
        return SignatureInput(signer_name=signer_name, png=None, refused=True)
    encoded = _text(data, "png_base64", "signature.png_base64", MAX_SIGNATURE_CHARACTERS, required=True)
    prefix = "data:image/png;base64,"
    try:
        png = photos.signature_png(encoded if encoded.startswith(prefix) else prefix + encoded)
    except PhotoError as error:
        raise OutboxError("invalid_signature", error.message, field="signature.png_base64") from None
    return SignatureInput(signer_name=signer_name, png=png, refused=False)


def read_submission(session: Session, user: User, body: object, deadline_days: dict[str, int]) -> Submission:
    """Check a whole submission before anything of it is written."""
    data = _object(body, "body")
    enterprise = site_for(session, user, data.get("site"))
    mode = _choice(data.get("mode"), InspectionMode, "mode")
    if mode not in access.allowed_modes(user):
        raise OutboxError("forbidden", _l("Your role cannot run this kind of inspection."))
    team_id = _identifier(data.get("team_id"), "team_id", nullable=True)
    team = session.get(Team, team_id) if team_id is not None else None
    if team_id is not None and (team is None or team.unit_id != user.unit_id):
        raise OutboxError("invalid", _l("That team belongs to another unit."), field="team_id")
    checklist = session.get(Checklist, _identifier(data.get("checklist_id"), "checklist_id"))
    if checklist is None or checklist.sector_id != enterprise.sector_id:
        raise invalid("checklist_id")
    inspectors = []
    for number, value in enumerate(_list(data, "inspectors", "inspectors")):
        inspector = session.get(User, _identifier(value, f"inspectors[{number}]"))
        if inspector is None:
            raise invalid(f"inspectors[{number}]")
        inspectors.append(inspector)
    return Submission(
        enterprise=enterprise,
        mode=mode,
        team=team,
        started_at=parse_moment(data.get("started_at"), "started_at"),
        checklist=checklist,
        results=_results(data, checklist, deadline_days),
        actions=_actions(data),
        inspectors=tuple(inspectors),
        signature=_signature(data.get("signature")),
    )


# The two kinds of submission.


def find_inspection(session: Session, client_uuid: str) -> Inspection | None:
    return session.scalars(select(Inspection).where(Inspection.uuid == client_uuid)).first()


def received_before(session: Session, user: User, client_uuid: str, body: object) -> Inspection | None:
    """Return the inspection this very submission made earlier; refuse the UUID if it was used otherwise."""
    client_uuid = normalize_uuid(client_uuid)
    existing = find_inspection(session, client_uuid)
    if existing is None:
        return None
    if existing.created_by_id != user.id or existing.client_hash != submission_hash(body):
        raise conflict()
    return existing


def receive_inspection(
    session: Session, catalogue: Catalogue, user: User, client_uuid: str, body: object, deadline_days: dict[str, int]
) -> Received:
    """Record a whole inspection sent from a phone's outbox, submitted and signed, in one transaction.

    The same submission sent again returns the inspection it made; another one under the same UUID is
    refused with the stored inspection unchanged. When two arrive at the same moment the database's
    unique UUID lets one through: the caller rolls back on IntegrityError and asks received_before.
    """
    client_uuid = normalize_uuid(client_uuid)
    existing = received_before(session, user, client_uuid, body)
    if existing is not None:
        return Received(existing, created=False)
    submission = read_submission(session, user, body, deadline_days)
    _refuse_taken_uuids(session, submission)
    _lock(session, submission.enterprise)
    inspection = start_inspection(
        session, catalogue, user, submission.enterprise, mode=submission.mode, team=submission.team,
        client_uuid=client_uuid, checklist=submission.checklist,
    )
    if inspection.client_hash or not inspection.is_draft:  # another request stored it since we looked
        return Received(received_before(session, user, client_uuid, body), created=False)
    inspection.client_hash = submission_hash(body)
    if submission.started_at is not None:
        inspection.started_at = submission.started_at
    for result in submission.results:
        record_result(session, user, inspection, result.item, result.outcome, result.note, result.hazard)
        if result.hazard_uuid is not None:
            hazard_for(inspection, result.item).uuid = result.hazard_uuid
    for action in submission.actions:
        add_enforcement(
            session, user, inspection, action.kind, action.document_number, action.fine_wan, action.note
        )
    set_inspectors(session, user, inspection, list(submission.inspectors))
    submit_inspection(session, user, inspection)
    if submission.signature is not None:
        sign_problem_list(
            session, user, inspection, signer_name=submission.signature.signer_name,
            signature_png=submission.signature.png, refused=submission.signature.refused,
        )
    for result in submission.results:
        hazard = hazard_for(inspection, result.item)
        for photo_uuid in result.photo_uuids:
            inspection.declared_photos.append(DeclaredPhoto(
                uuid=photo_uuid, item_id=result.item.id, hazard_id=hazard.id if hazard else None,
            ))
    session.flush()
    attach_arrived(session, inspection)
    return Received(inspection, created=True)


def _refuse_taken_uuids(session: Session, submission: Submission) -> None:
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
        if not _belongs(photo, submission.enterprise.id, photo.uploaded_by_id) or photo.inspection_id is not None:
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


def _stamp_lines(enterprise: Enterprise, user: User) -> list[str]:
    """The same stamp as a photo uploaded with the form: when it was received, where and by whom."""
    return [to_local(utcnow()).strftime("%Y-%m-%d %H:%M"), enterprise.name, user.name]


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
    site: object,
    captured_at: object,
    upload_dir: str,
    limits: dict,
) -> Received:
    """Store a photo sent from a phone's outbox, stamped and re-encoded like an upload.

    It is attached at once when an inspection already declared its UUID, else kept with its enterprise
    until one does. The same bytes sent again return the stored photo; other bytes are refused.
    """
    client_uuid = normalize_uuid(client_uuid)
    enterprise = site_for(session, user, site)
    taken = parse_moment(captured_at, "captured_at")
    existing = photo_received_before(session, user, client_uuid, data, enterprise)
    if existing is not None:
        return Received(existing, created=False)
    found = _declaring_inspection(session, client_uuid)
    if found is not None and not _fits(found[0], enterprise, user):
        raise conflict()
    lines = _stamp_lines(enterprise, user)
    try:
        with released(session):
            processed = process_photo(
                data, lines, max_bytes=limits["PHOTO_MAX_BYTES"], max_pixels=limits["PHOTO_MAX_PIXELS"],
            )
    except PhotoError as error:
        raise OutboxError(error.code, error.message) from None
    _lock(session, enterprise)
    existing = photo_received_before(session, user, client_uuid, data, enterprise)  # sent twice at once
    if existing is not None:
        return Received(existing, created=False)
    photo = photos.store(session, upload_dir, processed, user, enterprise=enterprise, client_uuid=client_uuid)
    photo.captured_at = processed.captured_at or taken
    session.flush()
    _attach_if_declared(session, photo, enterprise, user)  # looked up again now that this transaction writes
    return Received(photo, created=True)
