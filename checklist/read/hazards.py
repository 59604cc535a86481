"""Reading hazards: lists and counts, as SQL. Only hazards of submitted inspections exist for anyone
but their inspectors."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, Result, Select, bindparam, case, func, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from checklist import access
from checklist.clock import local_today
from checklist.models import (
    ChecklistItem,
    County,
    Enterprise,
    Hazard,
    HazardHistory,
    HazardLevel,
    HazardStatus,
    HazardTally,
    HistoryAction,
    Inspection,
    Role,
    Unit,
    User,
)
from checklist.read.paging import streamed

LISTED_DUE_SOON_DAYS = 7


def found() -> Select:
    """Select the hazards of submitted inspections."""
    return select(Hazard).where(Hazard.found_at.is_not(None))


def in_scope(query: Select, user: User) -> Select:
    """Restrict a query over Hazard to the enterprises the user may see."""
    return query.join(Hazard.enterprise).where(access.enterprise_filter(user))


# Built once, the enterprise bound at each run: building a statement and its cache key costs half as much as
# running it (the site page's, each time a phone scans a QR code). Rows of what the page prints, not hazards.
OPEN_HAZARDS = (
    select(Hazard.level, Hazard.status, Hazard.description, Hazard.deadline, Hazard.responsible_person)
    .where(Hazard.found_at.is_not(None), Hazard.enterprise_id == bindparam("enterprise_id"),
           Hazard.status != HazardStatus.CLOSED)
    .order_by(Hazard.deadline, Hazard.id)
)


def open_hazards(session: Session, enterprise: Enterprise) -> list:
    """Return an enterprise's hazards not yet closed, the nearest deadline first, as rows of what the site page
    shows of them (level, status, description, deadline, responsible person)."""
    return session.execute(OPEN_HAZARDS, {"enterprise_id": enterprise.id}).all()


def rectification_list(session: Session, enterprise: Enterprise) -> dict[HazardStatus, list[Hazard]]:
    """An enterprise's hazards by status; in each group the overdue first, then by deadline."""
    return by_status(session, Hazard.enterprise_id == enterprise.id)


def by_status(session: Session, where: ColumnElement[bool]) -> dict[HazardStatus, list[Hazard]]:
    """The hazards (or a unit's problems) the clause selects, by status; the overdue first, then by deadline."""
    return grouped(session.scalars(overdue_first(
        found().where(where).options(
            joinedload(Hazard.item), joinedload(Hazard.inspection).joinedload(Inspection.unit),
            selectinload(Hazard.photos),
        )
    )))


def overdue_first(query: Select) -> Select:
    """Order a query over Hazard as by_status lists: the overdue first, then by deadline."""
    return query.order_by(case((Hazard.deadline < local_today(), 0), else_=1), Hazard.deadline, Hazard.id)


def grouped(rows) -> dict[HazardStatus, list]:
    """Hazards (or rows with a status) in by_status's order, by status; the closed the most recently due first."""
    groups: dict[HazardStatus, list] = {status: [] for status in HazardStatus}
    for row in rows:
        groups[row.status].append(row)
    groups[HazardStatus.CLOSED].reverse()
    return groups


def verification_queue(user: User) -> Select:
    """Submitted fixes the user may verify, the longest waiting first, with their photos."""
    return (
        found().join(Hazard.inspection).join(Hazard.enterprise)
        .where(Hazard.status == HazardStatus.SUBMITTED, access.enterprise_filter(user), access.verifiable_filter(user))
        .options(joinedload(Hazard.enterprise), joinedload(Hazard.item), selectinload(Hazard.photos))
        .order_by(Hazard.deadline, Hazard.id)
    )


def _major_and_listed(query: Select, user: User, include_closed: bool, county: County | None) -> Select:
    """Narrow a query over Hazard to the list of major and listed hazards the user may see (of one county, if
    given), in the list's order.

    The clause repeats the WHERE of the partial index ix_hazard_major_or_listed (models.MAJOR_OR_LISTED), whose
    columns are the order: the city's list reads those few hazards alone, already sorted.
    """
    query = in_scope(query.where(Hazard.found_at.is_not(None)), user).where(
        (Hazard.level == HazardLevel.MAJOR) | Hazard.listed_unit_id.is_not(None)
    )
    if county is not None:
        query = query.where(Enterprise.county_id == county.id)
    if not include_closed:
        query = query.where(Hazard.status != HazardStatus.CLOSED)
    return query.order_by(Hazard.status, Hazard.deadline, Hazard.id)


def major_and_listed(user: User, include_closed: bool = False, county: County | None = None) -> Select:
    """The list of major and listed hazards (重大问题隐患清单) the user may see, as hazards (a page of them)."""
    return _major_and_listed(select(Hazard), user, include_closed, county).options(
        joinedload(Hazard.enterprise).joinedload(Enterprise.county), joinedload(Hazard.listed_unit),
        joinedload(Hazard.item),  # its criterion is printed beside the hazard
    )


def major_and_listed_rows(session: Session, user: User, include_closed: bool = False,
                          county: County | None = None) -> Result:
    """The same list as rows of the columns its sheet prints, streamed: a county's runs to thousands."""
    listed_unit = aliased(Unit)
    query = select(
        Hazard.id, County.name.label("county"), Enterprise.name.label("enterprise"), Enterprise.credit_code,
        Hazard.description, Hazard.level, ChecklistItem.criterion, Hazard.found_at, Hazard.deadline, Hazard.status,
        listed_unit.name.label("listed_unit"), Hazard.listed_deadline, Hazard.responsible_person,
    ).select_from(Hazard)
    query = _major_and_listed(query, user, include_closed, county).join(Enterprise.county).outerjoin(
        Hazard.item
    ).outerjoin(listed_unit, Hazard.listed_unit)
    return streamed(session, query)


def major_by_county(session: Session, include_closed: bool = False) -> list[tuple[County, int]]:
    """Every county with its count of major and listed hazards (not closed, unless include_closed), from the
    tallies: the city's chooser of the county whose list it reads or downloads."""
    tally = HazardTally
    counted = (tally.level == HazardLevel.MAJOR) | tally.listed
    if not include_closed:
        counted &= tally.status != HazardStatus.CLOSED
    counts = dict(session.execute(
        select(tally.county_id, func.sum(tally.count)).where(counted).group_by(tally.county_id)
    ).all())
    return [(county, counts.get(county.id, 0)) for county in session.scalars(select(County).order_by(County.code))]


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
    not_closed, count = HazardTally.status != HazardStatus.CLOSED, func.sum(HazardTally.count)
    tallied = session.execute(  # the tallies hold these counts per county (checklist/tallies.py)
        select(count.filter(not_closed, HazardTally.deadline < today),
               count.filter(HazardTally.status == HazardStatus.SUBMITTED))
        .where(access.county_filter(user, HazardTally.county_id))
    ).one()
    live = (
        select(func.count()).select_from(Hazard).join(Hazard.inspection).join(Hazard.enterprise)
        .where(Hazard.found_at.is_not(None), access.enterprise_filter(user))
    )
    if access.verifies_every_fix(user):  # the tally's count is the count
        submitted = tallied[1]
    else:
        submitted = session.scalar(live.where(Hazard.status == HazardStatus.SUBMITTED, access.verifiable_filter(user)))
    listed_due_soon = session.scalar(live.where(
        Hazard.listed_unit_id.is_not(None), Hazard.status != HazardStatus.CLOSED,
        Hazard.listed_deadline <= today + timedelta(days=LISTED_DUE_SOON_DAYS),
    ))
    return Waiting(submitted=int(submitted or 0), overdue=int(tallied[0] or 0), listed_due_soon=listed_due_soon)


def overdue_in_scope(session: Session, user: User) -> list[Hazard]:
    """Hazards past their deadline that the user may see, the oldest first."""
    return list(session.scalars(
        in_scope(found(), user).where(Hazard.status != HazardStatus.CLOSED, Hazard.deadline < local_today())
        .options(joinedload(Hazard.enterprise), joinedload(Hazard.item)).order_by(Hazard.deadline, Hazard.id).limit(200)
    ).unique())


