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


def test_the_city_lists_every_units_teams_and_downloads_them(login, world):
    city = login("city")
    page = city.get("/teams").get_data(as_text=True)
    assert world.unit_a.name in page and world.unit_b.name in page and world.team_a.name in page
    sheet = load_workbook(BytesIO(city.get("/teams.xlsx").data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [world.unit_a.name, None, None, world.team_a.name, "张检查", None, None] in [
        [value or None for value in row] for row in rows
    ]
