"""Rules for registering inspection teams (检查督导组), their members and each unit's liaison (联络员).

The notice asks every unit to report its teams, their people and a liaison; a county's office
manages its county's units, the city's office the city departments (and may see all).
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist import access
from checklist.models import Role, Team, Unit, User
from checklist.refusal import Refused
from checklist.rules.accounts import issue_activation_code

PHONE = re.compile(r"^[0-9][0-9-]{6,19}$")


class TeamError(Refused):
    """A refused change to teams or liaisons."""


def _require(user: User, unit: Unit) -> None:
    if not access.can_manage_unit(user, unit):
        raise TeamError(_l("You may not manage this unit's teams."))


def _phone(phone: str) -> str:
    phone = phone.strip()
    if not PHONE.match(phone):
        raise TeamError(_l("Enter a phone number of 7 to 20 digits."))
    return phone


def set_liaison(session: Session, user: User, unit: Unit, name: str, phone: str) -> None:
    """Record the unit's liaison and phone number."""
    _require(user, unit)
    if not name.strip():
        raise TeamError(_l("Enter the liaison's name."))
    unit.liaison_name, unit.liaison_phone = name.strip(), _phone(phone)
    session.flush()


def register_team(session: Session, user: User, unit: Unit, name: str) -> Team:
    """Add a team to a unit; names are unique within the unit."""
    _require(user, unit)
    name = name.strip()
    if not name:
        raise TeamError(_l("Enter the team's name."))
    if any(team.name == name for team in unit.teams):
        raise TeamError(_l("The unit already has a team of that name."))
    team = Team(unit=unit, name=name)
    session.add(team)
    session.flush()
    return team


def add_member(session: Session, user: User, team: Team, *, name: str, phone: str) -> tuple[User, str | None]:
    """Add a person to a team by phone number; a new inspector account gets a one-time activation code."""
    _require(user, team.unit)
    phone = _phone(phone)
    member = session.scalars(select(User).where(User.username == phone)).first()
    code = None
    if member is None:
        if not name.strip():
            raise TeamError(_l("Enter the member's name."))
        member = User(username=phone, phone=phone, name=name.strip(), role=Role.INSPECTOR, unit=team.unit)
        session.add(member)
        code = issue_activation_code(member)
    elif member.unit_id != team.unit_id or member.role is Role.ENTERPRISE:
        raise TeamError(_l("That phone number belongs to a person of another unit."))
    if member in team.members:
        raise TeamError(_l("%(name)s is already a member of this team.", name=member.name))
    team.members.append(member)
    session.flush()
    return member, code


def remove_member(session: Session, user: User, team: Team, member: User) -> None:
    _require(user, team.unit)
    if member in team.members:
        team.members.remove(member)
    session.flush()
