"""Imports from Excel: the enterprise roster, the units' teams and members, and a department's own checklist
table."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from checklist import access
from checklist.db import get_session
from checklist.models import Sector
from checklist.read.enterprises import roster_choices
from checklist.read.teams import unit_names
from checklist.rules import imports as importing
from checklist.sheets import imports as workbooks
from checklist.web.forms import ChecklistImportForm, RosterImportForm, TeamImportForm
from checklist.web.respond import no_store, send_xlsx

bp = Blueprint("imports", __name__)


@bp.before_request
@login_required
def require_importer():
    """Only county and city supervisors import."""
    access.require(access.can_import(current_user))


def checklist_form() -> ChecklistImportForm:
    """Offer the sectors that have a checklist file."""
    form = ChecklistImportForm()
    sectors = get_session().scalars(select(Sector).order_by(Sector.id))
    known = current_app.extensions["catalogue"].sectors
    form.sector.choices = [SelectChoice(sector.id, sector.name) for sector in sectors if sector.code in known]
    return form


def page(roster_form=None, table_form=None, team_form=None, refusal=None, refused_file=None, status=200):
    return render_template(
        "imports/index.html", roster_form=roster_form or RosterImportForm(),
        table_form=table_form or checklist_form(), team_form=team_form or TeamImportForm(),
        refusal=refusal, refused_file=refused_file,
        max_rows=workbooks.MAX_ROWS, max_megabytes=workbooks.MAX_BYTES // (1024 * 1024),
    ), status


def upload(field) -> bytes:
    """Read at most one byte more than allowed: enough for the rule to refuse a file that is too large."""
    return field.data.read(workbooks.MAX_BYTES + 1)


@bp.route("/imports")
def index():
    return page()


@bp.route("/imports/roster-template.xlsx")
def roster_template():
    return send_xlsx(workbooks.roster_template(roster_choices(get_session(), current_user)), "roster-template.xlsx")


@bp.route("/imports/checklist-template.xlsx")
def checklist_template():
    common_codes = [item.code for item in current_app.extensions["catalogue"].common]
    return send_xlsx(workbooks.checklist_template(common_codes), "checklist-template.xlsx")


@bp.route("/imports/roster", methods=["POST"])
def roster():
    form, session = RosterImportForm(), get_session()
    if not form.validate_on_submit():
        return page(roster_form=form, status=400)
    try:
        result = importing.import_roster(session, current_user, upload(form.roster))
    except workbooks.ImportRefused as refusal:
        session.rollback()
        return page(roster_form=form, refusal=refusal, refused_file=form.roster.data.filename, status=400)
    session.commit()
    flash(_("Roster imported. Enterprises added: %(created)d; updated: %(updated)d; assigned: %(assigned)d.",
            created=result.created, updated=result.updated, assigned=result.assigned), "success")
    return redirect(url_for("imports.index"))


@bp.route("/imports/teams-template.xlsx")
def teams_template():
    return send_xlsx(workbooks.team_members_template(unit_names(get_session(), current_user)), "teams-template.xlsx")


@bp.route("/imports/teams", methods=["POST"])
def teams():
    form, session = TeamImportForm(), get_session()
    if not form.validate_on_submit():
        return page(team_form=form, status=400)
    try:
        result = importing.import_team_members(session, current_user, upload(form.members))
    except workbooks.ImportRefused as refusal:
        session.rollback()
        return page(team_form=form, refusal=refusal, refused_file=form.members.data.filename, status=400)
    session.commit()
    summary = _("Team members imported. Teams registered: %(teams)d; members added: %(members)d; enforcement card "
                "numbers recorded: %(numbers)d.", teams=result.teams, members=result.members,
                numbers=result.card_numbers)
    if not result.accounts:
        flash(summary, "success")
        return redirect(url_for("imports.index"))
    # New accounts: their one-time codes are shown on this page only, never stored in clear or redirected.
    return no_store(render_template("imports/member_codes.html", summary=summary, accounts=result.accounts))


@bp.route("/imports/checklist", methods=["POST"])
def checklist():
    form, session = checklist_form(), get_session()
    if not form.validate_on_submit():
        return page(table_form=form, status=400)
    sector = session.get(Sector, form.sector.data) or abort(404)
    catalogue = current_app.extensions["catalogue"]
    try:
        version = importing.import_checklist(session, current_user, catalogue, sector, upload(form.table))
    except workbooks.ImportRefused as refusal:
        session.rollback()
        return page(table_form=form, refusal=refusal, refused_file=form.table.data.filename, status=400)
    session.commit()
    flash(_("%(sector)s checklist, version %(version)d, is now in use: the %(common)d common items and "
            "%(own)d items of the table.", sector=sector.name, version=version.version,
            common=len(catalogue.enterprise_common), own=len(version.items) - len(catalogue.enterprise_common)),
          "success")
    return redirect(url_for("imports.index"))
