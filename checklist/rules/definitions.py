"""Checklist definitions: the TOML files of checklists/, validated at start-up and versioned in the database."""

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from checklist.models import ITEM_TEXT_MAX, Checklist, ChecklistItem, Sector

COMMON_FILE = "common.toml"
SECTOR_KEYS = {"code", "name", "name_en", "notice_item", "focus", "items"}
COMMON_KEYS = {"code", "name", "name_en", "items"}
ITEM_KEYS = {"code", "text", "basis", "guidance"}


class ChecklistFileError(Exception):
    """A checklist file that cannot be used; the message names the file and the item."""


@dataclass(frozen=True)
class ItemDefinition:
    code: str
    text: str
    basis: str = ""
    guidance: str = ""


@dataclass(frozen=True)
class SectorDefinition:
    code: str
    name: str
    name_en: str
    notice_item: int
    focus: str
    items: tuple[ItemDefinition, ...]


@dataclass(frozen=True)
class Catalogue:
    common: tuple[ItemDefinition, ...]
    sectors: dict[str, SectorDefinition]

    def content_hash(self, sector_code: str) -> str:
        """Hash the common items and the sector's items: a new hash means a new version."""
        sector = self.sectors[sector_code]
        payload = [asdict(item) for item in self.common + sector.items]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _string(data: dict, key: str, where: str, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ChecklistFileError(f"{where}: '{key}' must be a string")
    value = value.strip()
    if required and not value:
        raise ChecklistFileError(f"{where}: '{key}' is missing or empty")
    if len(value) > ITEM_TEXT_MAX:
        raise ChecklistFileError(f"{where}: '{key}' is longer than {ITEM_TEXT_MAX} characters")
    return value


def _items(data: dict, name: str) -> tuple[ItemDefinition, ...]:
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ChecklistFileError(f"{name}: no [[items]]")
    items, seen = [], set()
    for number, raw in enumerate(raw_items, start=1):
        where = f"{name}, item {number}"
        if not isinstance(raw, dict):
            raise ChecklistFileError(f"{where}: not a table")
        code = _string(raw, "code", where)
        where = f"{name}, item {number} ({code})"
        unknown = set(raw) - ITEM_KEYS
        if unknown:
            raise ChecklistFileError(f"{where}: unknown keys {sorted(unknown)}")
        if code in seen:
            raise ChecklistFileError(f"{where}: duplicate code")
        seen.add(code)
        items.append(ItemDefinition(
            code=code,
            text=_string(raw, "text", where),
            basis=_string(raw, "basis", where, required=False),
            guidance=_string(raw, "guidance", where, required=False),
        ))
    return tuple(items)


def _read(path: Path, allowed: set[str]) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ChecklistFileError(f"{path.name}: {error}") from error
    unknown = set(data) - allowed
    if unknown:
        raise ChecklistFileError(f"{path.name}: unknown keys {sorted(unknown)}")
    return data


def load_catalogue(folder: Path) -> Catalogue:
    """Read and validate every checklist file; raise ChecklistFileError on the first fault."""
    common_path = folder / COMMON_FILE
    if not common_path.exists():
        raise ChecklistFileError(f"{COMMON_FILE}: missing in {folder}")
    common = _items(_read(common_path, COMMON_KEYS), COMMON_FILE)
    sectors = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name == COMMON_FILE:
            continue
        data = _read(path, SECTOR_KEYS)
        code = _string(data, "code", path.name)
        if code != path.stem:
            raise ChecklistFileError(f"{path.name}: code '{code}' does not match the file name")
        notice_item = data.get("notice_item")
        if not isinstance(notice_item, int):
            raise ChecklistFileError(f"{path.name}: 'notice_item' must be a number")
        items = _items(data, path.name)
        clash = {item.code for item in items} & {item.code for item in common}
        if clash:
            raise ChecklistFileError(f"{path.name}: item codes {sorted(clash)} clash with {COMMON_FILE}")
        sectors[code] = SectorDefinition(
            code=code,
            name=_string(data, "name", path.name),
            name_en=_string(data, "name_en", path.name, required=False),
            notice_item=notice_item,
            focus=_string(data, "focus", path.name, required=False),
            items=items,
        )
    if not sectors:
        raise ChecklistFileError(f"no sector files in {folder}")
    return Catalogue(common=common, sectors=sectors)


def sync_sectors(session: Session, catalogue: Catalogue) -> None:
    """Create or rename the sectors the checklist files define."""
    existing = {sector.code: sector for sector in session.scalars(select(Sector))}
    for definition in catalogue.sectors.values():
        sector = existing.get(definition.code) or Sector(code=definition.code)
        sector.name, sector.name_en = definition.name, definition.name_en
        session.add(sector)
    session.flush()


def new_version(
    sector: Sector, version: int, content_hash: str, common: tuple[ItemDefinition, ...],
    items: tuple[ItemDefinition, ...], **columns,
) -> Checklist:
    """Build a checklist version: the common items, then the sector's."""
    checklist = Checklist(sector=sector, version=version, content_hash=content_hash, **columns)
    position = 0
    for section, definitions in (("common", common), ("sector", items)):
        for item in definitions:
            position += 1
            checklist.items.append(ChecklistItem(
                position=position, section=section, code=item.code,
                text=item.text, basis=item.basis, guidance=item.guidance,
            ))
    return checklist


def current_checklist(session: Session, catalogue: Catalogue, sector: Sector) -> Checklist:
    """Return the newest checklist version of a sector, adding one when its file has changed.

    A version imported from a department's own table stays current until the file changes.
    """
    versions = select(Checklist).where(Checklist.sector_id == sector.id).order_by(Checklist.version.desc())
    # One statement: under PostgreSQL's READ COMMITTED two would each see the versions committed by then.
    existing = session.scalars(versions).all()
    latest = existing[0] if existing else None
    latest_file = next((checklist for checklist in existing if checklist.source == "file"), None)
    digest = catalogue.content_hash(sector.code)
    if latest_file is not None and latest_file.content_hash == digest:
        return latest
    checklist = new_version(
        sector, (latest.version + 1) if latest else 1, digest, catalogue.common, catalogue.sectors[sector.code].items
    )
    try:
        with session.begin_nested():
            session.add(checklist)
    except IntegrityError:  # another request made this version at the same moment
        return session.scalars(
            versions.where(Checklist.source == "file", Checklist.content_hash == digest)
        ).first()
    return checklist
