"""The inspection teams (检查督导组) and their members, as a user may see them."""

from sqlalchemy import select
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


def offered_teams(user: User) -> list[Team]:
    """The teams a user starts an inspection with: their own teams in their unit, else all of the unit's."""
    teams = user.unit.teams if user.unit else []
    return [team for team in teams if team in user.teams] or teams  # one query, not one per team


def example_number(unit: Unit, year: int) -> str:
    """How the unit's first on-site inspection record of the year is numbered, as rules.documents.issue numbers it
    (晋中应急检记〔2026〕第0001号): a document never stored, for its format only."""
    return Document(prefix=unit.number_prefix, kind=DocumentKind.RECORD, year=year, serial=1).number
