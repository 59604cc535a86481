"""The Word files of the enforcement documents: each kind carries its data, opens in python-docx, and
LibreOffice turns it into a PDF."""

import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime

import docx
import pytest
from docx.oxml.ns import qn
from flask_babel import force_locale
from PIL import Image, ImageDraw

from checklist.documents import word
from checklist.documents.papers import (
    ExtensionForm,
    Head,
    InspectionRecord,
    MeasuresDecision,
    Officer,
    Party,
    Problem,
    RectificationOrder,
    Remedy,
    ReviewItem,
    ReviewOpinion,
    SelfCheckLine,
    SelfCheckRecord,
    Served,
    ServiceReceipt,
    Signature,
)

AUTHORITY = "晋中市榆次区应急管理局"
PARTY = Party(name="榆次建工有限公司", address="晋中市榆次区迎宾街18号", representative="王建国", position="总经理",
              phone="0354-3021234")
OFFICERS = [Officer("张伟", "14070219001"), Officer("李娜", "14070219002")]
REMEDY = Remedy(review_bodies="晋中市榆次区人民政府或者晋中市应急管理局", court="晋中市榆次区人民法院")
PROBLEMS = [
    Problem(1, "施工现场临时用电配电箱未设置漏电保护器", "一般事故隐患", date(2026, 12, 20),
            basis="《施工现场临时用电安全技术规范》第8.2.5条"),
    Problem(2, "深基坑未按专项施工方案进行支护", "重大事故隐患", date(2026, 12, 10),
            criterion="《房屋市政工程生产安全重大事故隐患判定标准（2022版）》第六条"),
    Problem(3, "特种作业人员未持证上岗", "一般事故隐患", date(2026, 12, 20)),
]
FOUND_ON = date(2026, 12, 7)


def signature_png() -> bytes:
    image = Image.new("RGB", (300, 120), "white")
    ImageDraw.Draw(image).line([(20, 90), (120, 30), (200, 80), (280, 40)], fill="black", width=5)
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def head(title: str, number: str = "", authority: str = AUTHORITY, void_reason: str = "") -> Head:
    return Head(authority=authority, title=title, number=number, void_reason=void_reason)


def papers() -> dict[str, object]:
    """One realistic paper of each kind."""
    signed = Signature(name="王建国", png=signature_png(), on=FOUND_ON)
    return {
        "inspection": InspectionRecord(
            head=head("现场检查记录", "榆应急检记〔2026〕第0001号"), party=PARTY, place="榆次区迎宾街住宅项目施工现场",
            started_at=datetime(2026, 12, 7, 9, 5), ended_at=datetime(2026, 12, 7, 11, 30), officers=OFFICERS,
            findings="检查了施工现场临时用电、深基坑支护和特种作业人员持证情况。", problems=PROBLEMS,
            actions=["责令深基坑作业区域立即停止作业", "下达责令限期整改指令书"], signature=signed, issued_on=FOUND_ON),
        "measures": MeasuresDecision(
            head=head("现场处理措施决定书", "榆应急现决〔2026〕第0002号"), party=PARTY, found_on=FOUND_ON,
            problems=[replace(PROBLEMS[1], number=1)], basis="《中华人民共和国安全生产法》第六十五条第一款第（三）项",
            decisions=["深基坑作业区域停止作业", "撤出作业人员"], remedy=REMEDY, officers=OFFICERS,
            signature=Signature(name="王建国"), issued_on=FOUND_ON),
        "order": RectificationOrder(
            head=head("责令限期整改指令书", "榆应急责改〔2026〕第0003号"), party=PARTY, found_on=FOUND_ON,
            problems=PROBLEMS, remedy=REMEDY, officers=OFFICERS, signature=Signature(refused=True), issued_on=FOUND_ON),
        "review": ReviewOpinion(
            head=head("整改复查意见书", "榆应急复查〔2026〕第0004号"), party=PARTY, original_title="责令限期整改指令书",
            original_number="榆应急责改〔2026〕第0003号", original_on=FOUND_ON, reviewed_on=date(2026, 12, 21),
            items=[ReviewItem(1, PROBLEMS[0].description, "已整改"),
                   ReviewItem(2, PROBLEMS[1].description, "部分整改", note="支护已完成，监测未落实",
                              new_deadline=date(2027, 1, 15))],
            remedy=REMEDY, officers=OFFICERS, signature=Signature(name="王建国", on=date(2026, 12, 21)),
            issued_on=date(2026, 12, 21)),
        "receipt": ServiceReceipt(
            head=head("文书送达回执"), recipient=PARTY.name,
            documents=[Served("现场检查记录", "榆应急检记〔2026〕第0001号"),
                       Served("责令限期整改指令书", "榆应急责改〔2026〕第0003号")],
            place=PARTY.address, served_on=FOUND_ON, way="直接送达", servers=OFFICERS, signature=signed),
        "self_check": SelfCheckRecord(
            head=head("自查记录", authority=PARTY.name), party=PARTY, started_at=datetime(2026, 12, 1, 8, 30),
            ended_at=datetime(2026, 12, 1, 10, 0), inspectors=["赵安全", "钱质量"],
            lines=[SelfCheckLine("JZ-01", "施工现场临时用电是否设置漏电保护器", "不符合", "二号配电箱缺失"),
                   SelfCheckLine("JZ-02", "脚手架是否按规定搭设", "符合")],
            problems=PROBLEMS[:1]),
        "extension": ExtensionForm(
            head=head("延期整改审批表"), party=PARTY, original_number="榆应急责改〔2026〕第0003号",
            problem=PROBLEMS[1], reason="支护材料供货延迟，需增加监测点", requested_on=date(2026, 12, 8),
            deadline_from=date(2026, 12, 10), requested_deadline=date(2027, 1, 15), decision="同意",
            decision_note="延期期间须停止深基坑作业", decided_by="张伟", decided_on=date(2026, 12, 9)),
    }


# What each paper must show besides its head and party (dates as the English catalogue writes them).
OFFICERS_SHOWN = ["张伟", "14070219001", "李娜", "14070219002"]
REMEDY_SHOWN = [REMEDY.review_bodies, REMEDY.court]
EXPECTED = {
    "inspection": [PARTY.address, "0354-3021234", "榆次区迎宾街住宅项目施工现场", "2026-12-7 9:05", "2026-12-7 11:30",
                   "检查了施工现场临时用电", *(p.description for p in PROBLEMS), "2026-12-20", "2026-12-10",
                   PROBLEMS[0].basis, PROBLEMS[1].criterion, "责令深基坑作业区域立即停止作业", *OFFICERS_SHOWN],
    "measures": [PROBLEMS[1].description, "第六十五条", "撤出作业人员", "2026-12-7", *OFFICERS_SHOWN, *REMEDY_SHOWN],
    "order": [*(p.description for p in PROBLEMS), PROBLEMS[1].criterion, "item(s) 2 by 2026-12-10",
              "Item(s) 1, 3 are to be rectified by 2026-12-20", "Refused to sign", *OFFICERS_SHOWN, *REMEDY_SHOWN],
    "review": ["榆应急责改〔2026〕第0003号", "责令限期整改指令书", PROBLEMS[0].description, "部分整改", "监测未落实",
               "2027-1-15", "2026-12-21", *OFFICERS_SHOWN, *REMEDY_SHOWN],
    "receipt": ["现场检查记录 (榆应急检记〔2026〕第0001号)", "责令限期整改指令书 (榆应急责改〔2026〕第0003号)",
                PARTY.address, "2026-12-7", "直接送达", *OFFICERS_SHOWN],
    "self_check": ["JZ-01", "施工现场临时用电是否设置漏电保护器", "不符合", "二号配电箱缺失", "JZ-02", "赵安全",
                   "钱质量", PROBLEMS[0].description, "2026-12-20", "2026-12-1 8:30"],
    "extension": ["榆应急责改〔2026〕第0003号", PROBLEMS[1].description, "2026-12-10", "2027-1-15", "支护材料供货延迟",
                  "2026-12-8", "同意", "延期期间须停止深基坑作业", "2026-12-9"],
}
# The English boilerplate a reader sees on each (so the words went through gettext).
WORDS = {
    "inspection": ["Inspected unit", "Findings", "Inspectors (signatures)"],
    "measures": ["violations (hazards)", "If you disagree with this decision"],
    "order": ["following problems", "If you disagree with this order", "(Seal)"],
    "review": ["Opinion of the re-inspection", "If you disagree with this opinion"],
    "receipt": ["Documents served (title and number)", "Recipient (signature)", "Served by"],
    "self_check": ["Item checked", "Checked by (signatures)"],
    "extension": ["Extension requested to", "Reason for the request"],
}


@pytest.fixture
def english(app):
    """A request in English: the words are the msgids, whatever the Chinese catalogue holds."""
    with app.test_request_context(), force_locale("en"):
        yield


def texts(document) -> str:
    """All the text of a document, its paragraphs and (nested) tables, one line a paragraph."""
    def walk(container):
        for paragraph in container.paragraphs:
            yield paragraph.text
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)
    return "\n".join(walk(document))


def opened(paper) -> docx.document.Document:
    return docx.Document(io.BytesIO(word.docx_bytes(paper)))


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_paper_shows_its_data(english, kind):
    paper = papers()[kind]
    text = texts(opened(paper))
    party = paper.recipient if kind == "receipt" else paper.party.name
    for shown in [paper.head.authority, paper.head.title, paper.head.number, party, *EXPECTED[kind], *WORDS[kind]]:
        assert shown in text, shown
    assert "作废" not in text and "VOID" not in text


def test_the_national_layout(english):
    document = opened(papers()["order"])
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(section.left_margin.cm, 1), round(section.top_margin.cm, 1)) == (2.6, 2.5)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋" and fonts.get(qn("w:ascii")) == "仿宋"
    title = next(p for p in document.paragraphs if p.text == "责令限期整改指令书")
    assert title.alignment == 1 and title.runs[0].bold and title.runs[0].font.size.pt == 22
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    underlined = {run.text for p in document.paragraphs for run in p.runs if run.underline}
    assert {PARTY.name, REMEDY.court, "2026-12-20", "1, 3"} <= underlined


def test_tables_fit_the_page(english):
    for kind, paper in papers().items():
        for table in opened(paper).tables:
            width = sum(column.width for column in table.columns)  # each rounded to a twip
            assert width <= docx.shared.Cm(15.8) + docx.shared.Twips(len(table.columns)), kind


def test_a_blank_prints_as_an_underlined_space(english):
    order = papers()["order"]
    blank = replace(order, party=Party(name="榆次建工有限公司"), remedy=Remedy(review_bodies="", court=""))
    notice = next(p for p in opened(blank).paragraphs if p.text.startswith("If you disagree"))
    assert [run.text.strip() for run in notice.runs if run.underline] == ["", ""]  # the bodies and the court
    assert all(run.text for run in notice.runs)


def test_signatures(english):
    assert len(opened(papers()["inspection"]).inline_shapes) == 1  # the drawn signature
    assert len(opened(papers()["receipt"]).inline_shapes) == 1
    text = texts(opened(papers()["order"]))
    assert "Refused to sign" in text and "recorded the refusal" in text
    named = texts(opened(papers()["measures"]))
    assert "王建国" in named and "Refused" not in named


def test_a_voided_paper_says_so_with_its_reason(english):
    order = papers()["order"]
    voided = replace(order, head=head(order.head.title, order.head.number, void_reason="文号填写错误，已重新制作"))
    document = opened(voided)
    text = texts(document)
    assert "VOID" in text and "文号填写错误，已重新制作" in text
    void = next(p for p in document.paragraphs if p.text == "VOID")
    assert void.runs[0].bold and void.runs[0].font.color.rgb == word.RED


def test_file_names(english):
    names = {kind: word.file_name(paper) for kind, paper in papers().items()}
    assert names["inspection"] == "现场检查记录 榆应急检记〔2026〕第0001号.docx"
    assert names["receipt"] == "文书送达回执 榆次建工有限公司.docx"
    assert names["self_check"] == "自查记录 榆次建工有限公司.docx"
    for kind, paper in papers().items():
        assert names[kind].startswith(paper.head.title) and names[kind].endswith(".docx")
    odd = replace(papers()["extension"], party=Party(name='a/b\\c:d*e?f"g<h>i|j'))
    name = word.file_name(odd)
    assert name.startswith("延期整改审批表 ") and not re.search(r'[\\/:*?"<>|]', name)


def test_libreoffice_converts_each_paper(english, tmp_path):
    """Every paper opens in LibreOffice and prints to at least a page."""
    soffice = shutil.which("soffice")
    if soffice is None:
        message = "LibreOffice (soffice) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    files = []
    for kind, paper in papers().items():
        files.append(tmp_path / f"{kind}.docx")
        files[-1].write_bytes(word.docx_bytes(paper))
    run = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), *map(str, files)],
        check=True, capture_output=True, timeout=120,
    )
    for file in files:
        pdf = tmp_path / "pdf" / f"{file.stem}.pdf"
        assert pdf.exists(), f"{file.name}: {run.stdout!r} {run.stderr!r}"  # e.g. Writer not installed
        assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) >= 1, file.name
