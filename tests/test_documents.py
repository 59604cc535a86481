"""The paper chain of an inspection through the routes: documents issued on submission with two 执法证号, numbered
per unit × kind × year without gap or double (in parallel too), voided but kept, printed and downloaded as Word;
the 复查 loop and its opinion; extension requests; the export-documents command."""

import io
import threading
import uuid
import zipfile
from datetime import timedelta

import docx
import pytest
from sqlalchemy import func, select

from checklist.clock import local_today
from checklist.models import (
    Document,
    DocumentKind,
    EnforcementKind,
    ExtensionDecision,
    ExtensionRequest,
    Hazard,
    HazardStatus,
    HistoryAction,
    Inspection,
    Photo,
    PhotoKind,
    Reinspection,
)

from .helpers import deadline_in, fail_item, fail_items, inspection_id, jpeg_bytes, start

ENTERPRISE_A = "91140702MA0K000013"
ENTERPRISE_A2 = "91140702MA0K000026"
YEAR = local_today().year


@pytest.fixture
def carded(world, db):
    """County A's construction bureau sets its prefix; both its inspectors have their enforcement cards."""
    world.unit_a.document_prefix = "榆住建"
    world.unit_a.review_bodies = "榆次区人民政府或者晋中市住房和城乡建设局"
    world.unit_a.court = "晋中市榆次区人民法院"
    world.inspector_a.card_number = "14070021001"
    world.colleague_a.card_number = "14070021002"
    db.commit()
    return world


def inspect(client, world, db, codes=("CON-01", "CON-02"), both=True, enterprise=None) -> Inspection:
    """An inspection by insp_a (and insp_a2) failing these items, submitted; returned fresh."""
    number = inspection_id(start(client, world, enterprise=enterprise))
    inspection = db.get(Inspection, number)
    outcomes = {f"outcome-{item.id}": "pass" for item in inspection.checklist.items if item.code not in codes}
    assert client.post(f"/inspections/{number}", outcomes).status_code == 302
    for offset, item in enumerate(item for item in inspection.checklist.items if item.code in codes):
        assert fail_item(client, number, item, description=f"问题{item.code}", level="general",
                         deadline=deadline_in(10 + offset).isoformat()).status_code == 302
    inspectors = [world.colleague_a.id] if both else []  # the creator is always one
    assert client.post(f"/inspections/{number}/review", {"inspectors": inspectors}).status_code == 302
    db.expire_all()
    return db.get(Inspection, number)


def numbers(db, inspection) -> dict[DocumentKind, str]:
    db.expire_all()
    return {document.kind: document.number for document in db.get(Inspection, inspection.id).documents
            if not document.is_void}


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def test_submission_issues_the_record_and_the_order_numbered_per_unit_kind_and_year(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db)
    assert numbers(db, inspection) == {
        DocumentKind.RECORD: f"榆住建检记〔{YEAR}〕第0001号", DocumentKind.ORDER: f"榆住建责改〔{YEAR}〕第0001号",
    }
    second = inspect(login("insp_a"), carded, db, codes=("CON-03",))
    assert numbers(db, second)[DocumentKind.RECORD] == f"榆住建检记〔{YEAR}〕第0002号"
    assert numbers(db, second)[DocumentKind.ORDER] == f"榆住建责改〔{YEAR}〕第0002号"


def test_the_order_as_a_page_and_as_word_names_everything(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db)
    order = next(document for document in inspection.documents if document.kind is DocumentKind.ORDER)
    enterprise = login(ENTERPRISE_A)
    page = enterprise.get(f"/documents/{order.id}").get_data(as_text=True)
    word = enterprise.get(f"/documents/{order.id}.docx")
    assert word.status_code == 200 and word.mimetype.endswith("wordprocessingml.document")
    text = text_of(word.data)
    for shown in (page, text):
        assert order.number in shown and "榆次建工有限公司" in shown
        assert "张检查" in shown and "14070021001" in shown and "李同事" in shown and "14070021002" in shown
        assert "问题CON-01" in shown and "问题CON-02" in shown
        assert "榆次区人民政府或者晋中市住房和城乡建设局" in shown and "晋中市榆次区人民法院" in shown
        for hazard in inspection.hazards:
            deadline = hazard.deadline
            assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in shown
    assert "60日内" in text and "6个月内" in text  # 复议 within 60 days, 诉讼 within 6 months


def test_a_suspension_issues_the_decision_on_on_site_measures(login, carded, db):
    client = login("insp_a")
    number = inspection_id(start(client, carded))
    assert client.post(f"/inspections/{number}/enforcement", {
        "kind": EnforcementKind.SUSPENSION.value, "note": "塔吊区域停止作业",
    }).status_code == 302
    inspection = db.get(Inspection, number)
    outcomes = {f"outcome-{item.id}": "pass" for item in inspection.checklist.items}
    client.post(f"/inspections/{number}", outcomes)
    client.post(f"/inspections/{number}/review", {"inspectors": [carded.colleague_a.id]})
    documents = numbers(db, inspection)
    assert set(documents) == {DocumentKind.RECORD, DocumentKind.MEASURES}
    measures = next(d for d in db.get(Inspection, number).documents if d.kind is DocumentKind.MEASURES)
    text = text_of(client.get(f"/documents/{measures.id}.docx").data)
    assert "塔吊区域停止作业" in text and "安全生产法" in text and measures.number in text


def test_without_two_card_numbers_nothing_issues_and_the_page_names_who_lacks_one(login, world, db):
    world.inspector_a.card_number = "14070021001"
    db.commit()
    client = login("insp_a")
    inspection = inspect(client, world, db)
    assert inspection.documents == []
    page = client.get(f"/inspections/{inspection.id}/documents").get_data(as_text=True)
    assert "李同事" in page and "执法证号" in page
    client.post(f"/inspections/{inspection.id}/documents", {})
    assert db.scalar(select(func.count(Document.id))) == 0
    world.colleague_a.card_number = "14070021002"
    db.commit()
    assert client.post(f"/inspections/{inspection.id}/documents", {}).status_code == 302
    assert len(numbers(db, inspection)) == 2


def test_one_officer_alone_issues_nothing(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db, both=False)
    assert inspection.documents == []
    assert "第二名" in login("insp_a").get(f"/inspections/{inspection.id}/documents").get_data(as_text=True)


def test_a_draft_has_no_documents_and_says_why(login, carded, db):
    client = login("insp_a")
    number = inspection_id(start(client, carded))
    assert "请先提交检查" in client.get(f"/inspections/{number}/documents").get_data(as_text=True)
    client.post(f"/inspections/{number}/documents", {})
    assert "请先提交检查" in client.get(f"/inspections/{number}/documents").get_data(as_text=True)
    zipped = client.get(f"/inspections/{number}/documents.zip")
    assert zipped.status_code == 400 and "请先提交检查" in zipped.get_data(as_text=True)
    assert db.scalar(select(func.count(Document.id))) == 0


def test_a_voided_document_stays_listed_and_its_number_never_comes_back(login, carded, db):
    client = login("insp_a")
    inspection = inspect(client, carded, db)
    order = next(document for document in inspection.documents if document.kind is DocumentKind.ORDER)
    client.post(f"/documents/{order.id}/void", {"reason": ""})
    assert not db.get(Document, order.id).is_void
    assert client.post(f"/documents/{order.id}/void", {"reason": "当事人名称有误"}).status_code == 302
    assert client.post(f"/inspections/{inspection.id}/documents", {}).status_code == 302
    db.expire_all()
    assert db.get(Document, order.id).void_reason == "当事人名称有误"
    assert numbers(db, inspection)[DocumentKind.ORDER] == f"榆住建责改〔{YEAR}〕第0002号"
    page = client.get(f"/inspections/{inspection.id}/documents").get_data(as_text=True)
    assert order.number in page and "当事人名称有误" in page and "作废" in page
    # the voided one is out of the case file
    with zipfile.ZipFile(io.BytesIO(client.get(f"/inspections/{inspection.id}/documents.zip").data)) as archive:
        names = archive.namelist()
    assert [name[3:].split(" ")[0] for name in names] == ["现场检查记录", "责令限期整改指令书", "文书送达回执"]
    assert not any("0001号" in name and "责改" in name for name in names)


def test_another_enterprise_and_another_county_cannot_read_the_documents(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db)
    order = next(document for document in inspection.documents if document.kind is DocumentKind.ORDER)
    for other in (login(ENTERPRISE_A2), login("insp_b"), login("admin_b")):
        assert other.get(f"/documents/{order.id}").status_code == 403
        assert other.get(f"/documents/{order.id}.docx").status_code == 403
        assert other.get(f"/inspections/{inspection.id}/documents.zip").status_code == 403
        assert other.post(f"/documents/{order.id}/void", {"reason": "x"}).status_code == 403
    db.expire_all()
    assert not db.get(Document, order.id).is_void
    # the enterprise itself reads but cannot void
    login(ENTERPRISE_A).post(f"/documents/{order.id}/void", {"reason": "x"})
    db.expire_all()
    assert not db.get(Document, order.id).is_void


def test_parallel_submissions_get_distinct_gap_free_numbers(app, login, carded, db):
    """Four inspections of one unit submitted at the same moment, each from its own client and connection."""
    clients = [login("insp_a") for _ in range(4)]
    drafts = []
    for client in clients:
        number = inspection_id(start(client, carded))
        inspection = db.get(Inspection, number)
        client.post(f"/inspections/{number}", {f"outcome-{item.id}": "pass" for item in inspection.checklist.items})
        drafts.append(number)
    barrier, statuses = threading.Barrier(len(clients)), []

    def submit(client, number):
        barrier.wait()
        statuses.append(client.post(f"/inspections/{number}/review",
                                    {"inspectors": [carded.colleague_a.id]}).status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(clients, drafts, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 4
    db.expire_all()
    serials = sorted(db.scalars(select(Document.serial).where(Document.kind == DocumentKind.RECORD)))
    assert serials == [1, 2, 3, 4]


# 复查 --------------------------------------------------------------------------------------------------------------

def review_data(hazards, verdicts, second, uuid_=None) -> dict:
    data = {"client_uuid": uuid_ or str(uuid.uuid4()), "second": second}
    for hazard, (verdict, note, days) in zip(hazards, verdicts, strict=True):
        data[f"verdict_{hazard.id}"] = verdict
        data[f"note_{hazard.id}"] = note
        data[f"deadline_{hazard.id}"] = deadline_in(days).isoformat() if days else ""
    return data


def test_the_re_inspection_loop_fixed_partial_and_not_fixed(login, carded, db):
    inspector = login("insp_a")
    inspection = inspect(inspector, carded, db, codes=("CON-01", "CON-02", "CON-03"))
    first, second, third = inspection.hazards
    enterprise = login(ENTERPRISE_A)
    enterprise.post(f"/hazards/{first.id}/fix", {"note": "已整改", "photos": [(io.BytesIO(jpeg_bytes()), "f.jpg")]},
                    content_type="multipart/form-data")
    tasks = inspector.get("/reviews").get_data(as_text=True)
    assert "问题CON-01" in tasks and "问题CON-02" not in tasks  # the others are neither reported nor overdue
    page = inspector.get(f"/inspections/{inspection.id}/reinspection")
    assert page.status_code == 200 and "问题CON-03" in page.get_data(as_text=True)
    data = review_data([first, second, third], [("fixed", "", 0), ("partial", "警示标志未补齐", 7),
                                                 ("not_fixed", "未整改", 5)], carded.colleague_a.id)
    with_photo = {**data, f"photos_{second.id}": [(io.BytesIO(jpeg_bytes()), "r.jpg")]}
    response = inspector.post(f"/inspections/{inspection.id}/reinspection", with_photo,
                              content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Hazard, first.id).status is HazardStatus.CLOSED
    assert db.get(Hazard, second.id).status is HazardStatus.OPEN
    assert db.get(Hazard, second.id).deadline == deadline_in(7)
    assert db.get(Hazard, third.id).deadline == deadline_in(5)
    assert [row.action for row in db.get(Hazard, first.id).history][-1] is HistoryAction.ACCEPTED
    last = db.get(Hazard, second.id).history[-1]
    assert last.action is HistoryAction.REVIEWED and "警示标志未补齐" in last.note
    assert last.deadline_to == deadline_in(7)
    assert db.scalar(select(func.count(Photo.id)).where(Photo.kind == PhotoKind.REVIEW)) == 1
    [review] = db.scalars(select(Document).where(Document.kind == DocumentKind.REVIEW)).all()
    assert response.location.endswith(f"/documents/{review.id}")
    assert review.number == f"榆住建复查〔{YEAR}〕第0001号"
    text = text_of(enterprise.get(f"/documents/{review.id}.docx").data)
    order = numbers(db, inspection)[DocumentKind.ORDER]
    assert order in text and review.number in text and "警示标志未补齐" in text and "未整改" in text
    # the same post again (a phone retrying) records nothing more
    inspector.post(f"/inspections/{inspection.id}/reinspection", data, content_type="multipart/form-data")
    assert db.scalar(select(func.count(Reinspection.id))) == 1
    # a closed hazard is not re-inspected again
    again = review_data([first], [("fixed", "", 0)], carded.colleague_a.id)
    inspector.post(f"/inspections/{inspection.id}/reinspection", again)
    assert db.scalar(select(func.count(Reinspection.id))) == 1


def test_a_re_inspection_is_refused_to_other_units_and_without_two_cards(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db)
    hazard = inspection.hazards[0]
    data = review_data([hazard], [("fixed", "", 0)], carded.colleague_a.id)
    for other in ("insp_b", "admin_a", "city", ENTERPRISE_A):
        assert login(other).post(f"/inspections/{inspection.id}/reinspection", data).status_code == 403
    page = login("admin_a").get(f"/inspections/{inspection.id}/reinspection")
    assert page.status_code == 403 and "只有发现这些隐患的单位" in page.get_data(as_text=True)
    carded.colleague_a.card_number = ""
    db.commit()
    response = login("insp_a").post(f"/inspections/{inspection.id}/reinspection", data)
    assert response.status_code == 400 and "李同事" in response.get_data(as_text=True)
    assert login("insp_a").post(f"/inspections/{inspection.id}/reinspection",
                                {**data, "second": 0}).status_code == 400
    db.expire_all()
    assert db.get(Hazard, hazard.id).status is HazardStatus.OPEN
    assert db.scalar(select(func.count(Reinspection.id))) == 0
    assert db.scalar(select(func.count(Document.id)).where(Document.kind == DocumentKind.REVIEW)) == 0


def test_a_hazard_not_rectified_needs_a_new_deadline_and_a_note(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db)
    hazard = inspection.hazards[0]
    for verdict in (("not_fixed", "", 5), ("partial", "仍缺", 0)):
        response = login("insp_a").post(f"/inspections/{inspection.id}/reinspection",
                                        review_data([hazard], [verdict], carded.colleague_a.id))
        assert response.status_code == 400
    assert db.scalar(select(func.count(Reinspection.id))) == 0


def test_overdue_re_inspections_are_flagged_on_the_officers_list(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db)
    hazard = db.get(Hazard, inspection.hazards[0].id)
    hazard.deadline = local_today() - timedelta(days=12)
    db.commit()
    page = login("insp_a").get("/reviews?mine=1").get_data(as_text=True)
    assert "问题CON-01" in page and "复查逾期" in page
    assert "问题CON-01" not in login("insp_b").get("/reviews").get_data(as_text=True)
    assert login(ENTERPRISE_A).get("/reviews").status_code == 403


# 延期审批 ----------------------------------------------------------------------------------------------------------

def test_an_extension_is_asked_approved_and_printed(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db)
    hazard = inspection.hazards[0]
    enterprise = login(ENTERPRISE_A)
    asked = deadline_in(40)
    enterprise.post(f"/hazards/{hazard.id}/extension-request", {"deadline": asked.isoformat(), "reason": ""})
    assert db.scalar(select(func.count(ExtensionRequest.id))) == 0
    enterprise.post(f"/hazards/{hazard.id}/extension-request", {"deadline": asked.isoformat(), "reason": "设备到货晚"})
    enterprise.post(f"/hazards/{hazard.id}/extension-request", {"deadline": asked.isoformat(), "reason": "再次"})
    [request] = db.scalars(select(ExtensionRequest)).all()
    assert login(ENTERPRISE_A2).post(f"/extensions/{request.id}/decision", {"approve": "1"}).status_code == 403
    enterprise.post(f"/extensions/{request.id}/decision", {"approve": "1"})
    db.expire_all()
    assert db.get(ExtensionRequest, request.id).is_pending
    assert login("insp_a").post(f"/extensions/{request.id}/decision", {"approve": "1"}).status_code == 302
    db.expire_all()
    assert db.get(Hazard, hazard.id).deadline == asked
    assert db.get(ExtensionRequest, request.id).decision is ExtensionDecision.APPROVED
    actions = [row.action for row in db.get(Hazard, hazard.id).history]
    assert actions[-2:] == [HistoryAction.EXTENSION_ASKED, HistoryAction.EXTENDED]
    page = enterprise.get(f"/extensions/{request.id}").get_data(as_text=True)
    assert "设备到货晚" in page and f"{asked.year}年{asked.month}月{asked.day}日" in page
    assert "设备到货晚" in text_of(enterprise.get(f"/extensions/{request.id}.docx").data)
    assert login(ENTERPRISE_A2).get(f"/extensions/{request.id}").status_code == 403


def test_a_refusal_needs_its_reason_and_keeps_the_deadline(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db)
    hazard = inspection.hazards[0]
    deadline = hazard.deadline
    login(ENTERPRISE_A).post(f"/hazards/{hazard.id}/extension-request",
                             {"deadline": deadline_in(60).isoformat(), "reason": "资金不足"})
    [request] = db.scalars(select(ExtensionRequest)).all()
    login("insp_a").post(f"/extensions/{request.id}/decision", {"approve": "0", "note": ""})
    db.expire_all()
    assert db.get(ExtensionRequest, request.id).is_pending
    login("insp_a").post(f"/extensions/{request.id}/decision", {"approve": "0", "note": "期限已足够"})
    db.expire_all()
    assert db.get(ExtensionRequest, request.id).decision is ExtensionDecision.REFUSED
    assert db.get(Hazard, hazard.id).deadline == deadline
    assert db.get(Hazard, hazard.id).history[-1].action is HistoryAction.EXTENSION_REFUSED


# The self-inspection's own record and the command line --------------------------------------------------------------

def test_a_self_inspection_has_its_own_record_and_no_numbered_document(login, world, db):
    client = login(ENTERPRISE_A)
    number = inspection_id(start(client, world, mode="self_check"))
    fail_items(client, db, number, ("CON-01",), description="自查问题")
    page = client.get(f"/inspections/{number}/self-record").get_data(as_text=True)
    assert "自查问题 CON-01" in page and "榆次建工有限公司" in page
    assert "自查问题 CON-01" in text_of(client.get(f"/inspections/{number}/self-record.docx").data)
    assert db.scalar(select(func.count(Document.id))) == 0
    assert login(ENTERPRISE_A2).get(f"/inspections/{number}/self-record").status_code == 403


def test_export_documents_writes_each_document_as_word(app, login, carded, db, tmp_path):
    inspection = inspect(login("insp_a"), carded, db)
    result = app.test_cli_runner().invoke(args=["export-documents", "--inspection", str(inspection.id),
                                                "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert [name[3:].split(" ")[0] for name in names] == ["现场检查记录", "责令限期整改指令书", "文书送达回执"]
    order = numbers(db, inspection)[DocumentKind.ORDER]
    assert order in text_of((tmp_path / "out" / names[1]).read_bytes())
    missing = app.test_cli_runner().invoke(args=["export-documents", "--inspection", "999999", "-o", str(tmp_path)])
    assert missing.exit_code != 0 and "999999" in missing.output


def test_once_every_hazard_is_closed_there_is_nothing_to_re_inspect(login, carded, db):
    inspection = inspect(login("insp_a"), carded, db, codes=("CON-01",))
    [hazard] = inspection.hazards
    inspector = login("insp_a")
    data = review_data([hazard], [("fixed", "", 0)], carded.colleague_a.id)
    assert inspector.post(f"/inspections/{inspection.id}/reinspection", data).status_code == 302
    again = inspector.post(f"/inspections/{inspection.id}/reinspection",
                           review_data([hazard], [("fixed", "", 0)], carded.colleague_a.id))
    assert again.status_code == 400 and "均已销号" in again.get_data(as_text=True)
    assert db.scalar(select(func.count(Reinspection.id))) == 1
