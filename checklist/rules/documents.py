"""Rules of the numbered enforcement documents: who issues them, the two 执法证号, their numbers, voiding.

A number is taken from DocumentSequence in the transaction that issues the document: the row's UPDATE locks
it until the commit (PostgreSQL's row lock, SQLite's single writer), so two inspectors of one unit issuing at
the same moment get two numbers, and a refused or failed issue rolls its number back with it: no gap, no
double. A voided document keeps its number; issuing again takes a new one.
"""

from collections.abc import Sequence
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from checklist import access, tallies
from checklist.clock import to_local
from checklist.models import (
    Document,
    DocumentKind,
    DocumentSequence,
    EnforcementKind,
    Inspection,
    InspectionMode,
    Reinspection,
    Unit,
    User,
    utcnow,
)
from checklist.refusal import Refused


class DocumentError(Refused):
    """A refused step of a document."""


# On-site measures (现场处理措施) an action may order during the check; fines, licences and closures are
# decided later, with their own procedure.
ON_SITE_MEASURES = (EnforcementKind.SUSPENSION,)


def kinds_due(inspection: Inspection) -> list[DocumentKind]:
    """The documents an inspection issues, in 立卷 order: its record, the measures it took, its order."""
    if inspection.mode in (InspectionMode.SELF_CHECK, InspectionMode.REPORT) or inspection.is_oversight:
        return []  # a hazard recorded from a worker's report had no visit: no record, no order
    kinds = [DocumentKind.RECORD]
    if any(action.kind in ON_SITE_MEASURES for action in inspection.actions):
        kinds.append(DocumentKind.MEASURES)
    if inspection.hazards:
        kinds.append(DocumentKind.ORDER)
    return kinds


def require_two_cards(officers: Sequence[User]) -> None:
    """An enforcement document needs two officers, each with an enforcement card number (执法证号)."""
    missing = [officer.name for officer in officers if not officer.card_number.strip()]
    if missing:
        raise DocumentError(_l("No enforcement card number (执法证号) is recorded for %(names)s: the documents need "
                               "two officers with one.", names=gettext(", ").join(missing)), field="inspectors")
    if len(officers) < 2:
        raise DocumentError(_l("Name a second inspector with an enforcement card number: the documents need two "
                               "officers."), field="inspectors")


def next_serial(session: Session, unit_id: int, kind: DocumentKind, year: int) -> int:
    """Take the next serial of the unit's kind of document in the year, in the caller's transaction."""
    connection = session.connection()
    session.execute(
        tallies.upsert(connection, DocumentSequence.__table__)
        .values(unit_id=unit_id, kind=kind, year=year, last=0)
        .on_conflict_do_nothing()
    )
    return session.execute(
        update(DocumentSequence)
        .where(DocumentSequence.unit_id == unit_id, DocumentSequence.kind == kind, DocumentSequence.year == year)
        .values(last=DocumentSequence.last + 1)
        .returning(DocumentSequence.last)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def issue(
    session: Session, user: User, unit: Unit, kind: DocumentKind, inspection: Inspection,
    reinspection: Reinspection | None = None, now: datetime | None = None,
) -> Document:
    now = now or utcnow()
    year = to_local(now).year
    document = Document(
        unit=unit, kind=kind, year=year, serial=next_serial(session, unit.id, kind, year),
        prefix=unit.number_prefix, inspection=inspection, reinspection=reinspection,
        issued_at=now, issued_by_id=user.id,
    )
    session.add(document)
    return document


def refusal(inspection: Inspection) -> DocumentError | None:
    """Why the inspection's documents cannot be issued yet, or None."""
    if inspection.is_draft:
        return DocumentError(_l("Submit the inspection before its documents are issued."))
    if not kinds_due(inspection):
        return DocumentError(_l("A self-inspection or a 督政 inspection issues no enforcement documents."))
    if inspection.unit is None:
        return DocumentError(_l("Only an inspection by a unit issues enforcement documents."))
    try:
        require_two_cards(inspection.inspectors)
    except DocumentError as error:
        return error
    return None


def issue_documents(
    session: Session, user: User, inspection: Inspection, now: datetime | None = None,
) -> list[Document]:
    """Issue the inspection's documents that are due and not yet issued (or were voided); return the new ones.

    Issuing twice issues nothing more.
    """
    if not access.can_issue(user, inspection):
        raise DocumentError(_l("Only the inspectors of this inspection or their unit's supervisors issue its "
                               "documents."), code="forbidden")
    error = refusal(inspection)
    if error:
        raise error
    issued = [issue(session, user, inspection.unit, kind, inspection, now=now)
              for kind in kinds_due(inspection) if inspection.live_document(kind) is None]
    session.flush()
    session.expire(inspection, ["documents"])
    return issued


def issue_if_ready(
    session: Session, user: User, inspection: Inspection, now: datetime | None = None,
) -> list[Document]:
    """Issue the documents on submission when nothing stands in the way; otherwise the inspection's documents
    page says why and issues them once it is put right."""
    if refusal(inspection) is not None or not access.can_issue(user, inspection):
        return []
    return issue_documents(session, user, inspection, now)


def void_document(session: Session, user: User, document: Document, reason: str) -> None:
    """Void a document: it stays listed, marked 作废 with the reason; its number is never given again."""
    if not access.can_void(user, document):
        raise DocumentError(_l("Only whoever issued this document or a supervisor of its unit may void it."),
                            code="forbidden")
    if document.is_void:
        raise DocumentError(_l("This document is already void."))
    if not reason.strip():
        raise DocumentError(_l("Give the reason for voiding the document."), field="reason")
    document.voided_at, document.voided_by_id, document.void_reason = utcnow(), user.id, reason.strip()
    session.flush()

