"""Spreadsheets built from what the rules and queries return; the routes only send them.

The lists (重大问题隐患清单, a unit's 问题清单, the coverage and its enterprises, a 双随机 plan, the team register)
are written by XlsxWriter in its constant-memory mode: each row is written out as it comes from its query, so a
list of any length takes the same memory. openpyxl's write-only mode does that too, but it makes and checks an
object for every styled cell and took twice as long (the city's 17,612 major hazards × 14 columns: 6.2-8.7 s
of CPU against 3.5-3.7 s). The statistics table, a small form of merged cells, is built in an openpyxl workbook.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import xlsxwriter
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from checklist.clock import local_today, to_local
from checklist.models import HazardLevel, HazardStatus, SpotCheckPlan, Unit, overdue
from checklist.read import coverage

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def landscape_a4(sheet, pages_tall: int = 0) -> None:
    """Print on A4 landscape, one page wide (and pages_tall pages tall; 0: as many as needed)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = pages_tall
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def workbook_bytes(workbook: Workbook) -> bytes:
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


# What makes a spreadsheet read typed text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")


def append_row(sheet, values) -> None:
    """Append a row to an openpyxl worksheet, its text always stored as text, never as a formula (formula
    injection); text that would turn into a formula if typed in (= + - @) is also marked as quoted text, the way
    Excel marks text typed after an apostrophe: editing the cell later keeps it text."""
    cells = []
    for value in values:
        cell = Cell(sheet, value=value)
        if cell.data_type == "f":
            cell.data_type = "s"
        if cell.data_type == "s" and isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        cells.append(cell)
    sheet.append(cells)


# The lists, written as their rows come.

TEXT, DATE = "text", "date"  # the formats of a list's cells: bordered and wrapped, text (or a number) or a day
CELL = {"border": 1, "text_wrap": True, "valign": "top"}
FORMATS = {
    TEXT: CELL,
    DATE: {**CELL, "num_format": "yyyy-mm-dd"},
    "quoted": {**CELL, "quote_prefix": True},  # text that would read as a formula (append_row)
    "header": {**CELL, "bold": True},
    "title": {"bold": True, "font_size": 14, "align": "center"},
}
PIXELS_A_CHARACTER = 7  # of Calibri 11: a column as wide as openpyxl's width in characters


@dataclass(frozen=True)
class Column:
    """A column of a list: its header, its width (in characters) and the format of its cells."""

    header: str
    width: int
    format: str = TEXT


class ListBook:
    """A workbook of lists written as their rows come (XlsxWriter's constant_memory mode: a row is written out
    when the next one begins), with the formats of the lists; bytes() once all its lists are added."""

    def __init__(self):
        self.output = BytesIO()
        # Text is always written as text: never read as a formula, a number or a link.
        self.book = xlsxwriter.Workbook(self.output, {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False,
        })
        self.formats = {name: self.book.add_format(properties) for name, properties in FORMATS.items()}

    def add(self, sheet_title: str, title: str | None, columns: Sequence[Column], rows: Iterable[Sequence]):
        """Add a printable list: its title over the columns (if any), the header kept on screen, filtered and
        printed atop every page, a bordered row per record, one A4 landscape page wide. Return the sheet and the
        index of the row below the list, where more may be written."""
        sheet = self.book.add_worksheet(sheet_title)
        last = len(columns) - 1
        for index, column in enumerate(columns):
            sheet.set_column_pixels(index, index, column.width * PIXELS_A_CHARACTER)
        header = 1 if title else 0
        if title:
            sheet.merge_range(0, 0, 0, last, title, self.formats["title"])
        for index, column in enumerate(columns):
            sheet.write_string(header, index, column.header, self.formats["header"])
        formats = [self.formats[column.format] for column in columns]
        quoted = self.formats["quoted"]
        row = header
        for row, values in enumerate(rows, start=header + 1):  # noqa: B007 - the last row is the list's end
            for index, (value, cell_format) in enumerate(zip(values, formats, strict=True)):
                if isinstance(value, str) and value:
                    sheet.write_string(row, index, value, quoted if value.startswith(FORMULA_STARTS) else cell_format)
                elif value is None or value == "":
                    sheet.write_blank(row, index, None, cell_format)
                elif isinstance(value, date):
                    sheet.write_datetime(row, index, value, cell_format)
                else:
                    sheet.write_number(row, index, value, cell_format)
        sheet.freeze_panes(header + 1, 0)
        sheet.autofilter(header, 0, row, last)
        sheet.repeat_rows(header)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.75, right=0.75, top=1, bottom=1)  # as openpyxl's lists had them
        sheet.set_header("", margin=0.5)
        sheet.set_footer("", margin=0.5)
        return sheet, row + 1

    def bytes(self) -> bytes:
        self.book.close()
        return self.output.getvalue()


def list_xlsx(sheet_title: str, title: str | None, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """A workbook of one list (ListBook.add)."""
    book = ListBook()
    book.add(sheet_title, title, columns, rows)
    return book.bytes()


def titled(text: str) -> str:
    """A list's title with today's date, the day it was taken."""
    return f"{text}  {local_today().isoformat()}"


def major_hazards_xlsx(rows: Iterable) -> bytes:
    """The list of major and listed hazards (重大问题隐患清单), one row per hazard
    (read.hazards.major_and_listed_rows)."""
    columns = [
        Column(_("No."), 6), Column(_("County"), 10), Column(_("Enterprise"), 28), Column(_("Credit code"), 22),
        Column(_("Hazard"), 48), Column(_("Level"), 8), Column(_("Criterion"), 36), Column(_("Found on"), 12, DATE),
        Column(_("Deadline"), 12, DATE), Column(_("Status"), 10), Column(_("Overdue"), 8),
        Column(_("Supervising unit"), 22), Column(_("Supervision deadline"), 12, DATE), Column(_("Responsible"), 10),
    ]
    today, yes = local_today(), _("Yes")
    levels, statuses = HazardLevel.labels(), HazardStatus.labels()
    values = (
        (
            number, row.county, row.enterprise, row.credit_code, row.description, levels[row.level],
            row.criterion or "", to_local(row.found_at).date() if row.found_at else None, row.deadline,
            statuses[row.status], yes if overdue(row.status, row.deadline, today) else "", row.listed_unit or "",
            row.listed_deadline, row.responsible_person,
        )
        for number, row in enumerate(rows, start=1)
    )
    return list_xlsx(_("Major hazards"), titled(_("List of major hazards")), columns, values)


def unit_problems_xlsx(unit: Unit, rows: Iterable) -> bytes:
    """A unit's problem list (问题清单) from 督政, one row per problem (read.oversight.unit_problem_rows)."""
    columns = [
        Column(_("No."), 6), Column(_("Item"), 8), Column(_("Problem"), 48), Column(_("Level"), 8),
        Column(_("Found on"), 12, DATE), Column(_("Found by"), 20), Column(_("Deadline"), 12, DATE),
        Column(_("Status"), 10), Column(_("Overdue"), 8), Column(_("Official answerable"), 14),
        Column(_("Closed on"), 12, DATE),
    ]
    today, yes = local_today(), _("Yes")
    levels, statuses = HazardLevel.labels(), HazardStatus.labels()
    values = (
        (
            number, row.item_code or "", row.description, levels[row.level],
            to_local(row.found_at).date() if row.found_at else None, row.found_by or "", row.deadline,
            statuses[row.status], yes if overdue(row.status, row.deadline, today) else "", row.responsible_person,
            to_local(row.closed_at).date() if row.closed_at else None,
        )
        for number, row in enumerate(rows, start=1)
    )
    return list_xlsx(_("Problem list"), titled(_("Problem list of %(unit)s", unit=unit.name)), columns, values)


def _share(figures: coverage.Figures) -> str:
    return f"{figures.rate * 100:.1f}%" if figures.rate is not None else "—"


def coverage_xlsx(counties: list[coverage.CountyCoverage], period: coverage.Period) -> bytes:
    """The coverage (检查全覆盖) of one county by sector and supervising unit, or the city's counties ranked."""
    one = len(counties) == 1
    widths = [10, 14, 24, 10, 10, 10, 10, 12, 12, 10] if one else [12, 10, 10, 10, 10, 12, 12, 10]
    headers = [
        _("County"), *((_("Sector"), _("Supervising unit")) if one else ()), _("Enterprises"), _("Inspected"),
        _("Not yet inspected"), _("Coverage"), _("Inspected by the county"), _("Inspected by the city"),
        _("Self-inspected"),
    ]

    def line(name: str, figures: coverage.Figures, *middle: str) -> tuple:
        return (name, *middle, figures.roster, figures.inspected, figures.not_inspected, _share(figures),
                figures.by_county, figures.by_city, figures.self_checked)

    if one:
        [county] = counties
        rows = [line(county.county.name, row.figures, row.sector.name, row.unit.name if row.unit else "—")
                for row in county.rows]
        rows.append(line(_("Total"), county.total, "", ""))
    else:
        rows = [line(each.county.name, each.total) for each in counties]
        rows.append(line(_("Total"), coverage.city_total(counties)))
    title = _("Coverage of the inspections") + f"  {period.start.isoformat()} – {period.end.isoformat()}"
    columns = [Column(header, width) for header, width in zip(headers, widths, strict=True)]
    return list_xlsx(_("Coverage"), title, columns, rows)


def coverage_list_xlsx(rows: Iterable, period: coverage.Period, kind: str) -> bytes:
    """The enterprises behind a coverage number, with their supervising unit and who answers for them (包保)
    (read.coverage.enterprise_rows)."""
    columns = [
        Column(_("No."), 6), Column(_("County"), 10), Column(_("Sector"), 12), Column(_("Enterprise"), 32),
        Column(_("Credit code"), 22), Column(_("Supervising unit"), 22), Column(_("Contact"), 10),
        Column(_("Phone"), 14), Column(_("Team answerable"), 16), Column(_("Person answerable"), 10),
    ]
    values = (
        (number, row.county, row.sector, row.name, row.credit_code, row.supervising_unit or "", row.contact_name,
         row.contact_phone, row.team or "", row.person or "")
        for number, row in enumerate(rows, start=1)
    )
    title = f"{coverage.KIND_LABELS[kind]}  {period.start.isoformat()} – {period.end.isoformat()}"
    return list_xlsx(_("Enterprises"), title, columns, values)


def spot_check_xlsx(plan: SpotCheckPlan, tasks: list, results: dict) -> bytes:
    """A 双随机 plan (抽查计划: who goes where, with the seed and the rosters' fingerprints) and its results
    (抽查结果), a sheet each."""
    book = ListBook()
    title = _("Spot-check plan %(number)d · %(mode)s · seed %(seed)d · drawn %(moment)s", number=plan.id,
              mode=plan.mode.label, seed=plan.seed, moment=f"{to_local(plan.created_at):%Y-%m-%d %H:%M}")
    plan_sheet, below = book.add(
        "抽查计划", title,
        [Column(_("No."), 6), Column(_("County"), 10), Column(_("Enterprise"), 32), Column(_("Credit code"), 22),
         Column(_("Inspectors"), 40)],
        ((task.position, task.enterprise.county.name, task.enterprise.name, task.enterprise.credit_code,
          "、".join(f"{person.name}（{person.unit.name if person.unit else ''}）" for person in task.inspectors))
         for task in tasks),
    )
    plan_sheet.write_row(below + 1, 0, [_("Roster of enterprises"), plan.enterprises_hash])
    plan_sheet.write_row(below + 2, 0, [_("Roster of inspectors"), plan.inspectors_hash])
    book.add(
        "抽查结果", _("Results of spot-check plan %(number)d", number=plan.id),
        [Column(_("No."), 6), Column(_("Enterprise"), 32), Column(_("Inspected on"), 16, DATE),
         Column(_("Hazards"), 8), Column(_("Major hazards"), 10), Column(_("Status"), 12)],
        ((task.position, task.enterprise.name,
          to_local(results[task.id].inspection.submitted_at).date() if results[task.id].inspection else None,
          results[task.id].hazards, results[task.id].major,
          _("Done") if results[task.id].inspection else _("Not yet"))
         for task in tasks),
    )
    return book.bytes()


def teams_xlsx(rows: Iterable) -> bytes:
    """The register of teams, members and liaisons, one row per member (检查督导组及人员名单)
    (read.teams.register_rows); a unit without members has a row of its own."""
    columns = [
        Column(_("Unit"), 26), Column(_("Liaison"), 10), Column(_("Phone"), 16), Column(_("Team"), 20),
        Column(_("Member"), 10), Column(_("Member's phone"), 16), Column(_("Enforcement card number"), 20),
    ]
    values = (
        (row.unit, row.liaison_name, row.liaison_phone, row.team or "", row.member or "", row.phone or "",
         row.card_number or "")
        for row in rows
    )
    return list_xlsx("检查督导组及人员名单", None, columns, values)


def statistics_table_xlsx(table) -> bytes:  # table: statistics.StatisticsTable
    """The statistics table as the notice's attachment prints it, on one A4 landscape page.

    Every text of the sheet's frame is the official form's own wording (市安发〔2021〕17号, 附件), kept
    literally in Chinese and not translated: the table is filed with the city in that form.
    """
    columns = 14  # 单位名称 + seven columns of 检查工作开展情况 + six of 查处违法行为情况
    last = get_column_letter(columns)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "统计表"
    append_row(sheet, [table.title])  # it names the county: data, not the form's own text
    append_row(sheet, [table.period_text])
    sheet.append(["单位名称", "检查工作开展情况", *[None] * 6, "查处违法行为情况", *[None] * 5])
    sheet.append([
        None, "派出检查组数", "派出检查组人数", "被检查单位", "一般隐患", None, "重大隐患", None,
        "下达执法文书", "停产整顿", "行政处罚款", "暂扣吊销证照", "关闭取缔", "其他",
    ])
    sheet.append([None, None, None, None, "排查", "整改", "排查", "整改", *[None] * 6])
    sheet.append([None, "(组)", "(人)", "(家)", "(项)", "(项)", "(项)", "(项)", "(份)", "(家)", "(万元)", "(个)",
                  "(家)", None])
    for merged in (
        f"A1:{last}1", f"A2:{last}2", "A3:A5", "B3:H3", f"I3:{last}3", "B4:B5", "C4:C5", "D4:D5", "E4:F4", "G4:H4",
        "I4:I5", "J4:J5", "K4:K5", "L4:L5", "M4:M5", "N4:N5",
    ):
        sheet.merge_cells(merged)
    first_data = sheet.max_row + 1
    for row in [*table.rows, table.total]:
        append_row(sheet, [row.name, *row.figures])
    last_data = sheet.max_row
    for label, text in (
        ("亮点工作（或者本行业特色工作）（50至200字）", table.note.highlights),
        ("存在问题（每个方面不超过100字）", table.note.problems),  # one aspect a line
        ("备注", table.note.remarks),
    ):
        append_row(sheet, [label, text or None])
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=columns)
        # A merged cell does not grow with its text: give the row the height its lines need.
        lines = sum(max(1, -(-len(line) // 52)) for line in (text or "").splitlines() or [""])
        sheet.row_dimensions[sheet.max_row].height = max(45, 15 * lines + 6)

    widths = [22, 8, 9, 8, 7, 7, 7, 7, 9, 8, 9, 9, 8, 7]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row, max_col=columns):
        for cell in row:
            cell.border = BORDER
            cell.alignment = centred
    for row in sheet.iter_rows(min_row=3, max_row=first_data - 1, max_col=columns):
        for cell in row:
            cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=first_data, max_row=last_data):
        row[0].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        row[10].number_format = "0.00"
    for cell in sheet[last_data]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=last_data + 1, max_row=sheet.max_row, max_col=2):
        row[0].alignment = centred
        row[1].alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet["A2"].alignment = Alignment(horizontal="left", vertical="center")
    sheet.row_dimensions[4].height = 30
    sheet.print_options.horizontalCentered = True
    landscape_a4(sheet, pages_tall=1)
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    return workbook_bytes(workbook)
