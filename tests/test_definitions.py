"""Checklist files: every sector of the notice, validated, and versioned when they change."""

import dataclasses
from pathlib import Path

from checklist.models import Sector
from checklist.rules.definitions import current_checklist, load_catalogue, sync_sectors

NOTICE_SECTORS = {
    "coal", "non_coal_mine", "hazardous_chemicals", "construction", "road_transport", "fire", "gas",
    "tourism", "education", "special_equipment", "metallurgy_trade",
}


def test_the_notice_sectors_and_at_least_three_others_have_files():
    catalogue = load_catalogue(Path(__file__).parent.parent / "checklists")
    assert set(catalogue.sectors) >= NOTICE_SECTORS
    assert len(set(catalogue.sectors) - NOTICE_SECTORS) >= 3
    assert len(catalogue.common) == 10
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
    assert len(second.items) == 11
