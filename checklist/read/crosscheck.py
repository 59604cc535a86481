"""Cross-check (印证): what the city's spot checks found against the county's latest inspection before them.

A discrepancy is a hazard the city found at an item the county had marked as passing, or at an item
where the county had closed a hazard before the city came and the city found it still there. Items
are matched by code, since the two inspections may use different checklist versions. The pairs and
their discrepancies are kept when the city's inspection is submitted (checklist/tallies.py): these
queries read the kept rows.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checklist import access
from checklist.models import (
    ChecklistItem,
    County,
    CrossCheck,
    Discrepancy,
    DiscrepancyKind,
    Enterprise,
    Hazard,
    Inspection,
    User,
)


@dataclass(frozen=True)
class Finding:
    """One discrepancy, as the page lists it."""

    kind: DiscrepancyKind
    city_inspection_id: int
    county_inspection_id: int
    enterprise_id: int
    enterprise_name: str
    item_code: str
    description: str


@dataclass(frozen=True)
class CountyCheck:
    county: County
    checked: int  # city spot checks of enterprises the county had inspected before
    with_discrepancy: int
    discrepancies: int

    @property
    def rate(self) -> float | None:
        return self.with_discrepancy / self.checked if self.checked else None


def cross_check(session: Session, user: User) -> list[CountyCheck]:
    """Per county the user may see: how many city spot checks, how many disagreed, and in how many hazards."""
    rows = session.execute(
        select(CrossCheck.county_id, func.count(), func.count().filter(CrossCheck.discrepancies > 0),
               func.coalesce(func.sum(CrossCheck.discrepancies), 0))
        .where(access.county_filter(user, CrossCheck.county_id)).group_by(CrossCheck.county_id)
    ).all()
    figures = {county_id: rest for county_id, *rest in rows}
    counties = session.scalars(select(County).where(County.id.in_(figures)).order_by(County.code))
    return [CountyCheck(county, *figures[county.id]) for county in counties]


def findings(session: Session, user: User, county: County, limit: int) -> list[Finding]:
    """The first discrepancies of a county the user may see, by city inspection."""
    rows = session.execute(
        select(Discrepancy.kind, CrossCheck.city_inspection_id, CrossCheck.county_inspection_id, Enterprise.id,
               Enterprise.name, ChecklistItem.code, Hazard.description)
        .select_from(Discrepancy)
        .join(CrossCheck, CrossCheck.city_inspection_id == Discrepancy.city_inspection_id)
        .join(Hazard, Hazard.id == Discrepancy.hazard_id).join(ChecklistItem, ChecklistItem.id == Hazard.item_id)
        .join(Inspection, Inspection.id == CrossCheck.city_inspection_id)
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .where(CrossCheck.county_id == county.id, access.county_filter(user, CrossCheck.county_id))
        .order_by(Discrepancy.city_inspection_id, Discrepancy.hazard_id).limit(limit)
    )
    return [Finding(*row) for row in rows]
