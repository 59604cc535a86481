"""A city-scale benchmark dataset: generated once, cached under instance/bench/, reused by every run.

    python -m bench.dataset [--scale 0.01] [--regenerate]

At scale 1: 11 counties, 150 units, 30,000 enterprises, 300,000 inspections of every mode over one campaign,
1,000,000 hazards at both levels in every state (open, overdue, fix submitted, rejected and resubmitted, rejected
and open again, closed, listed for supervision, deadline extended) with their history, 200,000 enforcement
actions of every kind; every inspection with its checklist results. `scale` multiplies enterprises, inspections,
hazards and actions; counties, units, teams and their people stay.

The schema comes from the app's migrations. The small reference tables (sectors, checklists, campaign, counties,
units, teams, staff) go through the app's models and functions; the big ones are written with sqlite3
executemany in chunks, with the journal off during the load, then WAL and ANALYZE. The file is built under a
temporary name and renamed when complete, so an interrupted run never leaves what looks like a cached dataset.

The data follows checklist/ops/demo.py, at scale: the same names, rules, findings and notes, the same life of a
hazard. Everything is drawn from random.Random(SEED) and dated relative to the day of generation (China
Standard Time): the campaign started CAMPAIGN_LEAD_DAYS ago and runs CAMPAIGN_TAIL_DAYS more; nothing happens
after yesterday. Logins, all with PASSWORD: `city` (city supervisor), `county-<n>` (the supervisor of the n-th
county in code order, n = 1..11), `inspector-<n>-<k>` (staff of that county's units; n = 0: the city's units)
and `ent-<k>` (the users of some enterprises, k = 1..counts["enterprise_users"]).
"""

import argparse
import json
import os
import random
import sqlite3
import sys
import time
from array import array
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO
from itertools import accumulate
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from checklist import create_app, credit_code, tallies
from checklist.clock import local_today
from checklist.db import upgrade
from checklist.models import (
    Campaign,
    County,
    EnforcementKind,
    HazardLevel,
    HazardStatus,
    HistoryAction,
    InspectionMode,
    InspectionStatus,
    Outcome,
    Role,
    Sector,
    Team,
    Unit,
    UnitKind,
    User,
)
from checklist.ops import demo
from checklist.rules.definitions import Catalogue, current_checklist, sync_sectors

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "instance" / "bench"
PASSWORD = "bench1234"  # password of every generated user
SEED = 2026
FORMAT = 5  # bump when the generated data or the schema changes: older cached files are then regenerated

UNITS = 150
ENTERPRISES = 30_000
INSPECTIONS = 300_000
HAZARDS = 1_000_000
ACTIONS = 200_000
ENTERPRISE_USER_SHARE = 0.2  # enterprises with a login (only they self-inspect)
CAMPAIGN_LEAD_DAYS, CAMPAIGN_TAIL_DAYS = 150, 30
CHUNK = 5_000  # inspections written per executemany round
CHUNKS_PER_TRANSACTION = 10

# Inspection modes and their weights; a self-check needs an enterprise with a login.
MODE_WEIGHTS = {
    InspectionMode.COUNTY_FULL: 52, InspectionMode.CITY_SPOT: 12, InspectionMode.SURPRISE: 10,
    InspectionMode.VIDEO: 8, InspectionMode.CROSS: 8, InspectionMode.SELF_CHECK: 10,
}
CLEAN_SHARE = 0.25  # inspections that find nothing
MAX_HAZARDS = 12  # per inspection (every checklist has at least 17 items an enterprise can fail)
MAJOR_SHARE = 0.05
EXTENSION_SHARE = 0.03
SIGNED_SHARE, REFUSED_SHARE = 0.6, 0.05
# Enforcement kinds, their weights, document number kinds and notes (demo.py's wording, plus closures).
KINDS = (
    (EnforcementKind.DOCUMENT, 50, "责改", "责令限期整改指令书"),
    (EnforcementKind.FINE, 18, "罚",
     "依据《中华人民共和国安全生产法》第一百零二条，对未采取措施消除事故隐患的行为予以处罚"),
    (EnforcementKind.SUSPENSION, 8, "现决", "责令停产整顿，隐患消除并经验收合格后方可恢复生产"),
    (EnforcementKind.LICENCE, 5, "罚", "暂扣安全生产许可证"),
    (EnforcementKind.CLOSURE, 2, "关", "提请县级人民政府予以关闭取缔"),
    (EnforcementKind.OTHER, 17, "", "约谈企业主要负责人"),
)
FINES_WAN = (*demo.FINES_WAN, "10.00", "20.00", "50.00")
EXTENSION_NOTES = (
    "企业申请延期：整改所需设备采购周期较长", "涉及停产改造，经现场核实同意延期",
    "需委托有资质单位检测，同意延期三十日",
)
# Departments of some counties beyond demo.DEPARTMENTS, added until the city has UNITS units: (suffix,
# abbreviation). They supervise no sector; their teams run cross inspections (交叉检查).
EXTRA_DEPARTMENTS = (("自然资源局", "自然"), ("水利局", "水"), ("农业农村局", "农"), ("工业和信息化局", "工信"))
DEPARTMENT_KEYS = {department.key for department in demo.DEPARTMENTS}
TEAM_NAMES = ("第一检查督导组", "第二检查督导组", "第三检查督导组", "第四检查督导组", "第五检查督导组")
TABLES = (
    "county", "unit", "team", "team_member", "user", "sector", "checklist", "checklist_item", "campaign",
    "enterprise", "inspection", "inspection_inspector", "item_result", "hazard", "hazard_history",
    "enforcement_action",
)
COUNT_NAMES = {
    "county": "counties", "unit": "units", "team": "teams", "team_member": "team_members", "user": "users",
    "sector": "sectors", "checklist": "checklists", "checklist_item": "checklist_items", "campaign": "campaigns",
    "enterprise": "enterprises", "inspection": "inspections", "inspection_inspector": "inspection_inspectors",
    "item_result": "item_results", "hazard": "hazards", "hazard_history": "hazard_history",
    "enforcement_action": "enforcement_actions",
}
CHINA_OFFSET = timedelta(hours=8)  # China Standard Time has no daylight saving time
# Stored values, looked up once: an enum member's .value costs a descriptor call, and there are millions of rows.
OPEN, SUBMITTED, CLOSED = HazardStatus.OPEN.value, HazardStatus.SUBMITTED.value, HazardStatus.CLOSED.value
GENERAL, MAJOR = HazardLevel.GENERAL.value, HazardLevel.MAJOR.value
PASS, FAIL, NOT_APPLICABLE = Outcome.PASS.value, Outcome.FAIL.value, Outcome.NOT_APPLICABLE.value
FOUND, LISTED, EXTENDED = HistoryAction.FOUND.value, HistoryAction.LISTED.value, HistoryAction.EXTENDED.value
PROOF, ACCEPTED, REJECTED = HistoryAction.SUBMITTED.value, HistoryAction.ACCEPTED.value, HistoryAction.REJECTED.value
CATEGORIES = ("open", "overdue", "submitted", "resubmitted", "reopened", "closed", "listed", "extended")


@dataclass
class Dataset:
    path: Path  # the SQLite file
    url: str  # sqlite:///... for DATABASE_URL
    upload_dir: Path  # an empty photo store for UPLOAD_DIR
    scale: float
    seconds: float  # how long generation took (the stored figure when the file was cached)
    counts: dict[str, int]  # rows per table: counties, units, enterprises, inspections, hazards, ...
    starts_on: date | None = None  # the campaign (relative to the day of generation)
    ends_on: date | None = None
    generated_on: date | None = None  # China Standard Time; hazards open then have been running overdue since
    hazard_states: dict[str, int] = field(default_factory=dict)  # per "<level> <category>", see CATEGORIES


def ensure(scale: float = 1.0, regenerate: bool = False, folder: Path | None = None) -> Dataset:
    """Return the dataset of this scale, generating it first when it is not cached (or regenerate is set)."""
    folder = Path(folder or FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"city-{scale:g}"
    path, meta_path, upload_dir = folder / f"{name}.sqlite", folder / f"{name}.json", folder / f"{name}-uploads"
    upload_dir.mkdir(exist_ok=True)
    meta = _read_meta(meta_path)
    if regenerate or not path.exists() or meta.get("format") != FORMAT or meta.get("scale") != scale:
        for stale in (path, meta_path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))):
            stale.unlink(missing_ok=True)  # an old WAL beside the new file would be replayed into it
        _remove_abandoned(folder, name)
        started = time.perf_counter()
        tmp = folder / f".{name}.{os.getpid()}.tmp.sqlite"
        try:
            meta = _generate(tmp, upload_dir, scale)
            meta["seconds"] = round(time.perf_counter() - started, 1)
            tmp.replace(path)
        finally:
            for leftover in folder.glob(f"{tmp.name}*"):  # the file, or its -wal, -shm, -writers (db.WriterQueue)
                leftover.unlink(missing_ok=True)
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    return Dataset(
        path=path, url=f"sqlite:///{path}", upload_dir=upload_dir, scale=scale, seconds=meta["seconds"],
        counts=meta["counts"], starts_on=date.fromisoformat(meta["starts_on"]),
        ends_on=date.fromisoformat(meta["ends_on"]), generated_on=date.fromisoformat(meta["generated_on"]),
        hazard_states=meta["hazard_states"],
    )


def _remove_abandoned(folder: Path, name: str) -> None:
    """Remove the temporary files of generations killed before they could clean up (a gigabyte each at scale 1)."""
    for leftover in folder.glob(f".{name}.*.tmp.sqlite*"):
        pid = leftover.name[len(name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            leftover.unlink(missing_ok=True)


def _read_meta(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


# --- formats of the stored values, as SQLAlchemy writes them to SQLite -------------------------------


def _ts(moment: datetime) -> str:
    """A naive UTC datetime as SQLAlchemy stores it in SQLite (microseconds included: rows compare as text)."""
    return moment.isoformat(" ", "microseconds")


def _uuid(rng: random.Random) -> str:
    digits = f"{rng.getrandbits(128):032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _numeral(number: int) -> str:
    """A Chinese numeral up to 99 (第十二中学), Arabic digits beyond."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    if number < 100:
        return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")
    return str(number)


def _signature_png() -> bytes:
    """One small drawn signature, shared by every signed problem list."""
    image = Image.new("LA", (160, 48), (255, 0))
    ImageDraw.Draw(image).line([(10, 30), (40, 12), (60, 36), (95, 14), (120, 34), (150, 20)], fill=(0, 255), width=3)
    output = BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


# --- the reference data, through the app's models ------------------------------------------------------


@dataclass
class _UnitInfo:
    id: int
    name: str
    county_id: int | None
    kind: str  # a UnitKind value
    key: str  # a demo.DEPARTMENTS key, "committee", or an extra department's suffix
    abbreviation: tuple[str, str]  # (county, department) in document numbers
    teams: list[tuple[int, list[int]]] = field(default_factory=list)  # (team id, member user ids)
    members: list[int] = field(default_factory=list)


@dataclass
class _Item:
    id: int
    government: bool
    not_applicable: float  # the share of inspections that find the item not applicable
    weight: int  # how likely it fails (demo.py: sector items and items with a specific rule more often)
    problems: tuple[str, ...]
    fix: str


@dataclass
class _World:
    today: date  # of the generation: nothing happens after yesterday
    campaign_id: int
    starts_on: date
    ends_on: date
    counties: list[tuple[int, tuple]]  # (county id, demo.COUNTIES entry)
    sectors: dict[str, int]  # code -> id
    checklists: dict[int, tuple[int, list[_Item]]]  # sector id -> (checklist id, items)
    units: dict[int, _UnitInfo]
    city_committee: int
    city_departments: dict[str, int]  # department key -> unit id
    county_departments: dict[tuple[int, str], int]  # (county id, key) -> unit id
    county_units: dict[int, list[int]]  # county id -> its department unit ids (extras included)
    county_committees: dict[int, int]
    county_admins: dict[int, int]  # county id -> user id
    city_admin: int


def _password_hash() -> str:
    """PASSWORD hashed once, by the app's own User.set_password (scrypt is slow on purpose)."""
    holder = User(username="", name="", role=Role.INSPECTOR)
    holder.set_password(PASSWORD)
    return holder.password_hash


def _person(rng: random.Random) -> str:
    given = rng.choice(demo.MALE_NAMES) if rng.random() < 0.7 else rng.choice(demo.FEMALE_NAMES)
    return rng.choice(demo.SURNAMES) + given


def _phone(rng: random.Random, prefix: str | None = None) -> str:
    return (prefix or rng.choice(demo.PHONE_PREFIXES)) + f"{rng.randrange(10**8):08d}"


def _findings(text: str) -> tuple[tuple[str, ...], str, bool]:
    """The problems found at an item, the fix, and whether they are only the generic ones (demo.RULES)."""
    rule = next((rule for rule in demo.RULES if any(word in text for word in rule.keywords)), demo.GENERIC_RULE)
    return rule.problems, rule.fix, rule is demo.GENERIC_RULE


def _reference(session: Session, catalogue: Catalogue, rng: random.Random, today: date, password_hash: str) -> _World:
    """Sectors, checklists, the campaign, counties, units, teams and staff; flushed, ids known."""
    sync_sectors(session, catalogue)
    sectors = {sector.code: sector for sector in session.scalars(select(Sector).order_by(Sector.id))}
    checklists = {}
    for sector in sectors.values():
        checklist = current_checklist(session, catalogue, sector)
        session.flush()
        items = []
        for item in checklist.items:
            problems, fix, generic = _findings(item.text)
            weight = 3 if item.section == "sector" else 1
            # items about governments and departments rather than the enterprise: often not applicable on site
            government = any(word in item.text for word in demo.GOVERNMENT_KEYWORDS)
            items.append(_Item(item.id, government, 0.6 if government else 0.03, weight if generic else weight * 3,
                               problems, fix))
        checklists[sector.id] = (checklist.id, items)
    starts_on, ends_on = today - timedelta(days=CAMPAIGN_LEAD_DAYS), today + timedelta(days=CAMPAIGN_TAIL_DAYS)
    campaign = Campaign(title=f"{today.year}年安全检查督导（基准测试）", document_number=f"市安发〔{today.year}〕9号",
                        starts_on=starts_on, ends_on=ends_on)
    counties = [County(name=entry[0], code=entry[1]) for entry in demo.COUNTIES]
    session.add(campaign)
    session.add_all(counties)

    # Units: the city's committee and departments, each county's committee and departments, then extras.
    planned: list[tuple[Unit, str, tuple[str, str]]] = [
        (Unit(name=f"{demo.CITY}安委办", kind=UnitKind.COMMITTEE), "committee", (demo.CITY_ABBREVIATION, "安委")),
    ]
    for department in demo.DEPARTMENTS:
        planned.append((Unit(name=department.city_name, kind=UnitKind.DEPARTMENT), department.key,
                        (demo.CITY_ABBREVIATION, department.abbreviation)))
    for county, (name, _code, short, abbreviation, _weight) in zip(counties, demo.COUNTIES, strict=True):
        planned.append((Unit(name=f"{name}安委办", kind=UnitKind.COMMITTEE, county=county), "committee",
                        (abbreviation, "安委")))
        for department in demo.DEPARTMENTS:
            if department.county_suffix is None:
                continue
            if department.key == "police" and name.endswith("区"):
                unit_name = f"{demo.CITY}公安局{short}分局"
            else:
                unit_name = name + department.county_suffix
            planned.append((Unit(name=unit_name, kind=UnitKind.DEPARTMENT, county=county), department.key,
                            (abbreviation, department.abbreviation)))
    for suffix, department_abbreviation in EXTRA_DEPARTMENTS:
        for county, entry in zip(counties, demo.COUNTIES, strict=True):
            if len(planned) < UNITS:
                planned.append((Unit(name=entry[0] + suffix, kind=UnitKind.DEPARTMENT, county=county), suffix,
                                (entry[3], department_abbreviation)))
    if len(planned) != UNITS:
        raise RuntimeError(f"bench dataset: planned {len(planned)} units, not {UNITS}")
    session.add_all(unit for unit, _key, _abbreviation in planned)
    session.flush()

    county_number = {county.id: number for number, county in enumerate(counties, start=1)}
    sequences: Counter = Counter()

    def user(role: Role, unit: Unit, username: str | None = None) -> User:
        number = county_number.get(unit.county_id, 0)
        if username is None:
            sequences[number] += 1
            username = f"inspector-{number}-{sequences[number]}"
        person = User(username=username, name=_person(rng), phone=_phone(rng, "139"), role=role, unit=unit,
                      password_hash=password_hash, session_token=f"{rng.getrandbits(128):032x}")
        session.add(person)
        return person

    city_admin = user(Role.CITY_ADMIN, planned[0][0], "city")
    county_admins = {unit.county_id: user(Role.COUNTY_ADMIN, unit, f"county-{county_number[unit.county_id]}")
                     for unit, key, _ in planned if key == "committee" and unit.county_id is not None}
    teams: list[tuple[Unit, Team]] = []
    for unit, key, _abbreviation in planned:
        if key == "committee":
            count = 2 if unit.county is None else 1
        elif key in DEPARTMENT_KEYS:
            count = rng.randint(2, 5)
        else:
            count = rng.randint(1, 2)
        for number in range(count):
            members = [user(Role.INSPECTOR, unit) for _ in range(rng.randint(2, 5))]
            team = Team(unit=unit, name=TEAM_NAMES[number], members=members)
            session.add(team)
            teams.append((unit, team))
    session.flush()

    units = {unit.id: _UnitInfo(unit.id, unit.name, unit.county_id, unit.kind.value, key, abbreviation)
             for unit, key, abbreviation in planned}
    for unit, team in teams:
        member_ids = [member.id for member in team.members]
        units[unit.id].teams.append((team.id, member_ids))
        units[unit.id].members.extend(member_ids)
    county_departments = {(unit.county_id, key): unit.id for unit, key, _ in planned
                          if unit.county_id is not None and key != "committee"}
    county_units: dict[int, list[int]] = {}
    for unit, key, _ in planned:
        if unit.county_id is not None and key != "committee":
            county_units.setdefault(unit.county_id, []).append(unit.id)
    return _World(
        today=today, campaign_id=campaign.id, starts_on=starts_on, ends_on=ends_on,
        counties=[(county.id, entry) for county, entry in zip(counties, demo.COUNTIES, strict=True)],
        sectors={code: sector.id for code, sector in sectors.items()},
        checklists=checklists, units=units, city_committee=planned[0][0].id,
        city_departments={key: unit.id for unit, key, _ in planned if unit.county_id is None and key != "committee"},
        county_departments=county_departments, county_units=county_units,
        county_committees={unit.county_id: unit.id for unit, key, _ in planned
                           if unit.county_id is not None and key == "committee"},
        county_admins={county_id: admin.id for county_id, admin in county_admins.items()},
        city_admin=city_admin.id,
    )


# --- enterprises and their logins ------------------------------------------------------------------------


@dataclass
class _Enterprise:
    id: int
    county_id: int
    sector_code: str
    sector_id: int
    supervisor: int  # unit id
    department: str  # demo.DEPARTMENTS key
    contact_name: str
    contact_phone: str
    user_id: int | None = None


def _enterprise_name(rng: random.Random, code: str, county: str, short: str, ordinals: Counter, taken: set) -> str:
    """A name after demo.SECTOR_NAMES; brands are also combined from two (鑫泰, 恒达) so 30,000 names stay unique."""
    for attempt in range(50):
        pattern = rng.choice(demo.SECTOR_NAMES[code])
        number = ""
        if "{n}" in pattern:
            ordinals[(county, pattern)] += 1
            number = _numeral(ordinals[(county, pattern)])
        brand = rng.choice(demo.BRANDS)
        if attempt or rng.random() < 0.5:
            brand = brand[0] + rng.choice(demo.BRANDS)[1]
        name = pattern.format(county=county, short=short, brand=brand, village=rng.choice(demo.VILLAGES), n=number)
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError(f"bench dataset: ran out of names for {code} in {county}")


def _address(rng: random.Random, county: str, sector_code: str) -> str:
    if sector_code in demo.RURAL_SECTORS:
        where = rng.choice(("东", "西", "南", "北"))
        return f"{demo.CITY}{county}{rng.choice(demo.VILLAGES)}村{where}{rng.randint(3, 20) * 100}米"
    return f"{demo.CITY}{county}{rng.choice(demo.STREETS)}{rng.randint(1, 300)}号"


def _enterprises(connection: sqlite3.Connection, rng: random.Random, world: _World, count: int,
                 password_hash: str) -> list[_Enterprise]:
    """Place the enterprises in counties and sectors (coal only where there are mines), write them and the
    logins of ENTERPRISE_USER_SHARE of them (ent-1, ent-2, ...)."""
    codes = sorted(world.sectors)
    weights = [entry[4] for _id, entry in world.counties]
    by_department = {code: department.key for department in demo.DEPARTMENTS for code in department.sectors}
    taken: set[str] = set()
    credit_codes: set[str] = set()
    tokens: set[str] = set()
    ordinals: Counter = Counter()
    enterprises, rows = [], []
    for number in range(1, count + 1):
        county_id, (county, division, short, _abbreviation, _weight) = rng.choices(world.counties, weights)[0]
        eligible = [code for code in codes if code != "coal" or county in demo.MINING_COUNTIES]
        code = rng.choices(eligible, [demo.SECTOR_WEIGHTS.get(code, 2) for code in eligible])[0]
        department = by_department[code]
        supervisor = world.county_departments.get((county_id, department)) or world.city_departments[department]
        while (credit := credit_code.generate(division, rng)) in credit_codes:
            pass
        credit_codes.add(credit)
        while (token := f"{rng.getrandbits(128):032x}") in tokens:
            pass
        tokens.add(token)
        contact, phone = _person(rng), _phone(rng)
        rows.append((number, _enterprise_name(rng, code, county, short, ordinals, taken), credit, county_id,
                     world.sectors[code], supervisor, _address(rng, county, code), contact, phone, token))
        enterprises.append(_Enterprise(number, county_id, code, world.sectors[code], supervisor, department, contact,
                                       phone))
    registered = _ts(datetime.combine(world.starts_on - timedelta(days=30), datetime.min.time()))  # the roster's import
    connection.executemany(
        "INSERT INTO enterprise (id, name, credit_code, county_id, sector_id, supervising_unit_id, address, "
        "contact_name, contact_phone, qr_token, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*row, registered) for row in rows])
    with_users = sorted(rng.sample(range(count), max(1, round(count * ENTERPRISE_USER_SHARE))))
    next_id = connection.execute("SELECT max(id) FROM user").fetchone()[0] + 1
    users = []
    for number, index in enumerate(with_users, start=1):
        enterprise = enterprises[index]
        enterprise.user_id = next_id + number - 1
        users.append((enterprise.user_id, f"ent-{number}", enterprise.contact_name, enterprise.contact_phone,
                      password_hash, Role.ENTERPRISE.value, None, enterprise.id, 1, "", None,
                      f"{rng.getrandbits(128):032x}"))
    connection.executemany(
        "INSERT INTO user (id, username, name, phone, password_hash, role, unit_id, enterprise_id, active, "
        "activation_code_hash, activation_expires_at, session_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        users)
    return enterprises


# --- the plan: who inspects whom, when, and how many findings and actions --------------------------------


@dataclass
class _Plan:
    day: array  # offsets from the campaign's first day, ascending
    enterprise: array  # index into the enterprises
    mode: list[InspectionMode]
    unit: array  # unit id, 0 for a self-check
    hazards: array  # hazards found
    actions: array  # enforcement actions taken


def _multinomial(rng: random.Random, weights: list[float], total: int) -> array:
    """Spread `total` draws over the indices in proportion to the weights."""
    counts = array("H", bytes(2 * len(weights)))
    cumulative = list(accumulate(weights))
    if not total or not cumulative or cumulative[-1] <= 0:
        return counts
    ceiling, random_ = cumulative[-1], rng.random
    for _ in range(total):
        counts[bisect(cumulative, random_() * ceiling)] += 1
    return counts


def _plan(rng: random.Random, world: _World, enterprises: list[_Enterprise], count: int, hazards: int,
          actions: int) -> _Plan:
    last = (world.today - timedelta(days=1) - world.starts_on).days
    days = []
    for _ in range(count):  # fewer inspections at weekends, as demo.py
        for _attempt in range(5):
            day = rng.randint(0, last)
            if (world.starts_on + timedelta(days=day)).weekday() < 5 or rng.random() < 0.25:
                break
        days.append(day)
    days.sort()
    with_users = [index for index, enterprise in enumerate(enterprises) if enterprise.user_id is not None]
    modes = rng.choices(list(MODE_WEIGHTS), list(MODE_WEIGHTS.values()), k=count)
    chosen, units = array("i"), array("i")
    for number, mode in enumerate(modes):
        if mode is InspectionMode.SELF_CHECK:
            index = rng.choice(with_users)
            chosen.append(index)
            units.append(0)
            continue
        index = rng.randrange(len(enterprises))
        enterprise = enterprises[index]
        supervisor = world.units[enterprise.supervisor]
        if mode is InspectionMode.COUNTY_FULL and supervisor.county_id is None:
            mode = modes[number] = InspectionMode.CITY_SPOT
        if mode is InspectionMode.CITY_SPOT:
            unit = world.city_departments[enterprise.department]
        elif mode is InspectionMode.SURPRISE:
            roll = rng.random()
            unit = (world.city_committee if roll < 0.4 else
                    world.county_committees[enterprise.county_id] if roll < 0.6 else enterprise.supervisor)
        elif mode is InspectionMode.VIDEO and rng.random() < 0.4:
            unit = world.city_departments[enterprise.department]
        elif mode is InspectionMode.CROSS:
            others = [unit for unit in world.county_units[enterprise.county_id] if unit != enterprise.supervisor]
            unit = rng.choice(others)
        else:
            unit = enterprise.supervisor
        chosen.append(index)
        units.append(unit)
    # how much each inspection finds: nothing (CLEAN_SHARE), else about as much as the others; self-checks less
    finding = [0.0 if rng.random() < CLEAN_SHARE else (0.5 + rng.random()) * (0.4 if self_check else 1.0)
               for self_check in (mode is InspectionMode.SELF_CHECK for mode in modes)]
    found = _multinomial(rng, finding, hazards)
    _cap(rng, found, finding)
    # actions follow the findings; never at a self-check, nor by the city's committee (demo.py)
    enforcing = [0.0 if mode is InspectionMode.SELF_CHECK or units[number] == world.city_committee
                 else float(found[number]) for number, mode in enumerate(modes)]
    return _Plan(array("i", days), chosen, modes, units, found, _multinomial(rng, enforcing, actions))


def _cap(rng: random.Random, counts: array, weights: list[float]) -> None:
    """Keep every inspection at MAX_HAZARDS or fewer, moving the excess to other inspections that find some."""
    excess = 0
    for index, found in enumerate(counts):
        if found > MAX_HAZARDS:
            excess += found - MAX_HAZARDS
            counts[index] = MAX_HAZARDS
    finding = [index for index, weight in enumerate(weights) if weight > 0]
    while excess:
        index = rng.choice(finding)
        if counts[index] < MAX_HAZARDS:
            counts[index] += 1
            excess -= 1


# --- the inspections, their results, hazards, histories and actions -----------------------------------


class _Writer:
    """Generates the rows of each inspection in plan order and writes them in chunks."""

    def __init__(self, connection: sqlite3.Connection, rng: random.Random, world: _World,
                 enterprises: list[_Enterprise], plan: _Plan):
        self.connection, self.rng, self.world, self.enterprises, self.plan = connection, rng, world, enterprises, plan
        self.today = world.today
        self.last_day = self.today - timedelta(days=1)
        self.missing = {(level, category) for level in (GENERAL, MAJOR) for category in CATEGORIES}
        self.missing -= {(GENERAL, "listed")}  # only major hazards are listed
        self.states: Counter = Counter()
        self.sequences: Counter = Counter()
        self.signature = _signature_png()
        self.hazard_id = 0
        self.deadline_days = {GENERAL: 15, MAJOR: 60}
        kinds = [kind for kind, *_ in KINDS]
        self.kinds, self.kind_weights = kinds, list(accumulate(weight for _kind, weight, *_ in KINDS))
        self.kind_info = {kind: (code, note) for kind, _weight, code, note in KINDS}
        self.candidates = {
            sector_id: ([item for item in items if not item.government],
                        list(accumulate(item.weight for item in items if not item.government)))
            for sector_id, (_checklist, items) in world.checklists.items()
        }
        self.reset()

    def reset(self) -> None:
        self.inspections: list[tuple] = []
        self.inspectors: list[tuple] = []
        self.results: list[tuple] = []
        self.hazards: list[tuple] = []
        self.history: list[tuple] = []
        self.actions: list[tuple] = []

    def moment(self, day: date, earliest: datetime | None = None) -> datetime:
        """A working-hours time of a day in China, as naive UTC, later than earliest (demo.py)."""
        random_ = self.rng.random
        moment = datetime(day.year, day.month, day.day, 8, 30) - CHINA_OFFSET + timedelta(
            minutes=int(random_() * 571))
        if earliest is not None and moment <= earliest:
            moment = earliest + timedelta(minutes=10 + int(random_() * 81))
        return moment

    def run(self) -> None:
        """Generate the inspections in chunks; write each chunk, CHUNKS_PER_TRANSACTION to a transaction.

        (A writer thread does not help: sqlite3 takes the GIL back for every row it binds.)"""
        connection, total = self.connection, len(self.plan.mode)
        for written, start in enumerate(range(0, total, CHUNK)):
            if written % CHUNKS_PER_TRANSACTION == 0:
                connection.execute("BEGIN")
            for number in range(start, min(start + CHUNK, total)):
                self.inspection(number)
            self.flush(self.inspections, self.inspectors, self.results, self.hazards, self.history, self.actions)
            self.reset()
            if (written + 1) % CHUNKS_PER_TRANSACTION == 0 or start + CHUNK >= total:
                connection.execute("COMMIT")

    def flush(self, inspections: list, inspectors: list, results: list, hazards: list, history: list,
              actions: list) -> None:
        executemany = self.connection.executemany
        executemany(
            "INSERT INTO inspection (id, uuid, campaign_id, enterprise_id, unit_id, team_id, checklist_id, "
            "created_by_id, mode, status, started_at, submitted_at, signer_name, signature_png, signature_refused, "
            "signed_at, client_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')", inspections)
        executemany("INSERT INTO inspection_inspector (inspection_id, user_id) VALUES (?, ?)", inspectors)
        executemany("INSERT INTO item_result (inspection_id, item_id, outcome, note) VALUES (?, ?, ?, ?)", results)
        executemany(
            "INSERT INTO hazard (id, uuid, inspection_id, enterprise_id, item_id, level, description, deadline, "
            "responsible_person, status, found_at, closed_at, listed_unit_id, listed_deadline, listed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", hazards)
        executemany(
            "INSERT INTO hazard_history (hazard_id, at, user_id, action, from_status, to_status, note, "
            "deadline_from, deadline_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", history)
        executemany(
            "INSERT INTO enforcement_action (inspection_id, enterprise_id, kind, document_number, fine_wan, note, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", actions)

    def inspection(self, number: int) -> None:
        rng, world, plan = self.rng, self.world, self.plan
        inspection_id = number + 1
        enterprise = self.enterprises[plan.enterprise[number]]
        mode = plan.mode[number]
        self_check = mode is InspectionMode.SELF_CHECK
        if self_check:
            unit_id, team_id, creator, inspectors = None, None, enterprise.user_id, [enterprise.user_id]
        else:
            unit_id = plan.unit[number]
            team_id, members = rng.choice(world.units[unit_id].teams)
            creator = rng.choice(members)
            others = [member for member in members if member != creator]
            inspectors = [creator, *rng.sample(others, rng.randint(0, min(2, len(others))))]
        day = world.starts_on + timedelta(days=plan.day[number])
        started = self.moment(day)
        submitted = started + timedelta(minutes=rng.randint(40, 180))
        submitted_text = _ts(submitted)
        signer, png, refused, signed_at = "", None, 0, None
        if not self_check and mode is not InspectionMode.VIDEO:
            roll = rng.random()
            if roll < REFUSED_SHARE:
                refused, signed_at = 1, _ts(submitted + timedelta(minutes=5))
            elif roll < REFUSED_SHARE + SIGNED_SHARE:
                signer, png, signed_at = enterprise.contact_name, self.signature, _ts(submitted + timedelta(minutes=5))
        checklist_id, items = world.checklists[enterprise.sector_id]
        self.inspections.append((
            inspection_id, _uuid(rng), world.campaign_id, enterprise.id, unit_id, team_id, checklist_id, creator,
            mode.value, InspectionStatus.SUBMITTED.value, _ts(started), submitted_text, signer, png, refused, signed_at,
        ))
        self.inspectors.extend((inspection_id, user_id) for user_id in inspectors)

        failing = self.failing(enterprise.sector_id, plan.hazards[number])
        # the hottest loop (7 million results at scale 1): no enum lookups, no rng.choice
        append, random_, pass_notes, na_note = self.results.append, rng.random, demo.PASS_NOTES, demo.NA_NOTE
        notes = len(pass_notes)
        for item in items:
            item_id = item.id
            if item_id in failing:
                append((inspection_id, item_id, FAIL, ""))
            elif random_() < item.not_applicable:
                append((inspection_id, item_id, NOT_APPLICABLE, na_note))
            else:
                append((inspection_id, item_id, PASS, pass_notes[int(random_() * notes)]))
        majors = False
        for item in failing.values():
            major = not self_check and random_() < MAJOR_SHARE
            majors = majors or major
            self.hazard(inspection_id, enterprise, creator, self_check, item, major, submitted)
        for _ in range(plan.actions[number]):
            self.action(inspection_id, enterprise, unit_id, day.year, submitted_text, first_document=majors)
            majors = False

    def failing(self, sector_id: int, count: int) -> dict[int, _Item]:
        """Pick the failing items, the likelier ones more often (demo.py's weights), in checklist order."""
        candidates, cumulative = self.candidates[sector_id]
        chosen: dict[int, _Item] = {}
        ceiling, random_ = cumulative[-1], self.rng.random
        while len(chosen) < count:
            item = candidates[bisect(cumulative, random_() * ceiling)]
            chosen[item.id] = item
        return dict(sorted(chosen.items()))

    def action(self, inspection_id: int, enterprise: _Enterprise, unit_id: int, year: int, at: str,
               first_document: bool) -> None:
        rng = self.rng
        kind = EnforcementKind.DOCUMENT if first_document else \
            self.kinds[bisect(self.kind_weights, rng.random() * self.kind_weights[-1])]
        code, note = self.kind_info[kind]
        number = ""
        if code:
            county, department = self.world.units[unit_id].abbreviation
            self.sequences[(unit_id, code, year)] += 1
            number = f"（{county}）{department}{code}〔{year}〕{self.sequences[(unit_id, code, year)]:03d}号"
        fine = float(rng.choice(FINES_WAN)) if kind is EnforcementKind.FINE else 0.0
        self.actions.append((inspection_id, enterprise.id, kind.value, number, fine, note, at))

    # --- a hazard's life, as demo.py's fates(), listings() and lives() ---

    def hazard(self, inspection_id: int, enterprise: _Enterprise, finder: int, self_check: bool, item: _Item,
               major: bool, found_at: datetime) -> None:
        rng, world = self.rng, self.world
        self.hazard_id += 1
        hazard_id = self.hazard_id
        level = MAJOR if major else GENERAL
        found_on = (found_at + CHINA_OFFSET).date()
        deadline = found_on + timedelta(days=self.deadline_days[level])
        room = (self.last_day - found_on).days
        listed = major and rng.random() < 0.6
        extended = room >= 10 and rng.random() < EXTENSION_SHARE
        category = self.fate(room, deadline if not extended else deadline + timedelta(days=30))
        # make sure every state occurs at both levels, even in a small dataset
        if (level, category) not in self.missing:
            for wanted in CATEGORIES[:6]:
                if (level, wanted) in self.missing and self.feasible(wanted, room, deadline, extended):
                    category = wanted
                    break
        if major and (level, "listed") in self.missing:
            listed = True
        if not extended and (level, "extended") in self.missing and room >= 10 and category not in ("open", "overdue"):
            extended = True
        for name in (category, "listed" if listed else "", "extended" if extended else ""):
            if name:
                self.missing.discard((level, name))
                self.states[f"{level} {name}"] += 1

        history = self.history
        history.append((hazard_id, _ts(found_at), finder, FOUND, None, OPEN, "", None, None))
        supervisor = world.units[enterprise.supervisor]
        county_admin = world.county_admins[enterprise.county_id]
        listed_unit = listed_deadline = listed_at = None
        moment = found_at
        if listed:
            listed_unit, listed_deadline = supervisor.id, deadline.isoformat()
            moment = found_at + timedelta(hours=rng.randint(1, 12))
            listed_at = _ts(moment)
            lister = world.city_admin if supervisor.county_id is None else county_admin
            history.append((hazard_id, listed_at, lister, LISTED, OPEN, OPEN, supervisor.name,
                            None, listed_deadline))
        if listed:
            checker = world.city_admin if rng.random() < 0.2 else rng.choice(supervisor.members)
        else:
            checker = county_admin if self_check or rng.random() < 0.4 else finder
        last = min(self.last_day, found_on + timedelta(days=45))
        first = found_on + timedelta(days=1)
        if extended:
            day = found_on + timedelta(days=rng.randint(1, min(room, 10)))
            moment = self.moment(day, earliest=moment)
            new_deadline = deadline + timedelta(days=30)
            history.append((hazard_id, _ts(moment), checker, EXTENDED, OPEN, OPEN,
                            rng.choice(EXTENSION_NOTES), deadline.isoformat(), new_deadline.isoformat()))
            deadline, first = new_deadline, day
        steps = {
            "open": (), "overdue": (), "submitted": (SUBMITTED,), "closed": (SUBMITTED, CLOSED),
            "reopened": (SUBMITTED, OPEN), "resubmitted": (SUBMITTED, OPEN, SUBMITTED),
        }[category]
        if category == "closed" and room >= 6 and rng.random() < 0.08:
            steps = (SUBMITTED, OPEN, SUBMITTED, CLOSED)
        status, closed_at, previous, rejected = OPEN, None, OPEN, False
        span = (last - first).days
        for step, day in zip(steps, sorted(first + timedelta(days=rng.randint(0, span)) for _ in steps), strict=True):
            moment = self.moment(day, earliest=moment)
            if step == SUBMITTED:
                user = enterprise.user_id or finder
                note = demo.RESUBMIT_NOTE if rejected else (
                    f"{demo.SUBMIT_NOTE}：{item.fix}" if item.fix else demo.SUBMIT_NOTE)
                action = PROOF
            elif step == OPEN:
                user, note, action = checker, rng.choice(demo.REJECT_NOTES), REJECTED
                rejected = True
            else:
                user, note, action = checker, rng.choice(demo.CLOSE_NOTES), ACCEPTED
                closed_at = _ts(moment)
            history.append((hazard_id, _ts(moment), user, action, previous, step, note, None, None))
            previous = status = step
        self.hazards.append((
            hazard_id, _uuid(rng), inspection_id, enterprise.id, item.id, level, rng.choice(item.problems),
            deadline.isoformat(), enterprise.contact_name, status, _ts(found_at), closed_at, listed_unit,
            listed_deadline, listed_at,
        ))

    def fate(self, room: int, deadline: date) -> str:
        """How far a hazard got: the older the finding, the likelier it has been fixed and closed (demo.py's
        odds, except that a tenth of the oldest stay open, so that major hazards too run overdue)."""
        rng = self.rng
        if room < 3:
            return "open" if deadline >= self.today else "overdue"
        closed = min(0.75, 0.1 + room / 80)
        roll = rng.random()
        if roll < closed:
            return "closed"
        if roll < closed + 0.15:
            return "resubmitted" if room >= 6 and rng.random() < 0.25 else "submitted"
        if room >= 6 and rng.random() < 0.08:
            return "reopened"
        return "open" if deadline >= self.today else "overdue"

    def feasible(self, category: str, room: int, deadline: date, extended: bool) -> bool:
        if extended:
            deadline += timedelta(days=30)
        return {
            "open": deadline >= self.today, "overdue": deadline < self.today, "submitted": room >= 3,
            "closed": room >= 3, "reopened": room >= 6, "resubmitted": room >= 6,
        }[category]


# --- everything ----------------------------------------------------------------------------------------


def _generate(path: Path, upload_dir: Path, scale: float) -> dict:
    """Build the dataset into path; return its description for the JSON next to it."""
    rng = random.Random(SEED)
    today = local_today()
    password_hash = _password_hash()
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{path}", "UPLOAD_DIR": str(upload_dir)})
    upgrade(app)
    session = app.extensions["sessionmaker"]()
    with session.begin():
        world = _reference(session, app.extensions["catalogue"], rng, today, password_hash)
    session.close()
    app.extensions["engine"].dispose()  # the last connection closes: the WAL goes into the file

    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-131072"):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("BEGIN")
        enterprises = _enterprises(connection, rng, world, max(1, round(ENTERPRISES * scale)), password_hash)
        connection.execute("COMMIT")
        plan = _plan(rng, world, enterprises, max(1, round(INSPECTIONS * scale)), round(HAZARDS * scale),
                     round(ACTIONS * scale))
        # The big tables' plain indexes are built after the load, in one sorted pass each, from the migrations'
        # own statements (the UNIQUE constraints' indexes cannot be dropped and are filled as rows come).
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
            "('inspection', 'hazard', 'hazard_history', 'enforcement_action')").fetchall()
        for name, _sql in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        writer = _Writer(connection, rng, world, enterprises, plan)
        writer.run()
        for _name, sql in indexes:
            connection.execute(sql)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("ANALYZE")
        counts = {COUNT_NAMES[table]: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in TABLES}
        counts["enterprise_users"] = connection.execute(
            "SELECT count(*) FROM user WHERE role = ?", (Role.ENTERPRISE.value,)).fetchone()[0]
    finally:
        connection.close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as tallying:  # the dashboards' tallies, which the ORM keeps and this load bypassed
        tallies.rebuild(tallying)
        tallies.rebuild_coverage(tallying)
        tallies.rebuild_cross_checks(tallying)
        tallies.rebuild_statistics(tallying)
    engine.dispose()
    return {
        "format": FORMAT, "scale": scale, "seed": SEED, "generated_on": today.isoformat(),
        "starts_on": world.starts_on.isoformat(), "ends_on": world.ends_on.isoformat(), "counts": counts,
        "hazard_states": dict(sorted(writer.states.items())),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dataset", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies enterprises, inspections, hazards, "
                        "actions (default 1: 30,000 / 300,000 / 1,000,000 / 200,000)")
    parser.add_argument("--regenerate", action="store_true", help="build it again even when it is cached")
    parser.add_argument("--folder", type=Path, default=None, help=f"cache folder (default {FOLDER})")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    dataset = ensure(options.scale, options.regenerate, options.folder)
    cached = time.perf_counter() - started < dataset.seconds / 2
    print(f"{dataset.path} ({dataset.path.stat().st_size / 2**20:.0f} MiB), generated on {dataset.generated_on}, "
          f"campaign {dataset.starts_on} to {dataset.ends_on}, login password {PASSWORD}")
    for name, count in dataset.counts.items():
        print(f"  {name:<22} {count:>12,}")
    print("  hazards by level and state: " + ", ".join(f"{key} {n:,}" for key, n in dataset.hazard_states.items()))
    print(f"generated in {dataset.seconds:.1f} s" + (" (cached)" if cached else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
