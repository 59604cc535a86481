"""The national enforcement documents (应急管理部《安全生产执法文书样式》) as Word files, built from the plain values
of documents.papers: A4 portrait, the authority, title and number centred on top, the body in 仿宋 with the
fill-ins underlined. The fixed words go through gettext (English msgids; the Chinese is their translation)."""

import io
import re
from collections.abc import Callable
from datetime import date, datetime

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from flask_babel import gettext as _

from checklist.documents.papers import (
    ExtensionForm,
    Head,
    InspectionRecord,
    MeasuresDecision,
    Officer,
    Paper,
    Party,
    Problem,
    RectificationOrder,
    Remedy,
    ReviewOpinion,
    SelfCheckRecord,
    ServiceReceipt,
    Signature,
)

BODY_FONT, TITLE_FONT = "仿宋", "宋体"
BODY_SIZE, TABLE_SIZE = Pt(14), Pt(12)
INDENT = Pt(28)  # two characters of the body
TEXT_WIDTH = 15.8  # cm: A4's 21 cm less two margins of 2.6 cm
RED = RGBColor(0xC0, 0x00, 0x00)
# A fill-in inside a translated sentence is wrapped in two private-use characters, so the sentence can be
# translated whole and still have its fill-ins underlined.
FILL_START, FILL_END = "\ue000", "\ue001"
FILLS = re.compile(f"{FILL_START}(.*?){FILL_END}", re.DOTALL)
BLANK = "\u3000" * 6 + "\u00a0"  # an empty fill-in; the no-break space keeps a trailing blank from being dropped
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')  # not allowed in a file name on Windows, or a path separator


def fill(value: str) -> str:
    """A fill-in: printed underlined, or as an underlined blank when empty."""
    return FILL_START + value.replace(FILL_START, "").replace(FILL_END, "") + FILL_END


def day(value: date | None) -> str:
    """2026年12月7日; "" for no date (printed as a blank)."""
    if value is None:
        return ""
    return _("%(year)d-%(month)d-%(day)d", year=value.year, month=value.month, day=value.day)


def moment(value: datetime) -> str:
    return _("%(year)d-%(month)d-%(day)d %(hour)d:%(minute)02d", year=value.year, month=value.month,
             day=value.day, hour=value.hour, minute=value.minute)


def listing(values) -> str:
    return _(", ").join(value for value in values if value)


def set_fonts(r_pr, name: str) -> None:
    """Name the font for Latin and East Asian text alike; a theme font would win over a name in Word."""
    fonts = r_pr.get_or_add_rFonts()
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), name)


def write(paragraph, text: str, size=None, bold=False, color=None, font=None):
    """Add text to a paragraph, its fill-ins underlined."""
    for index, piece in enumerate(FILLS.split(text)):
        filled = index % 2 == 1
        piece = piece or (BLANK if filled else "")
        if not piece:
            continue
        run = paragraph.add_run(piece)
        run.underline = filled or None
        run.bold = bold or None
        run.font.size = size
        if color is not None:
            run.font.color.rgb = color
        if font is not None:
            set_fonts(run._r.get_or_add_rPr(), font)
    return paragraph


def line(container, text: str = "", indent=False, align=None, **style):
    """A paragraph of the body (or of a table cell): indented two characters as prose, or aligned."""
    paragraph = write(container.add_paragraph(), text, **style)
    if indent:
        paragraph.paragraph_format.first_line_indent = INDENT
    paragraph.alignment = align
    return paragraph


def new_document(h: Head):
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.6)
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    for r_pr in (defaults, normal.element.get_or_add_rPr()):
        set_fonts(r_pr, BODY_FONT)
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.15
    document.core_properties.title = h.title
    document.core_properties.author = h.authority
    return document


def head(document, h: Head) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    line(document, h.authority, align=centre, size=Pt(18), bold=True, font=TITLE_FONT)
    line(document, h.title, align=centre, size=Pt(22), bold=True, font=TITLE_FONT)
    if h.number:
        line(document, h.number, align=centre)
    if h.void_reason:
        line(document, _("VOID"), align=centre, size=Pt(26), bold=True, color=RED)
        line(document, _("Voided: %(reason)s", reason=h.void_reason), align=centre, bold=True, color=RED)
    line(document)


def addressee(document, name: str) -> None:
    line(document, fill(name) + _(":"))


def party_lines(document, party: Party, name_label: str) -> None:
    """The party's name, address, representative and phone, as the head of a record lists them."""
    line(document, name_label % {"name": fill(party.name)})
    line(document, _("Address: %(address)s", address=fill(party.address)))
    line(document, _("Legal representative (person in charge): %(name)s  Position: %(position)s",
                     name=fill(party.representative), position=fill(party.position)))
    line(document, _("Phone: %(phone)s", phone=fill(party.phone)))


def problems(document, items: list[Problem], deadline=False, basis=False) -> None:
    """The numbered problems, each with its level and 判定标准; with its deadline and legal basis if asked."""
    for problem in items:
        text = fill(problem.description)
        if problem.level:
            text = _("%(number)d. %(description)s (%(level)s)", number=problem.number, description=text,
                     level=problem.level)
        else:
            text = f"{problem.number}. {text}"
        line(document, text, indent=True)
        details = [
            basis and problem.basis and _("Basis: %(text)s", text=problem.basis),
            problem.criterion and _("Criterion of a major hazard: %(text)s", text=problem.criterion),
            deadline and problem.deadline and _("Rectify by %(date)s", date=day(problem.deadline)),
        ]
        for detail in filter(None, details):
            line(document, detail).paragraph_format.left_indent = 2 * INDENT


def numbered(document, texts: list[str]) -> None:
    for number, text in enumerate(texts, start=1):
        line(document, f"{number}. {fill(text)}", indent=True)


def appeal(remedy: Remedy) -> dict:
    """The fill-ins of the closing notice (复议 within 60 days, 诉讼 within 6 months)."""
    return {"bodies": fill(remedy.review_bodies), "court": fill(remedy.court)}


def sign(container, paragraph, signature: Signature, size=None) -> None:
    """A party's signature after its label: the drawn image, the name, or the refusal; the date under it."""
    write(paragraph, " ", size=size)
    if signature.png:
        paragraph.add_run().add_picture(io.BytesIO(signature.png), width=Cm(4))
    elif signature.refused:
        write(paragraph, _("Refused to sign"), size=size, bold=True)
    else:
        write(paragraph, fill(signature.name), size=size)
    if signature.refused:
        line(container, _("(The person refused to sign; the officers recorded the refusal on the spot.)"), size=size)
    line(container, fill(day(signature.on)), align=WD_ALIGN_PARAGRAPH.RIGHT, size=size)


def signatures(document, officers_label: str, officers: list[Officer], on: date | None, party_label: str,
               signature: Signature) -> None:
    """The officers' names and card numbers, then the party's signature; kept on one page as a block."""
    first = len(document.paragraphs)
    line(document)
    line(document, officers_label)
    for officer in officers:
        line(document, _("%(name)s  Card No.: %(card)s", name=fill(officer.name), card=fill(officer.card_number)),
             indent=True)
    if on is not None:
        line(document, fill(day(on)), align=WD_ALIGN_PARAGRAPH.RIGHT)
    sign(document, line(document, party_label), signature)
    for paragraph in document.paragraphs[first:]:  # with the seal, if one follows
        paragraph.paragraph_format.keep_with_next = True


def seal(document, authority: str, issued_on: date) -> None:
    """The authority's name, where its seal goes, and the day of issue, on the right."""
    right = WD_ALIGN_PARAGRAPH.RIGHT
    for text in ("", authority, _("(Seal)")):
        line(document, text, align=right).paragraph_format.keep_with_next = True
    line(document, day(issued_on), align=right)


def table(container, widths: list[float], rows: list[list[str]], header=False):
    """A bordered table within the page width (widths in cm); a cell's lines are its paragraphs."""
    grid = container.add_table(rows=len(rows), cols=len(widths))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Cm(width)
    for index, (row, values) in enumerate(zip(grid.rows, rows, strict=True)):
        for cell, width, value in zip(row.cells, widths, values, strict=True):
            cell.width = Cm(width)
            first, *rest = value.split("\n")
            write(cell.paragraphs[0], first, size=TABLE_SIZE, bold=header and index == 0)
            for text in rest:
                write(cell.add_paragraph(), text, size=TABLE_SIZE)
    if header:
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    return grid


def form(document, rows: list[tuple[str, str]]):
    """A two-column form: a label and its value per row, each row high enough to write in by hand."""
    grid = table(document, [4.3, TEXT_WIDTH - 4.3], [[label, value] for label, value in rows])
    for row in grid.rows:
        row.height, row.height_rule = Cm(1), WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return grid


def inspection_record(document, paper: InspectionRecord) -> None:
    party_lines(document, paper.party, _("Inspected unit: %(name)s"))
    line(document, _("Place inspected: %(place)s", place=fill(paper.place)))
    line(document, _("Time: %(start)s to %(end)s", start=fill(moment(paper.started_at)),
                     end=fill(moment(paper.ended_at))))
    if paper.position:
        line(document, _("On-site position: %(position)s", position=fill(paper.position)))
    line(document, _(
        "We are %(names)s, law enforcement officers of %(authority)s; our card numbers are %(cards)s, and these are "
        "our cards (cards shown). We are inspecting your unit on site according to the law; please cooperate.",
        names=fill(listing(officer.name for officer in paper.officers)), authority=fill(paper.head.authority),
        cards=fill(listing(officer.card_number for officer in paper.officers))), indent=True)
    line(document, _("Findings:"), bold=True)
    line(document, paper.findings or fill(""), indent=True)
    if paper.problems:
        line(document, _("Problems found:"), bold=True)
        problems(document, paper.problems, deadline=True, basis=True)
    if paper.actions:
        line(document, _("Actions taken on site:"), bold=True)
        numbered(document, paper.actions)
    signatures(document, _("Inspectors (signatures):"), paper.officers, paper.issued_on,
               _("Person in charge of the inspected unit on site (signature):"), paper.signature)


def closing(document, paper: MeasuresDecision | RectificationOrder | ReviewOpinion, notice: str,
            party_label: str) -> None:
    """The appeal notice, the signatures and the seal that end a decision of the authority."""
    line(document, notice, indent=True)
    signatures(document, _("Work safety law enforcement officers (signatures):"), paper.officers, None, party_label,
               paper.signature)
    seal(document, paper.head.authority, paper.issued_on)


def found(document, paper: MeasuresDecision | RectificationOrder, intro: str) -> None:
    addressee(document, paper.party.name)
    line(document, intro, indent=True)
    problems(document, paper.problems)


def measures_decision(document, paper: MeasuresDecision) -> None:
    found(document, paper, _("We inspected your unit on %(date)s and found the following violations (hazards):",
                             date=fill(day(paper.found_on))))
    line(document, _("Under %(basis)s, this authority decides on the following measures on site:",
                     basis=fill(paper.basis)), indent=True)
    numbered(document, paper.decisions)
    closing(document, paper, _(
        "If you disagree with this decision, you may apply for administrative reconsideration to %(bodies)s within "
        "60 days, or bring an administrative lawsuit before %(court)s within 6 months; the decision is not "
        "suspended meanwhile, unless the law provides otherwise.", **appeal(paper.remedy)),
        _("Person in charge of the inspected unit (signature):"))


def rectification_order(document, paper: RectificationOrder) -> None:
    found(document, paper, _("We inspected your unit on %(date)s and found the following problems:",
                             date=fill(day(paper.found_on))))
    for index, (numbers, deadline) in enumerate(paper.deadlines or [([], None)]):
        values = {"numbers": fill(listing(str(number) for number in numbers)), "date": fill(day(deadline))}
        if index == 0:
            text = _("You are ordered to rectify item(s) %(numbers)s by %(date)s, meeting the requirements of the "
                     "relevant laws, regulations, rules and standards.", **values)
        else:
            text = _("Item(s) %(numbers)s are to be rectified by %(date)s, meeting the requirements of the relevant "
                     "laws, regulations, rules and standards.", **values)
        line(document, text, indent=True)
    line(document, _(
        "%(person)s is to organise the rectification and report to us in writing when it is complete. During the "
        "rectification your unit shall take measures to ensure work safety. Violations of work safety law will be "
        "punished according to the law.", person=fill(paper.party.representative)), indent=True)
    closing(document, paper, _(
        "If you disagree with this order, you may apply for administrative reconsideration to %(bodies)s within "
        "60 days, or bring an administrative lawsuit before %(court)s within 6 months; the order is not suspended "
        "meanwhile, unless the law provides otherwise.", **appeal(paper.remedy)),
        _("Person in charge of the inspected unit (signature):"))


def review_opinion(document, paper: ReviewOpinion) -> None:
    addressee(document, paper.party.name)
    original = {"date": fill(day(paper.original_on)), "title": paper.original_title,
                "number": fill(paper.original_number)}
    if paper.original_number:
        intro = _("On %(date)s this authority issued the %(title)s (%(number)s). Having re-inspected the "
                  "rectification by your unit, we give the following opinion:", **original)
    else:
        intro = _("On %(date)s this authority issued the %(title)s. Having re-inspected the rectification by your "
                  "unit, we give the following opinion:", **original)
    line(document, intro, indent=True)
    line(document, _("Re-inspected on: %(date)s", date=fill(day(paper.reviewed_on))))
    rows = [[_("No."), _("Problem"), _("Opinion of the re-inspection")]]
    for item in paper.items:
        opinion = [item.verdict, item.note]
        if item.new_deadline:
            opinion.append(_("To be rectified by %(date)s", date=day(item.new_deadline)))
        rows.append([str(item.number), item.description, "\n".join(filter(None, opinion))])
    table(document, [1.6, 7.0, TEXT_WIDTH - 8.6], rows, header=True)
    line(document)
    closing(document, paper, _(
        "If you disagree with this opinion, you may apply for administrative reconsideration to %(bodies)s within "
        "60 days, or bring an administrative lawsuit before %(court)s within 6 months; the opinion is not "
        "suspended meanwhile, unless the law provides otherwise.", **appeal(paper.remedy)),
        _("Person in charge of the re-inspected unit (signature):"))


def service_receipt(document, paper: ServiceReceipt) -> None:
    served = [
        (_("Documents served (title and number)") if index == 0 else "",
         _("%(title)s (%(number)s)", title=served.title, number=served.number) if served.number else served.title)
        for index, served in enumerate(paper.documents)
    ] or [(_("Documents served (title and number)"), "")]
    signature = (_("Recipient (signature)"), "")
    rows = [
        *served,
        (_("Recipient"), paper.recipient),
        (_("Place of service"), paper.place),
        (_("Date of service"), day(paper.served_on)),
        (_("Manner of service"), paper.way),
        signature,
        (_("Served by"), "\n".join(_("%(name)s  Card No.: %(card)s", name=officer.name, card=officer.card_number)
                                   for officer in paper.servers)),
        (_("Remarks"), ""),
    ]
    grid = form(document, rows)
    if len(served) > 1:
        grid.cell(0, 0).merge(grid.cell(len(served) - 1, 0))
    signed = grid.cell(rows.index(signature), 1)
    sign(signed, signed.paragraphs[0], paper.signature, TABLE_SIZE)


def self_check_record(document, paper: SelfCheckRecord) -> None:
    party_lines(document, paper.party, _("Unit: %(name)s"))
    line(document, _("Time: %(start)s to %(end)s", start=fill(moment(paper.started_at)),
                     end=fill(moment(paper.ended_at))))
    line(document)
    rows = [[_("Item code"), _("Item checked"), _("Result"), _("Remarks")]]
    rows += [[item.code, item.text, item.outcome, item.note] for item in paper.lines]
    table(document, [2.2, 7.0, 2.4, TEXT_WIDTH - 11.6], rows, header=True)
    line(document)
    line(document, _("Problems found:"), bold=True)
    if paper.problems:
        problems(document, paper.problems, deadline=True)
    else:
        line(document, _("None."), indent=True)
    line(document)
    line(document, _("Checked by (signatures): %(names)s", names=fill(listing(paper.inspectors))))
    line(document, fill(day(paper.ended_at.date())), align=WD_ALIGN_PARAGRAPH.RIGHT)


def extension_form(document, paper: ExtensionForm) -> None:
    problem = paper.problem
    decision = "\n".join(filter(None, [paper.decision, paper.decision_note]))
    form(document, [
        (_("Unit"), paper.party.name),
        (_("Original document"), paper.original_number),
        (_("Problem"), f"{problem.number}. {problem.description}"),
        (_("Original deadline"), day(paper.deadline_from)),
        (_("Extension requested to"), day(paper.requested_deadline)),
        (_("Reason for the request"), paper.reason),
        (_("Date of the request"), day(paper.requested_on)),
        (_("Decision on the request"), decision),
        (_("Decided by"), paper.decided_by),
        (_("Date of the decision"), day(paper.decided_on)),
    ])


BUILDERS: dict[type, Callable] = {
    InspectionRecord: inspection_record,
    MeasuresDecision: measures_decision,
    RectificationOrder: rectification_order,
    ReviewOpinion: review_opinion,
    ServiceReceipt: service_receipt,
    SelfCheckRecord: self_check_record,
    ExtensionForm: extension_form,
}


def docx_bytes(paper: Paper) -> bytes:
    """The paper as a .docx file in the national layout of its kind."""
    document = new_document(paper.head)
    head(document, paper.head)
    BUILDERS[type(paper)](document, paper)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def file_name(paper: Paper) -> str:
    """The title, then the number (or, unnumbered, whom it concerns): safe in a file system and a zip."""
    whom = paper.recipient if isinstance(paper, ServiceReceipt) else paper.party.name
    name = UNSAFE.sub("_", " ".join(filter(None, [paper.head.title, paper.head.number or whom])))
    return name[:150].strip(" .") + ".docx"
