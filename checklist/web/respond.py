"""What the pages answer besides templates: files to download, and the page of a long list asked for."""

from flask import Response, request

from checklist.db import sql_int

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_xlsx(data: bytes, filename: str) -> Response:
    """Answer with a workbook to download under the given (ASCII) file name."""
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={filename}"})


def page_number() -> int:
    """The page of a long list the query string asks for (?page=N, from 1)."""
    return max(request.args.get("page", 1, type=sql_int), 1)
