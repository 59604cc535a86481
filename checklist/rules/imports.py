"""Imports from Excel: the enterprise roster and a department's own checklist table (列表格).

A file is read whole and every row checked before anything is written: if one row is wrong, the rule raises
ImportRefused with every problem as (row as Excel numbers it, column header, reason) and nothing is stored.
The column headers are the official form's Chinese words and stay literal; every message is translated.
"""

import hashlib
import json
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from io import BytesIO
from itertools import chain

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from checklist import access, credit_code
from checklist.models import Checklist, ChecklistItem, County, Enterprise, Role, Sector, Unit, User, new_token
from checklist.refusal import Refused
from checklist.rules.definitions import MAX_TEXT, Catalogue, ItemDefinition, current_checklist, new_version
from checklist.sheets.exports import workbook_bytes

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNPACKED = 100 * 1024 * 1024  # a 5 MB zip may unpack to gigabytes; real rosters stay far below this
MAX_COLUMNS = 50  # columns read per row; the template has eight
HEADER_ROWS = 10  # the header row may sit below a title, within the first rows
PHONE = re.compile(r"[0-9][0-9-]{5,18}[0-9]")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ROSTER_SHEET = "企业名录"
CHECKLIST_SHEET = "检查表"
GUIDE_SHEET = "填写说明"


def _length(column) -> int:
    """The size of a model's String column, so that the checks follow the schema."""
    return column.property.columns[0].type.length


@dataclass(frozen=True)
class Column:
    header: str  # the official form's Chinese header, data not interface
    key: str
    required: bool
    max_length: int | None = None


ROSTER_COLUMNS = (
    Column("企业名称", "name", True, _length(Enterprise.name)),
    Column("统一社会信用代码", "credit_code", True),
    Column("县（区、市）", "county", True),
    Column("行业领域", "sector", True),
    Column("地址", "address", False, _length(Enterprise.address)),
    Column("联系人", "contact_name", False, _length(Enterprise.contact_name)),
    Column("联系电话", "contact_phone", False),
    Column("监管单位", "unit", False),
)
CHECKLIST_COLUMNS = (
    Column("编号", "code", True, _length(ChecklistItem.code)),
    Column("检查内容", "text", True, MAX_TEXT),
    Column("依据", "basis", False, MAX_TEXT),
    Column("检查方法", "guidance", False, MAX_TEXT),
)


@dataclass(frozen=True)
class RowError:
    """One problem of a file: its row as Excel numbers it, the column's header and the reason."""

    row: int
    column: str
    reason: str


class ImportRefused(Refused):
    """A refused import; `errors` lists every bad cell, empty when the whole file is refused."""

    def __init__(self, message, errors: Iterable[RowError] = ()):
        super().__init__(message)
        self.errors = list(errors)

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


@dataclass(frozen=True)
class Row:
    number: int  # as Excel shows it
    cells: dict[str, str]  # header → text


@dataclass(frozen=True)
class RosterResult:
    created: int
    updated: int


def can_import(user: User) -> bool:
    """County supervisors (of a county) and the city's supervisors import rosters and checklist tables."""
    return access.is_city(user) or (user.role is Role.COUNTY_ADMIN and user.county_id is not None)


def _require_importer(user: User) -> None:
    if not can_import(user):
        raise ImportRefused(_l("Only county and city supervisors import files."))


# Reading a workbook


def _key(text: str) -> str:
    """Compare names as people type them: no spaces, either kind of brackets, no required-marks."""
    text = re.sub(r"[\s\u3000*＊]", "", text)
    return text.replace("(", "（").replace(")", "）")


def _text(value) -> str:
    """A cell's value as the text a person sees; whole numbers lose Excel's '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _open(data: bytes):
    """Open the bytes as an xlsx workbook, refusing what is not one."""
    if not data:
        raise ImportRefused(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImportRefused(_l("The file is larger than %(num)d MB.", num=MAX_BYTES // (1024 * 1024)))
    if not data.startswith(b"PK\x03\x04"):  # an xlsx is a zip; a CSV, an old .xls or a PDF is not
        raise ImportRefused(_l(
            "This is not an Excel workbook (.xlsx). Save it as an .xlsx file in Excel or WPS and upload it again."
        ))
    damaged = ImportRefused(_l("The file is damaged and cannot be read as an Excel workbook."))
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise damaged from error
    if unpacked > MAX_UNPACKED:
        raise ImportRefused(_l("The workbook unpacks to more than %(num)d MB and cannot be read.",
                               num=MAX_UNPACKED // (1024 * 1024)))
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl fails in many ways on a damaged file; all mean the same here
        raise damaged from error


def _find_header(rows: list[tuple[int, tuple]], columns: tuple[Column, ...], sheet: str) -> tuple[int, dict[str, int]]:
    """Return the header row's number and each column's position, or refuse naming the missing headers."""
    best: tuple[int, dict[str, int]] = (0, {})
    for number, values in rows:
        positions: dict[str, int] = {}
        for index, value in enumerate(values):
            for column in columns:
                if column.header not in positions and _key(_text(value)) == _key(column.header):
                    positions[column.header] = index
        if len(positions) == len(columns):
            return number, positions
        if len(positions) > len(best[1]):
            best = (number, positions)
    missing = [column.header for column in columns if column.header not in best[1]]
    raise ImportRefused(_l("The sheet %(sheet)s lacks the columns %(columns)s. Keep the header row of the template.",
                           sheet=sheet, columns="、".join(missing)))


def read_rows(data: bytes, sheet_name: str, columns: tuple[Column, ...]) -> list[Row]:
    """Read the data rows below the header row; blank rows are skipped, their numbers kept."""
    # openpyxl warns about what it drops (extensions, styles, WPS's additions); none of it matters for reading.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = _open(data)
        try:
            return _read_sheet(workbook, sheet_name, columns)
        except ImportRefused:
            raise
        except Exception as error:  # the sheet's XML is parsed only now, while iterating
            raise ImportRefused(_l("The file is damaged and cannot be read as an Excel workbook.")) from error
        finally:
            workbook.close()


def _read_sheet(workbook, sheet_name: str, columns: tuple[Column, ...]) -> list[Row]:
    if sheet_name in workbook.sheetnames:
        sheet = workbook[sheet_name]
    elif workbook.worksheets:
        sheet = workbook.worksheets[0]
    else:
        raise ImportRefused(_l("The workbook has no worksheet."))
    sheet.reset_dimensions()  # some programs write a wrong size; read what is there
    lines = enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)
    head = []
    for number, values in lines:
        head.append((number, values))
        if number == HEADER_ROWS:
            break
    if not any(_text(value) for _, values in head for value in values):
        raise ImportRefused(_l("The sheet is empty: the first row holds the column headers."))
    header, positions = _find_header(head, columns, sheet.title)
    rows = []
    below = ((number, values) for number, values in head if number > header)
    for number, values in chain(below, lines):
        cells = {title: _text(values[index]) for title, index in positions.items()}
        if not any(cells.values()):
            continue
        if len(rows) == MAX_ROWS:
            raise ImportRefused(_l("The sheet has more than %(num)d rows. Import at most %(num)d rows at a time.",
                                   num=MAX_ROWS))
        rows.append(Row(number, cells))
    if not rows:
        raise ImportRefused(_l("The sheet has no rows below its header."))
    return rows


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
    order = {column.header: index for index, column in enumerate(ROSTER_COLUMNS + CHECKLIST_COLUMNS)}
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


def _lookups(session: Session, codes: list[str]) -> _Lookups:
    existing = {}
    for start in range(0, len(codes), 500):  # keep under old SQLite's limit of bound parameters
        chunk = codes[start:start + 500]
        existing.update((row.credit_code, row) for row in session.scalars(
            select(Enterprise).where(Enterprise.credit_code.in_(chunk))
        ))
    return _Lookups(
        counties={_key(county.name): county for county in session.scalars(select(County))},
        sectors={_key(sector.name): sector for sector in session.scalars(select(Sector).order_by(Sector.id))},
        units={_key(unit.name): unit for unit in session.scalars(select(Unit))},
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

    county = lookups.counties.get(_key(cells["县（区、市）"]))
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

    sector = lookups.sectors.get(_key(cells["行业领域"]))
    if cells["行业领域"] and sector is None:
        problem("行业领域", _l("There is no sector called %(name)s. The template's second sheet lists the sectors.",
                           name=cells["行业领域"]))

    phone = cells["联系电话"]
    if phone and not PHONE.fullmatch(phone):
        problem("联系电话", _l("A phone number has 7 to 20 digits or dashes."))

    unit = None
    if cells["监管单位"]:
        unit = lookups.units.get(_key(cells["监管单位"]))
        if unit is None:
            problem("监管单位", _l("There is no unit called %(name)s.", name=cells["监管单位"]))
        elif county is not None and unit.county_id not in (None, county.id):
            problem("监管单位", _l("%(unit)s belongs to another county: choose a unit of %(county)s or of the city.",
                               unit=unit.name, county=county.name))

    if len(errors) > before:
        return None
    return _RosterEntry(cells, code, county, sector, unit, enterprise)


def _store(session: Session, entry: _RosterEntry) -> bool:
    """Create or update the enterprise of a checked row; return whether it was created.

    An optional cell left blank keeps what an existing enterprise already has.
    """
    enterprise = entry.enterprise
    created = enterprise is None
    if created:
        enterprise = Enterprise(credit_code=entry.code, county=entry.county, qr_token=new_token())
        session.add(enterprise)
    cells = entry.cells
    enterprise.name, enterprise.sector = cells["企业名称"], entry.sector
    for header, attribute in (("地址", "address"), ("联系人", "contact_name"), ("联系电话", "contact_phone")):
        if cells[header] or created:
            setattr(enterprise, attribute, cells[header])
    if entry.unit is not None:
        enterprise.supervising_unit = entry.unit
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
    created = 0
    try:
        with session.begin_nested():
            for entry in entries:
                created += _store(session, entry)
            session.flush()
    except IntegrityError as error:  # another request added one of these codes at the same moment
        raise ImportRefused(_l("Someone saved the same data at the same moment. Upload the file again.")) from error
    return RosterResult(created=created, updated=len(entries) - created)


# A department's own checklist table


def _items_hash(items: Iterable[ItemDefinition]) -> str:
    """Hash the items as Catalogue.content_hash does."""
    payload = [asdict(item) for item in items]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


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
    checklist = new_version(
        sector, latest + 1, _items_hash(catalogue.common + tuple(items)), catalogue.common, tuple(items),
        source="import", imported_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(checklist)
            session.flush()
    except IntegrityError as error:  # another version of this sector was saved at the same moment
        raise ImportRefused(_l("Someone saved the same data at the same moment. Upload the file again.")) from error
    return checklist


# The template workbooks


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F3")
WRAP = Alignment(wrap_text=True, vertical="top")


def _put(sheet, row: int, column: int, value, bold: bool = False):
    """Write a cell; text stays text, never a formula (formula injection)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    cell.alignment = WRAP
    if bold:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    return cell


def _data_sheet(workbook: Workbook, title: str, columns: tuple[Column, ...], widths: list[int], text_columns):
    sheet = workbook.active
    sheet.title = title
    for index, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        _put(sheet, 1, index, column.header, bold=True)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        if column.key in text_columns:  # codes and phone numbers stay text, without losing digits
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    return sheet


def _guide(workbook: Workbook, rows: list[tuple[str, str, str]], notes: list[str]):
    """The sheet 填写说明: one row per column (header, required, what to enter), then general notes."""
    sheet = workbook.create_sheet(GUIDE_SHEET)
    for index, header in enumerate((_("Column"), _("Required"), _("What to enter")), start=1):
        _put(sheet, 1, index, header, bold=True)
    for number, values in enumerate(rows, start=2):
        for index, value in enumerate(values, start=1):
            _put(sheet, number, index, value)
    line = len(rows) + 3
    _put(sheet, line, 1, _("Notes"), bold=True)
    for offset, note in enumerate(notes, start=1):
        _put(sheet, line + offset, 1, note)
        sheet.merge_cells(start_row=line + offset, start_column=1, end_row=line + offset, end_column=3)
    for letter, width in zip("ABC", (18, 10, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    return sheet


def _value_list(sheet, column: int, title: str, values: list[str]) -> str:
    """Write a list of allowed values in a column of the guide; return its range for a validation."""
    _put(sheet, 1, column, title, bold=True)
    for number, value in enumerate(values, start=2):
        _put(sheet, number, column, value)
    sheet.column_dimensions[get_column_letter(column)].width = 24
    letter = get_column_letter(column)
    return f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${max(len(values), 1) + 1}"


def _list_validation(sheet, column: int, source: str, title: str, message: str, allow_blank: bool) -> None:
    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1=source, allow_blank=allow_blank, showErrorMessage=True,
                                errorTitle=title, error=message)
    validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(validation)




def roster_template(session: Session, user: User) -> bytes:
    """The roster workbook to fill in: the sheet 企业名录 and the sheet 填写说明 with the allowed values."""
    counties = list(session.scalars(select(County).order_by(County.code)))
    units_query = select(Unit).order_by(Unit.county_id.is_not(None), Unit.county_id, Unit.name)
    if not access.is_city(user):
        counties = [county for county in counties if county.id == user.county_id]
        units_query = units_query.where(or_(Unit.county_id.is_(None), Unit.county_id == user.county_id))
    sectors = list(session.scalars(select(Sector).order_by(Sector.id)))
    units = list(session.scalars(units_query))

    workbook = Workbook()
    sheet = _data_sheet(workbook, ROSTER_SHEET, ROSTER_COLUMNS, [30, 22, 12, 14, 36, 10, 16, 22],
                        {"credit_code", "contact_phone"})
    yes, no = _("Yes"), _("No")
    guide = _guide(workbook, [
        ("企业名称", yes, _("The enterprise's registered name, at most %(num)d characters.",
                          num=_length(Enterprise.name))),
        ("统一社会信用代码", yes, _(
            "18 characters per GB 32100-2015: digits and capital letters other than I, O, S, V and Z; the 18th "
            "is the check character. Each code once in the file. A code already registered updates that "
            "enterprise instead of adding it again."
        )),
        ("县（区、市）", yes, _("One of the names in the column Counties on the right.")),
        ("行业领域", yes, _("One of the names in the column Sectors on the right.")),
        ("地址", no, _("At most %(num)d characters.", num=_length(Enterprise.address))),
        ("联系人", no, _("At most %(num)d characters.", num=_length(Enterprise.contact_name))),
        ("联系电话", no, _("7 to 20 digits or dashes, for example 0354-3012345 or 13812345678.")),
        ("监管单位", no, _("One of the names in the column Supervising units on the right, of the enterprise's "
                         "county or of the city.")),
    ], [
        _("One enterprise a row, below the header row. Keep the header row as it is."),
        _("At most %(num)d rows and %(size)d MB a file.", num=MAX_ROWS, size=MAX_BYTES // (1024 * 1024)),
        _("If any row is wrong, nothing of the file is imported: the page lists each problem with its row and "
          "column. Correct them and upload the whole file again."),
        _("For an enterprise already registered, a blank optional cell keeps what is registered."),
    ])
    county_source = _value_list(guide, 5, _("Counties"), [county.name for county in counties])
    sector_source = _value_list(guide, 6, _("Sectors"), [sector.name for sector in sectors])
    unit_source = _value_list(guide, 7, _("Supervising units"), [unit.name for unit in units])
    title = _("Not in the list")
    _list_validation(sheet, 3, county_source, title, _("Choose a county from the list."), allow_blank=False)
    _list_validation(sheet, 4, sector_source, title, _("Choose a sector from the list."), allow_blank=False)
    _list_validation(sheet, 8, unit_source, title, _("Choose a unit from the list, or leave it blank."),
                     allow_blank=True)
    return workbook_bytes(workbook)


def checklist_template(catalogue: Catalogue) -> bytes:
    """The checklist table to fill in (列表格): the sheet 检查表 and the sheet 填写说明."""
    workbook = Workbook()
    _data_sheet(workbook, CHECKLIST_SHEET, CHECKLIST_COLUMNS, [12, 60, 40, 40], {"code"})
    yes, no = _("Yes"), _("No")
    guide = _guide(workbook, [
        ("编号", yes, _("A short code for the item, at most %(num)d characters, each code once; not one of the "
                      "common items' codes on the right.", num=_length(ChecklistItem.code))),
        ("检查内容", yes, _("What the inspector checks, at most %(num)d characters.", num=MAX_TEXT)),
        ("依据", no, _("The law, standard or document the item comes from, at most %(num)d characters.",
                     num=MAX_TEXT)),
        ("检查方法", no, _("How to check it on site, at most %(num)d characters.", num=MAX_TEXT)),
    ], [
        _("One item a row, below the header row. Keep the header row as it is."),
        _("The table becomes a new version of the chosen sector's checklist: the %(num)d common items first, "
          "then the rows of the table. Inspections started afterwards use it.", num=len(catalogue.common)),
        _("If any row is wrong, nothing of the file is imported: the page lists each problem with its row and "
          "column. Correct them and upload the whole file again."),
    ])
    _value_list(guide, 5, _("Codes of the common items"), [item.code for item in catalogue.common])
    return workbook_bytes(workbook)
