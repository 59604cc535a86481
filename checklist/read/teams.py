"""The inspection teams (检查督导组) and their members, as a user may see them."""

from sqlalchemy import Row, Select, join, select
from sqlalchemy.orm import Session, selectinload

from checklist.models import Document, DocumentKind, Role, Team, Unit, User, team_member


def units_with_teams(session: Session, user: User) -> list[Unit]:
    """The units whose teams the user sees: its county's, or every unit for the city."""
    return list(session.scalars(
        _seen_units(select(Unit), user).options(selectinload(Unit.teams).selectinload(Team.members))
    ))


def register_rows(session: Session, user: User) -> list[Row]:
    """The register of the units units_with_teams gives, a row per member of each team (unit, liaison, team,
    member), in that order; a unit with no member a row of its own, without team or member."""
    members = join(Team, team_member, team_member.c.team_id == Team.id).join(User, User.id == team_member.c.user_id)
    query = select(
        Unit.name.label("unit"), Unit.liaison_name, Unit.liaison_phone, Team.name.label("team"),
        User.name.label("member"), User.phone, User.card_number,
    ).select_from(Unit).outerjoin(members, Team.unit_id == Unit.id)
    return list(session.execute(_seen_units(query, user).order_by(Team.id, User.id)))


def _seen_units(query: Select, user: User) -> Select:
    """Narrow a query over Unit to those whose teams the user sees, the city's first, then by county."""
    if user.role is not Role.CITY_ADMIN:
        query = query.where(Unit.county_id == user.county_id)
    return query.order_by(Unit.county_id.is_not(None), Unit.county_id, Unit.kind, Unit.name)


def offered_teams(user: User) -> list[Team]:
    """The teams a user starts an inspection with: their own teams in their unit, else all of the unit's."""
    teams = user.unit.teams if user.unit else []
    return [team for team in teams if team in user.teams] or teams  # one query, not one per team


def example_number(unit: Unit, year: int) -> str:
    """How the unit's first on-site inspection record of the year is numbered, as rules.documents.issue numbers it
    (晋中应急检记〔2026〕第0001号): a document never stored, for its format only."""
    return Document(prefix=unit.number_prefix, kind=DocumentKind.RECORD, year=year, serial=1).number
