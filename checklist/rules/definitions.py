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
OVERSIGHT_FILE = "oversight.toml"
SECTOR_KEYS = {"code", "name", "name_en", "notice_item", "focus", "items"}
COMMON_KEYS = {"code", "name", "name_en", "items"}
ITEM_KEYS = {"code", "text", "basis", "guidance"}
SECTOR_ITEM_KEYS = ITEM_KEYS | {"criterion"}
OVERSIGHT_ITEM_KEYS = ITEM_KEYS | {"evidence"}

# Whom a common item is asked of (督政 / 查企 / both): common.toml says it of every item.
GOVERNMENT, ENTERPRISE, BOTH = "government", "enterprise", "both"
AUDIENCES = (GOVERNMENT, ENTERPRISE, BOTH)
# The facts the app shows beside a 督政 item as evidence (checklist.read.oversight draws each).
EVIDENCE = ("teams", "daily_reports", "monthly_reports", "hazards", "inspections", "enforcement")
# The national 重大事故隐患判定标准 a sector item may cite (its `criterion`: the document and the article):
# each by its short title and its 文号 (document number); a criterion names at least one of the two.
CRITERIA = (
    ("煤矿重大事故隐患判定标准", "应急管理部令第4号"),
    ("金属非金属矿山重大事故隐患判定标准", "矿安〔2022〕88号"),
    ("化工和危险化学品生产经营单位重大生产安全事故隐患判定标准", "安监总管三〔2017〕121号"),
    ("工贸企业重大事故隐患判定标准", "应急管理部令第10号"),
    ("房屋市政工程生产安全重大事故隐患判定标准", "建质规〔2022〕2号"),
    ("城镇燃气经营安全重大隐患判定标准", "建城规〔2023〕4号"),
    ("重大火灾隐患判定方法", "GB 35181-2017"),
    ("特种设备重大事故隐患判定准则", "GB 45067-2024"),
    ("道路运输企业和城市客运企业安全生产重大事故隐患判定标准", "交办运〔2023〕52号"),
    ("民用爆炸物品行业重大事故隐患判定标准", "工信厅安全函〔2023〕337号"),
)


class ChecklistFileError(Exception):
    """A checklist file that cannot be used; the message names the file and the item."""


@dataclass(frozen=True)
class ItemDefinition:
    code: str
    text: str
    basis: str = ""
    guidance: str = ""
    audience: str = ENTERPRISE
    evidence: str = ""
    criterion: str = ""  # the 重大事故隐患判定标准 (document and article) by which a failure is a 重大隐患


@dataclass(frozen=True)
class SectorDefinition:
    code: str
    name: str
    name_en: str
    notice_item: int
    focus: str
    items: tuple[ItemDefinition, ...]


@dataclass(frozen=True)
class OversightDefinition:
    """The 督政 checklist's own items: what the notice's 第四部分 asks of every unit."""

    code: str
    name: str
    name_en: str
    items: tuple[ItemDefinition, ...]


def items_hash(items: tuple[ItemDefinition, ...]) -> str:
    """Hash a checklist's items: a new hash means a new version.

    An item without a criterion hashes as it did before criteria existed, so only the files that cite one
    make new versions.
    """
    payload = [{key: value for key, value in asdict(item).items() if key != "criterion" or value} for item in items]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Catalogue:
    common: tuple[ItemDefinition, ...]
    sectors: dict[str, SectorDefinition]
    oversight: OversightDefinition

    @property
    def enterprise_common(self) -> tuple[ItemDefinition, ...]:
        """The common items asked of enterprises (查企): those of every sector checklist."""
        return tuple(item for item in self.common if item.audience != GOVERNMENT)

    @property
    def government_common(self) -> tuple[ItemDefinition, ...]:
        """The common items asked of governments and departments (督政)."""
        return tuple(item for item in self.common if item.audience != ENTERPRISE)

    def content_hash(self, sector_code: str) -> str:
        """Hash a sector checklist: its common items and the sector's items."""
        return items_hash(self.enterprise_common + self.sectors[sector_code].items)

    def oversight_hash(self) -> str:
        """Hash the 督政 checklist: the government's common items and the oversight items."""
        return items_hash(self.government_common + self.oversight.items)


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


def _criterion(data: dict, where: str) -> str:
    """An item's major-hazard criterion: a non-empty string naming one of the CRITERIA documents."""
    value = _string(data, "criterion", where)
    if not any(title in value or number in value for title, number in CRITERIA):
        known = "、".join(number for _title, number in CRITERIA)
        raise ChecklistFileError(f"{where}: 'criterion' names no known 重大事故隐患判定标准 ({known})")
    return value


def _choice(data: dict, key: str, where: str, choices: tuple[str, ...]) -> str:
    value = data.get(key)
    if value not in choices:
        raise ChecklistFileError(f"{where}: '{key}' must be one of {list(choices)}, not {value!r}")
    return value


def _items(data: dict, name: str, *, keys: set[str] = ITEM_KEYS, audience: str | None = ENTERPRISE,
           ) -> tuple[ItemDefinition, ...]:
    """Read the [[items]] of a file; audience None means each item says its own (common.toml)."""
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
        unknown = set(raw) - (keys | ({"audience"} if audience is None else set()))
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
            audience=audience or _choice(raw, "audience", where, AUDIENCES),
            evidence=_choice(raw, "evidence", where, ("", *EVIDENCE)) if "evidence" in raw else "",
            criterion=_criterion(raw, where) if "criterion" in raw else "",
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
    common = _items(_read(common_path, COMMON_KEYS), COMMON_FILE, audience=None)
    oversight = _oversight(folder, common)
    sectors = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name in (COMMON_FILE, OVERSIGHT_FILE):
            continue
        data = _read(path, SECTOR_KEYS)
        code = _string(data, "code", path.name)
        if code != path.stem:
            raise ChecklistFileError(f"{path.name}: code '{code}' does not match the file name")
        notice_item = data.get("notice_item")
        if not isinstance(notice_item, int):
            raise ChecklistFileError(f"{path.name}: 'notice_item' must be a number")
        items = _items(data, path.name, keys=SECTOR_ITEM_KEYS)
        _refuse_clash(path.name, items, common)
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
    return Catalogue(common=common, sectors=sectors, oversight=oversight)


def _refuse_clash(name: str, items: tuple[ItemDefinition, ...], common: tuple[ItemDefinition, ...]) -> None:
    clash = {item.code for item in items} & {item.code for item in common}
    if clash:
        raise ChecklistFileError(f"{name}: item codes {sorted(clash)} clash with {COMMON_FILE}")


def _oversight(folder: Path, common: tuple[ItemDefinition, ...]) -> OversightDefinition:
    path = folder / OVERSIGHT_FILE
    if not path.exists():
        raise ChecklistFileError(f"{OVERSIGHT_FILE}: missing in {folder}")
    data = _read(path, COMMON_KEYS)
    items = _items(data, OVERSIGHT_FILE, keys=OVERSIGHT_ITEM_KEYS, audience=GOVERNMENT)
    _refuse_clash(OVERSIGHT_FILE, items, common)
    return OversightDefinition(
        code=_string(data, "code", OVERSIGHT_FILE), name=_string(data, "name", OVERSIGHT_FILE),
        name_en=_string(data, "name_en", OVERSIGHT_FILE, required=False), items=items,
    )


def sync_sectors(session: Session, catalogue: Catalogue) -> None:
    """Create or rename the sectors the checklist files define."""
    existing = {sector.code: sector for sector in session.scalars(select(Sector))}
    for definition in catalogue.sectors.values():
        sector = existing.get(definition.code) or Sector(code=definition.code)
        sector.name, sector.name_en = definition.name, definition.name_en
        session.add(sector)
    session.flush()


def new_version(
    sector: Sector | None, version: int, content_hash: str, common: tuple[ItemDefinition, ...],
    items: tuple[ItemDefinition, ...], **columns,
) -> Checklist:
    """Build a checklist version: the common items, then the sector's (or, without a sector, the 督政 items)."""
    checklist = Checklist(sector=sector, version=version, content_hash=content_hash, **columns)
    position = 0
    for section, definitions in (("common", common), ("sector" if sector else "oversight", items)):
        for item in definitions:
            position += 1
            checklist.items.append(ChecklistItem(
                position=position, section=section, code=item.code,
                text=item.text, basis=item.basis, guidance=item.guidance, evidence=item.evidence,
                criterion=item.criterion,
            ))
    return checklist


def current_checklist(session: Session, catalogue: Catalogue, sector: Sector | None) -> Checklist:
    """Return the newest checklist version of a sector (None: the 督政 checklist), adding one when its file
    has changed.

    A version imported from a department's own table stays current until the file changes.
    """
    of_sector = Checklist.sector_id.is_(None) if sector is None else Checklist.sector_id == sector.id
    versions = select(Checklist).where(of_sector).order_by(Checklist.version.desc())
    # One statement: under PostgreSQL's READ COMMITTED two would each see the versions committed by then.
    existing = session.scalars(versions).all()
    latest = existing[0] if existing else None
    latest_file = next((checklist for checklist in existing if checklist.source == "file"), None)
    if sector is None:
        digest, common, items = catalogue.oversight_hash(), catalogue.government_common, catalogue.oversight.items
    else:
        digest, common, items = (
            catalogue.content_hash(sector.code), catalogue.enterprise_common, catalogue.sectors[sector.code].items
        )
    if latest_file is not None and latest_file.content_hash == digest:
        return latest
    checklist = new_version(sector, (latest.version + 1) if latest else 1, digest, common, items)
    try:
        with session.begin_nested():
            session.add(checklist)
    except IntegrityError:  # another request made this version at the same moment
        return session.scalars(
            versions.where(Checklist.source == "file", Checklist.content_hash == digest)
        ).first()
    return checklist
