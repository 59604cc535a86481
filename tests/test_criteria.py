"""重大事故隐患判定标准: sector items cite the national criterion (document and article) by which their failure
is a 重大隐患; start-up checks the citation, failing a cited item proposes 重大, and the criterion is printed
on the problem list, the 重大隐患 list and its xlsx."""

import dataclasses
import hashlib
import json
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from checklist import create_app
from checklist.models import ITEM_TEXT_MAX, Inspection
from checklist.rules.definitions import CRITERIA, ChecklistFileError, items_hash, load_catalogue

from .helpers import fail_item, inspection_id, pass_everything_but, start
from .test_definitions import CHECKLISTS, copy_checklists

# The sector files and the 文号 of the criterion each cites (issue 14, item 5).
SECTOR_CRITERIA = {
    "coal": "应急管理部令第4号",
    "non_coal_mine": "矿安〔2022〕88号",
    "hazardous_chemicals": "安监总管三〔2017〕121号",
    "metallurgy_trade": "应急管理部令第10号",
    "construction": "建质规〔2022〕2号",
    "gas": "建城规〔2023〕4号",
    "fire": "GB 35181-2017",
    "special_equipment": "GB 45067-2024",
    "road_transport": "交办运〔2023〕52号",
    "civil_explosives": "工信厅安全函〔2023〕337号",
}

KNOWN = "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）第三条第（一）项"  # a criterion the files may cite


def level_checked(page: str) -> str:
    """The value of the hazard-level radio that is checked on an item page."""
    [value] = [
        re.search(r'value="(\w+)"', tag).group(1)
        for tag in re.findall(r'<input[^>]*name="level"[^>]*>', page) if re.search(r"\bchecked\b", tag)
    ]
    return value


def test_every_named_sector_cites_its_own_criterion_and_nothing_else_does():
    catalogue = load_catalogue(CHECKLISTS)
    assert {number for _title, number in CRITERIA} == set(SECTOR_CRITERIA.values())
    for code, number in SECTOR_CRITERIA.items():
        cited = [item for item in catalogue.sectors[code].items if item.criterion]
        assert cited, code
        for item in cited:
            assert number in item.criterion and "》" in item.criterion, (code, item.code)
            assert any(title in item.criterion for title, _number in CRITERIA), (code, item.code)
            assert len(item.criterion) <= ITEM_TEXT_MAX
    others = [sector for code, sector in catalogue.sectors.items() if code not in SECTOR_CRITERIA]
    assert not [item for sector in others for item in sector.items if item.criterion]
    assert not [item for item in catalogue.common + catalogue.oversight.items if item.criterion]


def test_only_files_that_cite_a_criterion_hash_differently():
    catalogue = load_catalogue(CHECKLISTS)

    def old_hash(items):  # the payload before criteria existed
        payload = [{k: v for k, v in dataclasses.asdict(item).items() if k != "criterion"} for item in items]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()

    education = catalogue.enterprise_common + catalogue.sectors["education"].items
    assert items_hash(education) == old_hash(education)
    assert catalogue.oversight_hash() == old_hash(catalogue.government_common + catalogue.oversight.items)
    construction = catalogue.enterprise_common + catalogue.sectors["construction"].items
    assert items_hash(construction) != old_hash(construction)


def cited(name: str, text: str, code: str, criterion: str) -> str:
    """Set the criterion line of one item of a sector file."""
    pattern = rf'(code = "{code}"\n(?:(?!\[\[items\]\]).*\n)*?)criterion = "[^"]*"\n'
    changed, count = re.subn(pattern, lambda match: f'{match.group(1)}criterion = "{criterion}"\n', text)
    assert count == 1, (name, code)
    return changed


@pytest.mark.parametrize("file, damage, message", [
    ("common.toml", lambda text: text.replace('code = "C01"\n', f'code = "C01"\ncriterion = "{KNOWN}"\n', 1),
     r"common\.toml, item 1 \(C01\): unknown keys \['criterion'\]"),
    ("oversight.toml", lambda text: text.replace('code = "G01"\n', f'code = "G01"\ncriterion = "{KNOWN}"\n', 1),
     r"oversight\.toml, item 1 \(G01\): unknown keys \['criterion'\]"),
    ("gas.toml", lambda text: cited("gas.toml", text, "GAS-04", "  "),
     r"gas\.toml, item 4 \(GAS-04\): 'criterion' is missing or empty"),
    ("gas.toml", lambda text: cited("gas.toml", text, "GAS-04", "《某省燃气安全隐患判定办法》第三条"),
     r"gas\.toml, item 4 \(GAS-04\): 'criterion' names no known 重大事故隐患判定标准"),
    ("fire.toml", lambda text: cited("fire.toml", text, "FIRE-12", "《重大火灾隐患判定方法》" + "六" * ITEM_TEXT_MAX),
     rf"fire\.toml, item 12 \(FIRE-12\): 'criterion' is longer than {ITEM_TEXT_MAX} characters"),
    ("coal.toml", lambda text: text.replace('code = "COAL-01"\n', 'code = "COAL-01"\ncriterion = 4\n', 1),
     r"coal\.toml, item 1 \(COAL-01\): 'criterion' must be a string"),
])
def test_start_up_refuses_a_criterion_out_of_place_empty_or_unknown(tmp_path, file, damage, message):
    folder = copy_checklists(tmp_path, lambda name, text: damage(text) if name == file else text)
    with pytest.raises(ChecklistFileError, match=message):
        create_app({"TESTING": True, "CHECKLIST_DIR": str(folder), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_a_criterion_may_name_its_document_by_title_or_by_number(tmp_path):
    def damage(name, text):
        if name != "gas.toml":
            return text
        text = cited(name, text, "GAS-04", "《城镇燃气经营安全重大隐患判定标准》第四条第（一）项")
        return cited(name, text, "GAS-10", "建城规〔2023〕4号 第四条第（五）项")
    catalogue = load_catalogue(copy_checklists(tmp_path, damage))
    items = {item.code: item for item in catalogue.sectors["gas"].items}
    assert items["GAS-04"].criterion.startswith("《城镇燃气") and items["GAS-10"].criterion.startswith("建城规")


def test_a_cited_item_proposes_a_major_hazard_and_shows_its_criterion(login, world, db, app):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    inspection = db.get(Inspection, number)
    items = {item.code: item for item in inspection.checklist.items}
    criterion = items["CON-02"].criterion
    assert criterion == next(
        item.criterion for item in app.extensions["catalogue"].sectors["construction"].items if item.code == "CON-02"
    )
    assert "建质规〔2022〕2号" in criterion and not items["CON-01"].criterion

    page = inspector.get(f"/inspections/{number}/items/{items['CON-02'].id}").get_data(as_text=True)
    assert level_checked(page) == "major"
    assert "重大事故隐患判定依据" in page and criterion in page
    page = inspector.get(f"/inspections/{number}/items/{items['CON-01'].id}").get_data(as_text=True)
    assert level_checked(page) == "general"
    assert "重大事故隐患判定依据" not in page

    checklist = inspector.get(f"/inspections/{number}").get_data(as_text=True)
    assert checklist.count("重大事故隐患判定依据") == sum(1 for item in items.values() if item.criterion)
    assert criterion in checklist

    # The inspector's own choice stands: a cited item saved as a general hazard reopens as one.
    assert fail_item(inspector, number, items["CON-02"], level="general").status_code == 302
    page = inspector.get(f"/inspections/{number}/items/{items['CON-02'].id}").get_data(as_text=True)
    assert level_checked(page) == "general"


def test_the_criterion_of_a_failed_cited_item_is_printed_on_the_lists(login, world, db):
    world.inspector_a.card_number, world.colleague_a.card_number = "14070021001", "14070021002"
    db.commit()
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    item = pass_everything_but(inspector, db, number, "CON-02")
    assert fail_item(inspector, number, item, description="塔吊司机无操作资格证").status_code == 302
    assert inspector.post(f"/inspections/{number}/review", {"inspectors": [world.colleague_a.id]}).status_code == 302
    db.expire_all()
    [hazard] = db.get(Inspection, number).hazards
    criterion = hazard.item.criterion
    assert criterion and hazard.level.value == "major"

    problems = inspector.get(f"/inspections/{number}/problems").get_data(as_text=True)
    assert "重大事故隐患判定依据" in problems and criterion in problems
    [order] = [document for document in db.get(Inspection, number).documents if document.kind.value == "order"]
    assert criterion in inspector.get(f"/documents/{order.id}").get_data(as_text=True)

    supervisor = login("city")
    listed = supervisor.get("/major-hazards").get_data(as_text=True)
    assert "塔吊司机无操作资格证" in listed and criterion in listed

    response = supervisor.get(f"/major-hazards.xlsx?county={world.county_a.id}")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    headers = [cell.value for cell in sheet[2]]
    column = headers.index("判定依据") + 1
    assert headers[column - 2] == "等级"  # beside the hazard's level
    [row] = [row for row in sheet.iter_rows(min_row=3, values_only=True) if row[4] == "塔吊司机无操作资格证"]
    assert row[column - 1] == criterion
