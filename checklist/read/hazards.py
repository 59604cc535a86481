"""Reading hazards: lists and counts, as SQL. Only hazards of submitted inspections exist for anyone
but their inspectors."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, Select, bindparam, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from checklist import access
from checklist.clock import local_today
from checklist.models import (
    Enterprise,
    Hazard,
    HazardHistory,
    HazardLevel,
    HazardStatus,
    HistoryAction,
    Inspection,
    Role,
    User,
)

LISTED_DUE_SOON_DAYS = 7


def found() -> Select:
    """Select the hazards of submitted inspections."""
    return select(Hazard).where(Hazard.found_at.is_not(None))


def in_scope(query: Select, user: User) -> Select:
    """Restrict a query over Hazard to the enterprises the user may see."""
    return query.join(Hazard.enterprise).where(access.enterprise_filter(user))


# Built once, the enterprise bound at each run: building a statement and its cache key costs half as much as
# running it (the site page's, each time a phone scans a QR code).
OPEN_HAZARDS = (
    found().where(Hazard.enterprise_id == bindparam("enterprise_id"), Hazard.status != HazardStatus.CLOSED)
    .order_by(Hazard.deadline, Hazard.id)
)


def open_hazards(session: Session, enterprise: Enterprise) -> list[Hazard]:
    """Return an enterprise's hazards not yet closed, the nearest deadline first."""
    return list(session.scalars(OPEN_HAZARDS, {"enterprise_id": enterprise.id}))


def rectification_list(session: Session, enterprise: Enterprise) -> dict[HazardStatus, list[Hazard]]:
    """An enterprise's hazards by status; in each group the overdue first, then by deadline."""
    return by_status(session, Hazard.enterprise_id == enterprise.id)


def by_status(session: Session, where: ColumnElement[bool]) -> dict[HazardStatus, list[Hazard]]:
    """The hazards (or a unit's problems) the clause selects, by status; the overdue first, then by deadline."""
    today = local_today()
    hazards = session.scalars(
        found().where(where)
        .options(
            joinedload(Hazard.item), joinedload(Hazard.inspection).joinedload(Inspection.unit),
            selectinload(Hazard.photos),
        )
        .order_by(case((Hazard.deadline < today, 0), else_=1), Hazard.deadline, Hazard.id)
    )
    groups: dict[HazardStatus, list[Hazard]] = {status: [] for status in HazardStatus}
    for hazard in hazards:
        groups[hazard.status].append(hazard)
    groups[HazardStatus.CLOSED].reverse()  # the most recently due first
    return groups


def verification_queue(user: User) -> Select:
    """Submitted fixes the user may verify, the longest waiting first, with their photos."""
    return (
        found().join(Hazard.inspection).join(Hazard.enterprise)
        .where(Hazard.status == HazardStatus.SUBMITTED, access.enterprise_filter(user), access.verifiable_filter(user))
        .options(joinedload(Hazard.enterprise), joinedload(Hazard.item), selectinload(Hazard.photos))
        .order_by(Hazard.deadline, Hazard.id)
    )


def major_and_listed(user: User, include_closed: bool = False) -> Select:
    """The list of major and listed hazards (重大问题隐患清单) the user may see."""
    query = in_scope(found(), user).where((Hazard.level == HazardLevel.MAJOR) | Hazard.listed_unit_id.is_not(None))
    if not include_closed:
        query = query.where(Hazard.status != HazardStatus.CLOSED)
    return query.options(
        joinedload(Hazard.enterprise).joinedload(Enterprise.county), joinedload(Hazard.listed_unit),
        joinedload(Hazard.item),  # its criterion is printed beside the hazard
    ).order_by(Hazard.status, Hazard.deadline, Hazard.id)


@dataclass(frozen=True)
class Waiting:
    """What waits for a user, shown on the home page."""

    open: int = 0
    rejected: int = 0
    submitted: int = 0
    overdue: int = 0
    listed_due_soon: int = 0


def waiting_for(session: Session, user: User) -> Waiting:
    """Count what needs the user: open and rejected items, or fixes to verify and deadlines to chase."""
    today = local_today()
    if user.role is Role.ENTERPRISE:
        last_action = (
            select(HazardHistory.action).where(HazardHistory.hazard_id == Hazard.id)
            .order_by(HazardHistory.id.desc()).limit(1).scalar_subquery()
        )
        row = session.execute(
            select(func.count(), func.count().filter(last_action == HistoryAction.REJECTED))
            .select_from(Hazard)
            .where(Hazard.found_at.is_not(None), Hazard.enterprise_id == user.enterprise_id,
                   Hazard.status == HazardStatus.OPEN)
        ).one()
        return Waiting(open=row[0], rejected=row[1])
    not_closed = Hazard.status != HazardStatus.CLOSED
    row = session.execute(
        select(
            func.count().filter(Hazard.status == HazardStatus.SUBMITTED, access.verifiable_filter(user)),
            func.count().filter(not_closed, Hazard.deadline < today),
            func.count().filter(
                not_closed, Hazard.listed_unit_id.is_not(None),
                Hazard.listed_deadline <= today + timedelta(days=LISTED_DUE_SOON_DAYS),
            ),
        )
        .select_from(Hazard).join(Hazard.inspection).join(Hazard.enterprise)
        .where(Hazard.found_at.is_not(None), access.enterprise_filter(user))
    ).one()
    return Waiting(submitted=row[0], overdue=row[1], listed_due_soon=row[2])


def overdue_in_scope(session: Session, user: User) -> list[Hazard]:
    """Hazards past their deadline that the user may see, the oldest first."""
    return list(session.scalars(
        in_scope(found(), user).where(Hazard.status != HazardStatus.CLOSED, Hazard.deadline < local_today())
        .options(joinedload(Hazard.enterprise)).order_by(Hazard.deadline, Hazard.id).limit(200)
    ).unique())


