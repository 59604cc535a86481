"""The rectification loop: proof, verification, extension, listed supervision, and who may do what."""

import re
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from checklist.clock import local_today
from checklist.models import Hazard, HazardLevel, HazardStatus, HistoryAction, Inspection, Photo, PhotoKind, Unit
from checklist.read import paging

from .helpers import fail_item, fail_items, inspection_id, jpeg_bytes, pass_everything_but, start, submitted_inspection

ENTERPRISE_A = "91140702MA0K000013"
ENTERPRISE_A2 = "91140702MA0K000026"


@pytest.fixture
def hazard(login, world, db) -> Hazard:
    """A major hazard of enterprise A found by county A's construction bureau, with one photo."""
    inspection = submitted_inspection(login("insp_a"), world, db, photos=[jpeg_bytes()])
    return inspection.hazards[0]


FIXED = jpeg_bytes(color=(20, 200, 20))


def submit_fix(client, hazard, note="已更换连墙件", photos=(FIXED,)):
    return client.post(f"/hazards/{hazard.id}/fix", {
        "note": note, "photos": [(BytesIO(photo), f"fix{number}.jpg") for number, photo in enumerate(photos)],
    }, content_type="multipart/form-data")


def status_of(db, hazard) -> HazardStatus:
    db.expire_all()
    return db.get(Hazard, hazard.id).status


def actions(db, hazard) -> list[HistoryAction]:
    db.expire_all()
    return [row.action for row in db.get(Hazard, hazard.id).history]


def test_the_enterprise_sees_its_hazard_on_its_rectification_list(login, hazard):
    page = login(ENTERPRISE_A).get("/rectification").get_data(as_text=True)
    assert hazard.description in page and f"/hazards/{hazard.id}" in page


def test_another_enterprise_sees_neither_the_hazard_nor_its_photos(login, hazard):
    client = login(ENTERPRISE_A2)
    assert hazard.description not in client.get("/rectification").get_data(as_text=True)
    assert client.get(f"/hazards/{hazard.id}").status_code == 403
    for photo in hazard.photos:
        assert client.get(f"/photos/{photo.id}").status_code == 403


def test_submit_reject_resubmit_accept(login, hazard, db):
    enterprise, inspector = login(ENTERPRISE_A), login("insp_a")
    assert submit_fix(enterprise, hazard).status_code == 302
    assert status_of(db, hazard) is HazardStatus.SUBMITTED
    inspector.post(f"/hazards/{hazard.id}/reject", {"reason": "照片看不清连墙件"})
    assert status_of(db, hazard) is HazardStatus.OPEN
    submit_fix(enterprise, hazard, note="重新拍照")
    inspector.post(f"/hazards/{hazard.id}/accept", {"note": "复查合格"})
    assert status_of(db, hazard) is HazardStatus.CLOSED
    assert actions(db, hazard) == [
        HistoryAction.FOUND, HistoryAction.SUBMITTED, HistoryAction.REJECTED, HistoryAction.SUBMITTED,
        HistoryAction.ACCEPTED,
    ]
    proof = db.scalars(select(Photo).where(Photo.hazard_id == hazard.id, Photo.kind == PhotoKind.PROOF)).all()
    assert len(proof) == 2
    page = inspector.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "照片看不清连墙件" in page and "复查合格" in page


def test_a_fix_without_a_photo_is_refused(login, hazard, db):
    submit_fix(login(ENTERPRISE_A), hazard, photos=())
    assert status_of(db, hazard) is HazardStatus.OPEN


def test_a_fix_with_a_broken_photo_stores_nothing(login, hazard, db):
    submit_fix(login(ENTERPRISE_A), hazard, photos=(b"not a photo",))
    assert status_of(db, hazard) is HazardStatus.OPEN
    assert db.scalar(select(func.count(Photo.id)).where(Photo.kind == PhotoKind.PROOF)) == 0


def test_submitting_twice_records_one_submission(login, hazard, db):
    enterprise = login(ENTERPRISE_A)
    submit_fix(enterprise, hazard)
    submit_fix(enterprise, hazard)
    assert actions(db, hazard).count(HistoryAction.SUBMITTED) == 1


def test_an_enterprise_cannot_close_its_own_hazard(login, hazard, db):
    enterprise = login(ENTERPRISE_A)
    submit_fix(enterprise, hazard)
    enterprise.post(f"/hazards/{hazard.id}/accept", {})
    assert status_of(db, hazard) is HazardStatus.SUBMITTED


def test_an_enterprise_cannot_submit_another_enterprises_hazard(login, hazard, db):
    response = submit_fix(login(ENTERPRISE_A2), hazard)
    assert response.status_code == 403
    assert status_of(db, hazard) is HazardStatus.OPEN


def test_a_rejection_without_a_reason_is_refused(login, hazard, db):
    submit_fix(login(ENTERPRISE_A), hazard)
    login("insp_a").post(f"/hazards/{hazard.id}/reject", {"reason": "  "})
    assert status_of(db, hazard) is HazardStatus.SUBMITTED


def test_a_closed_hazard_cannot_be_changed(login, hazard, db):
    submit_fix(login(ENTERPRISE_A), hazard)
    inspector, deadline = login("insp_a"), hazard.deadline
    inspector.post(f"/hazards/{hazard.id}/accept", {})
    inspector.post(f"/hazards/{hazard.id}/reject", {"reason": "再看看"})
    later = (hazard.deadline + timedelta(days=30)).isoformat()
    inspector.post(f"/hazards/{hazard.id}/extend", {"deadline": later, "reason": "x"})
    submit_fix(login(ENTERPRISE_A), hazard)
    db.expire_all()
    stored = db.get(Hazard, hazard.id)
    assert stored.status is HazardStatus.CLOSED and stored.deadline == deadline
    assert actions(db, hazard)[-1] is HistoryAction.ACCEPTED


def test_another_countys_supervisor_cannot_verify(login, world, hazard, db):
    submit_fix(login(ENTERPRISE_A), hazard)
    client = login("admin_b")
    assert client.post(f"/hazards/{hazard.id}/accept", {}).status_code == 403
    assert client.get("/verification").get_data(as_text=True).count(f"/hazards/{hazard.id}") == 0
    assert status_of(db, hazard) is HazardStatus.SUBMITTED


def test_the_county_admin_verifies_and_sees_the_queue(login, hazard, db):
    submit_fix(login(ENTERPRISE_A), hazard)
    admin = login("admin_a")
    assert f"/hazards/{hazard.id}" in admin.get("/verification").get_data(as_text=True)
    admin.post(f"/hazards/{hazard.id}/accept", {})
    assert status_of(db, hazard) is HazardStatus.CLOSED


def test_an_extension_needs_a_reason_and_is_recorded(login, hazard, db):
    inspector = login("insp_a")
    first = hazard.deadline
    later = first + timedelta(days=20)
    inspector.post(f"/hazards/{hazard.id}/extend", {"deadline": later.isoformat(), "reason": ""})
    db.expire_all()
    assert db.get(Hazard, hazard.id).deadline == first
    inspector.post(f"/hazards/{hazard.id}/extend", {"deadline": later.isoformat(), "reason": "需采购设备"})
    db.expire_all()
    row = db.get(Hazard, hazard.id).history[-1]
    assert (row.action, row.deadline_from, row.deadline_to, row.note) == (
        HistoryAction.EXTENDED, first, later, "需采购设备",
    )


def listed(login, world, hazard, db, unit=None):
    admin = login("admin_a")
    deadline = hazard.deadline + timedelta(days=30)
    admin.post(f"/hazards/{hazard.id}/list", {"unit": (unit or world.unit_a).id, "deadline": deadline.isoformat()})
    db.expire_all()
    return db.get(Hazard, hazard.id)


def test_a_county_admin_lists_a_major_hazard(login, world, hazard, db):
    stored = listed(login, world, hazard, db)
    assert stored.listed_unit_id == world.unit_a.id and stored.history[-1].action is HistoryAction.LISTED
    assert f"/hazards/{hazard.id}" in login("admin_a").get("/major-hazards").get_data(as_text=True)


def test_an_inspector_cannot_list_a_hazard(login, world, hazard, db):
    login("insp_a").post(f"/hazards/{hazard.id}/list", {"unit": world.unit_a.id, "deadline": "2030-01-01"})
    assert db.get(Hazard, hazard.id).listed_unit_id is None


def test_a_county_cannot_list_under_another_countys_unit(login, world, hazard, db):
    assert listed(login, world, hazard, db, unit=world.unit_b).listed_unit_id is None


def test_a_listed_hazard_is_closed_only_by_its_supervising_unit_or_the_city(login, world, hazard, db):
    committee = db.scalars(select(Unit).where(Unit.name == "榆次区安委办")).one()
    listed(login, world, hazard, db, unit=committee)
    submit_fix(login(ENTERPRISE_A), hazard)
    for outsider in ("insp_a", "insp_a2"):  # the finding unit is not the supervising unit
        login(outsider).post(f"/hazards/{hazard.id}/accept", {})
        assert status_of(db, hazard) is HazardStatus.SUBMITTED
    login("city").post(f"/hazards/{hazard.id}/accept", {})
    assert status_of(db, hazard) is HazardStatus.CLOSED


def test_the_supervising_unit_closes_its_listed_hazard(login, world, hazard, db):
    committee = db.scalars(select(Unit).where(Unit.name == "榆次区安委办")).one()
    listed(login, world, hazard, db, unit=committee)
    submit_fix(login(ENTERPRISE_A), hazard)
    login("admin_a").post(f"/hazards/{hazard.id}/accept", {})
    assert status_of(db, hazard) is HazardStatus.CLOSED


def test_the_major_hazard_list_downloads_as_xlsx(login, world, hazard, db):
    from openpyxl import load_workbook

    hazard.description = "=HYPERLINK(\"http://x\")"
    db.commit()
    response = login("city").get(f"/major-hazards.xlsx?county={world.county_a.id}")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet.cell(3, 3).value == world.enterprise_a.name
    assert sheet.cell(3, 5).value == "=HYPERLINK(\"http://x\")" and sheet.cell(3, 5).data_type == "s"


def test_an_enterprise_cannot_reach_the_supervisors_lists(login, hazard):
    client = login(ENTERPRISE_A)
    for url in ("/verification", "/major-hazards", "/major-hazards.xlsx"):
        assert client.get(url).status_code == 403


def test_home_pages_count_what_waits(login, hazard, db):
    submit_fix(login(ENTERPRISE_A), hazard)
    assert "<b>1</b>项整改待验收" in login("insp_a").get("/").get_data(as_text=True)
    login("insp_a").post(f"/hazards/{hazard.id}/reject", {"reason": "不合格"})
    page = login(ENTERPRISE_A).get("/rectification").get_data(as_text=True)
    assert "<b>1</b>项隐患待整改" in page and "<b>1</b>项退回整改" in page


def test_a_self_inspection_hazard_lands_on_the_enterprises_own_list(login, world, db):
    enterprise = login(ENTERPRISE_A)
    number = inspection_id(start(enterprise, world, mode="self_check"))
    item = pass_everything_but(enterprise, db, number, "CON-05")
    assert fail_item(enterprise, number, item, description="自查发现安全帽破损").status_code == 302
    assert enterprise.post(f"/inspections/{number}/review", {}).status_code == 302
    assert "自查发现安全帽破损" in enterprise.get("/rectification").get_data(as_text=True)
    [hazard] = db.scalars(select(Hazard).where(Hazard.description == "自查发现安全帽破损")).all()
    submit_fix(enterprise, hazard)
    login("insp_a").post(f"/hazards/{hazard.id}/accept", {})  # county A's construction bureau supervises it
    assert status_of(db, hazard) is HazardStatus.CLOSED


def test_the_verification_queue_and_the_major_hazards_come_a_page_at_a_time(login, world, db, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 1)
    inspector, enterprise = login("insp_a"), login(ENTERPRISE_A)
    number = inspection_id(start(inspector, world))
    fail_items(inspector, db, number, {"CON-01", "CON-02"}, description="分页")
    found = db.scalars(select(Hazard).where(Hazard.inspection_id == number).order_by(Hazard.id)).all()
    for hazard in found:
        assert submit_fix(enterprise, hazard).status_code == 302
    pages = [inspector.get(f"/verification?page={page}").get_data(as_text=True) for page in (1, 2)]
    for page, shown, hidden in zip(pages, found, reversed(found), strict=True):
        assert f"/hazards/{shown.id}\"" in page and f"/hazards/{hidden.id}\"" not in page
    assert "1 / 2" in pages[0] and "2 / 2" in pages[1]
    major = [inspector.get(f"/major-hazards?page={page}").get_data(as_text=True) for page in (1, 2)]
    assert all("分页" in page for page in major) and "1 / 2" in major[0]


def test_the_city_downloads_the_major_list_a_county_at_a_time(login, world, major_list):
    """The city's page counts each county's list and links its download; a download without a county is sent back
    to the page with why; a county's people read and download their own county's only."""
    from openpyxl import load_workbook

    city = login("city")
    page = city.get("/major-hazards").get_data(as_text=True)
    for county, count in ((world.county_a, 4), (world.county_b, 1)):
        assert f"?county={county.id}\">{county.name}</a>" in page
        assert re.search(rf"{county.name}</a>\s*<small>{count}项隐患</small>", page)
        assert f"/major-hazards.xlsx?county={county.id}\"" in page
    assert f"?county={world.county_a.id}&amp;closed=1\"" in city.get("/major-hazards?closed=1").get_data(as_text=True)
    response = city.get("/major-hazards.xlsx?closed=1", follow_redirects=True)
    assert "请选择县（区、市）：全市的清单按县分别下载。" in response.get_data(as_text=True)
    assert city.get("/major-hazards.xlsx").headers["Location"].endswith("/major-hazards")
    sheet = load_workbook(BytesIO(city.get(f"/major-hazards.xlsx?county={world.county_b.id}").data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == [world.county_b.name]
    listed_b = city.get(f"/major-hazards?county={world.county_b.id}").get_data(as_text=True)
    assert f"/hazards/{major_list[6].id}\"" in listed_b and f"/hazards/{major_list[0].id}\"" not in listed_b
    county_a = login("admin_a")
    assert "/major-hazards.xlsx?county=" not in county_a.get("/major-hazards").get_data(as_text=True)
    for url in (f"/major-hazards?county={world.county_b.id}", f"/major-hazards.xlsx?county={world.county_b.id}"):
        assert county_a.get(url).status_code == 403
    assert city.get("/major-hazards.xlsx?county=99999").status_code == 404


def test_the_major_list_dates_a_hazard_by_its_day_in_china(login, world, hazard, db):
    from datetime import datetime

    from openpyxl import load_workbook

    hazard.found_at = datetime(2026, 3, 1, 20, 30)  # 04:30 on 2 March in China Standard Time
    db.commit()
    sheet = load_workbook(BytesIO(login("city").get(f"/major-hazards.xlsx?county={world.county_a.id}").data)).active
    column = [cell.value for cell in sheet[2]].index("发现日期") + 1
    assert sheet.cell(3, column).value.date().isoformat() == "2026-03-02"


@pytest.fixture
def major_list(login, world, db) -> list[Hazard]:
    """Six hazards of enterprise A in every state the list sorts by: major open, overdue, submitted and closed, a
    general one listed for supervision (on the list) and one not (off it); a seventh of county B's enterprise."""
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    inspection = db.get(Inspection, number)
    codes = [item.code for item in inspection.checklist.items[:7]]
    fail_items(inspector, db, number, set(codes), description="清单")
    found = db.scalars(select(Hazard).where(Hazard.inspection_id == number).order_by(Hazard.id)).all()
    today = local_today()
    changes = [
        {"status": HazardStatus.SUBMITTED, "deadline": today + timedelta(days=3)},
        {"status": HazardStatus.CLOSED, "deadline": today - timedelta(days=5), "closed_at": datetime.now()},
        {"level": HazardLevel.GENERAL},
        {"level": HazardLevel.GENERAL, "listed_unit_id": world.unit_a.id, "listed_deadline": today},
        {"deadline": today - timedelta(days=2)},
        {"deadline": today + timedelta(days=1)},
        {"enterprise_id": world.enterprise_b.id},
    ]
    for hazard, change in zip(found, changes, strict=True):
        for name, value in change.items():
            setattr(hazard, name, value)
    db.commit()
    return found


def page_ids(client, closed: str) -> list[int]:
    """The hazards /major-hazards lists, page after page, in its order."""
    ids, page = [], 1
    while shown := [int(number) for number in re.findall(
            r'href="/hazards/(\d+)"', client.get(f"/major-hazards?page={page}{closed}").get_data(as_text=True))]:
        ids += shown
        page += 1
    return ids


@pytest.mark.parametrize("closed", ["", "&closed=1"])
@pytest.mark.parametrize("username", ["city", "admin_a"])
def test_the_major_list_downloads_the_hazards_of_its_pages_in_their_order(login, world, major_list, db, monkeypatch,
                                                                          username, closed):
    from openpyxl import load_workbook

    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    client = login(username)
    assert len(page_ids(client, closed)) == (6 if closed else 5) - (username == "admin_a")  # county B's: the city's
    closed += f"&county={world.county_a.id}" if username == "city" else ""  # the city downloads a county at a time
    ids = page_ids(client, closed)
    assert len(ids) == (5 if "closed" in closed else 4)  # the general one off the list
    assert ids != sorted(ids)  # by status and deadline, not as found
    sheet = load_workbook(BytesIO(client.get(f"/major-hazards.xlsx?{closed[1:]}").data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    description = {hazard.id: hazard.description for hazard in major_list}
    assert [row[4] for row in rows] == [description[number] for number in ids]
    assert [row[0] for row in rows] == list(range(1, len(ids) + 1))


def test_a_list_sheet_keeps_its_header_on_screen_and_on_every_printed_page(login, major_list):
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(login("admin_a").get("/major-hazards.xlsx?closed=1").data)).active
    assert sheet.title == "重大隐患" and sheet["A1"].value.startswith("重大问题隐患清单")
    assert [str(cells) for cells in sheet.merged_cells.ranges] == ["A1:N1"] and sheet["A1"].font.b
    assert sheet["A2"].value == "序号" and all(cell.font.b and cell.border.left.style == "thin" for cell in sheet[2])
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:N7" and sheet.print_title_rows == "$2:$2"
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert [sheet.column_dimensions[letter].width for letter in "AEN"] == [6, 48, 10]
    assert all(cell.is_date and cell.number_format == "yyyy-mm-dd" for cell in sheet["H"][2:])  # found on
    assert all(cell.border.left.style == "thin" and cell.alignment.wrap_text for row in sheet["A3:N7"] for cell in row)
