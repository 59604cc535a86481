"""The inspection teams (检查督导组) and their members, as a user may see them."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from checklist.models import Document, DocumentKind, Role, Team, Unit, User


def units_with_teams(session: Session, user: User) -> list[Unit]:
    """The units whose teams the user sees: its county's, or every unit for the city."""
    query = select(Unit).options(selectinload(Unit.teams).selectinload(Team.members)).order_by(
        Unit.county_id.is_not(None), Unit.county_id, Unit.kind, Unit.name
    )
    if user.role is not Role.CITY_ADMIN:
        query = query.where(Unit.county_id == user.county_id)
    return list(session.scalars(query))


# A unit's teams, each with whether the user is a member; built once, the unit and user bound at each run
# (building it costs half as much as running it).
UNIT_TEAMS = (
    select(Team, Team.members.any(User.id == bindparam("user_id")))
    .where(Team.unit_id == bindparam("unit_id")).order_by(Team.id)
)


def offered_teams(session: Session, user: User) -> list[Team]:
    """The teams a user starts an inspection with: their own teams in their unit, else all of the unit's (one
    query)."""
    if user.unit_id is None:
        return []
    rows = session.execute(UNIT_TEAMS, {"unit_id": user.unit_id, "user_id": user.id}).all()
    return [team for team, member in rows if member] or [team for team, _member in rows]


def example_number(unit: Unit, year: int) -> str:
    """How the unit's first on-site inspection record of the year is numbered, as rules.documents.issue numbers it
    (晋中应急检记〔2026〕第0001号): a document never stored, for its format only."""
    return Document(prefix=unit.number_prefix, kind=DocumentKind.RECORD, year=year, serial=1).number
