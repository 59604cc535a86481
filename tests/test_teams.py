"""Teams, members and liaisons: registered by the county or the city, listed and downloaded."""

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from checklist.models import Role, Team, Unit, User

from .conftest import Client


def test_a_county_admin_registers_a_team_adds_a_member_and_a_liaison(login, world, db):
    admin = login("admin_a")
    response = admin.post(f"/units/{world.unit_a.id}/liaison", {"name": "刘联络", "phone": "0354-3026350"})
    assert response.status_code == 302
    admin.post(f"/units/{world.unit_a.id}/teams", {"name": "第二检查督导组"})
    team = db.scalars(select(Team).where(Team.name == "第二检查督导组")).one()
    page = admin.post(f"/teams/{team.id}/members", {"name": "新队员", "phone": "13900001111"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    code = page.get_data(as_text=True).split('class="code">')[1].split("<")[0]
    db.expire_all()
    member = db.scalars(select(User).where(User.username == "13900001111")).one()
    assert member.role is Role.INSPECTOR and member.unit_id == world.unit_a.id and member in team.members
    unit = db.get(Unit, world.unit_a.id)
    assert (unit.liaison_name, unit.liaison_phone) == ("刘联络", "0354-3026350")
    newcomer = Client(admin.http.application.test_client())
    response = newcomer.post("/activate", {
        "username": "13900001111", "code": code, "password": "field-pass-1", "password_again": "field-pass-1",
    })
    assert response.status_code == 302


def test_an_existing_inspector_of_the_unit_joins_by_phone_without_a_new_account(login, world, db):
    world.colleague_a.phone = "13900002222"
    world.colleague_a.username = "13900002222"
    db.commit()
    team = Team(name="第三组", unit_id=world.unit_a.id)
    db.add(team)
    db.commit()
    response = login("admin_a").post(f"/teams/{team.id}/members", {"name": "", "phone": "13900002222"})
    assert response.status_code == 302
    db.expire_all()
    assert [member.id for member in db.get(Team, team.id).members] == [world.colleague_a.id]


def test_a_person_of_another_unit_cannot_be_added(login, world, db):
    world.inspector_b.username = "13900003333"
    db.commit()
    login("admin_a").post(f"/teams/{world.team_a.id}/members", {"phone": "13900003333"})
    db.expire_all()
    assert world.inspector_b not in db.get(Team, world.team_a.id).members


def test_another_county_and_inspectors_cannot_manage_teams(login, world, db):
    assert login("insp_a").get("/teams").status_code == 403
    assert login("insp_a").post(f"/units/{world.unit_a.id}/teams", {"name": "x"}).status_code == 403
    assert login("admin_b").post(f"/units/{world.unit_a.id}/teams", {"name": "x"}).status_code == 403
    assert world.unit_a.name not in login("admin_b").get("/teams").get_data(as_text=True)


def test_the_city_sees_its_own_units_and_chooses_a_county_for_its_units(login, world, db):
    city = login("city").english()
    page = city.get("/teams").get_data(as_text=True)
    assert f'id="unit-{world.city_unit.id}"' in page
    assert world.unit_a.name not in page and world.unit_b.name not in page and world.team_a.name not in page
    chooser = page.split('<ul class="list register-counties">')[1].split("</ul>")[0]
    assert '<b aria-current="page">City units</b> <small>1 units, 0 teams, 0 members</small>' in " ".join(
        chooser.split())
    assert (f'<a href="/teams?county={world.county_a.id}">榆次区</a> <small>2 units, 1 teams, 2 members</small>'
            in " ".join(chooser.split()))
    assert (f'<a href="/teams?county={world.county_b.id}">太谷区</a> <small>2 units, 0 teams, 0 members</small>'
            in " ".join(chooser.split()))
    page = city.get(f"/teams?county={world.county_a.id}").get_data(as_text=True)
    assert f'id="unit-{world.unit_a.id}"' in page and world.team_a.name in page and "张检查" in page
    assert world.unit_b.name not in page and f'id="unit-{world.city_unit.id}"' not in page
    assert '<a href="/teams">City units</a>' in page and '<b aria-current="page">榆次区</b>' in page


def test_a_person_in_two_teams_counts_once_in_the_chooser(login, world, db):
    db.add(Team(name="第二组", unit_id=world.unit_a.id, members=[db.get(User, world.inspector_a.id)]))
    db.commit()
    page = " ".join(login("city").english().get("/teams").get_data(as_text=True).split())
    assert f'<a href="/teams?county={world.county_a.id}">榆次区</a> <small>2 units, 2 teams, 2 members</small>' in page


def test_a_county_admin_sees_his_county_and_no_other(login, world):
    admin = login("admin_a")
    for address in ("/teams", f"/teams?county={world.county_a.id}", "/teams?county=abc"):
        page = admin.get(address).get_data(as_text=True)
        assert world.team_a.name in page and world.unit_b.name not in page and "register-counties" not in page
    assert admin.get(f"/teams?county={world.county_b.id}").status_code == 403
    assert admin.get("/teams?county=99999").status_code == 404
    assert login("city").get("/teams?county=99999").status_code == 404


def test_a_form_lands_back_on_the_page_showing_its_unit(login, world):
    city = login("city")
    response = city.post(f"/units/{world.unit_a.id}/liaison", {"name": "刘联络", "phone": "0354-3026350"})
    assert response.location == f"/teams?county={world.county_a.id}#unit-{world.unit_a.id}"
    assert "刘联络" in city.get(response.location).get_data(as_text=True)
    response = city.post(f"/units/{world.city_unit.id}/teams", {"name": "市级第一组"})
    assert response.location == f"/teams#unit-{world.city_unit.id}"
    assert "市级第一组" in city.get(response.location).get_data(as_text=True)
    response = city.post(f"/units/{world.unit_b.id}/teams", {"name": ""})  # refused: back all the same
    assert response.location == f"/teams?county={world.county_b.id}#unit-{world.unit_b.id}"
    response = login("admin_a").post(f"/teams/{world.team_a.id}/members/{world.colleague_a.id}/remove")
    assert response.location == f"/teams?county={world.county_a.id}#unit-{world.unit_a.id}"


def test_a_new_members_code_page_leads_back_to_the_units_county(login, world):
    page = login("city").post(f"/teams/{world.team_a.id}/members", {"name": "新队员", "phone": "13900001111"})
    assert f'href="/teams?county={world.county_a.id}#unit-{world.unit_a.id}"' in page.get_data(as_text=True)


def rows_of(response) -> list[list]:
    sheet = load_workbook(BytesIO(response.data)).active
    return [[cell.value or None for cell in row] for row in sheet.iter_rows(min_row=2)]


def test_the_download_holds_every_unit_the_user_sees_whatever_the_page_shows(login, world):
    empty = [None] * 6
    assert rows_of(login("city").get("/teams.xlsx")) == [
        [world.city_unit.name, *empty],
        ["榆次区安委办", *empty],
        [world.unit_a.name, None, None, world.team_a.name, "张检查", None, None],
        [world.unit_a.name, None, None, world.team_a.name, "李同事", None, None],
        ["太谷区安委办", *empty],
        [world.unit_b.name, *empty],
    ]
    assert [row[0] for row in rows_of(login("admin_b").get("/teams.xlsx"))] == ["太谷区安委办", world.unit_b.name]
