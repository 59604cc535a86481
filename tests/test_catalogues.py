"""Every string a user sees is translated: zh_CN complete, English complete, the template current."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from checklist.ops import i18n

ROOT = Path(__file__).parent.parent
TRANSLATIONS = ROOT / "checklist" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as stream:
        return read_po(stream)


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.id, tuple) else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_every_message_is_translated_with_its_placeholders(locale):
    for message in catalogue(locale):
        if not message.id:
            continue
        assert all(strings(message)), f"{locale}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{locale}: fuzzy {message.id!r}"
        expected = set(PLACEHOLDER.findall(ids(message)[0]))
        for text in strings(message):
            assert set(PLACEHOLDER.findall(text)) == expected, f"{locale}: placeholders of {message.id!r}"


def test_the_chinese_catalogue_is_chinese():
    for message in catalogue("zh_Hans_CN"):
        if message.id and re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", ids(message)[0])):  # words, not names
            assert re.search(r"[\u4e00-\u9fff]", strings(message)[0]), message.id


def test_the_catalogues_hold_every_string_of_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as stream:
        in_code = {message.id for message in read_po(stream) if message.id}
    for locale in ("zh_Hans_CN", "en"):
        missing = in_code - {message.id for message in catalogue(locale)}
        assert not missing, f"run `make messages` and translate: {sorted(map(str, missing))}"


def test_make_messages_finds_the_catalogues_it_fills():
    assert (i18n.TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").is_file()
