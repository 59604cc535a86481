"""The inspection teams (检查督导组) and their members, as a user may see them."""

from dataclasses import dataclass

from sqlalchemy import bindparam, distinct, func, select, true
from sqlalchemy.orm import Session, selectinload

from checklist.models import County, Document, DocumentKind, Role, Team, Unit, User, team_member

# The register's order: the city's units first, then each county's, each by kind and name.
UNIT_ORDER = (Unit.county_id.is_not(None), Unit.county_id, Unit.kind, Unit.name)


def visible_units(user: User):
    """The WHERE clause of the units whose teams the user sees: its county's, or every unit for the city."""
    return true() if user.role is Role.CITY_ADMIN else Unit.county_id == user.county_id


def units_with_teams(session: Session, county_id: int | None) -> list[Unit]:
    """One county's units (None: the city's own) with their teams and members, in the register's order."""
    where = Unit.county_id.is_(None) if county_id is None else Unit.county_id == county_id
    query = select(Unit).where(where).options(selectinload(Unit.teams).selectinload(Team.members))
    return list(session.scalars(query.order_by(*UNIT_ORDER)))


def unit_names(session: Session, user: User) -> list[str]:
    """The names of the units whose teams the user sees, in the register's order."""
    return list(session.scalars(select(Unit.name).where(visible_units(user)).order_by(*UNIT_ORDER)))


@dataclass(frozen=True)
class RegisterRow:
    """One line of the downloaded register: a member of a unit's team, or a unit without any."""

    unit: str
    liaison_name: str
    liaison_phone: str
    team: str
    member: str
    phone: str
    card_number: str


def register_rows(session: Session, user: User) -> list[RegisterRow]:
    """Every member of every team of the units the user sees, a row each in the register's order (teams and
    members by id); a unit none of whose teams has a member gets one row of its own."""
    query = (
        select(Unit.id.label("unit_id"), Unit.name.label("unit"), Unit.liaison_name, Unit.liaison_phone,
               Team.name.label("team"), User.name.label("member"), User.phone, User.card_number)
        .outerjoin(Team, Team.unit_id == Unit.id).outerjoin(team_member, team_member.c.team_id == Team.id)
        .outerjoin(User, User.id == team_member.c.user_id)
        .where(visible_units(user)).order_by(*UNIT_ORDER, Team.id, User.id)
    )
    results = session.execute(query).all()
    with_members, alone, rows = {row.unit_id for row in results if row.member is not None}, set(), []
    for row in results:
        if row.member is not None:
            rows.append(RegisterRow(row.unit, row.liaison_name, row.liaison_phone, row.team, row.member, row.phone,
                                    row.card_number))
        elif row.unit_id not in with_members and row.unit_id not in alone:
            alone.add(row.unit_id)
            rows.append(RegisterRow(row.unit, row.liaison_name, row.liaison_phone, "", "", "", ""))
    return rows


@dataclass(frozen=True)
class RegisterTally:
    """A county's (None: the city's own) units, teams and people of the register, for the city's chooser."""

    county: County | None
    units: int
    teams: int
    people: int


def register_tallies(session: Session) -> list[RegisterTally]:
    """The city's own units, then every county's in code order, each with its count of units, teams and people
    (a person in two teams counts once)."""
    counts = {
        county_id: (units, teams, people)
        for county_id, units, teams, people in session.execute(
            select(Unit.county_id, func.count(distinct(Unit.id)), func.count(distinct(Team.id)),
                   func.count(distinct(team_member.c.user_id)))
            .outerjoin(Team, Team.unit_id == Unit.id).outerjoin(team_member, team_member.c.team_id == Team.id)
            .group_by(Unit.county_id)
        )
    }
    counties = [None, *session.scalars(select(County).order_by(County.code))]
    return [RegisterTally(county, *counts.get(county.id if county else None, (0, 0, 0))) for county in counties]


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
