"""Spreadsheets built from what the rules and queries return; the routes only send them."""

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from checklist.clock import local_today, to_local
from checklist.models import Hazard, SpotCheckPlan, Unit
from checklist.read import coverage, teams

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAPPED = Alignment(wrap_text=True, vertical="top")


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


def append_row(sheet, values, styles: tuple[str, str] | None = None) -> None:
    """Append a row, its cells of the named `styles` (text, dates) if given; text is always stored as text, never
    as a formula (formula injection).

    Text that would turn into a formula if typed in (= + - @) is also marked as quoted text, the way
    Excel marks text typed after an apostrophe: editing the cell later keeps it text. The cells are made
    before they are appended: finding the row again (sheet[sheet.max_row]) reads every cell of the sheet,
    which made a list of 17,000 rows take minutes.
    """
    cells = []
    for value in values:
        cell = Cell(sheet, value=value)
        if styles:
            cell.style = styles[1] if cell.is_date else styles[0]
        if cell.data_type == "f":
            cell.data_type = "s"
        if cell.data_type == "s" and isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        cells.append(cell)
    sheet.append(cells)


def list_xlsx(sheet_title: str, title: str, headers: list[str], widths: list[int], rows) -> bytes:
    """A printable list: its title over the columns, a bordered row per record, the header kept on screen."""
    workbook = Workbook()
    list_sheet(workbook.active, sheet_title, title, headers, widths, rows)
    return workbook_bytes(workbook)


def list_styles(workbook: Workbook) -> tuple[str, str]:
    """The named styles of a list's cells, bordered and wrapped, text and dates: a named style is set on a cell
    at the cost of a lookup, where setting its border and alignment hashes both for every cell."""
    names = ("list", "list-date")
    if names[0] not in workbook.named_styles:
        for name, number_format in zip(names, ("General", "yyyy-mm-dd"), strict=True):
            workbook.add_named_style(NamedStyle(name=name, border=BORDER, alignment=WRAPPED,
                                                number_format=number_format))
    return names


def list_sheet(sheet, sheet_title: str, title: str, headers: list[str], widths: list[int], rows) -> None:
    """Fill a sheet as list_xlsx does."""
    sheet.title = sheet_title
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    styles = list_styles(sheet.parent)
    append_row(sheet, headers, styles)
    for row in rows:
        append_row(sheet, row, styles)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A3"
    landscape_a4(sheet)


def major_hazards_xlsx(hazards: list[Hazard]) -> bytes:
    """The list of major and listed hazards (重大问题隐患清单), one row per hazard."""
    headers = [
        _("No."), _("County"), _("Enterprise"), _("Credit code"), _("Hazard"), _("Level"), _("Criterion"),
        _("Found on"), _("Deadline"), _("Status"), _("Overdue"), _("Supervising unit"), _("Supervision deadline"),
        _("Responsible"),
    ]
    rows = (
        (
            number, hazard.enterprise.county.name, hazard.enterprise.name, hazard.enterprise.credit_code,
            hazard.description, str(hazard.level.label), hazard.item.criterion if hazard.item else "",
            to_local(hazard.found_at).date() if hazard.found_at else None,
            hazard.deadline, str(hazard.status.label), _("Yes") if hazard.is_overdue() else "",
            hazard.listed_unit.name if hazard.listed_unit else "", hazard.listed_deadline,
            hazard.responsible_person,
        )
        for number, hazard in enumerate(hazards, start=1)
    )
    return list_xlsx(_("Major hazards"), _("List of major hazards") + f"  {local_today().isoformat()}", headers,
                     [6, 10, 28, 22, 48, 8, 36, 12, 12, 10, 8, 22, 12, 10], rows)


def unit_problems_xlsx(unit: Unit, problems: list[Hazard]) -> bytes:
    """A unit's problem list (问题清单) from 督政, one row per problem."""
    headers = [
        _("No."), _("Item"), _("Problem"), _("Level"), _("Found on"), _("Found by"), _("Deadline"), _("Status"),
        _("Overdue"), _("Official answerable"), _("Closed on"),
    ]
    rows = (
        (
            number, problem.item.code if problem.item else "", problem.description, str(problem.level.label),
            to_local(problem.found_at).date() if problem.found_at else None,
            problem.inspection.unit.name if problem.inspection.unit else "", problem.deadline,
            str(problem.status.label), _("Yes") if problem.is_overdue() else "", problem.responsible_person,
            to_local(problem.closed_at).date() if problem.closed_at else None,
        )
        for number, problem in enumerate(problems, start=1)
    )
    title = _("Problem list of %(unit)s", unit=unit.name) + f"  {local_today().isoformat()}"
    return list_xlsx(_("Problem list"), title, headers, [6, 8, 48, 8, 12, 20, 12, 10, 8, 14, 12], rows)


def _share(figures: coverage.Figures) -> str:
    return f"{figures.rate * 100:.1f}%" if figures.rate is not None else "—"


def coverage_xlsx(counties: list[coverage.CountyCoverage], period: coverage.Period) -> bytes:
    """The coverage (检查全覆盖) of one county by sector and supervising unit, or the city's counties ranked."""
    one = len(counties) == 1
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
        widths = [10, 14, 24, 10, 10, 10, 10, 12, 12, 10]
    else:
        rows = [line(each.county.name, each.total) for each in counties]
        rows.append(line(_("Total"), coverage.city_total(counties)))
        widths = [12, 10, 10, 10, 10, 12, 12, 10]
    title = _("Coverage of the inspections") + f"  {period.start.isoformat()} – {period.end.isoformat()}"
    return list_xlsx(_("Coverage"), title, headers, widths, rows)


def coverage_list_xlsx(enterprises: list, period: coverage.Period, kind: str, assigned: dict) -> bytes:
    """The enterprises behind a coverage number, with their supervising unit and who answers for them (包保)."""
    headers = [_("No."), _("County"), _("Sector"), _("Enterprise"), _("Credit code"), _("Supervising unit"),
               _("Contact"), _("Phone"), _("Team answerable"), _("Person answerable")]
    rows = (
        (number, enterprise.county.name, enterprise.sector.name, enterprise.name, enterprise.credit_code,
         enterprise.supervising_unit.name if enterprise.supervising_unit else "", enterprise.contact_name,
         enterprise.contact_phone, *((row.team.name, row.user.name) if (row := assigned.get(enterprise.id))
                                     else ("", "")))
        for number, enterprise in enumerate(enterprises, start=1)
    )
    title = f"{coverage.KIND_LABELS[kind]}  {period.start.isoformat()} – {period.end.isoformat()}"
    return list_xlsx(_("Enterprises"), title, headers, [6, 10, 12, 32, 22, 22, 10, 14, 16, 10], rows)


def spot_check_xlsx(plan: SpotCheckPlan, tasks: list, results: dict) -> bytes:
    """A 双随机 plan (抽查计划: who goes where, with the seed and the rosters' fingerprints) and its results
    (抽查结果), a sheet each."""
    workbook = Workbook()
    title = _("Spot-check plan %(number)d · %(mode)s · seed %(seed)d · drawn %(moment)s", number=plan.id,
              mode=plan.mode.label, seed=plan.seed, moment=f"{to_local(plan.created_at):%Y-%m-%d %H:%M}")
    list_sheet(
        workbook.active, "抽查计划", title,
        [_("No."), _("County"), _("Enterprise"), _("Credit code"), _("Inspectors")], [6, 10, 32, 22, 40],
        ((task.position, task.enterprise.county.name, task.enterprise.name, task.enterprise.credit_code,
          "、".join(f"{person.name}（{person.unit.name if person.unit else ''}）" for person in task.inspectors))
         for task in tasks),
    )
    plan_sheet = workbook.active
    plan_sheet.append([])
    plan_sheet.append([_("Roster of enterprises"), plan.enterprises_hash])
    plan_sheet.append([_("Roster of inspectors"), plan.inspectors_hash])
    list_sheet(
        workbook.create_sheet(), "抽查结果", _("Results of spot-check plan %(number)d", number=plan.id),
        [_("No."), _("Enterprise"), _("Inspected on"), _("Hazards"), _("Major hazards"), _("Status")],
        [6, 32, 16, 8, 10, 12],
        ((task.position, task.enterprise.name,
          to_local(results[task.id].inspection.submitted_at).date() if results[task.id].inspection else None,
          results[task.id].hazards, results[task.id].major,
          _("Done") if results[task.id].inspection else _("Not yet"))
         for task in tasks),
    )
    return workbook_bytes(workbook)


def teams_xlsx(rows: list[teams.RegisterRow]) -> bytes:
    """The register of teams, members and liaisons, one row per member (检查督导组及人员名单)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "检查督导组及人员名单"
    workbook.add_named_style(NamedStyle(name="bordered", border=BORDER))  # one lookup a cell, not a border each
    styles = ("bordered", "bordered")
    append_row(sheet, [_("Unit"), _("Liaison"), _("Phone"), _("Team"), _("Member"), _("Member's phone"),
                       _("Enforcement card number")], styles)
    for row in rows:
        append_row(sheet, (row.unit, row.liaison_name, row.liaison_phone, row.team, row.member, row.phone,
                           row.card_number), styles)
    for index, width in enumerate([26, 10, 16, 20, 10, 16, 20], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return workbook_bytes(workbook)


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
