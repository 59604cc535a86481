"""The printable enforcement documents (templates/documents/): each page shows every value of its paper."""

import html
import re
from dataclasses import replace
from datetime import date, datetime

import pytest
from flask import render_template
from flask_babel import gettext

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
OFFICERS = [Officer("张建国", "14070220190012"), Officer("李明华", "14070220210037")]
PARTY = Party("榆次建工有限公司", "晋中市榆次区迎宾街88号", "王志强", "总经理", "0354-3021188")
REMEDY = Remedy("晋中市榆次区人民政府或者晋中市应急管理局", "晋中市榆次区人民法院")
PROBLEMS = [
    Problem(1, "脚手架连墙件缺失，架体与建筑物未可靠拉结", "一般事故隐患", date(2026, 5, 20),
            "《建筑施工扣件式钢管脚手架安全技术规范》第6.4.1条"),
    Problem(2, "深基坑未按专项施工方案支护，坑边堆载超限", "重大事故隐患", date(2026, 6, 15),
            "《危险性较大的分部分项工程安全管理规定》第十六条",
            "《房屋市政工程生产安全重大事故隐患判定标准（2024版）》第五条第（二）项"),
    Problem(3, "配电箱未设置漏电保护器", "一般事故隐患", date(2026, 5, 20),
            "《施工现场临时用电安全技术规范》第8.2.5条"),
]
REFUSED = Signature(name="王志强", refused=True, on=date(2026, 5, 12))
NAMED = Signature(name="王志强", png=b"\x89PNG", on=date(2026, 5, 12))
ORDER_NUMBER = "榆应急责改〔2026〕第0003号"


def officer_values(officers=OFFICERS):
    return [value for person in officers for value in (person.name, person.card_number)]


def remedy_values():
    return [REMEDY.review_bodies, REMEDY.court]


def problem_values(problems=PROBLEMS):
    return [value for problem in problems for value in (problem.description, problem.level, problem.criterion) if value]


def party_values():
    return [PARTY.name, PARTY.address, PARTY.representative, PARTY.position, PARTY.phone]


def day(value: date) -> str:
    return gettext("%(year)d-%(month)d-%(day)d", year=value.year, month=value.month, day=value.day)


def moment(value: datetime) -> str:
    return gettext("%(year)d-%(month)d-%(day)d %(hour)d:%(minute)02d", year=value.year, month=value.month,
                   day=value.day, hour=value.hour, minute=value.minute)


def record():
    paper = InspectionRecord(
        head=Head(AUTHORITY, "现场检查记录", "榆应急检记〔2026〕第0007号"), party=PARTY,
        place="迎宾街锦绣华庭3号楼施工现场", started_at=datetime(2026, 5, 12, 9, 5),
        ended_at=datetime(2026, 5, 12, 11, 40), officers=OFFICERS,
        findings="执法人员出示执法证件后，对该项目脚手架、基坑支护和临时用电进行了检查，项目经理陪同。",
        problems=PROBLEMS, actions=["下达责令限期整改指令书", "对深基坑作业区域责令暂时停止施工"],
        signature=REFUSED, issued_on=date(2026, 5, 12))
    basis = [problem.basis for problem in PROBLEMS]
    return paper, [*party_values(), *officer_values(), *problem_values(), *basis, *paper.actions, paper.place,
                   paper.findings, moment(paper.started_at), moment(paper.ended_at),
                   *(day(problem.deadline) for problem in PROBLEMS), day(paper.issued_on),
                   gettext("Refused to sign")]


def measures():
    paper = MeasuresDecision(
        head=Head(AUTHORITY, "现场处理措施决定书", "榆应急现决〔2026〕第0002号"), party=PARTY,
        found_on=date(2026, 5, 12), problems=[replace(PROBLEMS[1], number=1)],
        basis="《中华人民共和国安全生产法》第六十五条第一款第（三）项",
        decisions=["深基坑作业区域暂时停止施工", "撤出基坑内作业人员"], remedy=REMEDY, officers=OFFICERS,
        signature=NAMED, issued_on=date(2026, 5, 12))
    return paper, [PARTY.name, *problem_values(paper.problems), paper.basis, *paper.decisions, *remedy_values(),
                   *officer_values(), NAMED.name, day(paper.found_on), AUTHORITY]


def order():
    paper = RectificationOrder(
        head=Head(AUTHORITY, "责令限期整改指令书", ORDER_NUMBER), party=PARTY, found_on=date(2026, 5, 12),
        problems=PROBLEMS, remedy=REMEDY, officers=OFFICERS, signature=REFUSED, issued_on=date(2026, 5, 12))
    return paper, [PARTY.name, *problem_values(), *remedy_values(), *officer_values(), day(date(2026, 5, 20)),
                   day(date(2026, 6, 15)), day(paper.issued_on), gettext("Refused to sign")]


def review():
    items = [ReviewItem(1, PROBLEMS[0].description, "已整改", "连墙件已按规范补设"),
             ReviewItem(2, PROBLEMS[1].description, "部分整改", "坑边堆载已清除，支护尚未完成",
                        date(2026, 7, 10))]
    paper = ReviewOpinion(
        head=Head(AUTHORITY, "整改复查意见书", "榆应急复查〔2026〕第0001号"), party=PARTY,
        original_title="责令限期整改指令书", original_number=ORDER_NUMBER, original_on=date(2026, 5, 12),
        reviewed_on=date(2026, 6, 18), items=items, remedy=REMEDY, officers=OFFICERS,
        signature=replace(NAMED, on=date(2026, 6, 18)), issued_on=date(2026, 6, 18))
    values = [value for item in items for value in (item.description, item.verdict, item.note)]
    return paper, [PARTY.name, paper.original_title, ORDER_NUMBER, *values, *remedy_values(), *officer_values(),
                   day(paper.original_on), day(paper.reviewed_on), day(date(2026, 7, 10)), NAMED.name]


def receipt():
    documents = [Served("责令限期整改指令书", ORDER_NUMBER), Served("现场处理措施决定书", "榆应急现决〔2026〕第0002号")]
    paper = ServiceReceipt(
        head=Head(AUTHORITY, "文书送达回执"), recipient=PARTY.name, documents=documents,
        place="迎宾街锦绣华庭项目部办公室", served_on=date(2026, 5, 13), way="直接送达", servers=OFFICERS,
        signature=Signature(name="王志强", on=date(2026, 5, 13)))
    values = [value for served in documents for value in (served.title, served.number)]
    return paper, [*values, PARTY.name, paper.place, day(paper.served_on), paper.way, "王志强", *officer_values()]


def self_record():
    lines = [SelfCheckLine("JZ-01", "脚手架连墙件设置符合规范", "不符合", "3号楼东侧缺失两处"),
             SelfCheckLine("JZ-02", "施工用电实行三级配电两级保护", "符合")]
    paper = SelfCheckRecord(
        head=Head(PARTY.name, "自查记录"), party=PARTY, started_at=datetime(2026, 4, 28, 14, 0),
        ended_at=datetime(2026, 4, 28, 16, 30), inspectors=["赵安全", "钱质检"], lines=lines,
        problems=PROBLEMS[:1])
    values = [value for line in lines for value in (line.code, line.text, line.outcome, line.note) if value]
    return paper, [*values, *paper.inspectors, *problem_values(PROBLEMS[:1]), PARTY.address,
                   moment(paper.started_at), moment(paper.ended_at), day(PROBLEMS[0].deadline)]


def extension():
    paper = ExtensionForm(
        head=Head(AUTHORITY, "延期整改审批表", void_reason="企业撤回申请，重新提交"), party=PARTY,
        original_number=ORDER_NUMBER, problem=PROBLEMS[1], reason="支护桩需重新设计，设计单位出图需要二十日",
        requested_on=date(2026, 6, 10), deadline_from=date(2026, 6, 15), requested_deadline=date(2026, 7, 15),
        decision="同意", decision_note="延期期间基坑周边设置警戒区", decided_by="陈副局长",
        decided_on=date(2026, 6, 11))
    return paper, [PARTY.name, ORDER_NUMBER, *problem_values(PROBLEMS[1:2]), paper.reason, day(paper.requested_on),
                   day(paper.deadline_from), day(paper.requested_deadline), paper.decision, paper.decision_note,
                   paper.decided_by, day(paper.decided_on), paper.head.void_reason, gettext("Void")]


PAPERS = {"record": record, "measures": measures, "order": order, "review": review, "receipt": receipt,
          "self_record": self_record, "extension": extension}


def render(kind, paper, signature_url=None):
    return render_template(f"documents/{kind}.html", paper=paper, signature_url=signature_url)


def text_of(page: str) -> str:
    """What a reader sees: the page without its tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.mark.parametrize("kind", PAPERS)
def test_a_page_shows_every_value_of_its_paper(app, kind):
    with app.test_request_context():
        paper, values = PAPERS[kind]()
        page = render(kind, paper)
        text = text_of(page)
        for value in [paper.head.authority, paper.head.title, paper.head.number, *values]:
            assert value in text, value
        assert '<link rel="stylesheet" href="/static/css/documents.css">' in page
        assert not re.search(r'(src|href)="https?://', page)


def test_the_order_groups_its_problems_by_deadline(app):
    with app.test_request_context():
        paper, _ = order()
        text = text_of(render("order", paper))
        line = ("rectify problems %(numbers)s by %(date)s, so as to meet the requirements of the relevant laws, "
                "regulations, rules and standards.")
        first = gettext(line, numbers=gettext(", ").join(["1", "3"]), date=day(date(2026, 5, 20)))
        second = gettext(line, numbers="2", date=day(date(2026, 6, 15)))
        assert first in text and second in text
        assert text.index(first) < text.index(second)


def test_the_remedy_notice_names_the_bodies_and_the_court(app):
    with app.test_request_context():
        paper, _ = measures()
        text = text_of(render("measures", paper))
        notice = gettext(
            "If you disagree with this decision, you may apply for administrative reconsideration to %(bodies)s "
            "within 60 days, or bring an administrative lawsuit before %(court)s within 6 months; the decision is "
            "not suspended meanwhile, unless the law provides otherwise.",
            bodies=REMEDY.review_bodies, court=REMEDY.court)
        assert notice in text


def test_a_drawn_signature_shows_its_image_and_a_refusal_is_recorded(app):
    with app.test_request_context():
        paper, _ = measures()
        assert '<img class="signature-image" src="/signature/7.png"' in render("measures", paper, "/signature/7.png")
        assert '<img class="signature-image"' not in render_template("documents/measures.html", paper=paper)
        refused, _ = order()
        page = render("order", refused, "/signature/7.png")
        assert '<img class="signature-image"' not in page and gettext("Refused to sign") in page


def test_a_voided_paper_says_so_and_why(app):
    with app.test_request_context():
        paper, _ = extension()
        page = render("extension", paper)
        assert 'class="void-stamp"' in page and paper.head.void_reason in page
        assert 'class="void-stamp"' not in render("order", order()[0])


def blank_order():
    """An order with nothing but its problem: the rest is left to fill by hand."""
    return RectificationOrder(
        head=Head(AUTHORITY, "责令限期整改指令书"), party=Party(""), found_on=date(2026, 5, 12),
        problems=[Problem(1, "消防通道堵塞", "一般事故隐患")], remedy=Remedy("", ""), officers=[],
        signature=Signature(), issued_on=date(2026, 5, 12))


def test_a_blank_value_prints_as_a_line_to_fill_by_hand(app):
    with app.test_request_context():
        page = render("order", blank_order())
        # lines: the party, the problems' numbers, the two appeal bodies, two officers with their card numbers,
        # the party's signature; dates to write in: the deadline and the signature's
        assert page.count('class="fill blank') == 9
        assert page.count('class="blank-date"') == 2
