"""Supervisors' pages: the enterprises of their area, QR codes and label sheets, teams and liaisons."""

from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from checklist import access
from checklist.clock import local_today
from checklist.db import get_session, sql_int
from checklist.models import County, Enterprise, Sector, Team, Unit, User
from checklist.read import teams as read_teams
from checklist.read.enterprises import count_county_enterprises, county_labels
from checklist.read.paging import paged
from checklist.rules import teams
from checklist.sheets.exports import teams_xlsx
from checklist.sheets.labels import LABELS_PER_PART, label_parts, label_sheet_pdf, qr_png, site_url
from checklist.web.forms import ActionForm, CardNumberForm, DocumentHeadingForm, LiaisonForm, MemberForm, TeamForm
from checklist.web.respond import asked_county, no_store, page_number, send_xlsx

bp = Blueprint("supervise", __name__)


@bp.before_request
@login_required
def require_supervisor():
    """Enterprises have no business here."""
    if access.is_enterprise(current_user):
        abort(403)


def visible_counties() -> list[County]:
    """The counties whose enterprises the current user sees: its own, or all for the city."""
    query = select(County).order_by(County.code)
    if current_user.county_id is not None:
        query = query.where(County.id == current_user.county_id)
    return list(get_session().scalars(query))


@bp.route("/enterprises")
def enterprises():
    session = get_session()
    query = access.visible_enterprises(select(Enterprise), current_user)
    county_id = request.args.get("county", type=sql_int)
    sector_id = request.args.get("sector", type=sql_int)
    search = request.args.get("q", "").strip()
    if county_id:
        query = query.where(Enterprise.county_id == county_id)
    if sector_id:
        query = query.where(Enterprise.sector_id == sector_id)
    if search:
        query = query.where(
            Enterprise.name.icontains(search, autoescape=True) | (Enterprise.credit_code == search.upper())
        )
    page = paged(session, page_number(), query.options(joinedload(Enterprise.county), joinedload(Enterprise.sector))
                 .order_by(Enterprise.county_id, Enterprise.name))
    counties = visible_counties()
    # The label sheet's parts, of the county chosen (or the only one the user has) and of the sector chosen.
    label_county = next((county for county in counties if county.id == county_id), None) if county_id else (
        counties[0] if len(counties) == 1 else None)
    return render_template(
        "supervise/enterprises.html", page=page,
        counties=counties, sectors=session.scalars(select(Sector).order_by(Sector.id)).all(),
        county_id=county_id, sector_id=sector_id, search=search, label_county=label_county,
        label_parts=label_parts(count_county_enterprises(session, label_county, sector_id)) if label_county else [],
    )


@bp.route("/enterprises/<int:enterprise_id>/qr.png")
def enterprise_qr(enterprise_id: int):
    enterprise = get_session().get(Enterprise, enterprise_id) or abort(404)
    access.require(access.can_view_enterprise(current_user, enterprise))
    return Response(qr_png(site_url(current_app.config["BASE_URL"], enterprise)), mimetype="image/png")


@bp.route("/counties/<int:county_id>/qr-sheet.pdf")
def qr_sheet(county_id: int):
    """A part of the county's label sheet (?part=N, of LABELS_PER_PART labels; of one sector with ?sector=ID): a
    whole county's sheet takes many seconds to draw."""
    session = get_session()
    county = session.get(County, county_id) or abort(404)
    access.require(county in visible_counties())
    sector_id = request.args.get("sector", type=sql_int)
    sector = (session.get(Sector, sector_id) or abort(404)) if sector_id is not None else None
    number = page_number("part")
    sheet_parts = label_parts(count_county_enterprises(session, county, sector_id))
    if number > len(sheet_parts):
        abort(404)
    part = sheet_parts[number - 1]
    enterprises = county_labels(session, county, sector_id, part.first, LABELS_PER_PART)
    scope = f"{county.name} {sector.name}" if sector else county.name
    title = _("%(scope)s part %(number)d (labels %(first)d–%(last)d)", scope=scope, number=part.number,
              first=part.first, last=part.last)
    pdf = label_sheet_pdf(enterprises, current_app.config["BASE_URL"], title)
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=f"{title}.pdf")


def unit_for_admin(unit_id: int) -> Unit:
    unit = get_session().get(Unit, unit_id) or abort(404)
    access.require(access.can_manage_unit(current_user, unit))
    return unit


def teams_of(unit: Unit | None) -> str:
    """The address of the register's page showing the unit (its county's page), at the unit."""
    if unit is None:
        return url_for("supervise.team_register")
    return url_for("supervise.team_register", county=unit.county_id, _anchor=f"unit-{unit.id}")


def back_to_teams(unit: Unit | None, error: teams.TeamError | None = None, message: str = ""):
    address = teams_of(unit)  # made before a rollback expires the unit
    if error is not None:
        get_session().rollback()
        flash(str(error.message), "error")
    else:
        get_session().commit()
        flash(message, "success")
    return redirect(address)


@bp.route("/teams")
def team_register():
    """One county's units with their teams and members (the city's own units, and a chooser of counties, for the
    city): the whole city's, with a form or two for each member, made a page of megabytes."""
    access.require(access.is_supervisor(current_user))
    county, session, year = asked_county(own_by_default=True), get_session(), local_today().year
    return render_template(
        "supervise/teams.html", county=county,
        units=read_teams.units_with_teams(session, county.id if county else None),
        tallies=read_teams.register_tallies(session) if access.is_city(current_user) else [],
        liaison_form=LiaisonForm(), team_form=TeamForm(), member_form=MemberForm(), remove_form=ActionForm(),
        card_form=CardNumberForm(), heading_form=DocumentHeadingForm(),
        example_number=lambda unit: read_teams.example_number(unit, year),
        can_manage=lambda unit: access.can_manage_unit(current_user, unit), code=None,
    )


@bp.route("/teams.xlsx")
def team_register_download():
    """Every unit the user sees, of every county for the city."""
    access.require(access.is_supervisor(current_user))
    return send_xlsx(teams_xlsx(read_teams.register_rows(get_session(), current_user)), "teams.xlsx")


@bp.route("/units/<int:unit_id>/liaison", methods=["POST"])
def set_liaison(unit_id: int):
    unit, form = unit_for_admin(unit_id), LiaisonForm()
    if not form.validate_on_submit():
        return back_to_teams(unit, teams.TeamError(_("Enter the liaison's name and phone.")))
    try:
        teams.set_liaison(get_session(), current_user, unit, form.name.data, form.phone.data)
    except teams.TeamError as error:
        return back_to_teams(unit, error)
    return back_to_teams(unit, message=_("Liaison saved."))


@bp.route("/units/<int:unit_id>/teams", methods=["POST"])
def register_team(unit_id: int):
    unit, form = unit_for_admin(unit_id), TeamForm()
    if not form.validate_on_submit():
        return back_to_teams(unit, teams.TeamError(_("Enter the team's name.")))
    try:
        teams.register_team(get_session(), current_user, unit, form.name.data)
    except teams.TeamError as error:
        return back_to_teams(unit, error)
    return back_to_teams(unit, message=_("Team registered."))


@bp.route("/teams/<int:team_id>/members", methods=["POST"])
def add_member(team_id: int):
    team = get_session().get(Team, team_id) or abort(404)
    unit, form = unit_for_admin(team.unit_id), MemberForm()
    if not form.validate_on_submit():
        return back_to_teams(unit, teams.TeamError(_("Enter the member's mobile phone.")))
    try:
        member, code = teams.add_member(get_session(), current_user, team, name=form.name.data, phone=form.phone.data,
                                        card_number=form.card_number.data or "")
    except teams.TeamError as error:
        return back_to_teams(unit, error)
    get_session().commit()
    if code is None:
        flash(_("%(name)s joined the team.", name=member.name), "success")
        return redirect(teams_of(unit))
    # A new account: its one-time code is shown on this page only, never stored in clear or redirected.
    return no_store(render_template("supervise/member_code.html", member=member, code=code, team=team,
                                    back=teams_of(unit)))


@bp.route("/teams/<int:team_id>/members/<int:user_id>/remove", methods=["POST"])
def remove_member(team_id: int, user_id: int):
    team = get_session().get(Team, team_id) or abort(404)
    unit = unit_for_admin(team.unit_id)
    member = get_session().get(User, user_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    teams.remove_member(get_session(), current_user, team, member)
    return back_to_teams(unit, message=_("%(name)s left the team.", name=member.name))


@bp.route("/units/<int:unit_id>/document-heading", methods=["POST"])
def set_document_heading(unit_id: int):
    unit, form = unit_for_admin(unit_id), DocumentHeadingForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        teams.set_document_heading(get_session(), current_user, unit, form.prefix.data or "",
                                   form.review_bodies.data or "", form.court.data or "")
    except teams.TeamError as error:
        return back_to_teams(unit, error)
    return back_to_teams(unit, message=_("Document heading saved."))


@bp.route("/members/<int:user_id>/card-number", methods=["POST"])
def set_card_number(user_id: int):
    """A supervisor records a member's 执法证号 from the registry; officers set their own on their profile."""
    member = get_session().get(User, user_id) or abort(404)
    access.require(access.is_supervisor(current_user) and access.can_set_card_number(current_user, member))
    form = CardNumberForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        teams.set_card_number(get_session(), current_user, member, form.card_number.data or "")
    except teams.TeamError as error:
        return back_to_teams(member.unit, error)
    if member.card_number:
        return back_to_teams(member.unit, message=_("Enforcement card number of %(name)s saved.", name=member.name))
    return back_to_teams(member.unit, message=_("Enforcement card number of %(name)s cleared.", name=member.name))
