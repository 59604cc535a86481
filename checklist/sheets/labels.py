"""QR codes for site pages and the printable A4 sheet of labels."""

from dataclasses import dataclass
from io import BytesIO

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from checklist.imaging import find_cjk_font
from checklist.models import Enterprise

DPI = 200
PAGE = (1654, 2339)  # A4 at 200 dpi
COLUMNS, ROWS = 3, 4
MARGIN = 80
# A county's sheet is downloaded in parts: a label costs about 8 ms (qrcode trying its eight masks for the best) and
# a page some 25 ms more (drawn and compressed), so a part of four pages takes about 0.45 s of CPU (the bench
# dataset's county of 2,052 enterprises: 43 parts), where the county's whole sheet took 20 s.
LABELS_PER_PART = 4 * COLUMNS * ROWS


@dataclass(frozen=True)
class Part:
    """One numbered part of a county's label sheet: its labels first to last, counted from 1 in label order."""

    number: int
    first: int
    last: int


def label_parts(labels: int) -> list[Part]:
    """The parts a sheet of that many labels is downloaded in (none for no label)."""
    return [Part(number, first, min(first + LABELS_PER_PART - 1, labels))
            for number, first in enumerate(range(1, labels + 1, LABELS_PER_PART), start=1)]


def site_url(base_url: str, enterprise: Enterprise) -> str:
    return f"{base_url.rstrip('/')}/s/{enterprise.qr_token}"


def qr_modules(url: str) -> Image.Image:
    """The QR code of a URL, one pixel a module (its quiet zone of two included), black on white: qrcode picks
    the version and the best of its eight masks, and the image is made from its matrix, not drawn box by box."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    return Image.frombytes("L", (len(matrix), len(matrix)), pixels)


def qr_image(url: str, box_size: int = 10) -> Image.Image:
    """The QR code of a URL with modules of box_size pixels, as qrcode's own image of that box size."""
    modules = qr_modules(url)
    return modules.resize((modules.width * box_size, modules.height * box_size), Image.NEAREST)


def qr_png(url: str) -> bytes:
    """Return the QR code of a URL as a PNG."""
    output = BytesIO()
    qr_image(url).save(output, "PNG")
    return output.getvalue()


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """Shorten text with an ellipsis until it fits the label's width."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _label(page: Image.Image, draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], enterprise: Enterprise,
           url: str, fonts) -> None:
    left, top, right, bottom = box
    draw.rectangle(box, outline=160, width=2)
    width = right - left - 40
    size = min(width, bottom - top - 170)
    page.paste(qr_modules(url).resize((size, size), Image.NEAREST), (left + (right - left - size) // 2, top + 15))
    y = top + size + 25
    draw.text((left + 20, y), _fit(draw, enterprise.name, fonts[0], width), font=fonts[0], fill=0)
    detail = f"{enterprise.county.name} · {enterprise.sector.name}"
    draw.text((left + 20, y + 55), _fit(draw, detail, fonts[1], width), font=fonts[1], fill=0)


def label_sheet_pdf(enterprises: list[Enterprise], base_url: str, title: str) -> bytes:
    """Lay out one label per enterprise (name, county, sector, QR), twelve to an A4 page, as PDF."""
    font_path = find_cjk_font()
    fonts = (ImageFont.truetype(font_path, 40), ImageFont.truetype(font_path, 32))
    heading = ImageFont.truetype(font_path, 36)
    cell_w = (PAGE[0] - 2 * MARGIN) // COLUMNS
    cell_h = (PAGE[1] - 2 * MARGIN - 60) // ROWS
    pages = []
    per_page = COLUMNS * ROWS
    chunks = [enterprises[i:i + per_page] for i in range(0, len(enterprises), per_page)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        page = Image.new("L", PAGE, 255)
        draw = ImageDraw.Draw(page)
        draw.text((MARGIN, MARGIN - 20), f"{title}  {number}/{len(chunks)}", font=heading, fill=0)
        for index, enterprise in enumerate(chunk):
            column, row = index % COLUMNS, index // COLUMNS
            left, top = MARGIN + column * cell_w, MARGIN + 60 + row * cell_h
            _label(page, draw, (left + 8, top + 8, left + cell_w - 8, top + cell_h - 8),
                   enterprise, site_url(base_url, enterprise), fonts)
        pages.append(page)
    output = BytesIO()
    pages[0].save(output, "PDF", resolution=DPI, save_all=True, append_images=pages[1:], title=title)
    return output.getvalue()
