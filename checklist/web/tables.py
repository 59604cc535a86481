"""The official statistics table (全市安全检查督导情况统计表) and the texts under it."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from checklist import access
from checklist.clock import local_today
from checklist.db import get_session, sql_int
from checklist.models import County, Role
from checklist.read import statistics
from checklist.rules.inspections import active_campaign_or_none
from checklist.rules.reports import NoteError, save_note
from checklist.sheets.exports import statistics_table_xlsx
from checklist.web.errors import bad_request
from checklist.web.forms import PeriodForm, TableNoteForm
from checklist.web.respond import form_errors, send_xlsx

bp = Blueprint("tables", __name__)


@bp.before_request
@login_required
def require_supervisor():
    """Only county and city supervisors report the table."""
    if not access.is_supervisor(current_user):
        abort(403)


def default_period() -> tuple[date, date]:
    """From the start of the running campaign to today."""
    today = local_today()
    campaign = active_campaign_or_none(get_session(), today)
    return min(campaign.starts_on if campaign else today.replace(day=1), today), today


def chosen_county() -> County | None:
    """The county asked for (?county=<id>), or None for the city's table (?scope=city, or nothing)."""
    county_id = request.args.get("county", type=sql_int)
    if county_id is None:
        if current_user.role is Role.COUNTY_ADMIN:
            county_id = current_user.county_id
            if county_id is None or request.args.get("scope") == "city":
                abort(403)
        else:
            return None
    county = get_session().get(County, county_id) or abort(404)
    if not access.can_view_table(current_user, county):
        abort(403)
    return county


def build(county: County | None, start: date, end: date) -> statistics.StatisticsTable:
    session = get_session()
    if county is None:
        return statistics.city_table(session, start, end)
    return statistics.county_table(session, county, start, end)


def scope_args(county: County | None, start: date, end: date) -> dict:
    """The query string of a table: its scope and period."""
    scope = {"county": county.id} if county is not None else {"scope": "city"}
    return {**scope, "from": start.isoformat(), "to": end.isoformat()}


def render_page(county: County | None, start: date, end: date, period_form: PeriodForm,
                note_form: TableNoteForm | None = None):
    table = build(county, start, end)
    editable, note_county_id = access.note_scope(current_user)
    writes_this_note = editable and note_county_id == (county.id if county else None)
    if writes_this_note and note_form is None:
        note_form = TableNoteForm(formdata=None, data={
            "start": start, "end": end, "highlights": table.note.highlights, "problems": table.note.problems,
            "remarks": table.note.remarks,
        })
    counties = get_session().scalars(select(County).order_by(County.code)).all() if (
        current_user.role is Role.CITY_ADMIN) else []
    return render_template(
        "tables/table.html", table=table, period_form=period_form, counties=counties, county=county,
        note_form=note_form if writes_this_note else None, args=scope_args(county, start, end),
    )


def asks_period() -> bool:
    return "from" in request.args or "to" in request.args


@bp.route("/tables")
def table():
    county = chosen_county()
    form = PeriodForm(request.args)
    if asks_period() and form.validate():
        start, end = form.start.data, form.end.data
    else:  # nothing asked, or a bad period: its errors show on the form, the default period in the table
        start, end = default_period()
        if not asks_period():
            form.start.data, form.end.data = start, end
    return render_page(county, start, end, form)


@bp.route("/tables.xlsx")
def download():
    county = chosen_county()
    form = PeriodForm(request.args)
    if not asks_period():
        start, end = default_period()
    elif form.validate():
        start, end = form.start.data, form.end.data
    else:
        bad_request(form_errors(form))
    name = f"statistics-{county.code if county else 'city'}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return send_xlsx(statistics_table_xlsx(build(county, start, end)), name)


@bp.route("/tables/note", methods=["POST"])
def note():
    editable, county_id = access.note_scope(current_user)
    if not editable:
        abort(403)
    session = get_session()
    county = session.get(County, county_id) if county_id is not None else None
    form = TableNoteForm()
    if not form.validate_on_submit():
        start, end = form.start.data, form.end.data
        if not (start and end) or form.start.errors or form.end.errors:  # a bad period: the default one shown
            start, end = default_period()
        period_form = PeriodForm(formdata=None, data={"start": start, "end": end})
        return render_page(county, start, end, period_form, note_form=form), 422
    start, end = form.start.data, form.end.data
    try:
        save_note(session, current_user, start, end, highlights=form.highlights.data,
                  problems=form.problems.data, remarks=form.remarks.data)
    except NoteError as error:
        session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("tables.table", **scope_args(county, start, end)))
    session.commit()
    flash(_("The texts under the table are saved."), "success")
    return redirect(url_for("tables.table", **scope_args(county, start, end)))
