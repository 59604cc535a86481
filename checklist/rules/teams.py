"""Rules for registering inspection teams (检查督导组), their members and each unit's liaison (联络员).

The notice asks every unit to report its teams, their people and a liaison; a county's office
manages its county's units, the city's office the city departments (and may see all). Here too each
officer's enforcement card number (执法证号) and the heading a unit's enforcement documents carry: the
prefix of their numbers and the bodies a party may appeal to.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checklist import access
from checklist.models import Role, Team, Unit, User
from checklist.refusal import Refused
from checklist.rules.accounts import issue_activation_code

PHONE = re.compile(r"^[0-9][0-9-]{6,19}$")
# Letters, digits, Chinese characters (the CJK blocks), "-" and brackets of either width.
CARD_NUMBER = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\-（）()]{4,30}")
CARD_NUMBER_MAX = 30
# The prefix heads a document number (晋中应急检记〔2026〕第0001号): Chinese characters, letters and digits.
PREFIX = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+")
PREFIX_MAX, REVIEW_BODIES_MAX, COURT_MAX = 30, 120, 60
FULL_WIDTH = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}


class TeamError(Refused):
    """A refused change to teams or liaisons."""


def _require(user: User, unit: Unit) -> None:
    if not access.can_manage_unit(user, unit):
        raise TeamError(_l("You may not manage this unit's teams."), code="forbidden")


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


def add_member(
    session: Session, user: User, team: Team, *, name: str, phone: str, card_number: str = "",
) -> tuple[User, str | None]:
    """Add a person to a team by phone number; a new inspector account gets a one-time activation code.

    A card number given is recorded for the member (set_card_number); left blank, the member keeps theirs.
    """
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
    if card_number.strip():
        set_card_number(session, user, member, card_number)
    return member, code


def remove_member(session: Session, user: User, team: Team, member: User) -> None:
    _require(user, team.unit)
    if member in team.members:
        team.members.remove(member)
    session.flush()


# Enforcement card numbers (执法证号)


def card_number_problem(number: str):
    """Say what is wrong with a stripped, non-empty card number, or None."""
    if len(number) > CARD_NUMBER_MAX:
        return _l("An enforcement card number has at most %(num)d characters; this one has %(length)d.",
                  num=CARD_NUMBER_MAX, length=len(number))
    if not CARD_NUMBER.fullmatch(number):
        return _l("An enforcement card number has 4 to 30 characters: letters, digits, Chinese characters, "
                  "\"-\" or brackets.")
    return None


def normalize_card_number(number: str) -> str:
    """Strip the number and read full-width letters and digits as the usual ones."""
    return number.strip().translate(FULL_WIDTH)


def recorded_for_another(session: Session, number: str, member: User) -> bool:
    """Whether the card number (its letters in either case) is recorded for someone other than the member."""
    query = select(User.id).where(func.lower(User.card_number) == number.lower())
    if member.id is not None:
        query = query.where(User.id != member.id)
    return session.scalars(query.limit(1)).first() is not None


def set_card_number(session: Session, user: User, member: User, number: str) -> None:
    """Record, change or (with an empty number) clear an officer's enforcement card number.

    The officer sets their own; a supervisor who manages the officer's unit sets anyone's of it. A number is
    recorded for one officer only.
    """
    if not access.can_set_card_number(user, member):
        raise TeamError(_l("You may not set this officer's enforcement card number."), code="forbidden")
    number = normalize_card_number(number)
    if number:
        problem = card_number_problem(number)
        if problem is not None:
            raise TeamError(problem, field="card_number")
        if recorded_for_another(session, number, member):
            raise TeamError(_l("This enforcement card number is already recorded for another officer."),
                            field="card_number")
    member.card_number = number
    session.flush()


# The heading of a unit's enforcement documents


def _one_line(text: str) -> str:
    return " ".join(text.split())


def set_document_heading(
    session: Session, user: User, unit: Unit, prefix: str, review_bodies: str, court: str,
) -> None:
    """Record the prefix of the unit's document numbers and where its documents tell a party to appeal.

    An empty prefix lets the numbers start with the unit's name.
    """
    _require(user, unit)
    prefix, review_bodies, court = _one_line(prefix), _one_line(review_bodies), _one_line(court)
    if len(prefix) > PREFIX_MAX:
        raise TeamError(_l("The document number prefix has at most %(num)d characters.", num=PREFIX_MAX),
                        field="prefix")
    if prefix and not PREFIX.fullmatch(prefix):
        raise TeamError(_l("The document number prefix holds only Chinese characters, letters and digits, "
                           "e.g. 晋中应急."), field="prefix")
    if len(review_bodies) > REVIEW_BODIES_MAX:
        raise TeamError(_l("The administrative review bodies take at most %(num)d characters.",
                           num=REVIEW_BODIES_MAX), field="review_bodies")
    if len(court) > COURT_MAX:
        raise TeamError(_l("The court takes at most %(num)d characters.", num=COURT_MAX), field="court")
    unit.document_prefix, unit.review_bodies, unit.court = prefix, review_bodies, court
    session.flush()
