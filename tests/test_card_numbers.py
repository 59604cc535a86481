"""Enforcement card numbers (执法证号): each officer's on the profile, the registry's, the team list import, and
a unit's document heading (the prefix of its document numbers, where a party may appeal)."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from checklist.clock import local_today
from checklist.models import Team, Unit, User
from checklist.rules import teams
from checklist.sheets import imports as workbooks

from .test_imports import reported, xlsx

TEAM_HEADERS = ["单位", "检查组", "姓名", "手机号", "执法证号"]


def card_number(db, user) -> str:
    db.expire_all()
    return db.get(User, user.id).card_number


def record(db, user, number) -> None:
    user.card_number = number
    db.commit()


def post_team_list(client, data, filename="teams.xlsx"):
    return client.post("/imports/teams", {"members": (BytesIO(data), filename)}, content_type="multipart/form-data")


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


# The officer's own profile


def test_an_officer_sees_their_profile_and_sets_then_clears_their_card_number(login, world, db):
    client = login("insp_a").english()
    page = client.get("/profile").get_data(as_text=True)
    assert "张检查" in page and world.unit_a.name in page and world.team_a.name in page
    assert "Not registered" in page
    response = client.post("/profile", {"card_number": "  晋应执-14070001（A）  "})
    assert response.status_code == 302 and response.location == "/profile"
    assert card_number(db, world.inspector_a) == "晋应执-14070001（A）"
    page = client.get("/profile").get_data(as_text=True)
    assert "晋应执-14070001（A）" in page and "Your enforcement card number is saved." in page
    assert client.post("/profile", {"card_number": ""}).status_code == 302
    assert card_number(db, world.inspector_a) == ""


def test_full_width_letters_and_digits_are_read_as_the_usual_ones(login, world, db):
    login("insp_a").post("/profile", {"card_number": "ＪＺ１４０７０００２"})
    assert card_number(db, world.inspector_a) == "JZ14070002"


def test_the_header_links_an_officers_name_to_the_profile_and_an_enterprises_not(login, world):
    assert 'href="/profile"' in login("admin_a").get("/teams").get_data(as_text=True)
    assert 'href="/profile"' not in login("91140702MA0K000013").get("/rectification").get_data(as_text=True)


@pytest.mark.parametrize("number", ["123", "1" * 31, "1407 0001", "14070001!", "<b>1407</b>"],
                         ids=["too short", "too long", "space", "punctuation", "markup"])
def test_a_malformed_number_is_refused_with_the_reason_and_nothing_stored(login, world, db, number):
    record(db, world.inspector_a, "14070001")
    response = login("insp_a").english().post("/profile", {"card_number": number})
    assert response.status_code == 400
    assert "An enforcement card number has" in response.get_data(as_text=True)
    assert card_number(db, world.inspector_a) == "14070001"


def test_a_number_recorded_for_another_officer_is_refused_without_naming_them(login, world, db):
    record(db, world.inspector_b, "JZ-0001")
    response = login("insp_a").english().post("/profile", {"card_number": "jz-0001"})  # letters in either case
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already recorded for another officer" in page and world.inspector_b.name not in page
    assert card_number(db, world.inspector_a) == ""


def test_enterprise_users_reach_no_profile_form(login, world, db):
    for username, user in (("91140702MA0K000013", world.enterprise_user_a),
                           ("91140702MA0K000026", world.enterprise_user_a2)):
        client = login(username)
        assert client.get("/profile").status_code == 403
        assert client.post("/profile", {"card_number": "14070009"}).status_code == 403
        assert card_number(db, user) == ""


def test_the_rule_refuses_whoever_neither_is_the_officer_nor_manages_their_unit(world, db):
    for someone in (world.colleague_a, world.county_admin_b, world.inspector_b):
        with pytest.raises(teams.TeamError) as refused:
            teams.set_card_number(db, someone, world.inspector_a, "14070001")
        assert refused.value.code == "forbidden"
    with pytest.raises(teams.TeamError) as refused:
        teams.set_card_number(db, world.city_admin, world.enterprise_user_a, "14070001")
    assert refused.value.code == "forbidden"
    db.rollback()
    teams.set_card_number(db, world.county_admin_a, world.inspector_a, "14070001")
    teams.set_card_number(db, world.city_admin, world.inspector_b, "14070002")
    assert (world.inspector_a.card_number, world.inspector_b.card_number) == ("14070001", "14070002")


# The registry


def test_the_registry_shows_each_members_number_or_that_none_is_recorded(login, world, db):
    record(db, world.inspector_a, "14070001")
    page = login("admin_a").english().get("/teams").get_data(as_text=True)
    member_items = page.split('<ul class="list">')[1].split("</ul>")[0]
    assert "14070001" in member_items
    colleague = member_items.split("李同事")[1]
    assert "Not registered" in colleague.split("</li>")[0]


def test_a_supervisor_sets_a_members_number_from_the_registry(login, world, db):
    client = login("admin_a").english()
    response = client.post(f"/members/{world.colleague_a.id}/card-number", {"card_number": "14070003"})
    assert response.status_code == 302
    assert response.location == f"/teams?county={world.county_a.id}#unit-{world.unit_a.id}"
    assert card_number(db, world.colleague_a) == "14070003"
    assert "Enforcement card number of 李同事 saved." in client.get("/teams").get_data(as_text=True)
    login("city").post(f"/members/{world.colleague_a.id}/card-number", {"card_number": "14070004"})
    assert card_number(db, world.colleague_a) == "14070004"


def test_a_duplicate_set_from_the_registry_is_refused(login, world, db):
    record(db, world.inspector_a, "14070001")
    client = login("admin_a").english()
    client.post(f"/members/{world.colleague_a.id}/card-number", {"card_number": "14070001"})
    assert "already recorded for another officer" in client.get("/teams").get_data(as_text=True)
    assert card_number(db, world.colleague_a) == ""


def test_another_countys_supervisor_and_inspectors_cannot_set_a_members_number(login, world, db):
    address = f"/members/{world.inspector_a.id}/card-number"
    assert login("admin_b").post(address, {"card_number": "14070005"}).status_code == 403
    assert login("insp_a2").post(address, {"card_number": "14070005"}).status_code == 403
    assert login("91140702MA0K000013").post(address, {"card_number": "14070005"}).status_code == 403
    assert login("admin_a").post("/members/999999/card-number", {"card_number": "14070005"}).status_code == 404
    assert card_number(db, world.inspector_a) == ""


def test_a_member_added_with_a_number_has_it_and_a_taken_number_adds_nobody(login, world, db):
    client = login("admin_a").english()
    page = client.post(f"/teams/{world.team_a.id}/members",
                       {"name": "新队员", "phone": "13900001111", "card_number": "14070010"})
    assert page.status_code == 200 and 'class="code"' in page.get_data(as_text=True)
    newcomer = db.scalars(select(User).where(User.username == "13900001111")).one()
    assert newcomer.card_number == "14070010"
    client.post(f"/teams/{world.team_a.id}/members", {"name": "又一人", "phone": "13900002222",
                                                      "card_number": "14070010"})
    assert "already recorded for another officer" in client.get("/teams").get_data(as_text=True)
    assert db.scalars(select(User).where(User.username == "13900002222")).first() is None


def test_the_registry_download_has_the_card_number_column(login, world, db):
    record(db, world.inspector_a, "14070001")
    client = login("city").english()
    sheet = load_workbook(BytesIO(client.get("/teams.xlsx").data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][-1] == "Enforcement card number"
    assert [world.unit_a.name, world.team_a.name, "张检查", "14070001"] in [
        [row[0], row[3], row[4], row[6]] for row in rows[1:]
    ]


# The team list import


def test_the_team_list_template_has_the_columns_and_the_importers_units(login, world):
    response = login("admin_a").get("/imports/teams-template.xlsx")
    assert response.status_code == 200 and response.mimetype == workbooks.XLSX
    workbook = load_workbook(BytesIO(response.data))
    assert workbook.sheetnames == ["检查督导组人员", "填写说明"]
    assert [cell.value for cell in workbook["检查督导组人员"][1]] == TEAM_HEADERS
    guide = {cell.value for row in workbook["填写说明"].iter_rows() for cell in row if cell.value}
    assert {world.unit_a.name, "榆次区安委办"} <= guide and world.unit_b.name not in guide


def test_an_import_registers_teams_adds_members_records_numbers_and_shows_the_codes_once(login, world, db):
    rows = [
        [world.unit_a.name, "第二检查督导组", "新组员", "13900005555", "14070021"],
        [world.unit_a.name, "第二检查督导组", "张检查", "insp_a", "14070022"],  # an existing officer joins
        [world.unit_a.name, "第一检查督导组", "新组员", "13900005555", ""],  # in two teams, number on one row
        [world.unit_a.name, "第一检查督导组", "李同事", "insp_a2", "14070023"],  # already a member: the number only
    ]
    world.inspector_a.username = "13900006666"
    world.colleague_a.username = "13900007777"
    db.commit()
    rows[1][3], rows[3][3] = "13900006666", "13900007777"
    client = login("admin_a").english()
    response = post_team_list(client, xlsx(TEAM_HEADERS, rows, title="检查督导组人员"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert response.headers["Cache-Control"] == "no-store"
    assert "Teams registered: 1; members added: 3; enforcement card numbers recorded: 3." in page
    assert page.count('class="code"') == 1 and "13900005555" in page  # one new account: one code
    db.expire_all()
    second = db.scalars(select(Team).where(Team.name == "第二检查督导组")).one()
    first = db.get(Team, world.team_a.id)
    newcomer = db.scalars(select(User).where(User.username == "13900005555")).one()
    assert newcomer.unit_id == world.unit_a.id and newcomer.card_number == "14070021"
    assert {member.name for member in second.members} == {"新组员", "张检查"}
    assert newcomer in first.members and len(first.members) == 3
    assert (card_number(db, world.inspector_a), card_number(db, world.colleague_a)) == ("14070022", "14070023")

    again = post_team_list(client, xlsx(TEAM_HEADERS, rows))  # the same file again adds nobody
    assert again.status_code == 302
    assert "members added: 0; enforcement card numbers recorded: 0." in client.get(again.location).get_data(
        as_text=True)
    assert count(db, Team) == 2


def test_an_import_with_a_bad_row_lists_every_problem_and_stores_nothing(login, world, db):
    record(db, world.inspector_b, "14070099")
    rows = [
        [world.unit_a.name, "第二检查督导组", "甲", "13900000001", "14070031"],
        [world.unit_a.name, "第二检查督导组", "乙", "13900000002", "12"],  # too short
        [world.unit_a.name, "第二检查督导组", "丙", "13900000003", "14070031"],  # row 2's number
        [world.unit_a.name, "第二检查督导组", "丁", "139", "14070099"],  # a bad phone, another officer's number
        ["不存在的局", "第二检查督导组", "", "13900000005", ""],
        [world.unit_a.name, "第三检查督导组", "甲", "13900000001", "14070032"],  # another number for row 2's person
    ]
    users, teams_before = count(db, User), count(db, Team)
    response = post_team_list(login("admin_a").english(), xlsx(TEAM_HEADERS, rows))
    assert response.status_code == 400
    problems = reported(response)
    assert [(row, column) for row, column, _ in problems] == [
        (3, "执法证号"), (4, "执法证号"), (5, "手机号"), (5, "执法证号"), (6, "单位"), (6, "姓名"), (7, "执法证号"),
    ]
    reasons = [reason for _, _, reason in problems]
    assert "row 2" in reasons[1] and "another officer" in reasons[3] and "不存在的局" in reasons[4]
    assert (count(db, User), count(db, Team)) == (users, teams_before)
    assert db.scalar(select(func.count()).select_from(User).where(User.card_number == "14070031")) == 0


def test_a_county_supervisor_imports_only_the_teams_of_their_countys_units(login, world, db):
    rows = [
        [world.unit_a.name, "第二检查督导组", "甲", "13900000011", "14070041"],
        [world.unit_b.name, "太谷第二组", "乙", "13900000012", "14070042"],
        ["晋中市安委办", "市级组", "丙", "13900000013", ""],
    ]
    users = count(db, User)
    response = post_team_list(login("admin_a").english(), xlsx(TEAM_HEADERS, rows))
    assert response.status_code == 400
    problems = reported(response)
    assert [(row, column) for row, column, _ in problems] == [(3, "单位"), (4, "单位")]
    assert "榆次区" in problems[0][2]
    assert count(db, User) == users and not db.scalars(select(Team).where(Team.name == "第二检查督导组")).first()
    assert post_team_list(login("city"), xlsx(TEAM_HEADERS, rows)).status_code == 200
    assert count(db, User) == users + 3


def test_a_phone_of_another_units_person_is_refused(login, world, db):
    world.inspector_b.username = "13900000021"
    db.commit()
    rows = [[world.unit_a.name, "第一检查督导组", "赵太谷", "13900000021", ""]]
    response = post_team_list(login("city").english(), xlsx(TEAM_HEADERS, rows))
    assert [(row, column) for row, column, _ in reported(response)] == [(2, "手机号")]
    assert world.inspector_b not in db.get(Team, world.team_a.id).members


def test_inspectors_cannot_import_team_lists(login, world):
    data = xlsx(TEAM_HEADERS, [[world.unit_a.name, "第二组", "甲", "13900000031", ""]])
    assert post_team_list(login("insp_a"), data).status_code == 403
    assert login("insp_a").get("/imports/teams-template.xlsx").status_code == 403


# The document heading of a unit


def test_a_supervisor_sets_the_document_heading_and_sees_the_example_number(login, world, db):
    client = login("admin_a").english()
    response = client.post(f"/units/{world.unit_a.id}/document-heading", {
        "prefix": " 晋中应急 ", "review_bodies": "晋中市人民政府或者山西省应急管理厅", "court": "晋中市榆次区人民法院",
    })
    assert response.status_code == 302
    db.expire_all()
    unit = db.get(Unit, world.unit_a.id)
    assert (unit.document_prefix, unit.review_bodies, unit.court) == (
        "晋中应急", "晋中市人民政府或者山西省应急管理厅", "晋中市榆次区人民法院")
    page = client.get("/teams").get_data(as_text=True)
    assert f"晋中应急检记〔{local_today().year}〕第0001号" in page and "Document heading saved." in page
    assert f"{world.unit_b.name}检记" not in page


def test_a_unit_without_a_prefix_numbers_with_its_name(login, world):
    page = login("city").get(f"/teams?county={world.county_b.id}").get_data(as_text=True)
    assert f"{world.unit_b.name}检记〔{local_today().year}〕第0001号" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"prefix": "晋中 应急"}, "only Chinese characters, letters and digits"),
    ({"prefix": "晋" * 31}, "at most 30 characters"),
    ({"prefix": "晋中应急", "review_bodies": "政" * 121}, "at most 120 characters"),
    ({"prefix": "晋中应急", "court": "院" * 61}, "at most 60 characters"),
], ids=["space", "long prefix", "long review bodies", "long court"])
def test_a_bad_heading_is_refused_and_nothing_stored(login, world, db, fields, message):
    client = login("admin_a").english()
    client.post(f"/units/{world.unit_a.id}/document-heading", {"review_bodies": "", "court": "", **fields})
    assert message in client.get("/teams").get_data(as_text=True)
    db.expire_all()
    unit = db.get(Unit, world.unit_a.id)
    assert (unit.document_prefix, unit.review_bodies, unit.court) == ("", "", "")


def test_others_cannot_set_a_units_document_heading(login, world, db):
    address = f"/units/{world.unit_a.id}/document-heading"
    for username in ("admin_b", "insp_a", "91140702MA0K000013"):
        assert login(username).post(address, {"prefix": "外县"}).status_code == 403
    db.expire_all()
    assert db.get(Unit, world.unit_a.id).document_prefix == ""
