"""Workbooks of the imports: reading an uploaded roster, team list or checklist table, and the templates to fill
in.

A file is read whole before anything is checked; what is not an xlsx, is damaged, too large or unpacks to too
much is refused with ImportRefused. The column headers are the official form's Chinese words and stay literal.
"""

import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from itertools import chain

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from checklist.models import ITEM_TEXT_MAX, ChecklistItem, Enterprise, Team, Unit, User
from checklist.read.enterprises import RosterChoices
from checklist.refusal import Refused
from checklist.sheets.exports import workbook_bytes

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNPACKED = 100 * 1024 * 1024  # a 5 MB zip may unpack to gigabytes; real rosters stay far below this
MAX_COLUMNS = 50  # columns read per row; the template has eight
HEADER_ROWS = 10  # the header row may sit below a title, within the first rows
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ROSTER_SHEET = "企业名录"
TEAM_SHEET = "检查督导组人员"
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
    added: bool = False  # a later column: a file of the older template, without it, reads as if it were blank


ROSTER_COLUMNS = (
    Column("企业名称", "name", True, _length(Enterprise.name)),
    Column("统一社会信用代码", "credit_code", True),
    Column("县（区、市）", "county", True),
    Column("行业领域", "sector", True),
    Column("地址", "address", False, _length(Enterprise.address)),
    Column("联系人", "contact_name", False, _length(Enterprise.contact_name)),
    Column("联系电话", "contact_phone", False),
    Column("监管单位", "unit", False),
    Column("包保检查组", "team", False, added=True),
    Column("包保责任人", "person", False, added=True),
    Column("经度", "longitude", False, added=True),  # the registered location, WGS-84 decimal degrees
    Column("纬度", "latitude", False, added=True),
)
TEAM_COLUMNS = (
    Column("单位", "unit", True, _length(Unit.name)),
    Column("检查组", "team", True, _length(Team.name)),
    Column("姓名", "name", True, _length(User.name)),
    Column("手机号", "phone", True),  # its form is checked by the rule
    Column("执法证号", "card_number", False),  # likewise
)
CHECKLIST_COLUMNS = (
    Column("编号", "code", True, _length(ChecklistItem.code)),
    Column("检查内容", "text", True, ITEM_TEXT_MAX),
    Column("依据", "basis", False, ITEM_TEXT_MAX),
    Column("检查方法", "guidance", False, ITEM_TEXT_MAX),
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


# Reading a workbook


def name_key(text: str) -> str:
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
                if column.header not in positions and name_key(_text(value)) == name_key(column.header):
                    positions[column.header] = index
        if all(column.header in positions for column in columns if not column.added):
            return number, positions
        if len(positions) > len(best[1]):
            best = (number, positions)
    missing = [column.header for column in columns if column.header not in best[1] and not column.added]
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
        cells = {column.header: _text(values[positions[column.header]]) if column.header in positions else ""
                 for column in columns}
        if not any(cells.values()):
            continue
        if len(rows) == MAX_ROWS:
            raise ImportRefused(_l("The sheet has more than %(num)d rows. Import at most %(num)d rows at a time.",
                                   num=MAX_ROWS))
        rows.append(Row(number, cells))
    if not rows:
        raise ImportRefused(_l("The sheet has no rows below its header."))
    return rows


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




def roster_template(choices: RosterChoices) -> bytes:
    """The roster workbook to fill in: the sheet 企业名录 and the sheet 填写说明 with the allowed values."""
    workbook = Workbook()
    sheet = _data_sheet(workbook, ROSTER_SHEET, ROSTER_COLUMNS, [30, 22, 12, 14, 36, 10, 16, 22, 22, 12, 12, 12],
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
        ("包保检查组", no, _("The team answerable for the enterprise's county inspection in the running campaign "
                          "(包保): its name, or its unit's name and its name, e.g. 榆次区住建局第一检查督导组. "
                          "It may be left blank when the person is in one team only.")),
        ("包保责任人", no, _("The person answerable: the name or the user name of a member of that team, of a unit "
                          "of the enterprise's county.")),
        ("经度", no, _("The registered location's longitude in decimal degrees east, WGS-84 (as a phone's GPS or "
                     "the browser gives it, not the GCJ-02 of some map apps), e.g. 112.75321. Together with the "
                     "latitude; the inspectors' positions are held against it.")),
        ("纬度", no, _("The registered location's latitude in decimal degrees north, WGS-84, e.g. 37.68712. "
                     "Together with the longitude.")),
    ], [
        _("One enterprise a row, below the header row. Keep the header row as it is."),
        _("At most %(num)d rows and %(size)d MB a file.", num=MAX_ROWS, size=MAX_BYTES // (1024 * 1024)),
        _("If any row is wrong, nothing of the file is imported: the page lists each problem with its row and "
          "column. Correct them and upload the whole file again."),
        _("For an enterprise already registered, a blank optional cell keeps what is registered."),
    ])
    county_source = _value_list(guide, 5, _("Counties"), [county.name for county in choices.counties])
    sector_source = _value_list(guide, 6, _("Sectors"), [sector.name for sector in choices.sectors])
    unit_source = _value_list(guide, 7, _("Supervising units"), [unit.name for unit in choices.units])
    title = _("Not in the list")
    _list_validation(sheet, 3, county_source, title, _("Choose a county from the list."), allow_blank=False)
    _list_validation(sheet, 4, sector_source, title, _("Choose a sector from the list."), allow_blank=False)
    _list_validation(sheet, 8, unit_source, title, _("Choose a unit from the list, or leave it blank."),
                     allow_blank=True)
    return workbook_bytes(workbook)


def team_members_template(unit_names: list[str]) -> bytes:
    """The team list to fill in: the sheet 检查督导组人员 (one member of one team a row) and the sheet 填写说明
    with the units the importer may name."""
    workbook = Workbook()
    sheet = _data_sheet(workbook, TEAM_SHEET, TEAM_COLUMNS, [26, 22, 10, 16, 20], {"phone", "card_number"})
    yes, no = _("Yes"), _("No")
    guide = _guide(workbook, [
        ("单位", yes, _("One of the names in the column Units on the right: the units whose teams you manage.")),
        ("检查组", yes, _("The team's name, e.g. 第一检查督导组. A team the unit does not have yet is registered, at "
                        "most %(num)d characters.", num=_length(Team.name))),
        ("姓名", yes, _("The member's name, at most %(num)d characters. A person already registered keeps the "
                      "name registered.", num=_length(User.name))),
        ("手机号", yes, _("The member's mobile phone, 7 to 20 digits or dashes: it is the user name. A new phone "
                        "number opens an inspector account of the unit; its activation code is shown once after "
                        "the import.")),
        ("执法证号", no, _("The enforcement card number, as printed on the card: 4 to %(num)d letters, digits, Chinese "
                        "characters, \"-\" or brackets; each number for one person only. A blank cell keeps the "
                        "number already recorded.", num=_length(User.card_number))),
    ], [
        _("One member of one team a row, below the header row. Keep the header row as it is. A person in two "
          "teams takes two rows."),
        _("At most %(num)d rows and %(size)d MB a file.", num=MAX_ROWS, size=MAX_BYTES // (1024 * 1024)),
        _("If any row is wrong, nothing of the file is imported: the page lists each problem with its row and "
          "column. Correct them and upload the whole file again."),
        _("A member already in the team stays; uploading the same file again adds nobody twice."),
    ])
    unit_source = _value_list(guide, 5, _("Units"), unit_names)
    _list_validation(sheet, 1, unit_source, _("Not in the list"), _("Choose a unit from the list."),
                     allow_blank=False)
    return workbook_bytes(workbook)


def checklist_template(common_codes: list[str]) -> bytes:
    """The checklist table to fill in (列表格): the sheet 检查表 and the sheet 填写说明."""
    workbook = Workbook()
    _data_sheet(workbook, CHECKLIST_SHEET, CHECKLIST_COLUMNS, [12, 60, 40, 40], {"code"})
    yes, no = _("Yes"), _("No")
    guide = _guide(workbook, [
        ("编号", yes, _("A short code for the item, at most %(num)d characters, each code once; not one of the "
                      "common items' codes on the right.", num=_length(ChecklistItem.code))),
        ("检查内容", yes, _("What the inspector checks, at most %(num)d characters.", num=ITEM_TEXT_MAX)),
        ("依据", no, _("The law, standard or document the item comes from, at most %(num)d characters.",
                     num=ITEM_TEXT_MAX)),
        ("检查方法", no, _("How to check it on site, at most %(num)d characters.", num=ITEM_TEXT_MAX)),
    ], [
        _("One item a row, below the header row. Keep the header row as it is."),
        _("The table becomes a new version of the chosen sector's checklist: the %(num)d common items first, "
          "then the rows of the table. Inspections started afterwards use it.", num=len(common_codes)),
        _("If any row is wrong, nothing of the file is imported: the page lists each problem with its row and "
          "column. Correct them and upload the whole file again."),
    ])
    _value_list(guide, 5, _("Codes of the common items"), common_codes)
    return workbook_bytes(workbook)
