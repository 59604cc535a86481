"""Who answers for which enterprise: 包保 (the team and the person answerable for each enterprise's county
inspection in a campaign) and 交叉检查 (a county's team sent to another county's enterprises for a period).

A county's supervisors (or the city's) assign its enterprises one by one, in bulk by sector and supervising
unit, or through the roster import; assigning again replaces the earlier assignment. Each function checks,
flushes and raises AssignmentError when refused; the caller commits.
"""

from collections.abc import Sequence
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access
from checklist.clock import EARLIEST_DAY, local_today
from checklist.models import Assignment, Campaign, CrossAssignment, Enterprise, Team, User, utcnow
from checklist.refusal import Refused


class AssignmentError(Refused):
    """A refused assignment."""


def assign(
    session: Session, user: User, campaign: Campaign, enterprises: Sequence[Enterprise], team: Team, person: User,
    now: datetime | None = None,
) -> int:
    """Make the team and the person answerable for each enterprise; return how many were assigned.

    The team must be a unit's of the enterprises' county and the person one of its members.
    """
    if not enterprises:
        raise AssignmentError(_l("Choose at least one enterprise."), field="enterprises")
    counties = {enterprise.county_id for enterprise in enterprises}
    if any(not access.can_assign(user, county_id) for county_id in counties):
        raise AssignmentError(_l("You may not assign this county's enterprises."), code="forbidden")
    if len(counties) > 1 or team.unit.county_id not in counties:
        raise AssignmentError(_l("The team must belong to a unit of the enterprises' county."), field="member")
    if person not in team.members:
        raise AssignmentError(_l("%(name)s is not a member of %(team)s.", name=person.name, team=team.name),
                              field="member")
    ids = [enterprise.id for enterprise in enterprises]
    existing = {}
    for start in range(0, len(ids), 500):  # keep under old SQLite's limit of bound parameters
        existing.update((row.enterprise_id, row) for row in session.scalars(
            select(Assignment).where(Assignment.campaign_id == campaign.id,
                                     Assignment.enterprise_id.in_(ids[start:start + 500]))
        ))
    moment = now or utcnow()
    for enterprise in enterprises:
        row = existing.get(enterprise.id) or Assignment(campaign_id=campaign.id, enterprise=enterprise)
        row.team, row.user, row.assigned_by_id, row.assigned_at = team, person, user.id, moment
        session.add(row)
    session.flush()
    return len(enterprises)


# 交叉检查: the city sends a county's team to another county's enterprises for a period.


def send_team(
    session: Session, user: User, team: Team, enterprises: Sequence[Enterprise], starts_on: date, ends_on: date,
) -> int:
    """Send the team to each enterprise for the period (access.crossing_to); return how many were sent."""
    if not access.is_city(user):
        raise AssignmentError(_l("Only the city sends a team to another county."), code="forbidden")
    if team.unit.county_id is None:
        raise AssignmentError(_l("A cross inspection is made by a county's team."), field="team")
    if not enterprises:
        raise AssignmentError(_l("No enterprise matches: choose another county or sector."), field="county")
    if any(enterprise.county_id == team.unit.county_id for enterprise in enterprises):
        raise AssignmentError(_l("A cross inspection goes to another county's enterprises."), field="county")
    if starts_on > ends_on or ends_on < local_today() or starts_on < EARLIEST_DAY:
        raise AssignmentError(_l("The period must end on or after its start, and not before today."),
                              field="ends_on")
    for enterprise in enterprises:
        session.add(CrossAssignment(team=team, enterprise=enterprise, starts_on=starts_on, ends_on=ends_on,
                                    created_by_id=user.id))
    session.flush()
    return len(enterprises)


def recall_team(session: Session, user: User, crossing: CrossAssignment) -> None:
    """End a cross assignment: its team no longer reaches that enterprise."""
    if not access.is_city(user):
        raise AssignmentError(_l("Only the city sends a team to another county."), code="forbidden")
    session.delete(crossing)
    session.flush()
