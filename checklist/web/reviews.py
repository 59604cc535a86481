"""Pages of re-inspection (复查): the unit's and the officer's tasks, and the visit that issues the
整改复查意见书."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from checklist import access
from checklist.clock import local_today
from checklist.db import get_session
from checklist.models import Inspection, ReviewVerdict, User
from checklist.read import reviews
from checklist.read.paging import paged
from checklist.rules import documents, photos
from checklist.rules.reviews import ReviewError, Verdict, review_hazards
from checklist.web.errors import bad_request, forbidden
from checklist.web.forms import reinspection_form
from checklist.web.respond import form_errors, page_number

bp = Blueprint("reviews", __name__)


@bp.before_request
@login_required
def require_officer():
    """Re-inspection is the units' work."""
    access.require(not access.is_enterprise(current_user) and current_user.unit_id is not None)


@bp.route("/reviews")
def tasks():
    session, today, mine = get_session(), local_today(), request.args.get("mine") == "1"
    page = paged(session, page_number(), reviews.tasks(current_user, today, mine))
    return render_template("reviews/tasks.html", page=page, due=reviews.due_dates(session, page.rows), today=today,
                           mine=mine)


def verdicts_of(form, hazards) -> list[Verdict]:
    """The hazards given a result, with their photos checked and stamped (photos.accept)."""
    chosen = []
    for hazard in hazards:
        verdict, note, deadline, files = form.verdict_fields(hazard.id)
        if not verdict.data:
            continue
        uploads = [upload.read() for upload in files.data or [] if upload and upload.filename]
        processed = photos.accept(get_session(), uploads, hazard.enterprise, current_user, current_app.config)
        chosen.append(Verdict(hazard=hazard, verdict=ReviewVerdict(verdict.data), note=note.data or "",
                              new_deadline=deadline.data, photos=tuple(processed)))
    return chosen


@bp.route("/inspections/<int:inspection_id>/reinspection", methods=["GET", "POST"])
def visit(inspection_id: int):
    session = get_session()
    inspection = session.get(Inspection, inspection_id) or abort(404)
    access.require(access.can_view_inspection(current_user, inspection))
    hazards = reviews.reviewable(current_user, inspection)
    if not hazards:
        if all(hazard.found_at is None or hazard.is_closed for hazard in inspection.hazards):
            bad_request(_("No hazard of this inspection is left open: there is nothing to re-inspect."))
        forbidden(_("Only the unit that found these hazards, or the unit supervising them, re-inspects them."))
    colleagues = reviews.colleagues(session, current_user)
    form = reinspection_form([hazard.id for hazard in hazards], colleagues)
    if form.validate_on_submit():
        second = session.get(User, form.second.data) if form.second.data else None
        try:
            reinspection = review_hazards(
                session, current_user, inspection, verdicts_of(form, hazards), [second] if second else [],
                uuid=form.client_uuid.data, upload_dir=current_app.config["UPLOAD_DIR"],
            )
        except (ReviewError, documents.DocumentError, photos.PhotoError) as error:
            session.rollback()
            flash(str(error.message), "error")
        else:
            session.commit()
            flash(_("The re-inspection is recorded and its opinion issued."), "success")
            return redirect(url_for("documents.document", document_id=reinspection.documents[0].id))
    elif form.errors:
        flash(form_errors(form), "error")
    status = 400 if request.method == "POST" else 200
    return render_template("reviews/visit.html", inspection=inspection, hazards=hazards, form=form), status
