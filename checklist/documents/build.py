"""Each paper's content read from the data (documents.papers): the print pages and the Word files show these."""

from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _

from checklist import access, presence
from checklist.clock import to_local
from checklist.documents.papers import (
    ExtensionForm,
    Head,
    InspectionRecord,
    MeasuresDecision,
    Officer,
    Paper,
    Party,
    Problem,
    RectificationOrder,
    Remedy,
    ReviewItem,
    ReviewOpinion,
    SelfCheckLine,
    SelfCheckRecord,
    Served,
    ServiceReceipt,
    Signature,
)
from checklist.models import (
    Document,
    DocumentKind,
    EnforcementAction,
    EnforcementKind,
    ExtensionRequest,
    Hazard,
    HazardLevel,
    Inspection,
    InspectionMode,
    Outcome,
    Unit,
    User,
)

FILED = list(DocumentKind)  # declared in 立卷 order: the record, the measures, the order, the opinions


def local(moment: datetime) -> datetime:
    return to_local(moment).replace(tzinfo=None)


def head(document: Document) -> Head:
    return Head(authority=document.unit.name, title=str(document.kind.label), number=document.number,
                void_reason=document.void_reason if document.is_void else "")


def party(inspection: Inspection) -> Party:
    enterprise = inspection.enterprise
    return Party(name=enterprise.name, address=enterprise.address, representative=enterprise.contact_name,
                 phone=enterprise.contact_phone)


def officers(users: list[User]) -> list[Officer]:
    return [Officer(name=user.name, card_number=user.card_number) for user in users]


def remedy(unit: Unit) -> Remedy:
    return Remedy(review_bodies=unit.review_bodies, court=unit.court)


def problem_number(hazard: Hazard) -> int:
    """A hazard's number in its inspection's documents, from 1."""
    return hazard.inspection.hazards.index(hazard) + 1


def problem(hazard: Hazard) -> Problem:
    item = hazard.item
    return Problem(number=problem_number(hazard), description=hazard.description, level=str(hazard.level.label),
                   deadline=hazard.deadline, basis=item.basis if item else "", criterion=item.criterion if item else "")


def problems(inspection: Inspection) -> list[Problem]:
    return [problem(hazard) for hazard in inspection.hazards]


def on_site_signature(inspection: Inspection) -> Signature:
    return Signature(name=inspection.signer_name, png=inspection.signature_png,
                     refused=inspection.signature_refused,
                     on=local(inspection.signed_at).date() if inspection.signed_at else None)


def action_line(action: EnforcementAction) -> str:
    parts = [str(action.kind.label)]
    if action.document_number:
        parts.append(_("document %(number)s", number=action.document_number))
    if action.kind is EnforcementKind.FINE:
        parts.append(_("%(amount)s ten thousand yuan", amount=action.fine_wan))
    if action.note:
        parts.append(action.note)
    return _(", ").join(parts)


def findings(inspection: Inspection) -> str:
    """检查情况: what was checked and what was found, in one paragraph."""
    counts = {outcome: 0 for outcome in Outcome}
    for result in inspection.results:
        counts[result.outcome] += 1
    majors = sum(1 for hazard in inspection.hazards if hazard.level is HazardLevel.MAJOR)
    return _(
        "%(mode)s under %(campaign)s: %(items)d checklist items checked, %(passed)d met, %(failed)d not met, "
        "%(na)d not applicable; %(general)d general and %(major)d major hazards found, listed below.",
        mode=inspection.mode.label, campaign=inspection.campaign.title, items=len(inspection.results),
        passed=counts[Outcome.PASS], failed=counts[Outcome.FAIL], na=counts[Outcome.NOT_APPLICABLE],
        general=len(inspection.hazards) - majors, major=majors,
    )


def position(inspection: Inspection) -> str:
    """现场定位: where the phone was at the start and with the photos, against the registered location, with the
    flags of checklist/presence.py; "" when the phone recorded no position."""
    parts = []
    start = inspection.start_evidence
    if start is not None:
        place = _("%(latitude).5f, %(longitude).5f (WGS-84, within %(accuracy)d m)", latitude=start.fix.latitude,
                  longitude=start.fix.longitude, accuracy=round(start.fix.accuracy))
        if start.distance is None:
            parts.append(_("At the start the phone was at %(place)s; the roster has no location for the enterprise.",
                           place=place))
        else:
            parts.append(_("At the start the phone was at %(place)s, %(metres)d m from the enterprise's registered "
                           "location.", place=place, metres=round(start.distance)))
        if start.far:
            parts.append(_("More than %(metres)d m from the registered location: check.", metres=presence.FAR_METRES))
        if start.clock_off:
            parts.append(_("The phone's clock was %(minutes)d minutes off the server's.",
                           minutes=start.clock_gap_minutes))
    located = [evidence for evidence in (photo.evidence for photo in inspection.photos) if evidence is not None]
    distances = [evidence.distance for evidence in located if evidence.distance is not None]
    if distances:
        parts.append(_("%(count)d photos carry a position, the farthest %(metres)d m from the registered location.",
                       count=len(located), metres=round(max(distances))))
    elif located:
        parts.append(_("%(count)d photos carry a position.", count=len(located)))
    return ("" if str(get_locale()).startswith("zh") else " ").join(parts)  # Chinese sentences take no space


def record(document: Document) -> InspectionRecord:
    inspection = document.inspection
    return InspectionRecord(
        head=head(document), party=party(inspection), place=inspection.enterprise.address,
        started_at=local(inspection.started_at), ended_at=local(inspection.submitted_at),
        officers=officers(inspection.inspectors), findings=findings(inspection), problems=problems(inspection),
        actions=[action_line(action) for action in inspection.actions], signature=on_site_signature(inspection),
        issued_on=local(document.issued_at).date(), position=position(inspection),
    )


def measures(document: Document) -> MeasuresDecision:
    inspection = document.inspection
    return MeasuresDecision(
        head=head(document), party=party(inspection), found_on=local(inspection.submitted_at).date(),
        problems=problems(inspection),
        # the 安全生产法's article on what an inspection may order on the spot
        basis=_("item 3 of paragraph 1 of Article 65 of the Work Safety Law of the People's Republic of China"),
        decisions=[action_line(action) for action in inspection.actions if action.kind is EnforcementKind.SUSPENSION],
        remedy=remedy(document.unit), officers=officers(inspection.inspectors),
        signature=on_site_signature(inspection), issued_on=local(document.issued_at).date(),
    )


def order(document: Document) -> RectificationOrder:
    inspection = document.inspection
    return RectificationOrder(
        head=head(document), party=party(inspection), found_on=local(inspection.submitted_at).date(),
        problems=problems(inspection), remedy=remedy(document.unit), officers=officers(inspection.inspectors),
        signature=on_site_signature(inspection), issued_on=local(document.issued_at).date(),
    )


def review(document: Document) -> ReviewOpinion:
    reinspection, inspection = document.reinspection, document.inspection
    original = inspection.live_document(DocumentKind.ORDER)
    return ReviewOpinion(
        head=head(document), party=party(inspection), original_title=str(DocumentKind.ORDER.label),
        original_number=original.number if original else "",
        original_on=local(original.issued_at if original else inspection.submitted_at).date(),
        reviewed_on=local(reinspection.at).date(),
        items=[ReviewItem(number=problem_number(result.hazard), description=result.hazard.description,
                          verdict=str(result.verdict.label), note=result.note, new_deadline=result.new_deadline)
               for result in reinspection.results],
        remedy=remedy(document.unit), officers=officers(reinspection.inspectors), signature=Signature(),
        issued_on=local(document.issued_at).date(),
    )


def paper(document: Document) -> Paper:
    """The content of a numbered document."""
    return {DocumentKind.RECORD: record, DocumentKind.MEASURES: measures, DocumentKind.ORDER: order,
            DocumentKind.REVIEW: review}[document.kind](document)


def receipt(inspection: Inspection) -> ServiceReceipt:
    """文书送达回执 of the documents served on site when the inspection was submitted."""
    served = inspection.served_documents
    first = served[0] if served else None
    return ServiceReceipt(
        head=Head(authority=first.unit.name if first else inspection.unit.name, title=_("Receipt of service")),
        recipient=inspection.enterprise.name,
        documents=[Served(title=str(document.kind.label), number=document.number) for document in served],
        place=inspection.enterprise.address,
        served_on=local(first.issued_at if first else inspection.submitted_at).date(),
        way=_("Served in person"), servers=officers(inspection.inspectors[:2]),
        signature=on_site_signature(inspection),
    )


def self_record(inspection: Inspection) -> SelfCheckRecord:
    """自查记录: the enterprise's own record of its self-inspection."""
    results = {result.item_id: result for result in inspection.results}
    lines = [SelfCheckLine(code=item.code, text=item.text, outcome=str(results[item.id].outcome.label),
                           note=results[item.id].note)
             for item in inspection.checklist.items if item.id in results]
    return SelfCheckRecord(
        head=Head(authority=inspection.enterprise.name, title=_("Self-inspection record")),
        party=party(inspection), started_at=local(inspection.started_at), ended_at=local(inspection.submitted_at),
        inspectors=[user.name for user in inspection.inspectors], lines=lines, problems=problems(inspection),
    )


def extension_form(request: ExtensionRequest) -> ExtensionForm:
    """延期整改审批表 of one request and its decision."""
    hazard = request.hazard
    inspection, unit = hazard.inspection, access.reviewing_unit(hazard)
    original = inspection.live_document(DocumentKind.ORDER)
    return ExtensionForm(
        head=Head(authority=unit.name if unit else "", title=_("Approval form for an extension of rectification")),
        party=party(inspection), original_number=original.number if original else "",
        problem=problem(hazard), reason=request.reason, requested_on=local(request.requested_at).date(),
        deadline_from=request.deadline_from, requested_deadline=request.requested_deadline,
        decision=str(request.decision.label), decision_note=request.decision_note,
        decided_by=request.decided_by.name if request.decided_by else "",
        decided_on=local(request.decided_at).date() if request.decided_at else None,
    )


def case_file(inspection: Inspection) -> list[Paper]:
    """Every paper of a submitted inspection in 立卷 order: the record, the measures, the order, their receipt,
    the re-inspections' opinions, the extension forms; voided documents stay out. A self-inspection has its
    自查记录 only."""
    if inspection.mode is InspectionMode.SELF_CHECK:
        return [self_record(inspection)]
    served = sorted(inspection.served_documents, key=lambda document: (FILED.index(document.kind), document.id))
    opinions = [document for document in inspection.documents
                if document.kind is DocumentKind.REVIEW and not document.is_void]
    return ([paper(document) for document in served] + ([receipt(inspection)] if served else [])
            + [paper(document) for document in opinions]
            + [extension_form(request) for request in inspection.extension_requests])
