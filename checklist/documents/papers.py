"""The content of each document, as plain values: what the print page (templates/documents/) and the Word
file (documents.word) both show, so nothing is typed twice and the two never disagree.

Dates and times are China Standard Time, naive. A text that is "" prints as a blank line to fill by hand.
"""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Head:
    """The top of a document: who issues it, its title and number."""

    authority: str  # 执法机关: the issuing unit's name
    title: str  # e.g. 现场检查记录
    number: str = ""  # e.g. 晋中应急检记〔2026〕第0001号; "" for an unnumbered paper
    void_reason: str = ""  # not "": the document was voided (作废) for this reason


@dataclass(frozen=True)
class Party:
    """The party a document is addressed to: the enterprise inspected."""

    name: str
    address: str = ""
    representative: str = ""  # 法定代表人或负责人
    position: str = ""  # 职务
    phone: str = ""


@dataclass(frozen=True)
class Officer:
    """An enforcement officer and the number of the enforcement card (执法证号)."""

    name: str
    card_number: str = ""


@dataclass(frozen=True)
class Signature:
    """A signature on a document: a drawn image, a name only, a refusal, or nothing yet (a blank line)."""

    name: str = ""
    png: bytes | None = None
    refused: bool = False
    on: date | None = None


@dataclass(frozen=True)
class Problem:
    """A numbered problem (hazard or violation) as the documents list it."""

    number: int  # from 1, in the document's order
    description: str
    level: str  # 一般事故隐患 / 重大事故隐患
    deadline: date | None = None
    basis: str = ""  # the legal basis of the checklist item
    criterion: str = ""  # 重大事故隐患判定标准, 文号 and 条款


@dataclass(frozen=True)
class Remedy:
    """Where the party may appeal: 复议 within 60 days to a government or a higher department, 诉讼 within
    6 months to a court (the national layouts' closing notice)."""

    review_bodies: str  # e.g. 晋中市人民政府或者山西省应急管理厅
    court: str  # e.g. 晋中市榆次区人民法院


@dataclass(frozen=True)
class InspectionRecord:
    """现场检查记录: the legal record of an on-site check."""

    head: Head
    party: Party
    place: str  # 检查场所
    started_at: datetime
    ended_at: datetime
    officers: list[Officer]
    findings: str  # 检查情况: one paragraph of how the check went and what it found
    problems: list[Problem]
    actions: list[str]  # what was done on site (the enforcement actions), one line each
    signature: Signature  # the on-site responsible person's, or the refusal
    issued_on: date
    position: str = ""  # presence evidence: where the phone was at the start and with the photos ("" for none)


@dataclass(frozen=True)
class MeasuresDecision:
    """现场处理措施决定书: on-site measures (e.g. a suspension) decided during the check."""

    head: Head
    party: Party
    found_on: date
    problems: list[Problem]  # the violations or hazards found
    basis: str  # the legal basis of the measures
    decisions: list[str]  # the measures decided, one line each
    remedy: Remedy
    officers: list[Officer]
    signature: Signature
    issued_on: date


@dataclass(frozen=True)
class RectificationOrder:
    """责令限期整改指令书: the problems, numbered, and by when each must be rectified."""

    head: Head
    party: Party
    found_on: date
    problems: list[Problem]
    remedy: Remedy
    officers: list[Officer]
    signature: Signature
    issued_on: date

    @property
    def deadlines(self) -> list[tuple[list[int], date]]:
        """The problems' numbers grouped by deadline, earliest first: "对第1、3项…于2026年12月20日前整改完毕"."""
        groups: dict[date, list[int]] = {}
        for problem in self.problems:
            if problem.deadline is not None:
                groups.setdefault(problem.deadline, []).append(problem.number)
        return [(numbers, deadline) for deadline, numbers in sorted(groups.items())]


@dataclass(frozen=True)
class ReviewItem:
    """What a re-inspection found of one problem of the original order."""

    number: int  # the problem's number in the original order
    description: str
    verdict: str  # 已整改 / 部分整改 / 未整改
    note: str = ""
    new_deadline: date | None = None


@dataclass(frozen=True)
class ReviewOpinion:
    """整改复查意见书: the result of a re-inspection (复查) of an order's problems."""

    head: Head
    party: Party
    original_title: str  # 责令限期整改指令书
    original_number: str  # the order's number ("" if the order was never issued)
    original_on: date  # the day the order was issued, or of the inspection
    reviewed_on: date
    items: list[ReviewItem]
    remedy: Remedy
    officers: list[Officer]
    signature: Signature
    issued_on: date


@dataclass(frozen=True)
class Served:
    """A document named on a service receipt."""

    title: str
    number: str


@dataclass(frozen=True)
class ServiceReceipt:
    """文书送达回执: which documents were served on whom, where, when, how, and by whom."""

    head: Head  # unnumbered
    recipient: str  # 受送达人: the enterprise
    documents: list[Served]
    place: str
    served_on: date
    way: str  # 送达方式, e.g. 直接送达
    servers: list[Officer]  # the two who served them
    signature: Signature  # the recipient's


@dataclass(frozen=True)
class SelfCheckLine:
    code: str
    text: str
    outcome: str  # 符合 / 不符合 / 不适用
    note: str = ""


@dataclass(frozen=True)
class SelfCheckRecord:
    """自查记录: the enterprise's own record of a self-inspection (no number, no enforcement)."""

    head: Head  # the enterprise issues it: authority is the enterprise's name
    party: Party
    started_at: datetime
    ended_at: datetime
    inspectors: list[str]  # who of the enterprise checked
    lines: list[SelfCheckLine]
    problems: list[Problem]


@dataclass(frozen=True)
class ExtensionForm:
    """延期整改审批表: an enterprise's request for more time and the unit's decision."""

    head: Head  # unnumbered; authority is the deciding unit
    party: Party
    original_number: str  # the order the problem was in ("" if none)
    problem: Problem
    reason: str
    requested_on: date
    deadline_from: date
    requested_deadline: date
    decision: str  # 同意 / 不同意 / 待审批
    decision_note: str = ""
    decided_by: str = ""
    decided_on: date | None = None


Paper = (InspectionRecord | MeasuresDecision | RectificationOrder | ReviewOpinion | ServiceReceipt
         | SelfCheckRecord | ExtensionForm)
