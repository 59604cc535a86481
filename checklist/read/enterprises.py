"""Looking up enterprises."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from checklist import access
from checklist.models import Assignment, Campaign, County, Enterprise, Sector, Unit, User
from checklist.read import coverage, spot_checks

# Built once, the token bound at each run (building it costs half as much as running it).
BY_TOKEN = select(Enterprise).where(Enterprise.qr_token == bindparam("token")).options(
    joinedload(Enterprise.county), joinedload(Enterprise.sector), joinedload(Enterprise.supervising_unit)
)


def enterprise_by_token(session: Session, token: str) -> Enterprise | None:
    """Return the enterprise whose site QR code carries this token, if any, with the county, sector and
    supervising unit its site page shows."""
    return session.scalars(BY_TOKEN, {"token": token}).first()


# Label order: by sector, then name, then id, so that namesakes keep their places from one part of a sheet to the next.
LABEL_ORDER = (Enterprise.sector_id, Enterprise.name, Enterprise.id)


def _of_county(query: Select, county: County, sector_id: int | None) -> Select:
    query = query.where(Enterprise.county_id == county.id)
    return query if sector_id is None else query.where(Enterprise.sector_id == sector_id)


def county_enterprises(session: Session, county: County, sector_id: int | None = None) -> list[Enterprise]:
    """Return a county's enterprises (of one sector, if given) in label order."""
    return list(session.scalars(_of_county(select(Enterprise), county, sector_id).order_by(*LABEL_ORDER)))


def count_county_enterprises(session: Session, county: County, sector_id: int | None = None) -> int:
    """How many enterprises county_enterprises returns."""
    return session.scalar(_of_county(select(func.count(Enterprise.id)), county, sector_id))


def county_labels(session: Session, county: County, sector_id: int | None, first: int, count: int) -> list[Enterprise]:
    """The run of county_enterprises from its first-th (counted from 1), count of them at most, with their county
    and sector: a part of a label sheet."""
    query = _of_county(select(Enterprise), county, sector_id).options(
        joinedload(Enterprise.county), joinedload(Enterprise.sector))
    return list(session.scalars(query.order_by(*LABEL_ORDER).offset(first - 1).limit(count)))


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


def sites(user: User, campaign: Campaign | None, today: date) -> tuple[Select, ColumnElement]:
    """The enterprises the user may inspect, with the order a phone precaches them in: first those a draw or a
    cross inspection sent the user to (of any county) and those assigned to the user (包保), then those the
    user's unit supervises, then the rest."""
    sent = (Enterprise.id.in_(spot_checks.drawn_enterprise_ids(user, today))
            | Enterprise.id.in_(coverage.crossing_enterprise_ids(user, today)))
    mine = select(Assignment.id).where(Assignment.enterprise_id == Enterprise.id, Assignment.user_id == user.id,
                                       Assignment.campaign_id == (campaign.id if campaign else None))
    query = select(Enterprise).where(access.enterprise_filter(user) | sent).join(Enterprise.county).join(
        Enterprise.sector)
    return query, case((sent | mine.exists(), 0), (Enterprise.supervising_unit_id == user.unit_id, 1), else_=2)
