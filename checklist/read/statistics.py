"""The statistics table of the notice's attachment (全市安全检查督导情况统计表), added up in SQL from the figures
kept per unit and day (checklist/tallies.py).

For a period [start, end] of China Standard Time days, the figures of a unit come from its submitted
inspections (Inspection.unit_id; self-inspections count nowhere), by family of columns:

- work: 派出检查组数 (distinct teams with an inspection submitted in the period), 派出检查组人数 (distinct
  inspectors of those of its inspections that had a team), 被检查单位 (distinct enterprises inspected, and
  distinct units inspected by 督政);
- hazards: 一般隐患 / 重大隐患 排查 (found at enterprises in the period by the unit's inspections) and 整改 (of
  those, closed by the end of the period). The problems a 督政 inspection finds at a unit are not 事故隐患
  and are not counted here; the dashboards show them apart;
- enforcement: 下达执法文书 (documents), 停产整顿 (distinct enterprises suspended), 行政处罚款 (sum of
  fines, 万元), 暂扣吊销证照 (licences), 关闭取缔 (distinct enterprises closed), 其他 (other actions),
  all recorded by the unit's inspections submitted in the period.

合计 is the sum of the rows above it, for every column, as DESIGN.md and the paper form say; the
"distinct" columns included. So an enterprise inspected by two departments of a county counts twice in
the county's 被检查单位 合计, once for each department, exactly as the departments' own paper rows
would add up; a county's row in the city table is that county's 合计, so the two tables agree.
"""

from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, distinct, func, select, true
from sqlalchemy.orm import Session

from checklist.models import (
    County,
    PresenceKind,
    StatisticsActions,
    StatisticsHazards,
    StatisticsPresence,
    TableNote,
    Unit,
    UnitKind,
)
from checklist.read.reports import count_characters
from checklist.tallies import ACTION_FIGURES

# The official form's wording; kept in Chinese on purpose (see exports.statistics_table_xlsx).
CITY_TITLE = "全市安全检查督导情况统计表"
COUNTY_TITLE = "{county}安全检查督导情况统计表"
TOTAL = "合计"

HIGHLIGHTS_MIN, HIGHLIGHTS_MAX = 50, 200
PROBLEM_MAX = 100
ZERO = Decimal("0.00")
PRESENCE_COLUMNS = {
    PresenceKind.TEAM: "teams", PresenceKind.INSPECTOR: "inspectors", PresenceKind.ENTERPRISE: "inspected",
    PresenceKind.UNIT: "inspected", PresenceKind.SUSPENSION: "suspensions", PresenceKind.CLOSURE: "closures",
}


@dataclass(frozen=True)
class Row:
    """One line of the table: a unit (or, in the city's table, a county's total) and its 13 figures."""

    name: str
    teams: int = 0  # 派出检查组数 (组)
    inspectors: int = 0  # 派出检查组人数 (人)
    inspected: int = 0  # 被检查单位 (家): enterprises and units
    general_found: int = 0  # 一般隐患 排查 (项)
    general_closed: int = 0  # 一般隐患 整改 (项)
    major_found: int = 0  # 重大隐患 排查 (项)
    major_closed: int = 0  # 重大隐患 整改 (项)
    documents: int = 0  # 下达执法文书 (份)
    suspensions: int = 0  # 停产整顿 (家)
    fines_wan: Decimal = ZERO  # 行政处罚款 (万元)
    licences: int = 0  # 暂扣吊销证照 (个)
    closures: int = 0  # 关闭取缔 (家)
    others: int = 0  # 其他
    unit_id: int | None = None
    county_id: int | None = None

    @property
    def figures(self) -> tuple:
        """The 13 numbers in the order of the form's columns."""
        return tuple(getattr(self, name) for name in FIGURES)

    @property
    def is_empty(self) -> bool:
        return not any(self.figures)


FIGURES = tuple(field.name for field in fields(Row) if field.name not in ("name", "unit_id", "county_id"))


@dataclass(frozen=True)
class Note:
    """The texts under a table: 亮点工作, 存在问题 (one aspect a line) and 备注."""

    highlights: str = ""
    problems: str = ""
    remarks: str = ""


@dataclass(frozen=True)
class StatisticsTable:
    """A whole table, as the page shows it and the xlsx prints it."""

    title: str
    start: date
    end: date
    rows: list[Row]
    total: Row
    note: Note
    county: County | None = None  # None: the city's table

    @property
    def period_text(self) -> str:
        """The form's 统计时间 line."""
        return f"统计时间：{chinese_date(self.start)}至{chinese_date(self.end)}"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def total_of(rows: list[Row], name: str = TOTAL) -> Row:
    """Sum the rows column by column (合计)."""
    return Row(name, **{
        column: sum((getattr(row, column) for row in rows), ZERO if column == "fines_wan" else 0)
        for column in FIGURES
    })


def unit_figures(session: Session, start: date, end: date, unit_ids: list[int] | None = None) -> dict[int, dict]:
    """Return {unit id: {column: value}} for the units with any figure in the period (all units if None).

    Three reads of the kept figures (checklist/tallies.py), one per family of columns: the distinct columns count
    the members present on any day of the period, the others add up its days."""
    def of_units(column):
        return column.in_(unit_ids) if unit_ids is not None else true()

    figures: dict[int, dict] = {}

    presence = StatisticsPresence
    for unit_id, kind, count in session.execute(
        select(presence.unit_id, presence.kind, func.count(distinct(presence.member_id)))
        .where(of_units(presence.unit_id), presence.day >= start, presence.day <= end)
        .group_by(presence.unit_id, presence.kind)
    ):
        values = figures.setdefault(unit_id, {})
        column = PRESENCE_COLUMNS[kind]
        values[column] = values.get(column, 0) + count  # 被检查单位: enterprises and units

    kept = StatisticsHazards
    for unit_id, level, found, closed in session.execute(
        select(kept.unit_id, kept.level, func.sum(kept.hazards), func.sum(case((kept.closed_on <= end, kept.hazards))))
        .where(of_units(kept.unit_id), kept.found_on >= start, kept.found_on <= end)
        .group_by(kept.unit_id, kept.level)
    ):
        figures.setdefault(unit_id, {}).update({f"{level.value}_found": found, f"{level.value}_closed": closed or 0})

    actions = StatisticsActions
    for row in session.execute(
        select(actions.unit_id, *(func.sum(getattr(actions, column)).label(column) for column in ACTION_FIGURES))
        .where(of_units(actions.unit_id), actions.day >= start, actions.day <= end)
        .group_by(actions.unit_id)
    ).mappings():
        values = dict(row)
        figures.setdefault(values.pop("unit_id"), {}).update(values)
    for values in figures.values():
        # SQLite keeps NUMERIC as floating point: bring the sum back to exact cents.
        values["fines_wan"] = Decimal(str(values.get("fines_wan") or 0)).quantize(ZERO)
    return figures


def unit_row(unit: Unit, figures: dict[int, dict]) -> Row:
    return Row(unit.name, unit_id=unit.id, county_id=unit.county_id, **figures.get(unit.id, {}))


def table_order() -> tuple:
    """Units in the table's order: the committee first, then the departments by name."""
    return case((Unit.kind == UnitKind.COMMITTEE, 0), else_=1), Unit.name, Unit.id


def county_units(session: Session, county: County) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.county_id == county.id).order_by(*table_order())))


def reporting_unit(session: Session, county: County | None) -> Unit | None:
    """The unit that reports a table and writes its texts: the county's committee, or the city's."""
    where = Unit.county_id == county.id if county is not None else Unit.county_id.is_(None)
    return session.scalars(select(Unit).where(where, Unit.kind == UnitKind.COMMITTEE).order_by(Unit.id)).first()


def table_note(session: Session, county: County | None, start: date, end: date) -> Note:
    """The texts stored for exactly this period by the table's reporting unit."""
    unit = reporting_unit(session, county)
    stored = unit and session.scalars(
        select(TableNote).where(TableNote.unit_id == unit.id, TableNote.starts_on == start, TableNote.ends_on == end)
    ).first()
    if not stored:
        return Note()
    return Note(stored.highlights, stored.problems, stored.remarks)


def county_table(session: Session, county: County, start: date, end: date) -> StatisticsTable:
    """A county's table: one row per unit of the county, zeros included, then 合计."""
    units = county_units(session, county)
    figures = unit_figures(session, start, end, [unit.id for unit in units])
    rows = [unit_row(unit, figures) for unit in units]
    return StatisticsTable(
        title=COUNTY_TITLE.format(county=county.name), start=start, end=end, rows=rows, total=total_of(rows),
        note=table_note(session, county, start, end), county=county,
    )


def city_table(session: Session, start: date, end: date) -> StatisticsTable:
    """The city's table: each county's 合计, the city's committee (only when it has figures), the city's
    departments by name (zeros included), then 合计."""
    figures = unit_figures(session, start, end)
    units_by_county: dict[int | None, list[Unit]] = {}
    for unit in session.scalars(select(Unit).order_by(*table_order())):
        units_by_county.setdefault(unit.county_id, []).append(unit)
    rows = []
    for county in session.scalars(select(County).order_by(County.code, County.id)):
        county_total = total_of([unit_row(unit, figures) for unit in units_by_county.get(county.id, [])])
        rows.append(replace(county_total, name=county.name, county_id=county.id))
    for unit in units_by_county.get(None, []):
        row = unit_row(unit, figures)
        # The city committee compiles the table; its own spot checks (四不两直) still belong in the 合计.
        if unit.kind is UnitKind.DEPARTMENT or not row.is_empty:
            rows.append(row)
    return StatisticsTable(
        title=CITY_TITLE, start=start, end=end, rows=rows, total=total_of(rows),
        note=table_note(session, None, start, end),
    )


def aspects(problems: str) -> list[str]:
    """The 存在问题 text as its aspects: one a line, blank lines dropped."""
    return [line.strip() for line in (problems or "").splitlines() if line.strip()]


def check_highlights(highlights: str) -> list:
    count = count_characters(highlights)
    if HIGHLIGHTS_MIN <= count <= HIGHLIGHTS_MAX:
        return []
    return [_l(
        "Highlights need %(min)d to %(max)d characters (spaces and line breaks not counted); "
        "you entered %(count)d.", min=HIGHLIGHTS_MIN, max=HIGHLIGHTS_MAX, count=count,
    )]


def check_problems(problems: str) -> list:
    return [
        _l("Problem %(number)d has %(count)d characters; each problem may have at most %(max)d.",
           number=number, count=count_characters(aspect), max=PROBLEM_MAX)
        for number, aspect in enumerate(aspects(problems), start=1)
        if count_characters(aspect) > PROBLEM_MAX
    ]


def check_note(highlights: str, problems: str) -> list:
    """Return what is wrong with the texts, as the notice limits them (empty: they are fine)."""
    return check_highlights(highlights) + check_problems(problems)
