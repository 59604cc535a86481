"""Catalogue upkeep for `make messages`: the English catalogue is the msgids themselves."""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def fill_english(path: Path = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po") -> int:
    """Give every empty English msgstr its msgid; return how many were filled."""
    with path.open("rb") as stream:
        catalogue = read_po(stream, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id or (all(message.string) if isinstance(message.id, tuple) else message.string):
            continue
        message.string = message.id
        filled += 1
    with path.open("wb") as stream:
        write_po(stream, catalogue, omit_header=False, sort_output=True, no_location=True)
    return filled


if __name__ == "__main__":
    print(f"{fill_english()} English entries filled", file=sys.stderr)
