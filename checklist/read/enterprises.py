"""Looking up enterprises."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from checklist.models import County, Enterprise


def county_enterprises(session: Session, county: County) -> list[Enterprise]:
    """Return a county's enterprises in label order: by sector, then name."""
    return list(session.scalars(
        select(Enterprise).where(Enterprise.county_id == county.id).order_by(Enterprise.sector_id, Enterprise.name)
    ))
