"""督政's outcome for a unit beside its problem list: the measures 通报, 曝光 and 约谈 taken against a unit
and its people who did not deliver (the notice: "对责任和措施不落实的单位和人员，采取通报、曝光、约谈等办法").

The problems a 督政 inspection finds go through the hazards' own lifecycle (rules.hazards); this module
records the measures. Each function checks, flushes and raises MeasureError when refused; the caller commits.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access
from checklist.clock import EARLIEST_DAY, local_today
from checklist.models import Inspection, Measure, MeasureKind, Unit, User
from checklist.refusal import Refused

PERSONS_MAX = 200


class MeasureError(Refused):
    """A refused measure."""


@dataclass(frozen=True)
class MeasureInput:
    kind: MeasureKind
    held_on: date
    persons: str = ""
    document_number: str = ""
    note: str = ""


def take_measure(
    session: Session, user: User, unit: Unit, measure: MeasureInput, *, client_uuid: str,
    inspection: Inspection | None = None,
) -> Measure:
    """Record a 通报, 曝光 or 约谈 of the unit, by whoever may inspect it; the same form sent again adds nothing.

    A 约谈 names who was talked to; none is dated ahead of today. The inspection, when given, is the submitted
    督政 inspection of this unit that led to it.
    """
    existing = session.scalars(select(Measure).where(Measure.uuid == client_uuid)).first()
    if existing is not None:
        if existing.created_by_id != user.id or existing.unit_id != unit.id:
            raise MeasureError(_l("This form was already used for another measure."))
        return existing
    if not access.can_inspect_unit(user, unit):
        raise MeasureError(_l("You may not take measures against this unit."), code="forbidden")
    if inspection is not None and (inspection.inspected_unit_id != unit.id or inspection.is_draft):
        raise MeasureError(_l("That inspection is not a submitted oversight inspection of this unit."),
                           field="inspection")
    persons = measure.persons.strip()
    if measure.kind is MeasureKind.INTERVIEW and not persons:
        raise MeasureError(_l("Name who was talked to, with their posts."), field="persons")
    if len(persons) > PERSONS_MAX:
        raise MeasureError(_l("Keep the names within %(count)d characters.", count=PERSONS_MAX), field="persons")
    if not EARLIEST_DAY <= measure.held_on <= local_today():
        raise MeasureError(_l("The date must fall between %(first)s and today.", first=EARLIEST_DAY.isoformat()),
                           field="held_on")
    record = Measure(
        uuid=client_uuid, unit=unit, inspection=inspection, kind=measure.kind, persons=persons,
        held_on=measure.held_on, document_number=measure.document_number.strip(), note=measure.note.strip(),
        created_by=user,
    )
    session.add(record)
    session.flush()
    return record
