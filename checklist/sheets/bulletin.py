"""The city's daily bulletin (简报) as a workbook: one row per reporting unit, then the totals."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from checklist.clock import to_local
from checklist.read.reports import DAILY_TEXT_LABELS, FIGURE_LABELS, FIGURE_NAMES, Day
from checklist.sheets.exports import BORDER, append_row, landscape_a4, workbook_bytes

BULLETIN_TITLE = _l("安全检查督导工作简报")


def bulletin_xlsx(compiled: Day) -> bytes:
    """The bulletin as a spreadsheet: one row per reporting unit, then the totals."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = compiled.day.isoformat()
    headers = [
        _("No."), _("Unit"), *(str(FIGURE_LABELS[name]) for name in FIGURE_NAMES),
        *(str(label) for label in DAILY_TEXT_LABELS.values()), _("Submitted at"), _("State"),
    ]
    widths = [6, 20, *([10] * len(FIGURE_NAMES)), *([40] * len(DAILY_TEXT_LABELS)), 17, 10]
    sheet.append([str(BULLETIN_TITLE)])
    sheet.append([_("Day reported: %(day)s", day=compiled.day.isoformat())])
    for row in (1, 2):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headers))
        sheet.cell(row, 1).alignment = Alignment(horizontal="center")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(headers)
    for number, row in enumerate(compiled.rows, start=1):
        report = row.report
        figures = [getattr(report, name) for name in FIGURE_NAMES] if report else [None] * len(FIGURE_NAMES)
        texts = [getattr(report, name) for name in DAILY_TEXT_LABELS] if report else [""] * len(DAILY_TEXT_LABELS)
        submitted = to_local(report.submitted_at).strftime("%Y-%m-%d %H:%M") if report else ""
        append_row(sheet, [number, row.unit.name, *figures, *texts, submitted, str(row.state.label)])
    append_row(sheet, ["", _("Total"), *(getattr(compiled.totals, name) for name in FIGURE_NAMES)])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in (*sheet[3], *sheet[sheet.max_row]):
        cell.font = Font(bold=True)
    fines_column = 3 + FIGURE_NAMES.index("fines_wan")
    for (cell,) in sheet.iter_rows(min_row=4, min_col=fines_column, max_col=fines_column):
        cell.number_format = "0.00"
    sheet.freeze_panes = "C4"
    landscape_a4(sheet)
    return workbook_bytes(workbook)
