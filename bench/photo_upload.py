"""What a phone sends for a photo: `photo_upload_kb` of `make bench`, and the measurement that chose the size.

The bench's photos are 12-megapixel JPEGs as a phone takes them: a scene of shapes and sensor noise
(phones.phone_jpeg), a certificate with small print on a desk, a pressure gauge, and a weathered concrete wall.
Each is made smaller in headless Chromium by static/js/app.js's Evidence.compress, the very code the phone runs
(the page below loads the file itself), then stamped by the server's checklist.imaging.process_photo.

    .venv/bin/python -m bench.photo_upload [--crops DIR]

prints every candidate size and quality (what goes up, what the server stores) and, with --crops, writes crops
of the certificate's small print and the gauge's needle: from the 12-megapixel original, as the phone sent them
before issue 16 (1600 px, 0.8) and at the size and quality app.js uses now, each after the server's stamp.
"""

from __future__ import annotations

import argparse
import base64
import random
import statistics
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from . import chromium
from .phones import phone_jpeg

ROOT = Path(__file__).resolve().parent.parent
APP_JS = ROOT / "static" / "js" / "app.js"
SIZE = (4000, 3000)
STAMP = ["2021-10-08 10:24", "晋中市某某煤业有限公司", "张检查"]  # as photos.stamp_lines makes it
BEFORE = (1600, 0.8)  # what the phone sent until issue 16
CANDIDATES = [(side, quality) for side in (1280, 1440, 1600) for quality in (0.6, 0.7, 0.8)]
ORIGIN = "http://photo.bench"  # served by Playwright's router, never by a network


def _font(size: int) -> ImageFont.FreeTypeFont:
    from checklist.imaging import find_cjk_font

    return ImageFont.truetype(find_cjk_font(), size)


def _camera(image: Image.Image, rng: random.Random, blur: float = 1.1, noise: float = 9) -> bytes:
    """What a phone's camera makes of a scene: a little optical blur, sensor noise, a JPEG at quality 90."""
    image = image.filter(ImageFilter.GaussianBlur(blur))
    grain = Image.effect_noise(image.size, noise).convert("RGB")
    image = ImageChops.add(image, grain, scale=1.0, offset=-128)
    output = BytesIO()
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "Bench", "Phone 12MP", "2021:10:08 10:24:00"
    image.save(output, "JPEG", quality=90, exif=exif.tobytes())
    return output.getvalue()


def _texture(size: tuple[int, int], rng: random.Random, octaves=(8, 32, 128, 512), base=(128, 128, 128),
             spread: float = 60) -> Image.Image:
    """Fractal noise (random fields at several scales, summed): the grain of wood, concrete or rust."""
    width, height = size
    field = Image.new("L", size, 128)
    for weight, cells in zip((0.45, 0.3, 0.15, 0.1), octaves, strict=True):
        small = Image.frombytes("L", (cells, max(1, cells * height // width)),
                                bytes(rng.randrange(256) for _ in range(cells * max(1, cells * height // width))))
        layer = small.resize(size, Image.Resampling.BICUBIC)
        field = Image.blend(field, layer, weight / (weight + 0.3))
    field = field.point(lambda value: max(0, min(255, 128 + (value - 128) * spread / 40)))
    return Image.merge("RGB", [field.point(lambda value, c=c: max(0, min(255, value + c - 128))) for c in base])


CERTIFICATE_LINES = [
    (150, "特种作业操作证"),
    (64, "中华人民共和国应急管理部监制"),
    (58, "姓名：王建国　　性别：男　　民族：汉"),
    (58, "身份证号：140702198805123456"),
    (58, "作业类别：电工作业　操作项目：低压电工作业"),
    (58, "初领日期：2019年05月31日"),
    (58, "有效期限：2019年05月31日至2025年05月30日"),
    (40, "证号 T140702198805123456　发证机关：晋中市应急管理局　复审日期：2022年05月20日"),
    (40, "本证在全国范围内有效，复审时须携带本证及身份证原件，涂改无效。"),
    (34, "查询网址：cx.mem.gov.cn　持证人应当每三年复审一次，逾期未复审的操作证自行失效。"),
]


def certificate_jpeg(size: tuple[int, int] = SIZE, seed: int = 3) -> bytes:
    """A 特种作业操作证 lying on a desk, filling about 60 % of the frame's width: titles, lines of 5 to 8 mm and
    the small print of its number, authority and dates (3 to 4 mm), a red seal."""
    rng = random.Random(seed)
    desk = _texture(size, rng, base=(150, 105, 70), spread=50)
    paper_size = (2400, 1700)
    paper = Image.new("RGB", paper_size, (246, 243, 235))
    draw = ImageDraw.Draw(paper)
    draw.rectangle((30, 30, paper_size[0] - 30, paper_size[1] - 30), outline=(40, 90, 60), width=8)
    draw.rectangle((120, 330, 520, 830), outline=(120, 120, 120), width=4, fill=(222, 226, 232))  # the photo
    y = 80
    for height, text in CERTIFICATE_LINES:
        font = _font(height)
        x = (paper_size[0] - font.getlength(text)) / 2 if height >= 64 else (620 if y < 1100 else 120)
        draw.text((x, y), text, font=font, fill=(25, 25, 30))
        y += int(height * 1.55) + (40 if height >= 100 else 0)
    seal = Image.new("RGBA", (420, 420), (0, 0, 0, 0))
    seal_draw = ImageDraw.Draw(seal)
    seal_draw.ellipse((10, 10, 410, 410), outline=(200, 30, 30, 200), width=14)
    seal_draw.text((110, 180), "应急管理局", font=_font(44), fill=(200, 30, 30, 200))
    seal_draw.regular_polygon((210, 110, 50), 5, fill=(200, 30, 30, 200))
    paper.paste(seal, (1800, 1150), seal)
    shade = Image.linear_gradient("L").rotate(90).resize(paper_size).point(lambda value: 205 + value // 5)
    paper = ImageChops.multiply(paper, Image.merge("RGB", [shade] * 3))
    paper = paper.rotate(2.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    mask = Image.new("L", paper_size, 255).rotate(2.5, resample=Image.Resampling.BICUBIC, expand=True)
    desk.paste(paper, ((size[0] - paper.width) // 2, (size[1] - paper.height) // 2), mask)
    return _camera(desk, rng)


def gauge_jpeg(size: tuple[int, int] = SIZE, seed: int = 5, reading: float = 0.62) -> bytes:
    """A pressure gauge of 0 to 1.6 MPa on a painted pipe wall: 80 fine ticks, its numbers, a red limit, the
    needle at `reading`; the dial about a third of the frame's height."""
    import math

    rng = random.Random(seed)
    wall = _texture(size, rng, base=(90, 120, 140), spread=45)
    draw = ImageDraw.Draw(wall)
    draw.rectangle((0, 1350, size[0], 1650), fill=(170, 170, 160))  # the pipe
    cx, cy, radius = 2000, 1500, 560
    draw.ellipse((cx - radius - 60, cy - radius - 60, cx + radius + 60, cy + radius + 60), fill=(60, 60, 60))
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(248, 248, 244))
    start, sweep = math.radians(225), math.radians(270)  # 0 at the lower left, 1.6 at the lower right

    def at(value: float, length: float) -> tuple[float, float]:
        angle = start - sweep * value / 1.6
        return cx + length * math.cos(angle), cy - length * math.sin(angle)

    # Pillow's angles turn clockwise from three o'clock: 0 MPa at 135°, 1.6 MPa at 405°; red from 1.2 MPa.
    draw.arc((cx - radius + 40, cy - radius + 40, cx + radius - 40, cy + radius - 40),
             start=135 + 270 * 1.2 / 1.6, end=405, fill=(210, 30, 30), width=26)
    for tick in range(81):
        value = tick * 0.02
        long = tick % 10 == 0
        draw.line([at(value, radius - 40), at(value, radius - (120 if long else 80 if tick % 5 == 0 else 65))],
                  fill=(20, 20, 20), width=10 if long else 4)
        if long:
            label = f"{value:.1f}".rstrip("0").rstrip(".") if value else "0"
            x, y = at(value, radius - 190)
            draw.text((x, y), label, font=_font(70), fill=(20, 20, 20), anchor="mm")
    draw.text((cx, cy + 180), "MPa", font=_font(64), fill=(20, 20, 20), anchor="mm")
    draw.text((cx, cy + 260), "1.6级  Y-100  2021年", font=_font(36), fill=(60, 60, 60), anchor="mm")
    draw.line([at(reading, -90), at(reading, radius - 70)], fill=(15, 15, 15), width=14)
    draw.ellipse((cx - 40, cy - 40, cx + 40, cy + 40), fill=(30, 30, 30))
    return _camera(wall, rng)


def wall_jpeg(size: tuple[int, int] = SIZE, seed: int = 9) -> bytes:
    """A weathered concrete wall with cracks and rust stains: texture everywhere, the hardest to compress."""
    rng = random.Random(seed)
    wall = _texture(size, rng, octaves=(16, 64, 256, 1024), base=(140, 138, 130), spread=70)
    draw = ImageDraw.Draw(wall)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        points = [(x, y)]
        for _ in range(30):
            x, y = x + rng.randint(-60, 60), y + rng.randint(10, 80)
            points.append((x, y))
        draw.line(points, fill=(50, 48, 45), width=rng.randrange(3, 9))
    for _ in range(25):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(60, 300)
        draw.ellipse((x - r, y - r // 2, x + r, y + r * 2), fill=(150, 90, 50))
    return _camera(wall.filter(ImageFilter.GaussianBlur(0.6)), rng, noise=12)


def bench_photos() -> dict[str, bytes]:
    """The bench's photos by name, 12 megapixels each."""
    return {"scene": phone_jpeg(SIZE), "certificate": certificate_jpeg(), "gauge": gauge_jpeg(), "wall": wall_jpeg()}


# ---- Chromium ------------------------------------------------------------------------------------------------

PAGE = "<!doctype html><meta charset=utf-8><title>bench</title><body><script src=/app.js></script>"
COMPRESS = """async ([data, options]) => {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    const made = await Evidence.compress(new Blob([bytes], {type: 'image/jpeg'}), options);
    let text = '';
    const out = new Uint8Array(made.bytes);
    for (let i = 0; i < out.length; i += 0x8000) text += String.fromCharCode.apply(null, out.subarray(i, i + 0x8000));
    return {data: btoa(text), width: made.width, height: made.height, type: made.type};
}"""


@dataclass(frozen=True)
class Sent:
    """One photo as the phone sends it and as the server stores it."""

    name: str
    upload: bytes  # what goes on the wire
    stored: bytes  # the server's stamped JPEG
    width: int
    height: int


class Phone:
    """Headless Chromium running static/js/app.js in a page of its own (Playwright's router serves both)."""

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = chromium.launch(self._playwright)
        self.page = self._browser.new_page()
        self.page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
        self.page.route(f"{ORIGIN}/app.js", lambda route: route.fulfill(
            body=APP_JS.read_bytes(), content_type="application/javascript"))
        self.page.goto(f"{ORIGIN}/")
        self.page.wait_for_function("() => !!window.Evidence")
        return self

    def __exit__(self, *_exception):
        self._browser.close()
        self._playwright.stop()

    def compress(self, data: bytes, long_side: int | None = None,
                 quality: float | None = None) -> tuple[bytes, int, int]:
        """The bytes app.js makes of a photo (its own size and quality unless given), and their size."""
        options = {key: value for key, value in (("longSide", long_side), ("quality", quality)) if value}
        made = self.page.evaluate(COMPRESS, [base64.b64encode(data).decode(), options])
        if made["type"] != "image/jpeg":
            raise RuntimeError("app.js could not draw the photo")
        return base64.b64decode(made["data"]), made["width"], made["height"]

    def settings(self) -> tuple[int, float]:
        return tuple(self.page.evaluate("() => [Evidence.LONG_SIDE, Evidence.QUALITY]"))


def send(phone: Phone, photos: dict[str, bytes], long_side: int | None = None,
         quality: float | None = None) -> list[Sent]:
    """Each photo compressed by the phone, then stamped by the server as an upload is."""
    from checklist.imaging import process_photo

    sent = []
    for name, data in photos.items():
        upload, width, height = phone.compress(data, long_side, quality)
        sent.append(Sent(name, upload, process_photo(upload, STAMP).image, width, height))
    return sent


def upload_kb(sent: list[Sent]) -> float:
    """The median size of what goes up, in KB (1,024 bytes)."""
    return statistics.median(len(photo.upload) for photo in sent) / 1024


# ---- The crops for the note ----------------------------------------------------------------------------------

# Regions of the 4000 x 3000 photos, in its pixels: the certificate's small print, the gauge's needle and ticks.
CROPS = {"certificate": (1320, 1530, 2520, 1740), "gauge": (1560, 1000, 2240, 1560)}


def crop(image_bytes: bytes, region: tuple[int, int, int, int], width: int) -> Image.Image:
    """The region (in the 4000-px original's pixels) of an image of any size, shown `width` pixels wide
    without smoothing: each pixel the phone kept is seen as it is."""
    with Image.open(BytesIO(image_bytes)) as image:
        image = image.convert("RGB")
        scale = image.width / SIZE[0]
        box = tuple(round(value * scale) for value in region)
        part = image.crop(box)
    height = round(width * (region[3] - region[1]) / (region[2] - region[0]))
    return part.resize((width, height), Image.Resampling.NEAREST)


def write_crops(folder: Path, photos: dict[str, bytes], before: list[Sent], after: list[Sent],
                after_settings: tuple[int, float]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    side, quality = after_settings
    for name, region in CROPS.items():
        shown_width = region[2] - region[0]
        versions = {
            "original-4000px": photos[name],
            f"before-{BEFORE[0]}px-q{round(BEFORE[1] * 100)}": next(p.stored for p in before if p.name == name),
            f"after-{side}px-q{round(quality * 100)}": next(p.stored for p in after if p.name == name),
        }
        for label, data in versions.items():
            path = folder / f"{name}-{label}.png"
            crop(data, region, shown_width).save(path, optimize=True)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.photo_upload", description=__doc__.partition("\n")[0])
    parser.add_argument("--crops", type=Path, help="write the crops of the note into this folder")
    options = parser.parse_args(argv)
    photos = bench_photos()
    print("photos: " + ", ".join(f"{name} {len(data) / 1024:.0f} KB" for name, data in photos.items()))
    with Phone() as phone:
        current = phone.settings()
        print(f"{'long side':>9} {'quality':>7}  " + "  ".join(f"{name:>17}" for name in photos) + "  median up")
        results = {}
        for side, quality in sorted(set(CANDIDATES) | {BEFORE, current}):
            sent = results[(side, quality)] = send(phone, photos, side, quality)
            print(f"{side:>9} {quality:>7}  " + "  ".join(
                f"{len(p.upload) / 1024:>6.0f} up {len(p.stored) / 1024:>4.0f} kept" for p in sent)
                + f"  {upload_kb(sent):>6.0f} KB" + ("   <- app.js" if (side, quality) == current else ""))
    if options.crops:
        for path in write_crops(options.crops, photos, results[BEFORE], results[current], current):
            print(f"  {path}")


if __name__ == "__main__":
    main()
