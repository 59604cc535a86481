"""Imports from Excel: the enterprise roster, the units' teams and their members, and a department's own
checklist table (列表格).

The workbook is read by sheets.imports; every row is checked before anything is written: if one row is
wrong, the rule raises ImportRefused with every problem as (row as Excel numbers it, column header, reason)
and nothing is stored.
The column headers are the official form's Chinese words and stay literal; every message is translated.
"""

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from checklist import access, credit_code, presence
from checklist.models import Campaign, Checklist, County, Enterprise, Role, Sector, Team, Unit, User, new_token
from checklist.read.coverage import county_members
from checklist.rules import teams as team_rules
from checklist.rules.assignments import AssignmentError, assign
from checklist.rules.definitions import Catalogue, ItemDefinition, current_checklist, items_hash, new_version
from checklist.rules.inspections import InspectionError, active_campaign
from checklist.sheets.imports import (
    CHECKLIST_COLUMNS,
    CHECKLIST_SHEET,
    ROSTER_COLUMNS,
    ROSTER_SHEET,
    TEAM_COLUMNS,
    TEAM_SHEET,
    Column,
    ImportRefused,
    Row,
    RowError,
    name_key,
    read_rows,
)

PHONE = re.compile(r"[0-9][0-9-]{5,18}[0-9]")


@dataclass(frozen=True)
class RosterResult:
    created: int
    updated: int
    assigned: int = 0


def _require_importer(user: User) -> None:
    if not access.can_import(user):
        raise ImportRefused(_l("Only county and city supervisors import files."))


def _check_cells(row: Row, columns: tuple[Column, ...], errors: list[RowError]) -> bool:
    """Check required cells and lengths; return whether the row passed."""
    passed = True
    for column in columns:
        value = row.cells[column.header]
        if column.required and not value:
            errors.append(RowError(row.number, column.header, _l("This cell is required.")))
            passed = False
        elif column.max_length and len(value) > column.max_length:
            errors.append(RowError(row.number, column.header, _l(
                "At most %(num)d characters; this cell has %(length)d.", num=column.max_length, length=len(value),
            )))
            passed = False
    return passed


def _refuse(errors: list[RowError]) -> None:
    order = {column.header: index for index, column in enumerate(ROSTER_COLUMNS + TEAM_COLUMNS + CHECKLIST_COLUMNS)}
    errors.sort(key=lambda error: (error.row, order.get(error.column, 99)))
    raise ImportRefused(
        _l("Nothing was imported. Correct the rows listed below and upload the whole file again."), errors
    )


# The enterprise roster


def _credit_code_problem(code: str):
    """Say what is wrong with a credit code per GB 32100-2015, or None."""
    if len(code) != 18:
        return _l("A credit code has 18 characters; this one has %(length)d.", length=len(code))
    if any(char not in credit_code.CHARSET for char in code):
        return _l("A credit code holds only digits and capital letters other than I, O, S, V and Z.")
    if not credit_code.is_valid(code):
        return _l("The 18th character (the check character) does not match the first 17: a character is wrong.")
    return None


@dataclass
class _Lookups:
    counties: dict[str, County]
    sectors: dict[str, Sector]
    units: dict[str, Unit]
    existing: dict[str, Enterprise]
    members: dict[int, list[tuple[Team, User]]]  # by county: the members of its units' teams (包保)


def _in_chunks(session: Session, model, column, values: list[str]) -> list:
    """The rows of the model whose column holds one of the values."""
    found = []
    for start in range(0, len(values), 500):  # keep under old SQLite's limit of bound parameters
        found += session.scalars(select(model).where(column.in_(values[start:start + 500])))
    return found


def _lookups(session: Session, codes: list[str]) -> _Lookups:
    existing = {row.credit_code: row for row in _in_chunks(session, Enterprise, Enterprise.credit_code, codes)}
    members: dict[int, list[tuple[Team, User]]] = {}
    for team, member in county_members(session):
        members.setdefault(team.unit.county_id, []).append((team, member))
    return _Lookups(
        members=members,
        counties={name_key(county.name): county for county in session.scalars(select(County))},
        sectors={name_key(sector.name): sector for sector in session.scalars(select(Sector).order_by(Sector.id))},
        units={name_key(unit.name): unit for unit in session.scalars(select(Unit))},
        existing=existing,
    )


def _in_scope(user: User, county_id: int) -> bool:
    return access.is_city(user) or user.county_id == county_id


@dataclass
class _RosterEntry:
    cells: dict[str, str]
    code: str
    county: County
    sector: Sector
    unit: Unit | None
    enterprise: Enterprise | None  # None: a new one
    answerable: tuple[Team, User] | None = None  # 包保


def _check_roster_row(
    row: Row, user: User, lookups: _Lookups, seen: dict[str, int], errors: list[RowError],
) -> _RosterEntry | None:
    """Check one roster row; record its problems and return what to store, or None if it is wrong."""
    before = len(errors)
    _check_cells(row, ROSTER_COLUMNS, errors)
    cells = row.cells

    def problem(header: str, reason) -> None:
        errors.append(RowError(row.number, header, reason))

    code = credit_code.normalize(cells["统一社会信用代码"])
    enterprise = None
    if code:
        reason = _credit_code_problem(code)
        if reason is not None:
            problem("统一社会信用代码", reason)
        elif code in seen:
            problem("统一社会信用代码", _l("The same credit code as row %(row)d.", row=seen[code]))
        else:
            seen[code] = row.number
            enterprise = lookups.existing.get(code)
            if enterprise is not None and not _in_scope(user, enterprise.county_id):
                problem("统一社会信用代码", _l("This credit code belongs to an enterprise of another county."))
                enterprise = None

    county = lookups.counties.get(name_key(cells["县（区、市）"]))
    if cells["县（区、市）"]:
        if county is None:
            problem("县（区、市）", _l("There is no county called %(name)s.", name=cells["县（区、市）"]))
        elif not _in_scope(user, county.id):
            problem("县（区、市）", _l("You import enterprises of %(county)s only.", county=user.unit.county.name))
        elif enterprise is not None and enterprise.county_id != county.id:
            problem("县（区、市）", _l(
                "This enterprise is registered in %(county)s; an import does not move it to another county.",
                county=enterprise.county.name,
            ))

    sector = lookups.sectors.get(name_key(cells["行业领域"]))
    if cells["行业领域"] and sector is None:
        problem("行业领域", _l("There is no sector called %(name)s. The template's second sheet lists the sectors.",
                           name=cells["行业领域"]))

    phone = cells["联系电话"]
    if phone and not PHONE.fullmatch(phone):
        problem("联系电话", _l("A phone number has 7 to 20 digits or dashes."))

    unit = None
    if cells["监管单位"]:
        unit = lookups.units.get(name_key(cells["监管单位"]))
        if unit is None:
            problem("监管单位", _l("There is no unit called %(name)s.", name=cells["监管单位"]))
        elif county is not None and unit.county_id not in (None, county.id):
            problem("监管单位", _l("%(unit)s belongs to another county: choose a unit of %(county)s or of the city.",
                               unit=unit.name, county=county.name))

    _check_location(cells, problem)
    answerable = _answerable(cells, county, lookups, problem) if county is not None else None
    if len(errors) > before:
        return None
    return _RosterEntry(cells, code, county, sector, unit, enterprise, answerable)


def _check_location(cells: dict[str, str], problem) -> None:
    """The registered location: both cells or neither, each in decimal degrees within China (presence)."""
    longitude, latitude = cells["经度"], cells["纬度"]
    if bool(longitude) != bool(latitude):
        problem("纬度" if longitude else "经度", _l("Give the longitude and the latitude together, or neither."))
        return
    for header, text, is_longitude in (("经度", longitude, True), ("纬度", latitude, False)):
        reason = presence.coordinate_problem(text, is_longitude) if text else None
        if reason is not None:
            problem(header, reason)


def _answerable(cells: dict[str, str], county: County, lookups: _Lookups, problem) -> tuple[Team, User] | None:
    """The team and person of the cells 包保检查组 and 包保责任人: a member (by name or user name) of a team of a
    unit of the county; the team may be left out when the person is in one team only."""
    team_name, person = cells["包保检查组"], cells["包保责任人"]
    if not person:
        if team_name:
            problem("包保责任人", _l("Name the person answerable together with the team."))
        return None
    found = [
        (team, member) for team, member in lookups.members.get(county.id, [])
        if person in (member.name, member.username)
        and (not team_name or name_key(team_name) in (name_key(team.name), name_key(team.unit.name + team.name)))
    ]
    if not found:
        problem("包保责任人", _l("No member of a team of %(county)s is called %(name)s%(team)s.", county=county.name,
                               name=person, team=f"（{team_name}）" if team_name else ""))
    elif len({member.id for _team, member in found}) > 1:
        problem("包保责任人", _l("Several members are called %(name)s: give the user name instead.", name=person))
    elif len(found) > 1:
        problem("包保检查组", _l("%(name)s is in several teams: name the unit and the team, e.g. %(example)s.",
                              name=person, example=found[0][0].unit.name + found[0][0].name))
    else:
        return found[0]
    return None


def _store(session: Session, entry: _RosterEntry) -> bool:
    """Create or update the enterprise of a checked row; return whether it was created.

    An optional cell left blank keeps what an existing enterprise already has.
    """
    enterprise = entry.enterprise
    created = enterprise is None
    if created:
        enterprise = Enterprise(credit_code=entry.code, county=entry.county, qr_token=new_token())
        session.add(enterprise)
        entry.enterprise = enterprise
    cells = entry.cells
    enterprise.name, enterprise.sector = cells["企业名称"], entry.sector
    for header, attribute in (("地址", "address"), ("联系人", "contact_name"), ("联系电话", "contact_phone")):
        if cells[header] or created:
            setattr(enterprise, attribute, cells[header])
    if entry.unit is not None:
        enterprise.supervising_unit = entry.unit
    if cells["经度"]:  # blank: the registered location stays as it is
        enterprise.longitude, enterprise.latitude = float(cells["经度"]), float(cells["纬度"])
    return created


def import_roster(session: Session, user: User, data: bytes) -> RosterResult:
    """Create or update the enterprises of a roster workbook, all or nothing."""
    _require_importer(user)
    rows = read_rows(data, ROSTER_SHEET, ROSTER_COLUMNS)
    codes = sorted({credit_code.normalize(row.cells["统一社会信用代码"]) for row in rows} - {""})
    lookups = _lookups(session, codes)
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    entries = [_check_roster_row(row, user, lookups, seen, errors) for row in rows]
    if errors:
        _refuse(errors)
    answerable: dict[tuple[Team, User], list[_RosterEntry]] = {}
    for entry in entries:
        if entry.answerable is not None:
            answerable.setdefault(entry.answerable, []).append(entry)
    campaign = _campaign_for(session, answerable)
    created = 0
    try:
        with session.begin_nested():
            for entry in entries:
                created += _store(session, entry)
            session.flush()
            for (team, person), assigned in answerable.items():
                assign(session, user, campaign, [entry.enterprise for entry in assigned], team, person)
    except IntegrityError as error:  # another request added one of these codes at the same moment
        raise ImportRefused(_l("Someone saved the same data at the same moment. Upload the file again.")) from error
    except AssignmentError as error:
        raise ImportRefused(error.message) from error
    return RosterResult(created=created, updated=len(entries) - created, assigned=sum(map(len, answerable.values())))


def _campaign_for(session: Session, answerable: dict) -> Campaign | None:
    """The campaign the roster's 包保 is for: the running one."""
    if not answerable:
        return None
    try:
        return active_campaign(session)
    except InspectionError as error:
        raise ImportRefused(error.message) from error


# The units' teams and their members (检查督导组人员), with their enforcement card numbers


@dataclass(frozen=True)
class NewAccount:
    """A member the import opened an account for, with the one-time activation code to hand over."""

    member: User
    code: str
    team: Team


@dataclass(frozen=True)
class TeamImportResult:
    teams: int  # registered
    members: int  # added to a team
    card_numbers: int  # recorded or changed
    accounts: list[NewAccount]


@dataclass
class _MemberEntry:
    unit: Unit
    team: Team | None  # None: a team to register
    team_name: str
    name: str
    phone: str
    card_number: str  # "": keep what is recorded


@dataclass
class _TeamLookups:
    units: dict[str, Unit]
    people: dict[str, User]  # by user name (a member's phone)
    holders: dict[str, User]  # by lower-cased card number: who it is recorded for
    phones: dict[str, tuple[int, int]] = field(default_factory=dict)  # phone → its first row and unit id
    numbers: dict[str, tuple[int, str]] = field(default_factory=dict)  # phone → first row with a number, the number
    holders_in_file: dict[str, tuple[int, str]] = field(default_factory=dict)  # lower number → first row, phone


def _team_lookups(session: Session, rows: list[Row]) -> _TeamLookups:
    phones = sorted({row.cells["手机号"] for row in rows} - {""})
    numbers = sorted({team_rules.normalize_card_number(row.cells["执法证号"]).lower() for row in rows} - {""})
    return _TeamLookups(
        units={name_key(unit.name): unit for unit in session.scalars(select(Unit))},
        people={person.username: person for person in _in_chunks(session, User, User.username, phones)},
        holders={person.card_number.lower(): person
                 for person in _in_chunks(session, User, func.lower(User.card_number), numbers)},
    )


def _check_member_row(row: Row, user: User, lookups: _TeamLookups, errors: list[RowError]) -> _MemberEntry | None:
    """Check one row of the team list; record its problems and return what to store, or None if it is wrong."""
    before = len(errors)
    _check_cells(row, TEAM_COLUMNS, errors)
    cells = row.cells

    def problem(header: str, reason) -> None:
        errors.append(RowError(row.number, header, reason))

    unit = lookups.units.get(name_key(cells["单位"])) if cells["单位"] else None
    if cells["单位"]:
        if unit is None:
            problem("单位", _l("There is no unit called %(name)s.", name=cells["单位"]))
        elif not access.can_manage_unit(user, unit):
            problem("单位", _l("You import the teams of the units of %(county)s only.", county=user.unit.county.name))
            unit = None

    phone = cells["手机号"]
    person = lookups.people.get(phone) if phone else None
    if phone and not team_rules.PHONE.match(phone):
        problem("手机号", _l("A phone number has 7 to 20 digits or dashes."))
        phone = ""
    elif phone and unit is not None:
        first = lookups.phones.setdefault(phone, (row.number, unit.id))
        if person is not None and (person.unit_id != unit.id or person.role is Role.ENTERPRISE):
            problem("手机号", _l("That phone number belongs to a person of another unit."))
        elif first[1] != unit.id:
            problem("手机号", _l("The same phone as row %(row)d, in another unit.", row=first[0]))

    number = team_rules.normalize_card_number(cells["执法证号"])
    if number:
        reason = team_rules.card_number_problem(number)
        holder = lookups.holders.get(number.lower())
        in_file = lookups.holders_in_file.setdefault(number.lower(), (row.number, phone))
        own = lookups.numbers.setdefault(phone, (row.number, number)) if phone else (row.number, number)
        if reason is not None:
            problem("执法证号", reason)
        elif holder is not None and (person is None or holder.id != person.id):
            problem("执法证号", _l("This enforcement card number is already recorded for another officer."))
        elif in_file[1] != phone:
            problem("执法证号", _l("The same enforcement card number as row %(row)d, for another person.",
                                row=in_file[0]))
        elif own[1] != number:
            problem("执法证号", _l("Row %(row)d gives the same person another enforcement card number.", row=own[0]))

    if len(errors) > before:
        return None
    team = next((team for team in unit.teams if name_key(team.name) == name_key(cells["检查组"])), None)
    return _MemberEntry(unit, team, cells["检查组"], cells["姓名"], phone, number)


def import_team_members(session: Session, user: User, data: bytes) -> TeamImportResult:
    """Register the teams and add the members of a team list, recording their card numbers; all or nothing."""
    _require_importer(user)
    rows = read_rows(data, TEAM_SHEET, TEAM_COLUMNS)
    lookups = _team_lookups(session, rows)
    errors: list[RowError] = []
    entries = [_check_member_row(row, user, lookups, errors) for row in rows]
    if errors:
        _refuse(errors)
    registered: dict[tuple[int, str], Team] = {}
    accounts: list[NewAccount] = []
    added, numbered = 0, set()
    try:
        with session.begin_nested():
            for entry in entries:
                key = (entry.unit.id, name_key(entry.team_name))
                team = entry.team or registered.get(key)
                if team is None:
                    team = registered[key] = team_rules.register_team(session, user, entry.unit, entry.team_name)
                member = lookups.people.get(entry.phone)
                if member is None or member not in team.members:
                    member, code = team_rules.add_member(session, user, team, name=entry.name, phone=entry.phone)
                    lookups.people[entry.phone] = member  # a person on two teams of the file is one account
                    added += 1
                    if code is not None:
                        accounts.append(NewAccount(member, code, team))
                if entry.card_number and member.card_number != entry.card_number:
                    team_rules.set_card_number(session, user, member, entry.card_number)
                    numbered.add(member.id)
    except IntegrityError as error:  # another request added one of these people at the same moment
        raise ImportRefused(_l("Someone saved the same data at the same moment. Upload the file again.")) from error
    except team_rules.TeamError as error:
        raise ImportRefused(error.message) from error
    return TeamImportResult(teams=len(registered), members=added, card_numbers=len(numbered), accounts=accounts)


# A department's own checklist table


def _checklist_items(rows: list[Row], catalogue: Catalogue) -> list[ItemDefinition]:
    """Check the rows of a checklist table and return its items, or refuse with every problem."""
    common = {item.code.casefold() for item in catalogue.common}
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    items = []
    for row in rows:
        passed = _check_cells(row, CHECKLIST_COLUMNS, errors)
        code = row.cells["编号"]
        if code and code.casefold() in common:
            errors.append(RowError(row.number, "编号", _l(
                "The code %(code)s belongs to a common item; choose another.", code=code,
            )))
            passed = False
        elif code and code.casefold() in seen:
            errors.append(RowError(row.number, "编号", _l(
                "The same code as row %(row)d.", row=seen[code.casefold()],
            )))
            passed = False
        elif code:
            seen[code.casefold()] = row.number
        if passed:
            items.append(ItemDefinition(code=code, text=row.cells["检查内容"], basis=row.cells["依据"],
                                        guidance=row.cells["检查方法"]))
    if errors:
        _refuse(errors)
    return items


def import_checklist(session: Session, user: User, catalogue: Catalogue, sector: Sector, data: bytes) -> Checklist:
    """Make a department's table the sector's new checklist version: the common items, then the table's."""
    _require_importer(user)
    if sector.code not in catalogue.sectors:
        raise ImportRefused(_l("This sector has no checklist file, so it takes no table either."))
    items = _checklist_items(read_rows(data, CHECKLIST_SHEET, CHECKLIST_COLUMNS), catalogue)
    # The file's version must exist first: current_checklist makes one whenever none does, and that would
    # then be newer than the import.
    current_checklist(session, catalogue, sector)
    latest = session.scalar(select(func.max(Checklist.version)).where(Checklist.sector_id == sector.id)) or 0
    common = catalogue.enterprise_common
    checklist = new_version(
        sector, latest + 1, items_hash(common + tuple(items)), common, tuple(items),
        source="import", imported_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(checklist)
            session.flush()
    except IntegrityError as error:  # another version of this sector was saved at the same moment
        raise ImportRefused(_l("Someone saved the same data at the same moment. Upload the file again.")) from error
    return checklist
