"""督政 beside 查企: each common item asked of the right party, 督政 inspections of counties and departments with
the evidence beside their items, the units' problems through the hazards' lifecycle, measures, reporting, access."""

import io
import uuid
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from checklist.clock import local_today
from checklist.models import (
    DailyReport,
    EnforcementAction,
    Hazard,
    HazardStatus,
    HistoryAction,
    Inspection,
    InspectionMode,
    Measure,
    MeasureKind,
    Team,
    Unit,
    UnitKind,
)
from checklist.read import oversight, overview, reports, statistics

from .conftest import PASSWORD
from .factories import add_user
from .helpers import deadline_in, inspection_id, jpeg_bytes, start
from .test_definitions import GOVERNMENT_ONLY

ENTERPRISE_A = "91140702MA0K000013"


def committee(db, county) -> Unit:
    return db.scalars(select(Unit).where(Unit.county_id == county.id, Unit.kind == UnitKind.COMMITTEE)).one()


def start_oversight(client, unit, mode="city_spot", team=0, client_uuid=None):
    return client.post(f"/oversight/units/{unit.id}/inspections", {
        "client_uuid": client_uuid or str(uuid.uuid4()), "mode": mode, "team": team,
    })


def run_oversight(client, db, unit, failing="G05", description="逾期问题隐患未清零销号", mode="city_spot"):
    """Start a 督政 inspection of the unit, pass every item but one, fail that one with a problem, submit."""
    response = start_oversight(client, unit, mode=mode)
    assert response.status_code == 302, response.get_data(as_text=True)
    number = inspection_id(response)
    inspection = db.get(Inspection, number)
    outcomes = {f"outcome-{item.id}": "pass" for item in inspection.checklist.items if item.code != failing}
    assert client.post(f"/inspections/{number}", outcomes).status_code == 302
    item = next(item for item in inspection.checklist.items if item.code == failing)
    response = client.post(f"/inspections/{number}/items/{item.id}", {
        "outcome": "fail", "level": "general", "description": description, "deadline": deadline_in(15).isoformat(),
        "responsible_person": "刘副局长", "note": "",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.post(f"/inspections/{number}/review", {}).status_code == 302
    db.expire_all()
    return db.get(Inspection, number)


# Each common item asked of the right party.


def test_an_enterprise_checklist_holds_no_government_item_on_the_page_or_in_the_api(login, world, db, client):
    inspector = login("insp_a")
    page = inspector.get(f"/inspections/{inspection_id(start(inspector, world))}").get_data(as_text=True)
    assert "<b>C02</b>" in page and "<b>CON-01</b>" in page
    for code in GOVERNMENT_ONLY:
        assert f"<b>{code}</b>" not in page
    token = client.http.post("/api/v1/tokens", json={"username": "insp_a", "password": PASSWORD}).get_json()["token"]
    checklist = client.http.get("/api/v1/checklists/construction", headers={"Authorization": f"Bearer {token}"})
    codes = {item["code"] for item in checklist.get_json()["items"]}
    assert "C02" in codes and not codes & GOVERNMENT_ONLY


def test_an_inspection_started_before_the_change_keeps_its_government_items(app, login, world, db):
    from checklist.rules.definitions import current_checklist, new_version

    sector = world.enterprise_a.sector
    catalogue = app.extensions["catalogue"]
    current = current_checklist(db, catalogue, sector)
    old = new_version(sector, current.version + 1, "0" * 64, catalogue.common, catalogue.sectors["construction"].items,
                      source="import")
    db.add(old)
    db.commit()
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    assert "<b>C01</b>" in inspector.get(f"/inspections/{number}").get_data(as_text=True)  # the version it started on


# A 督政 inspection through the routes, its problem, a talk, the fix and the closing.


def test_the_city_inspects_a_county_department_and_the_problem_goes_through_its_lifecycle(login, world, db):
    city, department = login("city"), login("insp_a")  # insp_a works at 榆次区住建局 (unit A)
    page = city.get("/oversight").get_data(as_text=True)
    assert world.unit_a.name in page and world.unit_b.name in page and committee(db, world.county_a).name in page

    inspection = run_oversight(city, db, world.unit_a)
    assert inspection.is_oversight and inspection.enterprise_id is None
    assert inspection.inspected_unit_id == world.unit_a.id
    assert inspection.checklist.sector is None and not inspection.is_draft
    [problem] = inspection.hazards
    assert problem.inspected_unit_id == world.unit_a.id and problem.enterprise_id is None
    assert problem.status is HazardStatus.OPEN and problem.responsible_person == "刘副局长"
    sheet = city.get(f"/inspections/{inspection.id}/problems").get_data(as_text=True)
    assert world.unit_a.name in sheet and "逾期问题隐患未清零销号" in sheet
    assert city.get(f"/inspections/{inspection.id}/documents").status_code == 404  # no enforcement documents here

    # The city records a talk with the department's officials, after this inspection.
    response = city.post("/oversight/measures", {
        "client_uuid": str(uuid.uuid4()), "unit": world.unit_a.id, "inspection": inspection.id,
        "kind": "interview", "persons": "刘副局长（分管安全）", "held_on": local_today().isoformat(),
        "document_number": "晋中安委办约〔2021〕3号", "note": "问题隐患逾期未销号",
    })
    assert response.status_code == 302
    measure = db.scalars(select(Measure)).one()
    assert (measure.unit_id, measure.inspection_id, measure.kind) == (world.unit_a.id, inspection.id,
                                                                       MeasureKind.INTERVIEW)
    listing = city.get("/oversight/measures").get_data(as_text=True)
    assert "刘副局长（分管安全）" in listing and world.unit_a.name in listing
    assert "刘副局长（分管安全）" in city.get(f"/inspections/{inspection.id}/problems").get_data(as_text=True)

    # The department sees its own problem list and sends the proof of its fix.
    own = department.get(f"/oversight/units/{world.unit_a.id}").get_data(as_text=True)
    assert "逾期问题隐患未清零销号" in own and "刘副局长（分管安全）" in own
    response = department.post(f"/hazards/{problem.id}/fix", {
        "note": "已逐条销号", "photos": [(BytesIO(jpeg_bytes()), "proof.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Hazard, problem.id).status is HazardStatus.SUBMITTED
    assert department.post(f"/hazards/{problem.id}/accept", {"note": ""}).status_code == 302  # refused with a flash
    db.expire_all()
    assert db.get(Hazard, problem.id).status is HazardStatus.SUBMITTED  # a unit never closes its own problem

    # The city sees the fix waiting and closes it.
    assert "逾期问题隐患未清零销号" in city.get("/oversight").get_data(as_text=True)
    assert city.post(f"/hazards/{problem.id}/accept", {"note": "核实"}).status_code == 302
    db.expire_all()
    closed = db.get(Hazard, problem.id)
    assert closed.status is HazardStatus.CLOSED
    assert [row.action for row in closed.history] == [HistoryAction.FOUND, HistoryAction.SUBMITTED,
                                                     HistoryAction.ACCEPTED]
    assert [row.user_id for row in closed.history] == [world.city_admin.id, world.inspector_a.id,
                                                      world.city_admin.id]
    assert closed.proof and closed.proof[0].enterprise_id is None


def test_the_checklist_shows_what_the_app_knows_beside_the_items(login, world, db):
    world.unit_a.liaison_name, world.unit_a.liaison_phone = "陈联络", "13800000000"
    yesterday = local_today() - timedelta(days=1)
    db.add(DailyReport(unit=committee(db, world.county_a), report_date=yesterday, submitted_by=world.county_admin_a))
    db.commit()
    city = login("city").english()
    number = inspection_id(start_oversight(city, world.unit_a))
    page = city.get(f"/inspections/{number}").get_data(as_text=True)
    assert 'class="evidence"' in page
    assert "1 teams, 2 members" in page and "陈联络 13800000000" in page  # G03: the team register
    assert "Daily reports this month" in page  # G07
    assert "Enterprises it answers for, inspected" in page and "0 / 2" in page  # G01: coverage of its sector
    inspection = db.get(Inspection, number)
    item = next(item for item in inspection.checklist.items if item.code == "G03")
    assert "1 teams, 2 members" in city.get(f"/inspections/{number}/items/{item.id}").get_data(as_text=True)
    enterprise_page = city.get(f"/inspections/{inspection_id(start(city, world, mode='city_spot', team=0))}")
    assert 'class="evidence"' not in enterprise_page.get_data(as_text=True)


def test_a_unit_has_no_enforcement_actions(login, world, db):
    city = login("city")
    number = inspection_id(start_oversight(city, world.unit_a))
    response = city.post(f"/inspections/{number}/enforcement", {"kind": "document", "document_number": "X"})
    assert response.status_code == 302
    assert db.scalar(select(func.count()).select_from(EnforcementAction)) == 0


def test_a_county_office_inspects_its_own_departments_only(login, world, db):
    county = login("admin_a")
    page = county.get("/oversight").get_data(as_text=True)
    assert world.unit_a.name in page and world.unit_b.name not in page
    assert start_oversight(county, world.unit_a, mode="county_full").status_code == 302
    assert start_oversight(county, world.unit_b, mode="county_full").status_code == 403
    assert start_oversight(county, committee(db, world.county_a), mode="county_full").status_code == 403  # itself
    assert start_oversight(login("insp_a"), world.unit_b).status_code == 403  # a department inspects no unit
    assert start_oversight(login("city"), world.city_unit).status_code == 403  # the city is inspected by none here


def test_the_same_start_sent_twice_opens_one_inspection(login, world, db):
    city, client_uuid = login("city"), str(uuid.uuid4())
    first = start_oversight(city, world.unit_a, client_uuid=client_uuid)
    second = start_oversight(city, world.unit_a, client_uuid=client_uuid)
    assert first.location == second.location
    assert db.scalar(select(func.count()).select_from(Inspection)) == 1


def test_cross_inspection_is_not_a_mode_of_oversight(login, world, db):
    response = start_oversight(login("city").english(), world.unit_a, mode="cross")
    assert response.status_code == 302 and response.location.endswith("/oversight")
    assert db.scalar(select(func.count()).select_from(Inspection)) == 0


# Measures: refused when wrong, never doubled.


@pytest.mark.parametrize("fields, message", [
    ({"kind": "interview", "persons": ""}, "Name who was talked to"),
    ({"kind": "notice", "held_on": (local_today() + timedelta(days=1)).isoformat()}, "between 2020-01-01 and today"),
    ({"kind": "notice", "held_on": "1999-01-01"}, "between 2020-01-01 and today"),
    ({"kind": "gossip"}, "Not a valid choice"),
])
def test_a_wrong_measure_is_refused_beside_its_field(login, world, db, fields, message):
    response = login("city").english().post("/oversight/measures", {
        "client_uuid": str(uuid.uuid4()), "unit": world.unit_a.id, "held_on": local_today().isoformat(), **fields,
    })
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Measure)) == 0


def test_a_measure_sent_five_times_is_recorded_once(login, world, db):
    city, form = login("city"), {
        "client_uuid": str(uuid.uuid4()), "unit": world.unit_a.id, "kind": "notice",
        "held_on": local_today().isoformat(), "document_number": "晋中安委办通〔2021〕5号",
    }
    for _ in range(5):
        assert city.post("/oversight/measures", form).status_code == 302
    assert db.scalar(select(func.count()).select_from(Measure)) == 1


# Each party sees only its own.


def test_another_county_and_another_department_cannot_read_a_units_problems_by_id(login, world, db):
    inspection = run_oversight(login("city"), db, world.unit_a)
    problem = inspection.hazards[0]
    add_user(db, "insp_a_other", world.inspector_a.role, "别的局", unit=Unit(  # another department of county A
        name="榆次区交通运输局", kind=UnitKind.DEPARTMENT, county=world.county_a))
    db.commit()
    for username in ("admin_b", "insp_b", "insp_a_other", ENTERPRISE_A):
        client = login(username)
        assert client.get(f"/oversight/units/{world.unit_a.id}").status_code == 403, username
        assert client.get(f"/oversight/units/{world.unit_a.id}/problems.xlsx").status_code == 403, username
        assert client.get(f"/inspections/{inspection.id}/problems").status_code == 403, username
        assert client.get(f"/hazards/{problem.id}").status_code == 403, username
    for username in ("admin_a", "insp_a", "city"):
        assert login(username).get(f"/hazards/{problem.id}").status_code == 200, username


def test_another_county_sees_no_measure_of_this_one(login, world, db):
    city = login("city")
    city.post("/oversight/measures", {
        "client_uuid": str(uuid.uuid4()), "unit": world.unit_a.id, "kind": "exposure",
        "held_on": local_today().isoformat(), "note": "〔曝光A〕",
    })
    assert "〔曝光A〕" in city.get("/oversight/measures").get_data(as_text=True)
    assert "〔曝光A〕" in login("admin_a").get("/oversight/measures").get_data(as_text=True)
    assert "〔曝光A〕" not in login("admin_b").get("/oversight/measures").get_data(as_text=True)
    response = login("admin_b").post("/oversight/measures", {
        "client_uuid": str(uuid.uuid4()), "unit": world.unit_a.id, "kind": "notice",
        "held_on": local_today().isoformat(),
    })
    assert response.status_code == 400 and db.scalar(select(func.count()).select_from(Measure)) == 1


def test_an_enterprise_has_no_oversight_pages(login, world):
    client = login(ENTERPRISE_A)
    for url in ("/oversight", "/oversight/measures", f"/oversight/units/{world.unit_a.id}"):
        assert client.get(url).status_code == 403


# The problem list prints and downloads.


def test_the_units_problem_list_downloads_as_xlsx(login, world, db):
    run_oversight(login("city"), db, world.unit_a)
    response = login("insp_a").get(f"/oversight/units/{world.unit_a.id}/problems.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert world.unit_a.name in sheet["A1"].value
    assert [cell.value for cell in sheet[3]][1:4] == ["G05", "逾期问题隐患未清零销号", "一般"]
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)


# Reporting: the table counts the unit, the daily prefill counts the 督政 check as 督导检查.


def test_the_statistics_table_counts_the_unit_inspected_but_not_its_problems_as_hazards(login, world, db):
    city = login("city")
    run_oversight(city, db, world.unit_a)
    start(city, world, mode="city_spot", team=0)  # a draft of an enterprise: not counted
    today = local_today()
    table = statistics.city_table(db, today, today)
    row = next(row for row in table.rows if row.unit_id == world.city_unit.id)
    assert row.inspected == 1 and row.general_found == 0 and row.major_found == 0


def test_the_daily_prefill_counts_oversight_as_supervision(login, world, db):
    run_oversight(login("admin_a"), db, world.unit_a, mode="county_full")
    run_oversight(login("city"), db, world.unit_b, mode="surprise")
    figures = reports.daily_figures(db, committee(db, world.county_a), local_today())
    assert (figures.supervision_checks, figures.surprise_checks, figures.hazards_found) == (1, 0, 0)


def test_a_team_keeps_when_it_was_registered(login, world, db):
    response = login("admin_a").post(f"/units/{world.unit_a.id}/teams", {"name": "第二检查督导组"})
    assert response.status_code == 302
    team = db.scalars(select(Team).where(Team.name == "第二检查督导组")).one()
    assert team.created_at is not None


def test_the_dashboards_show_oversight_apart_from_the_enterprises(login, world, db):
    city = login("city")
    inspection = run_oversight(city, db, world.unit_a)
    city.post("/oversight/measures", {
        "client_uuid": str(uuid.uuid4()), "unit": world.unit_a.id, "kind": "interview", "persons": "刘副局长",
        "held_on": local_today().isoformat(),
    })
    campaign = inspection.campaign
    assert overview.inspections_by_mode(db, world.city_admin, campaign)[InspectionMode.CITY_SPOT] == 0
    for user in (world.city_admin, world.county_admin_a):
        assert oversight.figures(db, user, campaign, local_today()) == oversight.OversightFigures(
            inspections=1, units=1, open=1, overdue=0, closed=0, notices=0, exposures=0, talks=1)
    assert oversight.figures(db, world.county_admin_b, campaign, local_today()) == oversight.OversightFigures()
    page = login("admin_a").english().get("/dashboard").get_data(as_text=True)
    assert "1</b>oversight inspection of 1 unit" in page and "notices 0, exposures 0, talks 1" in page
