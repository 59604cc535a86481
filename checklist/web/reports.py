"""Daily reports (日报), the city's daily bulletin (简报) and monthly reports (月报)."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from checklist import access, clock
from checklist.db import get_session, sql_int
from checklist.models import Unit
from checklist.read import reports
from checklist.read.paging import paged
from checklist.rules.reports import ReportError, submit_daily_report, submit_monthly_report
from checklist.sheets.bulletin import BULLETIN_TITLE, bulletin_xlsx
from checklist.web.errors import bad_request
from checklist.web.forms import DailyReportForm, MonthlyReportForm, outside_reporting_window
from checklist.web.respond import page_number, send_xlsx

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
@login_required
def require_government():
    """Enterprises have no business here; each page checks the rest."""
    access.require(not access.is_enterprise(current_user))


def day_arg() -> date:
    """The day asked for (?day=YYYY-MM-DD), yesterday by default; a 400 page outside the reporting window."""
    value = request.args.get("day", "")
    try:
        day = date.fromisoformat(value) if value else reports.yesterday()
    except ValueError:
        abort(400)
    return within_window(day)


def month_arg() -> date:
    """The month asked for (?month=YYYY-MM), this month by default; a 400 page outside the reporting window."""
    value = request.args.get("month", "")
    try:
        month = date.fromisoformat(f"{value}-01") if value else clock.month_of(clock.local_day())
    except ValueError:
        abort(400)
    return within_window(month)


def within_window(day: date) -> date:
    message = outside_reporting_window(day)
    if message:
        bad_request(message)
    return day


def reporting_unit() -> Unit:
    """The unit the user reports for, or the one asked for (?unit=) if the user reports for it."""
    session, unit_id = get_session(), request.args.get("unit", type=sql_int)
    unit = session.get(Unit, unit_id) if unit_id else reports.reporting_unit_for(session, current_user)
    access.require(unit is not None and access.can_report(current_user, unit))
    return unit


def refused(error: ReportError) -> list:
    get_session().rollback()
    return error.messages


@bp.route("/daily", methods=["GET", "POST"])
def daily():
    if access.can_oversee(current_user):
        return redirect(url_for("reports.status", day=request.args.get("day")))
    unit, day, session = reporting_unit(), day_arg(), get_session()
    report = reports.find_daily_report(session, unit, day)
    form, errors = DailyReportForm(obj=report), []
    if form.validate_on_submit():
        texts = reports.DailyTexts(**{name: form[name].data for name in reports.DAILY_TEXT_LABELS})
        try:
            submit_daily_report(session, current_user, unit, day, texts)
        except ReportError as error:
            errors = refused(error)
        else:
            session.commit()
            flash(_("The report of %(day)s has been sent.", day=day.isoformat()), "success")
            return redirect(url_for("reports.daily", day=day.isoformat(), unit=request.args.get("unit", type=int)))
    return render_template(
        "reports/daily.html", unit=unit, day=day, report=report, form=form, errors=errors,
        figures=reports.daily_figures(session, unit, day), sent=reports.Figures.of(report) if report else None,
        deadline=reports.deadline(day),
        state=reports.report_state(day, report), open=reports.is_reportable_day(day),
    )


@bp.route("/daily/status")
def status():
    access.require(access.can_oversee(current_user))
    compiled = reports.compile_day(get_session(), day_arg())
    return render_template("reports/status.html", compiled=compiled, states=reports.ReportState)


@bp.route("/bulletin")
def bulletin():
    access.require(access.can_oversee(current_user))
    compiled = reports.compile_day(get_session(), day_arg())
    return render_template(
        "reports/bulletin.html", compiled=compiled, title=BULLETIN_TITLE, states=reports.ReportState,
    )


@bp.route("/bulletin.xlsx")
def bulletin_download():
    access.require(access.can_oversee(current_user))
    day = day_arg()
    return send_xlsx(bulletin_xlsx(reports.compile_day(get_session(), day)), f"bulletin-{day.isoformat()}.xlsx")


@bp.route("/monthly", methods=["GET", "POST"])
def monthly():
    if access.can_oversee(current_user):
        return redirect(url_for("reports.monthly_overview", month=request.args.get("month")))
    unit, month, session = reporting_unit(), month_arg(), get_session()
    report = reports.find_monthly_report(session, unit, month)
    form, errors = MonthlyReportForm(obj=report), []
    if form.validate_on_submit():
        texts = reports.MonthlyTexts(**{name: form[name].data for name in reports.MONTHLY_TEXT_LABELS})
        try:
            submit_monthly_report(session, current_user, unit, month, texts)
        except ReportError as error:
            errors = refused(error)
        else:
            session.commit()
            flash(_("The monthly report has been sent."), "success")
            return redirect(url_for("reports.monthly", month=f"{month:%Y-%m}", unit=request.args.get("unit", type=int)))
    return render_template(
        "reports/monthly.html", unit=unit, month=month, report=report, form=form, errors=errors,
        count=reports.monthly_count(form.highlights.data, form.problems.data, form.measures.data),
        limit=reports.MONTHLY_LIMIT, hazards=paged(session, page_number(), reports.major_hazards_of_month(unit, month)),
    )


@bp.route("/monthly/overview")
def monthly_overview():
    access.require(access.can_oversee(current_user))
    month = month_arg()
    return render_template(
        "reports/monthly_overview.html", month=month, rows=reports.monthly_reports(get_session(), month),
        labels=reports.MONTHLY_TEXT_LABELS,
    )
