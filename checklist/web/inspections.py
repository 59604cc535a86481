"""The inspector's flow on a phone: checklist, items, enforcement, review, problem list."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from checklist import access
from checklist.db import get_session
from checklist.models import (
    Checklist,
    ChecklistItem,
    EnforcementAction,
    EnforcementKind,
    Enterprise,
    HazardLevel,
    Inspection,
    InspectionMode,
    Outcome,
    Team,
    Unit,
    User,
)
from checklist.read import oversight
from checklist.refusal import Refused
from checklist.rules import photos
from checklist.rules.inspections import (
    HazardInput,
    InspectionError,
    add_enforcement,
    default_deadline,
    hazard_for,
    missing_items,
    record_outcomes,
    record_result,
    remove_enforcement,
    result_for,
    set_inspectors,
    sign_problem_list,
    start_inspection,
    submit_inspection,
)
from checklist.web.forms import ActionForm, EnforcementForm, ItemForm, ReviewForm, SignForm, StartInspectionForm
from checklist.web.respond import form_errors

bp = Blueprint("inspect", __name__, url_prefix="/inspections")


@bp.before_request
@login_required
def require_login():
    """Every page of an inspection needs a logged-in user."""


# An inspection with what the steps' header of its pages shows, built once, the id bound at each run (building
# it costs half as much as running it). Not for a POST: PostgreSQL locks no row of an outer join's nullable side.
SHOWN = select(Inspection).where(Inspection.id == bindparam("inspection_id")).options(
    joinedload(Inspection.enterprise), joinedload(Inspection.inspected_unit), joinedload(Inspection.team),
    joinedload(Inspection.checklist).joinedload(Checklist.sector),
)


def load(inspection_id: int, edit: bool = False) -> Inspection:
    """Fetch an inspection the current user may see (or, with edit, change).

    A POST holds the inspection's row until it commits: two changes to one draft take turns.
    """
    session = get_session()
    if request.method == "POST":
        inspection = session.get(Inspection, inspection_id, with_for_update=True)
    else:
        inspection = session.scalars(SHOWN, {"inspection_id": inspection_id}).first()
    if inspection is None:
        abort(404)
    access.require(access.can_view_inspection(current_user, inspection))
    if edit and not access.can_edit_inspection(current_user, inspection):
        flash(_("This inspection can no longer be changed."), "error")
        abort(redirect(url_for("inspect.checklist", inspection_id=inspection.id)))
    return inspection


def start_from(form: StartInspectionForm, target: Enterprise | Unit, back: str):
    """Start an inspection of the target with the sent start form, then open its checklist; or go back."""
    if not form.validate_on_submit():
        flash(form_errors(form), "error")
        return redirect(back)
    session = get_session()
    team = (session.get(Team, form.team.data) or abort(404)) if form.team.data else None
    try:
        inspection = start_inspection(
            session, current_app.extensions["catalogue"], current_user, target,
            mode=InspectionMode(form.mode.data), team=team, client_uuid=form.client_uuid.data, fix=form.fix(),
        )
    except Refused as error:  # InspectionError, or the position refused
        flash(str(error.message), "error")
        return redirect(back)
    session.commit()
    return redirect(url_for("inspect.checklist", inspection_id=inspection.id))


def refused(error: InspectionError, endpoint: str, **values):
    flash(str(error.message), "error")
    return redirect(url_for(endpoint, **values))


@bp.route("/<int:inspection_id>", methods=["GET", "POST"])
def checklist(inspection_id: int):
    inspection = load(inspection_id, edit=request.method == "POST")
    form = ActionForm()
    if form.validate_on_submit():
        outcomes = {
            int(key.removeprefix("outcome-")): Outcome(value)
            for key, value in request.form.items()
            if key.startswith("outcome-") and key.removeprefix("outcome-").isdigit()
            and value in (Outcome.PASS.value, Outcome.NOT_APPLICABLE.value)
        }
        try:
            changed = record_outcomes(get_session(), current_user, inspection, outcomes)
        except InspectionError as error:
            return refused(error, "inspect.checklist", inspection_id=inspection.id)
        get_session().commit()
        flash(_("Saved %(count)d results.", count=changed), "success")
        return redirect(url_for("inspect.checklist", inspection_id=inspection.id))
    results = {result.item_id: result for result in inspection.results}
    hazards = {hazard.item_id: hazard for hazard in inspection.hazards}
    sections: dict[str, list[ChecklistItem]] = {}  # "common", "sector", "oversight": the items of each, in order
    for item in inspection.checklist.items:
        sections.setdefault(item.section, []).append(item)
    return render_template(
        "inspect/checklist.html", inspection=inspection, sections=sections, results=results, hazards=hazards, form=form,
        editable=access.can_edit_inspection(current_user, inspection), missing=len(missing_items(inspection)),
        evidence=evidence_of(inspection),
    )


def evidence_of(inspection: Inspection, only: str | None = None) -> dict | None:
    """What the app holds about the unit of a 督政 inspection, shown beside its items while it is a draft
    (only one evidence key's, for an item's page)."""
    if not inspection.is_oversight or not inspection.is_draft:
        return None
    return oversight.evidence(get_session(), inspection.inspected_unit, inspection.campaign, only=only)


@bp.route("/<int:inspection_id>/items/<int:item_id>", methods=["GET", "POST"])
def item(inspection_id: int, item_id: int):
    inspection = load(inspection_id, edit=True)
    checklist_item = get_session().get(ChecklistItem, item_id)
    if checklist_item is None or checklist_item.checklist_id != inspection.checklist_id:
        abort(404)
    result, hazard = result_for(inspection, checklist_item), hazard_for(inspection, checklist_item)
    form = ItemForm(data=None if request.method == "POST" else {
        "outcome": result.outcome.value if result else None,
        "note": result.note if result else "",
        # An item citing a 重大事故隐患判定标准 fails as a major hazard unless the inspector says otherwise.
        "level": hazard.level.value if hazard else (
            HazardLevel.MAJOR if checklist_item.criterion else HazardLevel.GENERAL).value,
        "description": hazard.description if hazard else "",
        "deadline": hazard.deadline if hazard else None,
        "responsible_person": hazard.responsible_person if hazard else (
            "" if inspection.is_oversight else inspection.enterprise.contact_name),
    })
    if inspection.is_oversight:
        form.level.label.text, form.responsible_person.label.text = _("Problem level"), _("Official answerable")
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved = save_item(inspection, checklist_item, form)
            if saved:
                return saved
        status = 400
    return render_template(
        "inspect/item.html", inspection=inspection, item=checklist_item, form=form,
        photos=[photo for photo in inspection.photos if photo.item_id == checklist_item.id],
        deadline_days=current_app.config["HAZARD_DEADLINE_DAYS"],
        evidence=evidence_of(inspection, only=checklist_item.evidence) if checklist_item.evidence else None,
    ), status


def marked_uploads(form: ItemForm, count: int) -> dict[int, bytes]:
    """The marked copies sent, by the index of their photo; ValueError when they do not pair with the photos."""
    marked = [upload.read() for upload in form.marked.data or [] if upload and upload.filename]
    indexes = [int(index) for index in form.marked_for.data.split(",") if index.strip()] if form.marked_for.data else []
    if len(indexes) != len(marked) or len(set(indexes)) != len(indexes) or any(not 0 <= i < count for i in indexes):
        raise ValueError("marked copies without their photos")
    return dict(zip(indexes, marked, strict=True))


def save_item(inspection: Inspection, item: ChecklistItem, form: ItemForm):
    """Store one item's result, hazard and photos (with their marked copies and position) together, or nothing."""
    session, config = get_session(), current_app.config
    uploads = [upload.read() for upload in form.photos.data or [] if upload and upload.filename]
    try:
        fix = form.fix()
        marked = marked_uploads(form, len(uploads))
    except (Refused, ValueError) as error:
        form.photos.errors = [str(error.message) if isinstance(error, Refused) else
                              _("A marked photo must come with its original.")]
        return None
    try:
        processed = photos.accept(session, uploads + list(marked.values()), inspection.target, current_user, config,
                                  held=(inspection,))
    except photos.PhotoError as error:
        form.photos.errors = [str(error.message)]
        return None
    processed, marked = processed[:len(uploads)], dict(zip(marked, processed[len(uploads):], strict=True))
    outcome = Outcome(form.outcome.data)
    hazard = None
    if outcome is Outcome.FAIL and (form.description.data.strip() or form.responsible_person.data.strip()):
        level = HazardLevel(form.level.data)
        hazard = HazardInput(
            level=level,
            description=form.description.data,
            deadline=form.deadline.data or default_deadline(level, config["HAZARD_DEADLINE_DAYS"]),
            responsible_person=form.responsible_person.data,
        )
    try:
        record_result(session, current_user, inspection, item, outcome, form.note.data, hazard,
                      photos=processed, upload_dir=config["UPLOAD_DIR"], marked=marked, fix=fix)
    except InspectionError as error:
        fields = {"hazard.description": form.description, "hazard.responsible_person": form.responsible_person,
                  "hazard.deadline": form.deadline}
        if error.field in fields:
            fields[error.field].errors = [str(error.message)]
        else:
            flash(str(error.message), "error")
        return None
    session.commit()
    flash(_("Saved: %(code)s", code=item.code), "success")
    return redirect(url_for("inspect.checklist", inspection_id=inspection.id, _anchor=f"item-{item.id}"))


@bp.route("/<int:inspection_id>/enforcement", methods=["GET", "POST"])
def enforcement(inspection_id: int):
    inspection = load(inspection_id, edit=request.method == "POST")
    form = EnforcementForm()
    if form.validate_on_submit():
        try:
            add_enforcement(
                get_session(), current_user, inspection, EnforcementKind(form.kind.data),
                form.document_number.data, form.fine_wan.data, form.note.data,
            )
        except InspectionError as error:
            return refused(error, "inspect.enforcement", inspection_id=inspection.id)
        get_session().commit()
        flash(_("Enforcement action added."), "success")
        return redirect(url_for("inspect.enforcement", inspection_id=inspection.id))
    return render_template(
        "inspect/enforcement.html", inspection=inspection, form=form, remove_form=ActionForm(),
        editable=access.can_edit_inspection(current_user, inspection),
    )


@bp.route("/<int:inspection_id>/enforcement/<int:action_id>/delete", methods=["POST"])
def remove_action(inspection_id: int, action_id: int):
    inspection = load(inspection_id, edit=True)
    action = get_session().get(EnforcementAction, action_id)
    if action is None or action.inspection_id != inspection.id:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            remove_enforcement(get_session(), current_user, action)
        except InspectionError as error:
            return refused(error, "inspect.enforcement", inspection_id=inspection.id)
        get_session().commit()
    return redirect(url_for("inspect.enforcement", inspection_id=inspection.id))


@bp.route("/<int:inspection_id>/review", methods=["GET", "POST"])
def review(inspection_id: int):
    inspection = load(inspection_id)
    if not inspection.is_draft:
        return redirect(url_for("inspect.problems", inspection_id=inspection.id))
    team = inspection.team.members if inspection.team else []
    form = ReviewForm(data=None if request.method == "POST" else {
        "inspectors": [user.id for user in inspection.inspectors]
    })
    form.inspectors.choices = [
        SelectChoice(user.id, user.name) for user in team if user.id != inspection.created_by_id
    ]
    if request.method == "POST":
        load(inspection_id, edit=True)
        if form.validate_on_submit():
            session = get_session()
            chosen = [session.get(User, user_id) for user_id in form.inspectors.data]
            try:
                set_inspectors(session, current_user, inspection, chosen)
                submit_inspection(session, current_user, inspection)
            except InspectionError as error:
                session.rollback()
                return refused(error, "inspect.review", inspection_id=inspection.id)
            session.commit()
            flash(_("Inspection submitted. Hand the problem list to the enterprise."), "success")
            return redirect(url_for("inspect.problems", inspection_id=inspection.id))
    return render_template(
        "inspect/review.html", inspection=inspection, form=form, missing=missing_items(inspection),
    )


@bp.route("/<int:inspection_id>/problems")
def problems(inspection_id: int):
    inspection = load(inspection_id)
    unit = inspection.inspected_unit
    sign_form = SignForm() if access.can_sign(current_user, inspection) else None
    if sign_form and unit:
        sign_form.signer_name.label.text = _("Name of the unit's official")
    return render_template(
        "inspect/problems.html", inspection=inspection, sign_form=sign_form,
        measures=oversight.inspection_measures(get_session(), inspection) if unit else [],
        measure_allowed=unit is not None and not inspection.is_draft and access.can_inspect_unit(current_user, unit),
    )


@bp.route("/<int:inspection_id>/sign", methods=["POST"])
def sign(inspection_id: int):
    inspection = load(inspection_id)
    form = SignForm()
    if form.validate_on_submit():
        try:
            png = None if form.refused.data or not form.signature.data else photos.signature_png(form.signature.data)
            sign_problem_list(
                get_session(), current_user, inspection, signer_name=form.signer_name.data,
                signature_png=png, refused=form.refused.data,
            )
        except (photos.PhotoError, InspectionError) as error:
            flash(str(error.message), "error")
            return problems(inspection_id), 400
        get_session().commit()
        flash(_("The problem list has been signed."), "success")
    return redirect(url_for("inspect.problems", inspection_id=inspection.id))


@bp.route("/<int:inspection_id>/signature.png")
def signature(inspection_id: int):
    inspection = load(inspection_id)
    if not inspection.signature_png:
        abort(404)
    return Response(inspection.signature_png, mimetype="image/png")
