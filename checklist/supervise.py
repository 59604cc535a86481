"""Supervisors' pages: the enterprises of their area, QR codes and label sheets."""

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from . import access
from .db import get_session
from .enterprises import county_enterprises
from .models import County, Enterprise, Role, Sector
from .qr import label_sheet_pdf, qr_png, site_url

bp = Blueprint("supervise", __name__)
PAGE_SIZE = 50


@bp.before_request
@login_required
def require_supervisor():
    """Enterprises have no business here."""
    if current_user.role is Role.ENTERPRISE:
        abort(403)


def visible_counties() -> list[County]:
    query = select(County).order_by(County.code)
    if current_user.county_id is not None:
        query = query.where(County.id == current_user.county_id)
    return list(get_session().scalars(query))


@bp.route("/enterprises")
def enterprises():
    session = get_session()
    query = access.visible_enterprises(select(Enterprise), current_user)
    county_id = request.args.get("county", type=int)
    sector_id = request.args.get("sector", type=int)
    search = request.args.get("q", "").strip()
    if county_id:
        query = query.where(Enterprise.county_id == county_id)
    if sector_id:
        query = query.where(Enterprise.sector_id == sector_id)
    if search:
        query = query.where(Enterprise.name.contains(search) | (Enterprise.credit_code == search.upper()))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(request.args.get("page", 1, type=int), 1)
    rows = session.scalars(
        query.options(joinedload(Enterprise.county), joinedload(Enterprise.sector))
        .order_by(Enterprise.county_id, Enterprise.name).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "supervise/enterprises.html", enterprises=rows, total=total, page=page, pages=-(-total // PAGE_SIZE),
        counties=visible_counties(), sectors=session.scalars(select(Sector).order_by(Sector.id)).all(),
        county_id=county_id, sector_id=sector_id, search=search,
    )


@bp.route("/enterprises/<int:enterprise_id>/qr.png")
def enterprise_qr(enterprise_id: int):
    enterprise = get_session().get(Enterprise, enterprise_id) or abort(404)
    access.require(access.can_view_enterprise(current_user, enterprise))
    return Response(qr_png(site_url(current_app.config["BASE_URL"], enterprise)), mimetype="image/png")


@bp.route("/counties/<int:county_id>/qr-sheet.pdf")
def qr_sheet(county_id: int):
    county = get_session().get(County, county_id) or abort(404)
    access.require(county in visible_counties())
    pdf = label_sheet_pdf(county_enterprises(get_session(), county), current_app.config["BASE_URL"], county.name)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=qr-{county.code}.pdf",
    })
