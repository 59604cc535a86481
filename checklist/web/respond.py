"""What the pages answer besides templates: files to download, and the page of a long list asked for."""

from flask import Response, make_response, request

from checklist.db import get_session, sql_int
from checklist.models import Campaign
from checklist.rules.inspections import InspectionError, active_campaign
from checklist.web.errors import bad_request

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def no_store(response):
    """Keep a page that shows a secret out of every cache and the browser's history."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def send_xlsx(data: bytes, filename: str) -> Response:
    """Answer with a workbook to download under the given (ASCII) file name."""
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={filename}"})


def running_campaign() -> Campaign:
    """The campaign the page is about (rules.inspections.active_campaign), or a 400 page saying there is none."""
    try:
        return active_campaign(get_session())
    except InspectionError as error:
        bad_request(str(error.message))


def page_number(name: str = "page") -> int:
    """The page of a long list (or the part of a long file) the query string asks for (?page=N, from 1): none, or
    one that is not a number, is the first."""
    return max(request.args.get(name, 1, type=sql_int), 1)
