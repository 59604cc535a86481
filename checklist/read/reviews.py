"""Re-inspection (复查) tasks: the hazards a unit must go back to, because their fix was submitted or their
deadline passed, with the day by which the law wants the re-inspection (10 days on)."""

from datetime import date, timedelta

from sqlalchemy import Select, and_, func, or_, select, union_all
from sqlalchemy.orm import joinedload

from checklist import access
from checklist.clock import to_local
from checklist.models import (
    Enterprise,
    Hazard,
    HazardHistory,
    HazardStatus,
    HistoryAction,
    Inspection,
    User,
    inspection_inspector,
)
from checklist.read.hazards import found

REVIEW_WITHIN_DAYS = 10  # 复查 within 10 days of the enterprise's report of its fix or of the deadline


def reviewed_by(unit_id: int):
    """The ids of the hazards whose reviewing unit (access.reviewing_unit) is this one: one indexed branch per
    way a unit comes to it, instead of an OR across three tables that reads every hazard of the city."""
    unlisted = Hazard.listed_unit_id.is_(None)
    return union_all(
        select(Hazard.id).where(Hazard.listed_unit_id == unit_id),
        select(Hazard.id).join(Hazard.inspection).where(unlisted, Inspection.unit_id == unit_id),
        select(Hazard.id).join(Hazard.inspection).join(Hazard.enterprise)
        .where(unlisted, Inspection.unit_id.is_(None), Enterprise.supervising_unit_id == unit_id),
    )


def tasks(user: User, today: date, mine: bool = False) -> Select:
    """The hazards the user's unit must re-inspect, the earliest deadline first; `mine`: of the inspections the
    user took part in."""
    query = (
        found()
        .where(Hazard.enterprise_id.is_not(None), Hazard.id.in_(reviewed_by(user.unit_id)),
               or_(Hazard.status == HazardStatus.SUBMITTED,
                   and_(Hazard.status == HazardStatus.OPEN, Hazard.deadline < today)))
        .options(joinedload(Hazard.enterprise), joinedload(Hazard.inspection))
        .order_by(Hazard.deadline, Hazard.id)
    )
    if mine:
        query = query.where(Hazard.inspection_id.in_(
            select(inspection_inspector.c.inspection_id).where(inspection_inspector.c.user_id == user.id)
        ))
    return query


def due_dates(session, hazards: list[Hazard]) -> dict[int, date]:
    """Each hazard's day by which it is to be re-inspected: 10 days after its deadline, or after its fix was
    reported if that came first."""
    reported = dict(session.execute(
        select(HazardHistory.hazard_id, func.max(HazardHistory.at))
        .where(HazardHistory.hazard_id.in_([hazard.id for hazard in hazards]),
               HazardHistory.action == HistoryAction.SUBMITTED)
        .group_by(HazardHistory.hazard_id)
    ).all()) if hazards else {}
    due = {}
    for hazard in hazards:
        start = hazard.deadline
        if hazard.status is HazardStatus.SUBMITTED and hazard.id in reported:
            start = min(start, to_local(reported[hazard.id]).date())
        due[hazard.id] = start + timedelta(days=REVIEW_WITHIN_DAYS)
    return due


def reviewable(user: User, inspection: Inspection) -> list[Hazard]:
    """The hazards of the inspection the user's unit may re-inspect now: found, not closed."""
    return [hazard for hazard in inspection.hazards
            if hazard.found_at is not None and not hazard.is_closed and access.can_review(user, hazard)]


def colleagues(session, user: User) -> list[User]:
    """The officers of the user's unit who may go with them, those with an enforcement card number first."""
    return list(session.scalars(
        select(User).where(User.unit_id == user.unit_id, User.id != user.id, User.active.is_(True))
        .order_by(User.card_number == "", User.name)
    ))
