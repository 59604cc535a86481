"""Tests for the pure photo pipeline in checklist.imaging."""

from __future__ import annotations

import hashlib
import os
import random
from datetime import datetime
from io import BytesIO

import pytest
from PIL import Image, ImageChops, ImageFile, ImageStat

from checklist import imaging as photos_image
from checklist.imaging import PhotoError, find_cjk_font, process_photo

STAMP = ["2026-11-28 10:32", "晋中市某某煤业有限公司", "检查人员 张三"]


def _exif(
    orientation: int | None = None,
    original: str | None = None,
    plain: str | None = None,
) -> bytes:
    """Build raw EXIF bytes with optional orientation / DateTimeOriginal / DateTime."""
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if plain is not None:
        exif[306] = plain
    if original is not None:
        exif.get_ifd(0x8769)[36867] = original
    return exif.tobytes()


def _encode(im: Image.Image, fmt: str = "JPEG", **kwargs: object) -> bytes:
    """Save an image into bytes."""
    buf = BytesIO()
    im.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _noise(size: tuple[int, int]) -> Image.Image:
    """A detailed RGB image so that JPEG data is spread over the whole file."""
    return Image.merge(
        "RGB", [Image.effect_noise(size, 60).convert("L") for _ in range(3)]
    )


def _open(data: bytes) -> Image.Image:
    """Decode bytes produced by the pipeline."""
    im = Image.open(BytesIO(data))
    im.load()
    return im


def _code(data: bytes, **kwargs: object) -> str:
    """Run the pipeline expecting a PhotoError and return its code."""
    with pytest.raises(PhotoError) as info:
        process_photo(data, STAMP, **kwargs)
    return info.value.code


@pytest.fixture(autouse=True)
def _fresh_font_cache():
    """find_cjk_font is cached; isolate tests that monkeypatch its inputs."""
    find_cjk_font.cache_clear()
    yield
    find_cjk_font.cache_clear()


@pytest.fixture(scope="module")
def huge_png() -> bytes:
    """A 100-megapixel single-colour PNG (small on disk)."""
    return _encode(Image.new("1", (10_000, 10_000), 1), "PNG")


def test_normal_jpeg() -> None:
    data = _encode(
        _noise((2400, 1800)),
        exif=_exif(orientation=1, original="2026:11:20 09:15:00"),
        comment=b"hi",
    )
    photo = process_photo(data, STAMP)
    out = _open(photo.image)
    assert out.format == "JPEG" and out.size == (photo.width, photo.height) == (
        1600,
        1200,
    )
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.captured_at == datetime(2026, 11, 20, 9, 15)
    assert not out.getexif() and "exif" not in out.info and "comment" not in out.info
    assert b"Exif" not in photo.image
    thumb = _open(photo.thumbnail)
    assert thumb.format == "JPEG" and thumb.size == (320, 240)


def test_datetime_fallback_and_missing() -> None:
    im = Image.new("RGB", (64, 48), "gray")
    assert process_photo(
        _encode(im, exif=_exif(plain="2025:01:02 03:04:05")), []
    ).captured_at == datetime(2025, 1, 2, 3, 4, 5)
    assert (
        process_photo(
            _encode(im, exif=_exif(original="0000:00:00 00:00:00")), []
        ).captured_at
        is None
    )
    assert process_photo(_encode(im), []).captured_at is None


def test_orientation_applied() -> None:
    data = _encode(Image.new("RGB", (400, 200), "navy"), exif=_exif(orientation=6))
    photo = process_photo(data, STAMP)
    assert (photo.width, photo.height) == (200, 400)
    assert _open(photo.image).size == (200, 400)


def test_downscale_and_no_upscale() -> None:
    photo = process_photo(_encode(Image.new("RGB", (4000, 3000), "olive")), STAMP)
    assert (photo.width, photo.height) == (1600, 1200)
    small = process_photo(_encode(Image.new("RGB", (300, 500), "olive")), STAMP)
    assert (small.width, small.height) == (300, 500)
    assert _open(small.thumbnail).size == (192, 320)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "I;16", "CMYK", "L"])
def test_modes(mode: str) -> None:
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    im = (
        Image.new("RGBA", (120, 80), (255, 0, 0, 0)).convert(mode)
        if mode != "I;16"
        else Image.new(mode, (120, 80), 40000)
    )
    photo = process_photo(_encode(im, fmt), [])
    out = _open(photo.image)
    assert out.mode == "RGB" and out.size == (120, 80)
    if mode in ("RGBA", "LA"):  # fully transparent -> flattened onto white
        assert min(out.getpixel((60, 40))) > 240


def test_png_with_alpha_half_transparent() -> None:
    im = Image.new("RGBA", (200, 100), (0, 0, 0, 128))
    photo = process_photo(_encode(im, "PNG"), STAMP)
    assert all(120 <= c <= 135 for c in _open(photo.image).getpixel((190, 5)))


def test_webp_accepted_gif_refused() -> None:
    im = Image.new("RGB", (100, 60), "teal")
    assert process_photo(_encode(im, "WEBP"), []).width == 100
    assert _code(_encode(im, "GIF")) == "not_image"


def test_truncated_jpeg_is_corrupt() -> None:
    data = _encode(_noise((800, 600)), quality=95)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    # The header survives, so Pillow identifies the file; decoding then fails.
    assert _code(data[: int(len(data) * 0.6)]) == "corrupt"


def test_truncated_png_is_corrupt() -> None:
    data = _encode(_noise((300, 200)), "PNG")
    assert _code(data[: int(len(data) * 0.6)]) == "corrupt"


def test_load_truncated_images_must_be_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError):
        process_photo(_encode(Image.new("RGB", (10, 10))), [])


def test_random_bytes_and_empty() -> None:
    assert _code(random.Random(0).randbytes(4096)) == "not_image"
    assert _code(b"") == "empty"


def test_too_large_checked_before_decoding() -> None:
    assert _code(b"\xff\xd8" + b"\0" * (30 * 1024 * 1024)) == "too_large"
    assert _code(_encode(Image.new("RGB", (10, 10))), max_bytes=100) == "too_large"


def test_too_many_pixels_without_decoding(
    huge_png: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_decode(self: object) -> None:
        raise AssertionError("pixel data must not be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decode)
    assert len(huge_png) < 1024 * 1024
    assert (
        _code(huge_png) == "too_many_pixels"
    )  # Pillow's DecompressionBombWarning path
    small = _encode(Image.new("RGB", (400, 300)), "PNG")
    assert _code(small, max_pixels=100_000) == "too_many_pixels"  # our own limit


def test_stamp_changes_only_bottom_left() -> None:
    data = _encode(Image.new("RGB", (1200, 900), (170, 190, 210)), "PNG")
    plain = _open(process_photo(data, []).image)
    stamped = _open(process_photo(data, STAMP).image)
    assert plain.size == stamped.size == (1200, 900)

    def diff(box: tuple[int, int, int, int]) -> float:
        return max(
            ImageStat.Stat(
                ImageChops.difference(plain.crop(box), stamped.crop(box))
            ).mean
        )

    assert diff((20, 800, 320, 880)) > 40  # dark box + white text
    assert diff((800, 0, 1200, 300)) < 1


def test_find_cjk_font() -> None:
    path = find_cjk_font()
    assert os.path.isfile(path)
    assert photos_image._has_cjk_glyph(path)


def test_find_cjk_font_rejects_latin_only(monkeypatch: pytest.MonkeyPatch) -> None:
    dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if os.path.isfile(dejavu):
        assert not photos_image._has_cjk_glyph(dejavu)
    monkeypatch.setenv("CHECKLIST_CJK_FONT", dejavu)
    assert find_cjk_font() != dejavu


def test_find_cjk_font_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    good = find_cjk_font()
    find_cjk_font.cache_clear()
    monkeypatch.setenv("CHECKLIST_CJK_FONT", good)
    monkeypatch.setattr(
        photos_image, "_fc_match", lambda: pytest.fail("env var should win")
    )
    assert find_cjk_font() == good


def test_no_cjk_font_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHECKLIST_CJK_FONT", raising=False)
    monkeypatch.setattr(photos_image, "_fc_match", lambda: None)
    monkeypatch.setattr(photos_image, "CJK_FONT_PATHS", ())
    with pytest.raises(RuntimeError, match="fonts-wqy-microhei"):
        find_cjk_font()
    with pytest.raises(RuntimeError):
        process_photo(_encode(Image.new("RGB", (50, 50))), STAMP)
    assert (
        process_photo(_encode(Image.new("RGB", (50, 50))), []).width == 50
    )  # no stamp, no font needed


def test_error_messages_are_lazy() -> None:
    err = PhotoError("corrupt")
    assert err.code == "corrupt" and not isinstance(err.message, str)


def test_malformed_exif_is_ignored() -> None:
    im = Image.new("RGB", (300, 200), "red")
    bad = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff"  # IFD claims 65535 entries
    photo = process_photo(_encode(im, exif=bad), STAMP)
    assert (photo.width, photo.height, photo.captured_at) == (300, 200, None)


def test_mpo_and_animated_first_frame() -> None:
    first, second = (
        Image.new("RGB", (300, 200), "red"),
        Image.new("RGB", (300, 200), "blue"),
    )
    for fmt in ("MPO", "WEBP", "PNG"):
        data = _encode(first, fmt, save_all=True, append_images=[second])
        r, _g, b = _open(process_photo(data, []).image).getpixel((150, 20))
        assert r > 200 and b < 50, fmt


@pytest.mark.parametrize("size", [(1, 1), (3, 200), (200, 3), (20, 20)])
def test_a_tiny_picture_is_stamped_too(size):
    processed = process_photo(_encode(Image.new("RGB", size, "navy")), ["2026-11-20 09:15", "某某公司", "张检查"])
    assert Image.open(BytesIO(processed.image)).size == size
