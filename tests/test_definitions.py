"""Checklist files: every sector of the notice, validated, and versioned when they change."""

import dataclasses
from pathlib import Path

import pytest

from checklist import create_app
from checklist.models import Sector
from checklist.rules.definitions import ChecklistFileError, current_checklist, load_catalogue, sync_sectors

CHECKLISTS = Path(__file__).parent.parent / "checklists"
# The reading of the notice's 共性内容 item by item (see checklists/common.toml): C01 is about the 党政领导干部
# of counties and townships, C03 about the tasks 市政发〔2021〕1号 gave governments, C05 about the departments'
# 三管三必管 duties and their "一张表", C06 about the 三年行动's 五个一 (任务起底、通报、调度、督导、约谈):
# governments' work. The others the notice asks of "各单位" or of everyone.
GOVERNMENT_ONLY = {"C01", "C03", "C05", "C06"}

NOTICE_SECTORS = {
    "coal", "non_coal_mine", "hazardous_chemicals", "construction", "road_transport", "fire", "gas",
    "tourism", "education", "special_equipment", "metallurgy_trade",
}


def test_the_notice_sectors_and_at_least_three_others_have_files():
    catalogue = load_catalogue(Path(__file__).parent.parent / "checklists")
    assert set(catalogue.sectors) >= NOTICE_SECTORS
    assert len(set(catalogue.sectors) - NOTICE_SECTORS) >= 3
    assert len(catalogue.common) == 10
    assert {item.code for item in catalogue.common if item.audience == "government"} == GOVERNMENT_ONLY
    codes = {item.code for item in catalogue.common}
    assert {item.code for item in catalogue.enterprise_common} == codes - GOVERNMENT_ONLY
    for sector in catalogue.sectors.values():
        assert len(sector.items) >= 8, sector.code
        assert sector.notice_item == 12 or sector.code in NOTICE_SECTORS


def test_construction_checks_the_points_the_notice_names():
    construction = load_catalogue(Path(__file__).parent.parent / "checklists").sectors["construction"]
    texts = " ".join(item.text for item in construction.items)
    for point in ("特种作业人员", "危大工程", "安全生产责任保险", "安全生产许可证", "三类人员"):
        assert point in texts


def test_an_inspection_keeps_its_version_when_the_file_changes(app, db):
    catalogue = app.extensions["catalogue"]
    sync_sectors(db, catalogue)
    gas = db.query(Sector).filter_by(code="gas").one()
    first = current_checklist(db, catalogue, gas)
    assert current_checklist(db, catalogue, gas) is first
    changed_items = (dataclasses.replace(catalogue.sectors["gas"].items[0], text="改过的检查项"),)
    changed = dataclasses.replace(catalogue, sectors={
        **catalogue.sectors, "gas": dataclasses.replace(catalogue.sectors["gas"], items=changed_items),
    })
    second = current_checklist(db, changed, gas)
    assert (first.version, second.version) == (1, 2)
    assert first.items[-1].text != "改过的检查项" and second.items[-1].text == "改过的检查项"
    assert len(second.items) == 7  # the six common items asked of enterprises, then the one sector item


def test_the_oversight_checklist_asks_the_government_items_and_what_the_notice_asks_of_every_unit(app, db):
    catalogue = app.extensions["catalogue"]
    oversight = current_checklist(db, catalogue, None)
    codes = [item.code for item in oversight.items]
    assert oversight.sector is None and current_checklist(db, catalogue, None) is oversight
    assert set(codes) > GOVERNMENT_ONLY and "C09" in codes  # problems followed to 销号: both parties
    assert {item.section for item in oversight.items} == {"common", "oversight"}
    texts = " ".join(item.text for item in oversight.items)
    for point in ("工作方案", "联络员", "10时前", "2500字", "列表格", "清零销号"):
        assert point in texts
    assert {item.evidence for item in oversight.items} >= {
        "teams", "daily_reports", "monthly_reports", "hazards", "inspections", "enforcement",
    }


def copy_checklists(tmp_path: Path, damage) -> Path:
    folder = tmp_path / "checklists"
    folder.mkdir()
    for path in CHECKLISTS.glob("*.toml"):
        (folder / path.name).write_text(damage(path.name, path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


@pytest.mark.parametrize("file, damage, message", [
    ("common.toml", lambda text: text.replace('audience = "both"\n', "", 1),
     r"common\.toml, item 2 \(C02\): 'audience' must be one of"),
    ("common.toml", lambda text: text.replace('audience = "government"', 'audience = "county"', 1),
     r"common\.toml, item 1 \(C01\): 'audience' must be one of .* not 'county'"),
    ("gas.toml", lambda text: text.replace("[[items]]", '[[items]]\naudience = "both"', 1), "unknown keys"),
    ("oversight.toml", lambda text: text.replace('evidence = "teams"', 'evidence = "rumours"'),
     r"oversight\.toml, item 3 \(G03\): 'evidence' must be one of"),
    ("oversight.toml", lambda text: text.replace('code = "G01"', 'code = "C01"'), r"\['C01'\] clash"),
])
def test_start_up_refuses_an_item_without_a_known_audience_or_evidence(tmp_path, file, damage, message):
    folder = copy_checklists(tmp_path, lambda name, text: damage(text) if name == file else text)
    with pytest.raises(ChecklistFileError, match=message):
        create_app({"TESTING": True, "CHECKLIST_DIR": str(folder), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_a_new_audience_makes_new_versions_and_old_inspections_keep_theirs(app, db):
    catalogue = app.extensions["catalogue"]
    sync_sectors(db, catalogue)
    gas = db.query(Sector).filter_by(code="gas").one()
    before = dataclasses.replace(catalogue, common=tuple(
        dataclasses.replace(item, audience="both") for item in catalogue.common
    ))
    old = current_checklist(db, before, gas)
    assert [item.code for item in old.items[:10]] == [f"C{number:02d}" for number in range(1, 11)]
    new = current_checklist(db, catalogue, gas)
    assert (old.version, new.version) == (1, 2)
    assert not GOVERNMENT_ONLY & {item.code for item in new.items}
    assert len(old.items) == len(new.items) + len(GOVERNMENT_ONLY)
