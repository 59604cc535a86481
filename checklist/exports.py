"""Spreadsheets built from what the rules and queries return; the routes only send them."""

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .clock import local_today
from .hazards import is_overdue
from .models import Hazard

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def append_row(sheet, values) -> None:
    """Append a row; text is always stored as text, never as a formula (formula injection)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def major_hazards_xlsx(hazards: list[Hazard]) -> bytes:
    """The list of major and listed hazards (重大问题隐患清单), one row per hazard."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Major hazards")
    headers = [
        _("No."), _("County"), _("Enterprise"), _("Credit code"), _("Hazard"), _("Level"), _("Found on"),
        _("Deadline"), _("Status"), _("Overdue"), _("Supervising unit"), _("Supervision deadline"),
        _("Responsible"),
    ]
    widths = [6, 10, 28, 22, 48, 8, 12, 12, 10, 8, 22, 12, 10]
    sheet.append([_("List of major hazards") + f"  {local_today().isoformat()}"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for number, hazard in enumerate(hazards, start=1):
        append_row(sheet, (
            number, hazard.enterprise.county.name, hazard.enterprise.name, hazard.enterprise.credit_code,
            hazard.description, str(hazard.level.label), hazard.found_at.date() if hazard.found_at else None,
            hazard.deadline, str(hazard.status.label), _("Yes") if is_overdue(hazard) else "",
            hazard.listed_unit.name if hazard.listed_unit else "", hazard.listed_deadline,
            hazard.responsible_person,
        ))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.is_date:
                cell.number_format = "yyyy-mm-dd"
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def teams_xlsx(units: list) -> bytes:
    """The register of teams, members and liaisons, one row per member (检查督导组及人员名单)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "检查督导组及人员名单"
    headers = [_("Unit"), _("Liaison"), _("Phone"), _("Team"), _("Member"), _("Member's phone")]
    append_row(sheet, headers)
    for unit in units:
        rows = [(team, member) for team in unit.teams for member in team.members] or [(None, None)]
        for team, member in rows:
            append_row(sheet, (
                unit.name, unit.liaison_name, unit.liaison_phone, team.name if team else "",
                member.name if member else "", member.phone if member else "",
            ))
    for index, width in enumerate([26, 10, 16, 20, 10, 16], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows():
        for cell in row:
            cell.border = BORDER
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
