"""Pure image pipeline for inspection photos: validate, normalise, stamp, re-encode.

Accepted formats are JPEG (including MPO multi-picture JPEGs from phones), PNG and
WEBP; everything else (GIF, BMP, TIFF, HEIC, ...) is refused as ``not_image``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import struct
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from flask_babel import lazy_gettext as _l
from PIL import ExifTags, Image, ImageDraw, ImageFile, ImageFont, UnidentifiedImageError

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
# One side at most 100 times the other: a phone's widest panorama is about 1:10, and at 1600 px the short
# side of any accepted picture keeps at least 16 px (65000 x 1 would scale to nothing).
MAX_ASPECT_RATIO = 100
# APPn and COM segments of a JPEG, in total. EXIF is at most 64 KB, an ICC profile or a phone's extended
# XMP (a portrait's depth map) a few hundred KB; Pillow joins repeated EXIF segments one copy at a time,
# so 300 of them cost it a second or two.
MAX_METADATA_BYTES = 4 * 1024 * 1024
LONG_SIDE = 1600
THUMB_SIDE = 320
# EXIF orientation -> the transposition that shows the picture upright (as ImageOps.exif_transpose does).
TRANSPOSITIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")  # MPO files are opened by the JPEG plugin
CJK_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError)
_EXIF_ERRORS = (*_DECODE_ERRORS, TypeError, KeyError, struct.error)
_MESSAGES = {
    "empty": _l("The uploaded file is empty."),
    "not_image": _l("The file is not an image we can read."),
    "too_many_pixels": _l("The image has too many pixels; take the photo at a lower resolution."),
    "corrupt": _l("The image file is damaged or incomplete."),
    "bad_shape": _l("The image is too long and narrow (one side at most %(ratio)d times the other); take an "
                    "ordinary photo.", ratio=MAX_ASPECT_RATIO),
    "too_much_metadata": _l("The image carries too much embedded data (over %(mb)d MB besides the picture); "
                            "take the photo again or send it without its extras.", mb=MAX_METADATA_BYTES // 2**20),
}


@dataclass(frozen=True)
class ProcessedPhoto:
    """Result of processing one uploaded photo."""

    image: bytes
    thumbnail: bytes
    sha256: str
    captured_at: datetime | None
    width: int
    height: int


class PhotoError(ValueError):
    """An upload was rejected; ``code`` is stable, ``message`` is a lazy translatable string."""

    def __init__(self, code: str, message: object = None) -> None:
        """Store the machine-readable code and the (lazy) user-facing message."""
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else _MESSAGES[code]


def _has_cjk_glyph(path: str) -> bool:
    """Return True if the font at path renders '检' differently from a missing glyph."""
    try:
        font = ImageFont.truetype(path, 32)
    except OSError:
        return False

    def render(text: str) -> bytes:
        canvas = Image.new("L", (48, 48))
        ImageDraw.Draw(canvas).text((4, 4), text, font=font, fill=255)
        return canvas.tobytes()

    glyph = render("检")
    return any(glyph) and glyph != render("\U000f0000")


def _fc_match() -> str | None:
    """Ask fontconfig for a Chinese font; None on any failure."""
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


@functools.cache
def find_cjk_font() -> str:
    """Return the path of a font with CJK glyphs (env, fontconfig, known paths) or raise RuntimeError."""
    lookups = (
        lambda: os.environ.get("CHECKLIST_CJK_FONT"),
        _fc_match,
        *(lambda p=p: p for p in CJK_FONT_PATHS),
    )
    for lookup in lookups:
        path = lookup()
        if path and os.path.isfile(path) and _has_cjk_glyph(path):
            return path
    raise RuntimeError(
        "No CJK font found for the photo stamp; install the Debian package fonts-wqy-microhei "
        "or set CHECKLIST_CJK_FONT to a .ttf/.ttc file with Chinese glyphs."
    )


def _open(data: bytes, max_pixels: int, formats: tuple[str, ...] = ACCEPTED_FORMATS) -> Image.Image:
    """Open (without decoding pixels) and enforce format, pixel-count and shape limits."""
    try:
        im = Image.open(BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("too_many_pixels") from None
    except (UnidentifiedImageError, *_DECODE_ERRORS):
        raise PhotoError("not_image") from None
    if im.width * im.height > max_pixels:
        raise PhotoError("too_many_pixels")
    if max(im.size) > MAX_ASPECT_RATIO * min(im.size):
        raise PhotoError("bad_shape")
    return im


@contextmanager
def _pillow_warnings() -> Iterator[None]:
    """Pillow's bomb warning becomes an exception that _open maps to too_many_pixels; its UserWarnings
    (e.g. "Corrupt EXIF data") are noise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        yield


def open_checked(data: bytes, max_pixels: int, formats: tuple[str, ...] = ACCEPTED_FORMATS) -> Image.Image:
    """Open an image without decoding its pixels, under the photo pipeline's limits; raise PhotoError."""
    if _jpeg_metadata_bytes(data) > MAX_METADATA_BYTES:
        raise PhotoError("too_much_metadata")
    with _pillow_warnings():
        return _open(data, max_pixels, formats)


def _jpeg_metadata_bytes(data: bytes) -> int:
    """Add up a JPEG's APPn and COM segments before its image data, reading only their headers (0 if not a JPEG)."""
    if not data.startswith(b"\xff\xd8"):
        return 0
    total, position = 0, 2
    while position + 4 <= len(data) and data[position] == 0xFF and total <= MAX_METADATA_BYTES:
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
        elif marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            position += 2
        elif marker in (0xDA, 0xD9):  # start of scan, end of image: the metadata is behind us
            break
        else:
            (length,) = struct.unpack_from(">H", data, position + 2)
            if marker == 0xFE or 0xE0 <= marker <= 0xEF:
                total += length
            position += 2 + length
    return total


def _captured_at(im: Image.Image) -> datetime | None:
    """Read DateTimeOriginal (or DateTime) from EXIF as a naive datetime."""
    try:
        exif = im.getexif()
        value = exif.get_ifd(0x8769).get(36867) or exif.get(306)
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        return datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except _EXIF_ERRORS:  # malformed or missing EXIF -> unknown
        return None


def _to_rgb(im: Image.Image) -> Image.Image:
    """Convert any mode to RGB, scaling 16-bit data and flattening alpha onto white."""
    if im.mode.startswith("I"):
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        return Image.alpha_composite(
            Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba
        ).convert("RGB")
    return im if im.mode == "RGB" else im.convert("RGB")


def _stamp(im: Image.Image, lines: list[str]) -> Image.Image:
    """Burn the lines into the bottom-left corner: white text on a translucent dark box."""
    if not lines:
        return im
    size = max(14, im.width // 36)
    font = ImageFont.truetype(find_cjk_font(), size)
    pad, step = size // 2, round(size * 1.3)
    text_w = round(max(font.getlength(line) for line in lines))
    left, bottom = min(pad, im.width - 1), max(1, im.height - pad)  # a tiny picture gets a clipped box
    box = (left, max(0, min(bottom - 1, bottom - 2 * pad - step * len(lines))),
           max(left + 1, min(im.width, 3 * pad + text_w)), bottom)
    # Only the box is composited: converting the whole photo to RGBA and back would cost as much as encoding it.
    region = im.crop(box).convert("RGBA")
    overlay = Image.new("RGBA", region.size, (0, 0, 0, 140))
    draw = ImageDraw.Draw(overlay)
    for i, line in enumerate(lines):
        draw.text((pad, pad + i * step), line, font=font, fill=(255, 255, 255, 255))
    im.paste(Image.alpha_composite(region, overlay).convert("RGB"), box[:2])
    return im


def _jpeg(im: Image.Image, quality: int) -> bytes:
    """Encode as a metadata-free JPEG."""
    im.info = {}  # JPEG save would otherwise carry e.g. a COM comment over
    buf = BytesIO()
    im.save(buf, "JPEG", quality=quality)  # baseline: optimize/progressive would double the encoding time
    return buf.getvalue()


def process_photo(
    data: bytes,
    stamp_lines: list[str],
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> ProcessedPhoto:
    """Validate an upload and return the stamped, metadata-free JPEG plus thumbnail."""
    if not data:
        raise PhotoError("empty")
    if len(data) > max_bytes:
        raise PhotoError("too_large", _l("The photo is larger than %(mb)d MB.", mb=max_bytes // 2**20))
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError(
            "PIL.ImageFile.LOAD_TRUNCATED_IMAGES must be False to detect corrupt photos"
        )
    try:
        with _pillow_warnings():
            open_checked(data, max_pixels).verify()
            im = _open(data, max_pixels)
            # JPEG: decode at a reduced scale, as long as both sides stay at least their size at 1600 px.
            scale = min(1, LONG_SIDE / max(im.size))
            im.draft("RGB", (round(im.width * scale), round(im.height * scale)))
            im.load()
            captured_at = _captured_at(im)
            orientation = im.getexif().get(ExifTags.Base.Orientation)
            im = _to_rgb(im)
    except PhotoError:
        raise
    except _DECODE_ERRORS:
        raise PhotoError("corrupt") from None
    # Scaled down first, then turned upright: turning the smaller picture costs less.
    im.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.BICUBIC, reducing_gap=2.0)
    if orientation in TRANSPOSITIONS:
        im = im.transpose(TRANSPOSITIONS[orientation])
    im = _stamp(im, stamp_lines)
    scale = min(1, THUMB_SIDE / max(im.size))
    thumb = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                      Image.Resampling.BICUBIC, reducing_gap=2.0)
    return ProcessedPhoto(
        image=_jpeg(im, 85),
        thumbnail=_jpeg(thumb, 75),
        sha256=hashlib.sha256(data).hexdigest(),
        captured_at=captured_at,
        width=im.width,
        height=im.height,
    )
