"""Looking up enterprises."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from checklist import access
from checklist.models import County, Enterprise, Sector, Unit, User


def enterprise_by_token(session: Session, token: str) -> Enterprise | None:
    """Return the enterprise whose site QR code carries this token, if any."""
    return session.scalars(select(Enterprise).where(Enterprise.qr_token == token)).first()


def county_enterprises(session: Session, county: County) -> list[Enterprise]:
    """Return a county's enterprises in label order: by sector, then name."""
    return list(session.scalars(
        select(Enterprise).where(Enterprise.county_id == county.id).order_by(Enterprise.sector_id, Enterprise.name)
    ))


@dataclass(frozen=True)
class RosterChoices:
    """What a user's roster may name: their counties, every sector, and the units of those counties and the city."""

    counties: list[County]
    sectors: list[Sector]
    units: list[Unit]


def roster_choices(session: Session, user: User) -> RosterChoices:
    """Return the counties, sectors and supervising units a user's roster import may name."""
    counties = select(County).order_by(County.code)
    units = select(Unit).order_by(Unit.county_id.is_not(None), Unit.county_id, Unit.name)
    if not access.is_city(user):
        counties = counties.where(County.id == user.county_id)
        units = units.where(or_(Unit.county_id.is_(None), Unit.county_id == user.county_id))
    return RosterChoices(
        counties=list(session.scalars(counties)),
        sectors=list(session.scalars(select(Sector).order_by(Sector.id))),
        units=list(session.scalars(units)),
    )
