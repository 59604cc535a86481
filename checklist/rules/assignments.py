"""包保: the team and the person answerable for each enterprise's county inspection in a campaign.

A county's supervisors (or the city's) assign its enterprises one by one, in bulk by sector and supervising
unit, or through the roster import; assigning again replaces the earlier assignment. The function checks,
flushes and raises AssignmentError when refused; the caller commits.
"""

from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access
from checklist.models import Assignment, Campaign, Enterprise, Team, User, utcnow
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
