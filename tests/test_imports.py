"""Imports from Excel: the enterprise roster and a department's checklist table, all or nothing."""

import random
import re
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from checklist import credit_code
from checklist.models import Checklist, ChecklistItem, Enterprise, Inspection, Sector
from checklist.rules.definitions import current_checklist
from checklist.sheets import imports as workbooks

from .helpers import inspection_id, start

ROSTER_HEADERS = ["企业名称", "统一社会信用代码", "县（区、市）", "行业领域", "地址", "联系人", "联系电话", "监管单位"]
ANSWERABLE_HEADERS = ["包保检查组", "包保责任人"]  # added later: a file without them is read as before
LOCATION_HEADERS = ["经度", "纬度"]  # added later still: the registered location, WGS-84 decimal degrees
CHECKLIST_HEADERS = ["编号", "检查内容", "依据", "检查方法"]
REPORTED = re.compile(r'<td class="row">(\d+)</td><td class="column">([^<]*)</td><td>([^<]*)</td>')


def xlsx(headers, rows, title="Sheet") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def new_codes(count, division="140702", seed=7) -> list[str]:
    rng = random.Random(seed)
    return [credit_code.generate(division, rng) for _ in range(count)]


def roster_row(name, code, county="榆次区", sector="建筑施工", unit="榆次区住建局", phone="0354-3012345"):
    return [name, code, county, sector, f"{name}地址", "刘联系", phone, unit]


def english(client):
    """Read the pages in English: the messages are then the msgids, whatever the catalogues hold."""
    client.http.set_cookie("lang", "en")
    return client


def post_roster(client, data, filename="roster.xlsx"):
    return client.post("/imports/roster", {"roster": (BytesIO(data), filename)}, content_type="multipart/form-data")


def post_checklist(client, sector_id, data, filename="table.xlsx"):
    return client.post("/imports/checklist", {"sector": sector_id, "table": (BytesIO(data), filename)},
                       content_type="multipart/form-data")


def reported(response) -> list[tuple[int, str, str]]:
    return [(int(row), column, reason) for row, column, reason in REPORTED.findall(response.get_data(as_text=True))]


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def sector_id(db, code) -> int:
    return db.scalars(select(Sector.id).where(Sector.code == code)).one()


def test_the_roster_template_has_the_documented_columns_and_lists(login, world):
    response = login("admin_a").get("/imports/roster-template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == workbooks.XLSX
    workbook = load_workbook(BytesIO(response.data))
    assert workbook.sheetnames == ["企业名录", "填写说明"]
    sheet, guide = workbook["企业名录"], workbook["填写说明"]
    assert [cell.value for cell in sheet[1]] == [*ROSTER_HEADERS, *ANSWERABLE_HEADERS, *LOCATION_HEADERS]
    guide_text = [cell.value for row in guide.iter_rows() for cell in row if cell.value]
    assert set(ANSWERABLE_HEADERS) <= set(guide_text) and set(LOCATION_HEADERS) <= set(guide_text)
    assert set(ROSTER_HEADERS) <= set(guide_text)
    assert "榆次区" in guide_text and "太谷区" not in guide_text  # a county admin gets its own county only
    assert "建筑施工" in guide_text and "煤矿" in guide_text
    validations = sheet.data_validations.dataValidation
    validated = {str(validation.sqref).split(":")[0]: validation for validation in validations}
    assert {"C2", "D2", "H2"} <= set(validated)
    assert validated["D2"].type == "list" and validated["D2"].formula1.startswith("'填写说明'!")


def test_the_city_template_lists_every_county(login, world):
    workbook = load_workbook(BytesIO(login("city").get("/imports/roster-template.xlsx").data))
    guide_text = {cell.value for row in workbook["填写说明"].iter_rows() for cell in row}
    assert {"榆次区", "太谷区", "晋中市安委办"} <= guide_text


def test_a_roster_with_two_bad_rows_reports_both_and_imports_none(login, world, db):
    codes = new_codes(50)
    rows = [roster_row(f"榆次第{number}企业", code) for number, code in enumerate(codes, start=1)]
    right = rows[5][1]  # Excel row 7: the sixth enterprise under the header
    rows[5][1] = right[:17] + next(char for char in credit_code.CHARSET if char != right[17])
    rows[29][3] = "外星行业"  # Excel row 31
    before = count(db, Enterprise)
    response = post_roster(english(login("admin_a")), xlsx(ROSTER_HEADERS, rows))
    assert response.status_code == 400
    problems = reported(response)
    assert [(row, column) for row, column, _ in problems] == [(7, "统一社会信用代码"), (31, "行业领域")]
    assert "check character" in problems[0][2] and "外星行业" in problems[1][2]
    assert "Nothing was imported" in response.get_data(as_text=True)
    assert count(db, Enterprise) == before


def test_a_good_roster_creates_new_enterprises_and_updates_known_ones(login, world, db):
    new_code = new_codes(1)[0]
    rows = [
        roster_row("榆次新建有限公司", new_code.lower(), phone="13812345678"),  # codes are read in capitals
        ["榆次建工集团有限公司", world.enterprise_a.credit_code, "榆次区", "煤矿", "榆次区新地址", "", "", ""],
    ]
    before = count(db, Enterprise)
    response = post_roster(english(login("admin_a")), xlsx(ROSTER_HEADERS, rows))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(db, Enterprise) == before + 1
    created = db.scalars(select(Enterprise).where(Enterprise.credit_code == new_code)).one()
    assert (created.name, created.county.name, created.sector.code) == ("榆次新建有限公司", "榆次区", "construction")
    assert (created.supervising_unit.name, created.contact_phone) == ("榆次区住建局", "13812345678")
    assert len(created.qr_token) == 32 and created.qr_token != world.enterprise_a.qr_token
    updated = db.get(Enterprise, world.enterprise_a.id)
    assert (updated.name, updated.sector.code, updated.address) == ("榆次建工集团有限公司", "coal", "榆次区新地址")
    assert updated.contact_name == "王经理" and updated.supervising_unit.name == "榆次区住建局"  # blanks keep


def test_the_roster_takes_the_registered_location_and_a_blank_keeps_it(login, world, db):
    world.enterprise_a.longitude, world.enterprise_a.latitude = 112.75321, 37.68712
    db.commit()
    new_code = new_codes(1, seed=21)[0]
    rows = [
        [*roster_row("榆次定位有限公司", new_code), "112.7601", " 37.6902 "],
        [*roster_row("榆次建工有限公司", world.enterprise_a.credit_code), "", ""],  # missing: kept as registered
        [*roster_row("榆次无定位有限公司", new_codes(1, seed=22)[0]), "", ""],
    ]
    response = post_roster(english(login("admin_a")), xlsx(ROSTER_HEADERS + LOCATION_HEADERS, rows))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    located = db.scalars(select(Enterprise).where(Enterprise.credit_code == new_code)).one()
    assert (located.longitude, located.latitude) == (112.7601, 37.6902)
    assert (db.get(Enterprise, world.enterprise_a.id).longitude, db.get(Enterprise, world.enterprise_a.id).latitude) \
        == (112.75321, 37.68712)
    unlocated = db.scalars(select(Enterprise).where(Enterprise.name == "榆次无定位有限公司")).one()
    assert (unlocated.longitude, unlocated.latitude) == (None, None)
    page = english(login("insp_a")).get(f"/s/{located.qr_token}").get_data(as_text=True)
    assert "Registered location" in page and "37.69020, 112.76010" in page


def test_bad_coordinates_in_the_roster_are_refused_row_by_row_with_why(login, world, db):
    codes = new_codes(4, seed=23)
    rows = [
        [*roster_row("度分秒企业", codes[0]), "112°45′12″", "37°41′14″"],
        [*roster_row("颠倒企业", codes[1]), "37.68712", "112.75321"],  # swapped
        [*roster_row("半个位置企业", codes[2]), "112.75321", ""],
        [*roster_row("境外企业", codes[3]), "-112.75", "0"],
    ]
    before = count(db, Enterprise)
    response = post_roster(english(login("admin_a")), xlsx(ROSTER_HEADERS + LOCATION_HEADERS, rows))
    assert response.status_code == 400
    problems = reported(response)
    assert [(row, column) for row, column, _ in problems] == [
        (2, "经度"), (2, "纬度"), (3, "经度"), (3, "纬度"), (4, "纬度"), (5, "经度"), (5, "纬度"),
    ]
    assert "decimal degrees" in problems[0][2] and "swapped" in problems[2][2] and "swapped" in problems[3][2]
    assert "together" in problems[4][2] and "37.68712" in problems[2][2]
    assert count(db, Enterprise) == before


def test_the_summary_says_how_many_were_added_and_updated(login, world):
    client = english(login("city"))
    rows = [roster_row("太谷新企业", new_codes(1, "140703")[0], county="太谷区", unit="太谷区住建局"),
            roster_row("太谷建设有限公司", world.enterprise_b.credit_code, county="太谷区", unit="")]
    response = post_roster(client, xlsx(ROSTER_HEADERS, rows))
    assert response.status_code == 302
    assert "Enterprises added: 1; updated: 1; assigned: 0." in client.get(response.location).get_data(as_text=True)


def test_a_county_admin_cannot_import_or_update_another_countys_enterprises(login, world, db):
    rows = [
        roster_row("太谷新企业", new_codes(1, "140703")[0], county="太谷区", unit="太谷区住建局"),
        roster_row("改名的太谷企业", world.enterprise_b.credit_code),
        roster_row("榆次合格企业", new_codes(1, seed=9)[0]),
        roster_row("榆次企业错配单位", new_codes(1, seed=10)[0], unit="太谷区住建局"),
    ]
    before = count(db, Enterprise)
    response = post_roster(english(login("admin_a")), xlsx(ROSTER_HEADERS, rows))
    assert response.status_code == 400
    assert [(row, column) for row, column, _ in reported(response)] == [
        (2, "县（区、市）"), (3, "统一社会信用代码"), (5, "监管单位"),
    ]
    assert count(db, Enterprise) == before
    assert db.get(Enterprise, world.enterprise_b.id).name == "太谷建设有限公司"


def test_every_kind_of_bad_cell_is_reported_with_its_row_and_column(login, world, db):
    code = new_codes(1)[0]
    rows = [
        ["", "", "", "", "", "", "", ""],  # a blank row is skipped, its number kept
        ["缺代码企业", "", "榆次区", "建筑施工", "", "", "", ""],
        ["重复代码企业", code, "榆次区", "建筑施工", "", "", "", ""],
        ["重复代码企业二", code, "火星县", "建筑施工", "", "", "12", "不存在的局"],
        ["名" * 121, new_codes(1, seed=3)[0], "榆次区", "建筑施工", "", "", "", ""],
        ["短代码企业", "91140702", "榆次区", "建筑施工", "", "", "", ""],
    ]
    response = post_roster(english(login("city")), xlsx(ROSTER_HEADERS, rows))
    assert [(row, column) for row, column, _ in reported(response)] == [
        (3, "统一社会信用代码"),
        (5, "统一社会信用代码"), (5, "县（区、市）"), (5, "联系电话"), (5, "监管单位"),
        (6, "企业名称"),
        (7, "统一社会信用代码"),
    ]
    reasons = [reason for _, _, reason in reported(response)]
    assert "required" in reasons[0] and "row 4" in reasons[1] and "121" in reasons[5] and "18" in reasons[6]


@pytest.mark.parametrize(("data", "expected"), [
    (b"PK\x03\x04" + b"\0" * 200, "damaged"),
    ("企业名称,统一社会信用代码\n榆次建工,91140702MA0K000013\n".encode(), "not an Excel workbook"),
    (b"", "empty"),
], ids=["corrupt", "csv renamed", "empty"])
def test_a_file_that_is_not_a_readable_workbook_gets_a_clear_error(login, world, db, data, expected):
    before = count(db, Enterprise)
    response = post_roster(english(login("admin_a")), data)
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)
    assert count(db, Enterprise) == before


def test_a_truncated_workbook_is_called_damaged(login, world):
    whole = xlsx(ROSTER_HEADERS, [roster_row("榆次企业", new_codes(1)[0])])
    response = post_roster(english(login("admin_a")), whole[: len(whole) // 2])
    assert response.status_code == 400 and "damaged" in response.get_data(as_text=True)


def test_missing_headers_are_named(login, world):
    headers = ["企业名", *ROSTER_HEADERS[1:6], "电话", ROSTER_HEADERS[7]]
    response = post_roster(english(login("admin_a")), xlsx(headers, [roster_row("榆次企业", new_codes(1)[0])]))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "企业名称、联系电话" in page


def test_a_title_row_above_the_headers_and_half_width_brackets_are_accepted(login, world, db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["晋中市企业名录（2021年）"])
    sheet.append([header.replace("（", "(").replace("）", ")") for header in ROSTER_HEADERS])
    sheet.append(roster_row("榆次标题行企业", new_codes(1)[0]))
    output = BytesIO()
    workbook.save(output)
    assert post_roster(login("admin_a"), output.getvalue()).status_code == 302
    assert db.scalars(select(Enterprise).where(Enterprise.name == "榆次标题行企业")).one()


def test_too_many_rows_and_too_large_files_are_refused(login, world, db, monkeypatch):
    client = english(login("admin_a"))
    data = xlsx(ROSTER_HEADERS, [roster_row(f"企业{number}", code) for number, code in enumerate(new_codes(4))])
    monkeypatch.setattr(workbooks, "MAX_ROWS", 3)
    assert "more than 3 rows" in post_roster(client, data).get_data(as_text=True)
    monkeypatch.setattr(workbooks, "MAX_BYTES", len(data) - 1)
    assert "larger than" in post_roster(client, data).get_data(as_text=True)
    assert count(db, Enterprise) == 3


def test_an_upload_without_a_file_is_refused(login, world):
    response = english(login("admin_a")).post("/imports/roster", {}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a file." in response.get_data(as_text=True)


def test_the_checklist_template_has_the_tables_columns(login, world):
    workbook = load_workbook(BytesIO(login("city").get("/imports/checklist-template.xlsx").data))
    assert [cell.value for cell in workbook.worksheets[0][1]] == CHECKLIST_HEADERS
    assert "填写说明" in workbook.sheetnames


def test_an_imported_checklist_is_the_version_the_next_inspection_uses(app, login, world, db):
    table = [
        ["ZJ-01", "施工现场是否设置安全警示标志", "《建设工程安全生产管理条例》", "现场查看"],
        ["ZJ-02", "塔吊司机是否持证上岗", "", "查阅证书"],
        ["ZJ-03", "是否落实夜间施工审批", None, None],
    ]
    construction = sector_id(db, "construction")
    response = post_checklist(login("admin_a"), construction, xlsx(CHECKLIST_HEADERS, table, title="检查表"))
    assert response.status_code == 302, response.get_data(as_text=True)
    catalogue = app.extensions["catalogue"]
    imported = current_checklist(db, catalogue, db.get(Sector, construction))
    assert imported.source == "import" and imported.imported_by_id == world.county_admin_a.id
    assert imported.version == 2  # the file's version 1 first, so that the import stays the newest
    assert len(imported.content_hash) == 64
    assert [item.code for item in imported.items] == [item.code for item in catalogue.enterprise_common] + [
        "ZJ-01", "ZJ-02", "ZJ-03",
    ]
    assert {item.section for item in imported.items[-3:]} == {"sector"}
    assert imported.items[-3].basis == "《建设工程安全生产管理条例》" and imported.items[-2].guidance == "查阅证书"
    number = inspection_id(start(login("insp_a"), world))
    assert db.get(Inspection, number).checklist_id == imported.id


def test_a_bad_checklist_table_imports_nothing(login, world, db):
    table = [
        ["ZJ-01", "施工现场是否设置安全警示标志", "", ""],
        ["ZJ-01", "重复编号", "", ""],
        ["C01", "与共性内容冲突", "", ""],
        ["", "没有编号", "", ""],
        ["ZJ-04", "", "", ""],
        ["ZJ-05", "长" * 301, "", ""],
    ]
    before = (count(db, Checklist), count(db, ChecklistItem))
    response = post_checklist(english(login("city")), sector_id(db, "construction"), xlsx(CHECKLIST_HEADERS, table))
    assert response.status_code == 400
    assert [(row, column) for row, column, _ in reported(response)] == [
        (3, "编号"), (4, "编号"), (5, "编号"), (6, "检查内容"), (7, "检查内容"),
    ]
    assert "row 2" in reported(response)[0][2]
    assert (count(db, Checklist), count(db, ChecklistItem)) == before


@pytest.mark.parametrize("username", ["insp_a", "91140702MA0K000013"])
@pytest.mark.parametrize(("method", "url"), [
    ("get", "/imports"), ("get", "/imports/roster-template.xlsx"), ("get", "/imports/checklist-template.xlsx"),
    ("post", "/imports/roster"), ("post", "/imports/checklist"),
])
def test_inspectors_and_enterprises_may_not_import(login, world, db, username, method, url):
    client = login(username)
    data = xlsx(ROSTER_HEADERS, [roster_row("越权企业", new_codes(1)[0])])
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, {"roster": (BytesIO(data), "r.xlsx"), "table": (BytesIO(data), "t.xlsx"),
                                     "sector": sector_id(db, "construction")}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert count(db, Enterprise) == 3


def test_the_import_page_offers_both_forms_and_the_templates(login, world):
    page = login("admin_a").get("/imports").get_data(as_text=True)
    for part in ("/imports/roster-template.xlsx", "/imports/checklist-template.xlsx", 'action="/imports/roster"',
                 'action="/imports/checklist"', "建筑施工"):
        assert part in page
    assert "/imports" in login("admin_a").get("/enterprises").get_data(as_text=True)


def test_the_downloaded_template_filled_in_imports(login, world, db):
    client = login("admin_a")
    workbook = load_workbook(BytesIO(client.get("/imports/roster-template.xlsx").data))
    workbook["企业名录"].append(roster_row("模板填写企业", new_codes(1, seed=11)[0]))
    output = BytesIO()
    workbook.save(output)
    assert post_roster(client, output.getvalue()).status_code == 302
    assert db.scalars(select(Enterprise).where(Enterprise.name == "模板填写企业")).one().county.name == "榆次区"
