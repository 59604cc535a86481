"""Cross-check (印证): what the city's spot checks found against the county's latest inspection before them.

A discrepancy is a hazard the city found at an item the county had marked as passing, or at an item
where the county had closed a hazard before the city came and the city found it still there. Items
are matched by code, since the two inspections may use different checklist versions.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from checklist import access
from checklist.models import (
    ChecklistItem,
    County,
    Enterprise,
    Hazard,
    HazardStatus,
    Inspection,
    InspectionMode,
    InspectionStatus,
    ItemResult,
    Outcome,
    Unit,
    User,
)

CITY_ON_SITE = (InspectionMode.CITY_SPOT, InspectionMode.SURPRISE)


@dataclass(frozen=True)
class Discrepancy:
    kind: str  # "passed" (the county marked the item passing) or "reopened" (the county had closed it)
    city_inspection_id: int
    county_inspection_id: int
    enterprise_id: int
    enterprise_name: str
    item_code: str
    description: str


@dataclass
class CountyCheck:
    county: County
    checked: int = 0  # city spot checks of enterprises the county had inspected before
    with_discrepancy: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.with_discrepancy / self.checked if self.checked else None


def _pairs(user: User):
    """City on-site inspections with the county's latest submitted inspection of the same enterprise before."""
    city, county_inspection = aliased(Inspection), aliased(Inspection)
    city_unit, county_unit = aliased(Unit), aliased(Unit)
    latest = (
        select(county_inspection.id)
        .join(county_unit, county_inspection.unit_id == county_unit.id)
        .where(
            county_inspection.enterprise_id == city.enterprise_id, county_unit.county_id.is_not(None),
            county_inspection.status == InspectionStatus.SUBMITTED,
            county_inspection.submitted_at < city.submitted_at,
        )
        .order_by(county_inspection.submitted_at.desc()).limit(1).correlate(city).scalar_subquery()
    )
    return (
        select(city.id.label("city_id"), latest.label("county_id"), city.enterprise_id.label("enterprise_id"),
               city.submitted_at.label("city_at"))
        .join(city_unit, city.unit_id == city_unit.id)
        .join(Enterprise, Enterprise.id == city.enterprise_id)
        .where(city_unit.county_id.is_(None), city.mode.in_(CITY_ON_SITE),
               city.status == InspectionStatus.SUBMITTED, access.enterprise_filter(user))
        .subquery()
    )


def cross_check(session: Session, user: User) -> list[CountyCheck]:
    """Per county the user may see: how many city spot checks, how many disagreed, and where."""
    pairs = _pairs(user)
    city_hazard, city_item, county_item = aliased(Hazard), aliased(ChecklistItem), aliased(ChecklistItem)
    county_hazard = aliased(Hazard)
    columns = (pairs.c.city_id, pairs.c.county_id, pairs.c.enterprise_id, Enterprise.name, city_item.code,
               city_hazard.description)
    base = (
        select(*columns).select_from(pairs)
        .join(Enterprise, Enterprise.id == pairs.c.enterprise_id)
        .join(city_hazard, city_hazard.inspection_id == pairs.c.city_id)
        .join(city_item, city_item.id == city_hazard.item_id)
    )
    passed = session.execute(
        base.join(ItemResult, and_(ItemResult.inspection_id == pairs.c.county_id, ItemResult.outcome == Outcome.PASS))
        .join(county_item, and_(county_item.id == ItemResult.item_id, county_item.code == city_item.code))
    ).all()
    reopened = session.execute(
        base.join(county_hazard, and_(
            county_hazard.inspection_id == pairs.c.county_id, county_hazard.status == HazardStatus.CLOSED,
            county_hazard.closed_at < pairs.c.city_at,
        ))
        .join(county_item, and_(county_item.id == county_hazard.item_id, county_item.code == city_item.code))
    ).all()
    checked = session.execute(
        select(Enterprise.county_id, pairs.c.city_id).select_from(pairs)
        .join(Enterprise, Enterprise.id == pairs.c.enterprise_id).where(pairs.c.county_id.is_not(None))
    ).all()

    county_of = {city_id: county_id for county_id, city_id in checked}
    counties = session.scalars(select(County).where(County.id.in_(set(county_of.values()))).order_by(County.code))
    results = {county.id: CountyCheck(county) for county in counties}
    for county_id in county_of.values():
        results[county_id].checked += 1
    flagged: dict[int, set[int]] = defaultdict(set)
    for kind, rows in (("passed", passed), ("reopened", reopened)):
        for city_id, county_id, enterprise_id, name, code, description in rows:
            result = results[county_of[city_id]]
            result.discrepancies.append(Discrepancy(kind, city_id, county_id, enterprise_id, name, code, description))
            flagged[county_of[city_id]].add(city_id)
    for county_id, city_ids in flagged.items():
        results[county_id].with_discrepancy = len(city_ids)
    return list(results.values())
