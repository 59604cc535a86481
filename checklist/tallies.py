"""The dashboards' tallies (HazardTally, CampaignTally), kept exact in the transaction of every change.

Counting a city's million hazards takes seconds; the tallies hold the same counts in a few thousand
rows. Each ORM flush that adds, changes or deletes hazards reads their tally keys from the database
before and after it writes, and moves the counts from the old keys to the new ones, so the tallies
follow whatever the rules change without the rules knowing. Bulk loads that bypass the ORM (the
benchmark's dataset, migration 0006) call `rebuild`.

Only submitted hazards (found_at set) are counted, as everywhere else in the dashboards.
"""

from collections import Counter

from sqlalchemy import Connection, Select, delete, event, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from checklist.clock import local_day
from checklist.models import CampaignTally, Enterprise, Hazard, HazardStatus, HazardTally, Inspection

HAZARD_KEY = ("county_id", "level", "status", "listed", "deadline")
DAY_KEY = ("campaign_id", "county_id", "day")


def keys(county_id, campaign_id, level, status, listed_unit_id, deadline, found_at, closed_at) -> Counter:
    """The tally rows one hazard counts in: {(kind, key...): 1}."""
    counted = Counter()
    if found_at is None:
        return counted
    counted["count", county_id, level, status, listed_unit_id is not None, deadline] += 1
    counted["found", campaign_id, county_id, local_day(found_at)] += 1
    if status is HazardStatus.CLOSED:
        counted["closed", campaign_id, county_id, local_day(closed_at or found_at)] += 1
    return counted


def _keyed() -> Select:
    """What `keys` needs of a hazard, in its order."""
    return (
        select(Enterprise.county_id, Inspection.campaign_id, Hazard.level, Hazard.status, Hazard.listed_unit_id,
               Hazard.deadline, Hazard.found_at, Hazard.closed_at)
        .select_from(Hazard).join(Hazard.enterprise).join(Hazard.inspection)
    )


def stored(connection: Connection, hazard_ids: list[int]) -> Counter:
    """The tally keys of these hazards as the database holds them now."""
    counted = Counter()
    for start in range(0, len(hazard_ids), 500):
        for row in connection.execute(_keyed().where(Hazard.id.in_(hazard_ids[start:start + 500]))):
            counted.update(keys(*row))
    return counted


def _table_of(kind: str):
    return (HazardTally.__table__, HAZARD_KEY) if kind == "count" else (CampaignTally.__table__, DAY_KEY)


def apply(connection: Connection, changes: Counter) -> None:
    """Add the changes to the tally rows, creating rows as needed, always in the same order (no deadlock)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for key in sorted((key for key, change in changes.items() if change), key=repr):
        kind, *values = key
        table, names = _table_of(kind)
        statement = dialect.insert(table).values(**dict(zip(names, values, strict=True)), **{kind: changes[key]})
        connection.execute(statement.on_conflict_do_update(
            index_elements=list(names), set_={kind: table.c[kind] + statement.excluded[kind]},
        ))


def _hazards(session: Session) -> list[Hazard]:
    return [item for item in (*session.new, *session.dirty, *session.deleted) if isinstance(item, Hazard)]


def _before_flush(session: Session, _context, _instances) -> None:
    """Note the keys of the hazards this flush changes or deletes, as the database holds them now."""
    ids = [hazard.id for hazard in _hazards(session) if hazard.id is not None and hazard not in session.new]
    session.info["tallied"] = stored(session.connection(), ids) if ids else Counter()


def _after_flush(session: Session, _context) -> None:
    """Move the counts from the keys noted before the flush to those of the rows as written."""
    before = session.info.pop("tallied", Counter())
    ids = [hazard.id for hazard in _hazards(session) if hazard not in session.deleted]
    changes = stored(session.connection(), ids) if ids else Counter()
    changes.subtract(before)
    apply(session.connection(), changes)


def listen() -> None:
    """Keep the tallies with every ORM flush, in every session of the process."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)


def rebuild(connection: Connection) -> None:
    """Count every submitted hazard afresh (after a bulk load that bypassed the ORM)."""
    counted = Counter()
    for row in connection.execute(_keyed().where(Hazard.found_at.is_not(None))):
        counted.update(keys(*row))
    hazard_rows = [dict(zip(HAZARD_KEY, key, strict=True), count=n)
                   for (kind, *key), n in counted.items() if kind == "count"]
    days: dict[tuple, dict] = {}
    for (kind, *key), n in counted.items():
        if kind != "count":
            days.setdefault(tuple(key), dict(zip(DAY_KEY, key, strict=True), found=0, closed=0))[kind] = n
    for table, rows in ((HazardTally.__table__, hazard_rows), (CampaignTally.__table__, list(days.values()))):
        connection.execute(delete(table))
        if rows:
            connection.execute(insert(table), rows)
