"""The dashboards' tallies (HazardTally, CampaignTally, CoverageTally), kept exact in the transaction of every
change.

Counting a city's million hazards takes seconds; the tallies hold the same counts in a few thousand
rows. Each ORM flush that adds, changes or deletes hazards reads their tally keys from the database
before and after it writes, and moves the counts from the old keys to the new ones, so the tallies
follow whatever the rules change without the rules knowing. Bulk loads that bypass the ORM (the
benchmark's dataset, migration 0006) call `rebuild`.

Only submitted hazards (found_at set) are counted, as everywhere else in the dashboards.

The statistics table's hazard columns (StatisticsHazards) are kept the same way, by unit and day.

The coverage (CoverageTally), the cross-check (CrossCheck, Discrepancy) and the statistics table's other columns
(StatisticsPresence, StatisticsActions) change only when an inspection is submitted: a submitted inspection is never
edited. submit_inspection notes them (`note_submitted`, `note_cross_check`, `note_statistics`); bulk loads,
migrations 0012, 0015 and 0017 and the demo's back-dating call `rebuild_coverage`, `rebuild_cross_checks` and
`rebuild_statistics`.
"""

from collections import Counter
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Select, case, delete, event, exists, func, insert, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from checklist.clock import local_day
from checklist.models import (
    STILL_OPEN,
    CampaignTally,
    ChecklistItem,
    CoverageTally,
    CrossCheck,
    Discrepancy,
    DiscrepancyKind,
    EnforcementAction,
    EnforcementKind,
    Enterprise,
    Hazard,
    HazardStatus,
    HazardTally,
    Inspection,
    InspectionMode,
    InspectionStatus,
    ItemResult,
    Outcome,
    PresenceKind,
    StatisticsActions,
    StatisticsHazards,
    StatisticsPresence,
    Unit,
    inspection_inspector,
)

HAZARD_KEY = ("county_id", "level", "status", "listed", "deadline")
DAY_KEY = ("campaign_id", "county_id", "day")
STATISTICS_KEY = ("unit_id", "level", "found_on", "closed_on")
STREAMED = {"yield_per": 5000}  # a rebuild reads every hazard or inspection: in batches, not all at once
# Each kind of count: the table it is kept in, that table's key, and the column it adds to (named after the kind).
TALLIES = {
    "count": (HazardTally.__table__, HAZARD_KEY),
    "found": (CampaignTally.__table__, DAY_KEY),
    "closed": (CampaignTally.__table__, DAY_KEY),
    "hazards": (StatisticsHazards.__table__, STATISTICS_KEY),
}


def keys(county_id, campaign_id, level, status, listed_unit_id, deadline, found_at, closed_at, unit_id,
         mode) -> Counter:
    """The tally rows one hazard counts in: {(kind, key...): 1}. The statistics table counts it for the unit whose
    inspection (not a self-inspection) found it."""
    counted = Counter()
    if found_at is None:
        return counted
    counted["count", county_id, level, status, listed_unit_id is not None, deadline] += 1
    counted["found", campaign_id, county_id, local_day(found_at)] += 1
    if status is HazardStatus.CLOSED:
        counted["closed", campaign_id, county_id, local_day(closed_at or found_at)] += 1
    if unit_id is not None and mode is not InspectionMode.SELF_CHECK:
        counted["hazards", unit_id, level, local_day(found_at), local_day(closed_at) if closed_at else STILL_OPEN] += 1
    return counted


def _keyed() -> Select:
    """What `keys` needs of a hazard found at an enterprise, in its order."""
    return (
        select(Enterprise.county_id, Inspection.campaign_id, Hazard.level, Hazard.status, Hazard.listed_unit_id,
               Hazard.deadline, Hazard.found_at, Hazard.closed_at, Inspection.unit_id, Inspection.mode)
        .select_from(Hazard).join(Hazard.enterprise).join(Hazard.inspection)
    )


def stored(connection: Connection, hazard_ids: list[int]) -> Counter:
    """The tally keys of these hazards as the database holds them now."""
    counted = Counter()
    for start in range(0, len(hazard_ids), 500):
        for row in connection.execute(_keyed().where(Hazard.id.in_(hazard_ids[start:start + 500]))):
            counted.update(keys(*row))
    return counted


def upsert(connection: Connection, table):
    """An INSERT that takes ON CONFLICT DO UPDATE, in the connection's own dialect."""
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(table)


def apply(connection: Connection, changes: Counter) -> None:
    """Add the changes to the tally rows, creating rows as needed, always in the same order (no deadlock)."""
    for key in sorted((key for key, change in changes.items() if change), key=repr):
        kind, *values = key
        table, names = TALLIES[kind]
        statement = upsert(connection, table).values(**dict(zip(names, values, strict=True)), **{kind: changes[key]})
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


def rebuild(connection: Connection, kinds: tuple[str, ...] = tuple(TALLIES)) -> None:
    """Count every submitted hazard afresh (after a bulk load that bypassed the ORM), in the tables of these kinds
    of count (a migration names those it knows)."""
    counted = Counter()
    for row in connection.execute(_keyed().where(Hazard.found_at.is_not(None)), execution_options=STREAMED):
        counted.update(keys(*row))
    rows: dict = {TALLIES[kind][0]: {} for kind in kinds}
    for (kind, *key), n in counted.items():
        if kind not in kinds:
            continue
        table, names = TALLIES[kind]
        columns = {column: 0 for column, (other, _names) in TALLIES.items() if other is table}
        rows[table].setdefault(tuple(key), {**dict(zip(names, key, strict=True)), **columns})[kind] = n
    for table, keyed in rows.items():
        _replace(connection, table, list(keyed.values()))


def _replace(connection: Connection, table, rows: list[dict]) -> None:
    """Put these rows in place of all the table's rows."""
    connection.execute(delete(table))
    for start in range(0, len(rows), 5000):
        connection.execute(insert(table), rows[start:start + 5000])


# 检查全覆盖: the first day each kind of inspection reached each enterprise of a campaign (CoverageTally).

COVERAGE_DAYS = {"self": "self_checked_on", "county": "county_on", "city": "city_on"}


def _coverage_kind():
    """Which column of CoverageTally an inspection counts in: its own self-check, a county's or the city's unit."""
    inspecting = aliased(Unit)
    kind = case(
        (Inspection.mode == InspectionMode.SELF_CHECK, "self"), (inspecting.county_id.is_not(None), "county"),
        (inspecting.id.is_not(None), "city"),
    )
    return inspecting, kind


def _first_days(connection: Connection, where) -> dict[tuple[int, int], dict[str, date]]:
    """{(campaign id, enterprise id): {column: first day}} of the submitted inspections the clause selects."""
    inspecting, kind = _coverage_kind()
    found: dict[tuple[int, int], dict[str, date]] = {}
    for campaign_id, enterprise_id, which, first in connection.execute(
        select(Inspection.campaign_id, Inspection.enterprise_id, kind, func.min(Inspection.submitted_at))
        .outerjoin(inspecting, inspecting.id == Inspection.unit_id)
        .where(Inspection.status == InspectionStatus.SUBMITTED, Inspection.enterprise_id.is_not(None),
               Inspection.submitted_at.is_not(None), where)
        .group_by(Inspection.campaign_id, Inspection.enterprise_id, kind)
    ):
        if which is not None:
            found.setdefault((campaign_id, enterprise_id), {})[COVERAGE_DAYS[which]] = local_day(first)
    return found


def note_submitted(session: Session, inspection: Inspection) -> None:
    """Keep the coverage of a submitted inspection's enterprise: its day, if it is the first of its kind.

    One upsert that keeps the earlier day, so that two inspections submitted at once both count, in either order.
    """
    if inspection.enterprise_id is None:
        return
    session.flush()
    connection, table = session.connection(), CoverageTally.__table__
    for (campaign_id, enterprise_id), days in _first_days(connection, Inspection.id == inspection.id).items():
        statement = upsert(connection, table).values(campaign_id=campaign_id, enterprise_id=enterprise_id, **days)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["campaign_id", "enterprise_id"],
            set_={column: case((table.c[column].is_(None) | (table.c[column] > statement.excluded[column]),
                                statement.excluded[column]), else_=table.c[column])
                  for column in days},
        ))


def rebuild_coverage(connection: Connection) -> None:
    """Keep the coverage afresh from every submitted inspection (a bulk load, a migration, the demo's past)."""
    rows = [{"campaign_id": campaign_id, "enterprise_id": enterprise_id,
             **{column: days.get(column) for column in COVERAGE_DAYS.values()}}
            for (campaign_id, enterprise_id), days in _first_days(connection, true()).items()]
    _replace(connection, CoverageTally.__table__, rows)


# 印证: each city on-site inspection held against the county's latest inspection of its enterprise before it.

CITY_ON_SITE = (InspectionMode.CITY_SPOT, InspectionMode.SURPRISE)


def _pairs(only: int | None) -> Select:
    """(city inspection, the county's latest submitted inspection of the same enterprise before it, the enterprise's
    county) for the city's submitted on-site inspections (only this one, unless None) that have such a county
    inspection."""
    city, earlier = aliased(Inspection), aliased(Inspection)
    city_unit, county_unit = aliased(Unit), aliased(Unit)
    latest = (
        select(earlier.id).join(county_unit, earlier.unit_id == county_unit.id)
        .where(earlier.enterprise_id == city.enterprise_id, county_unit.county_id.is_not(None),
               earlier.status == InspectionStatus.SUBMITTED, earlier.submitted_at < city.submitted_at)
        .order_by(earlier.submitted_at.desc(), earlier.id.desc()).limit(1).correlate(city).scalar_subquery()
    )
    pairs = (
        select(city.id.label("city_inspection_id"), latest.label("county_inspection_id"),
               Enterprise.county_id.label("county_id"))
        .join(city_unit, city.unit_id == city_unit.id).join(Enterprise, Enterprise.id == city.enterprise_id)
        .where(city_unit.county_id.is_(None), city.mode.in_(CITY_ON_SITE), city.status == InspectionStatus.SUBMITTED,
               true() if only is None else city.id == only)
        .subquery()
    )
    return select(pairs).where(pairs.c.county_inspection_id.is_not(None))


def _discrepancies(checks) -> Select:
    """(hazard, city inspection, kind) of the city's hazards, in the CrossCheck rows `checks` selects, at an item
    the county had passed or whose hazard the county had closed before the city came."""
    city, city_item, county_item = aliased(Inspection), aliased(ChecklistItem), aliased(ChecklistItem)
    county_hazard = aliased(Hazard)
    passed = exists().where(
        ItemResult.inspection_id == CrossCheck.county_inspection_id, ItemResult.outcome == Outcome.PASS,
        county_item.id == ItemResult.item_id, county_item.code == city_item.code,
    )
    closed = exists().where(
        county_hazard.inspection_id == CrossCheck.county_inspection_id, county_hazard.status == HazardStatus.CLOSED,
        county_hazard.closed_at < city.submitted_at,
        county_item.id == county_hazard.item_id, county_item.code == city_item.code,
    )
    kind = case((passed, DiscrepancyKind.PASSED.value), else_=DiscrepancyKind.REOPENED.value)
    return (
        select(Hazard.id, CrossCheck.city_inspection_id, kind).select_from(CrossCheck)
        .join(city, city.id == CrossCheck.city_inspection_id)
        .join(Hazard, Hazard.inspection_id == CrossCheck.city_inspection_id)
        .join(city_item, city_item.id == Hazard.item_id)
        .where(checks, or_(passed, closed))
    )


def _keep_cross_checks(connection: Connection, only: int | None) -> None:
    """Keep the cross-check of one city inspection, or of all of them (None)."""
    checks = true() if only is None else CrossCheck.city_inspection_id == only
    columns = ["city_inspection_id", "county_inspection_id", "county_id"]
    connection.execute(insert(CrossCheck.__table__).from_select(columns, _pairs(only)))
    connection.execute(insert(Discrepancy.__table__).from_select(
        ["hazard_id", "city_inspection_id", "kind"], _discrepancies(checks)))
    counted = (
        select(func.count()).where(Discrepancy.city_inspection_id == CrossCheck.city_inspection_id)
        .scalar_subquery()
    )
    connection.execute(update(CrossCheck).where(checks).values(discrepancies=counted))


def note_cross_check(session: Session, inspection: Inspection) -> None:
    """Hold a city on-site inspection, just submitted, against the county's latest inspection before it."""
    if inspection.mode not in CITY_ON_SITE:
        return
    session.flush()
    _keep_cross_checks(session.connection(), inspection.id)


def rebuild_cross_checks(connection: Connection) -> None:
    """Hold every city on-site inspection afresh (a bulk load, a migration, the demo's past)."""
    connection.execute(delete(Discrepancy.__table__))
    connection.execute(delete(CrossCheck.__table__))
    _keep_cross_checks(connection, None)


# 统计表: what each unit's submitted inspections reached and recorded, by day (StatisticsPresence, StatisticsActions).

ACTION_FIGURES = ("documents", "licences", "others", "fines_wan")  # StatisticsActions' columns, added up
COUNTED_ACTIONS = {EnforcementKind.DOCUMENT: "documents", EnforcementKind.LICENCE: "licences",
                   EnforcementKind.OTHER: "others"}
PRESENT_ACTIONS = {EnforcementKind.SUSPENSION: PresenceKind.SUSPENSION, EnforcementKind.CLOSURE: PresenceKind.CLOSURE}


def _statistics(connection: Connection, where) -> tuple[list[dict], list[dict]]:
    """(presence rows, action rows) of the counted inspections the clause selects: submitted by a unit, not
    self-inspections."""
    counted = (Inspection.status == InspectionStatus.SUBMITTED, Inspection.unit_id.is_not(None),
               Inspection.mode != InspectionMode.SELF_CHECK, Inspection.submitted_at.is_not(None), where)
    present: set[tuple] = set()
    for unit_id, submitted_at, team_id, enterprise_id, inspected_unit_id in connection.execute(
        select(Inspection.unit_id, Inspection.submitted_at, Inspection.team_id, Inspection.enterprise_id,
               Inspection.inspected_unit_id).where(*counted),
        execution_options=STREAMED,
    ):
        day = local_day(submitted_at)
        for kind, member_id in ((PresenceKind.TEAM, team_id), (PresenceKind.ENTERPRISE, enterprise_id),
                                (PresenceKind.UNIT, inspected_unit_id)):
            if member_id is not None:
                present.add((unit_id, kind, member_id, day))
    for unit_id, submitted_at, user_id in connection.execute(
        select(Inspection.unit_id, Inspection.submitted_at, inspection_inspector.c.user_id)
        .join(inspection_inspector, inspection_inspector.c.inspection_id == Inspection.id)
        .where(*counted, Inspection.team_id.is_not(None)),  # 检查组人数: the people of the teams sent
        execution_options=STREAMED,
    ):
        present.add((unit_id, PresenceKind.INSPECTOR, user_id, local_day(submitted_at)))
    actions: dict[tuple, dict] = {}
    for unit_id, submitted_at, kind, enterprise_id, fine_wan in connection.execute(
        select(Inspection.unit_id, Inspection.submitted_at, EnforcementAction.kind, EnforcementAction.enterprise_id,
               EnforcementAction.fine_wan)
        .join(EnforcementAction.inspection).where(*counted),
        execution_options=STREAMED,
    ):
        day = local_day(submitted_at)
        if kind in PRESENT_ACTIONS:
            if enterprise_id is not None:
                present.add((unit_id, PRESENT_ACTIONS[kind], enterprise_id, day))
            continue
        row = actions.setdefault((unit_id, day), {"unit_id": unit_id, "day": day, "documents": 0, "licences": 0,
                                                  "others": 0, "fines_wan": Decimal("0")})
        if kind is EnforcementKind.FINE:
            row["fines_wan"] += Decimal(str(fine_wan or 0))
        else:
            row[COUNTED_ACTIONS[kind]] += 1
    # In key order, so that two submissions upserting at once lock the same rows in the same order (no deadlock).
    presence = [{"unit_id": unit_id, "kind": kind, "member_id": member_id, "day": day}
                for unit_id, kind, member_id, day in sorted(present, key=lambda row: (row[0], row[1].value, *row[2:]))]
    return presence, [actions[key] for key in sorted(actions)]


def note_statistics(session: Session, inspection: Inspection) -> None:
    """Add a submitted inspection's teams, people, enterprise and actions to its unit's figures of its day."""
    session.flush()
    connection = session.connection()
    presence, actions = _statistics(connection, Inspection.id == inspection.id)
    if presence:
        connection.execute(upsert(connection, StatisticsPresence.__table__).values(presence).on_conflict_do_nothing())
    table = StatisticsActions.__table__
    for row in actions:
        statement = upsert(connection, table).values(**row)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["unit_id", "day"],
            set_={column: table.c[column] + statement.excluded[column] for column in ACTION_FIGURES},
        ))


def rebuild_statistics(connection: Connection) -> None:
    """Keep the statistics table's presence and actions afresh from every submitted inspection (a bulk load, a
    migration, the demo's past); its hazards are kept by `rebuild`."""
    presence, actions = _statistics(connection, true())
    _replace(connection, StatisticsPresence.__table__, presence)
    _replace(connection, StatisticsActions.__table__, actions)
