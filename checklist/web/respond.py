"""What the pages answer besides templates: files to download, and the page of a long list asked for."""

from flask import Response, abort, make_response, request
from flask_login import current_user

from checklist import access
from checklist.db import get_session, sql_int
from checklist.models import Campaign, County
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


def asked_county(own_by_default: bool = False) -> County | None:
    """The county a page is asked about (?county=ID), or 404: the city's people may ask for any, the others for
    their own only (403). Without one: None (the city's own units, or every county), or for a county's people
    their own county when `own_by_default`."""
    county_id = request.args.get("county", type=sql_int)
    if county_id is None and own_by_default and not access.is_city(current_user):
        county_id = current_user.county_id
    if county_id is None:
        if own_by_default:
            access.require(access.is_city(current_user))
        return None
    county = get_session().get(County, county_id) or abort(404)
    access.require(access.is_city(current_user) or county.id == current_user.county_id)
    return county


def form_errors(form) -> str:
    """Every error of a form, in one line for a flashed message or a 400 page."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def page_number(name: str = "page") -> int:
    """The page of a long list (or the part of a long file) the query string asks for (?page=N, from 1): none, or
    one that is not a number, is the first."""
    return max(request.args.get(name, 1, type=sql_int), 1)
