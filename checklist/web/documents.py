"""Pages of an inspection's documents: the list, each document to print or download as Word, all in one zip,
issuing and voiding; an extension request's approval form."""

import io
import zipfile

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from checklist import access
from checklist.db import get_session
from checklist.documents import build, word
from checklist.documents.papers import Paper
from checklist.models import Document, ExtensionRequest, Inspection, InspectionMode
from checklist.rules import documents
from checklist.web.errors import bad_request
from checklist.web.forms import ActionForm, VoidForm
from checklist.web.inspections import load as load_inspection

bp = Blueprint("documents", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.before_request
@login_required
def require_login():
    """Documents are for the parties of the inspection only."""


def load_document(document_id: int) -> Document:
    document = get_session().get(Document, document_id) or abort(404)
    access.require(access.can_view_inspection(current_user, document.inspection))
    return document


def of_enterprise(inspection_id: int) -> Inspection:
    """An enterprise inspection the user may see; a 督政 inspection has no documents."""
    inspection = load_inspection(inspection_id)
    if inspection.is_oversight:
        abort(404)
    return inspection


def submitted(inspection_id: int) -> Inspection:
    """A submitted enterprise inspection the user may see: a draft has no documents yet."""
    inspection = of_enterprise(inspection_id)
    if inspection.is_draft:
        bad_request(_("Submit the inspection before its documents are issued."))
    return inspection


def send_docx(paper: Paper):
    return send_file(io.BytesIO(word.docx_bytes(paper)), mimetype=DOCX, as_attachment=True,
                     download_name=word.file_name(paper))


def show(template: str, paper: Paper, inspection: Inspection, docx_url: str, **context):
    signature_url = (url_for("inspect.signature", inspection_id=inspection.id)
                     if inspection.signature_png else None)
    links = [(_("Download as Word"), docx_url),
             (_("All documents of the inspection"), url_for("documents.index", inspection_id=inspection.id))]
    return render_template(f"documents/{template}.html", paper=paper, signature_url=signature_url, links=links,
                           **context)


@bp.route("/inspections/<int:inspection_id>/documents")
def index(inspection_id: int):
    inspection = of_enterprise(inspection_id)
    self_check = inspection.mode is InspectionMode.SELF_CHECK
    refusal = documents.refusal(inspection) if inspection.is_draft or not self_check else None
    due = [kind for kind in documents.kinds_due(inspection) if inspection.live_document(kind) is None]
    return render_template(
        "documents/index.html", inspection=inspection, refusal=refusal, due=due,
        may_issue=access.can_issue(current_user, inspection), action_form=ActionForm(), void_form=VoidForm(),
    )


@bp.route("/inspections/<int:inspection_id>/documents", methods=["POST"])
def issue(inspection_id: int):
    inspection = of_enterprise(inspection_id)
    if ActionForm().validate_on_submit():
        try:
            issued = documents.issue_documents(get_session(), current_user, inspection)
        except documents.DocumentError as error:
            get_session().rollback()
            flash(str(error.message), "error")
            return redirect(url_for("documents.index", inspection_id=inspection.id))
        get_session().commit()
        flash(_("%(count)d documents issued.", count=len(issued)), "success")
    return redirect(url_for("documents.index", inspection_id=inspection.id))


@bp.route("/inspections/<int:inspection_id>/documents.zip")
def download_all(inspection_id: int):
    inspection = submitted(inspection_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, paper in enumerate(build.case_file(inspection), 1):
            archive.writestr(f"{number:02d} {word.file_name(paper)}", word.docx_bytes(paper))
    buffer.seek(0)
    name = _("Documents of inspection %(id)d.zip", id=inspection.id)
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=name)


@bp.route("/documents/<int:document_id>")
def document(document_id: int):
    document = load_document(document_id)
    return show(document.kind.value, build.paper(document), document.inspection,
                url_for("documents.document_docx", document_id=document.id))


@bp.route("/documents/<int:document_id>.docx")
def document_docx(document_id: int):
    return send_docx(build.paper(load_document(document_id)))


@bp.route("/documents/<int:document_id>/void", methods=["POST"])
def void(document_id: int):
    document, form = load_document(document_id), VoidForm()
    back = url_for("documents.index", inspection_id=document.inspection_id)
    if not form.validate_on_submit():
        flash(_("Give the reason for voiding the document."), "error")
        return redirect(back)
    try:
        documents.void_document(get_session(), current_user, document, form.reason.data)
    except documents.DocumentError as error:
        get_session().rollback()
        flash(str(error.message), "error")
        return redirect(back)
    get_session().commit()
    flash(_("Document %(number)s is void.", number=document.number), "success")
    return redirect(back)


def receipt_of(inspection_id: int) -> Inspection:
    inspection = submitted(inspection_id)
    if not inspection.served_documents:
        abort(404)
    return inspection


@bp.route("/inspections/<int:inspection_id>/receipt")
def receipt(inspection_id: int):
    inspection = receipt_of(inspection_id)
    return show("receipt", build.receipt(inspection), inspection,
                url_for("documents.receipt_docx", inspection_id=inspection.id))


@bp.route("/inspections/<int:inspection_id>/receipt.docx")
def receipt_docx(inspection_id: int):
    return send_docx(build.receipt(receipt_of(inspection_id)))


def self_checked(inspection_id: int) -> Inspection:
    inspection = submitted(inspection_id)
    if inspection.mode is not InspectionMode.SELF_CHECK:
        abort(404)
    return inspection


@bp.route("/inspections/<int:inspection_id>/self-record")
def self_record(inspection_id: int):
    inspection = self_checked(inspection_id)
    return show("self_record", build.self_record(inspection), inspection,
                url_for("documents.self_record_docx", inspection_id=inspection.id))


@bp.route("/inspections/<int:inspection_id>/self-record.docx")
def self_record_docx(inspection_id: int):
    return send_docx(build.self_record(self_checked(inspection_id)))


def load_extension(request_id: int) -> ExtensionRequest:
    request = get_session().get(ExtensionRequest, request_id) or abort(404)
    access.require(access.can_view_hazard(current_user, request.hazard))
    return request


@bp.route("/extensions/<int:request_id>")
def extension(request_id: int):
    request = load_extension(request_id)
    return show("extension", build.extension_form(request), request.hazard.inspection,
                url_for("documents.extension_docx", request_id=request.id))


@bp.route("/extensions/<int:request_id>.docx")
def extension_docx(request_id: int):
    return send_docx(build.extension_form(load_extension(request_id)))
