"""双随机 spot checks through the routes and the CLI: a kept plan, drawn again, its results, its xlsx, and where a
drawn inspector may go."""

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from checklist.models import SpotCheckPlan, SpotCheckTask

from .factories import add_enterprise, add_inspector
from .helpers import inspection_id, pass_everything_but, start


@pytest.fixture
def city_inspectors(db, world):
    made = [add_inspector(db, f"city_{number}", world.city_unit, f"市检{number}") for number in range(1, 4)]
    db.commit()
    return made


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["draw-spot-check", *args])


def draw_json(app, *args):
    result = cli(app, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def plans(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(SpotCheckPlan))


def test_a_dry_run_draws_the_same_tasks_for_the_same_seed_and_keeps_nothing(app, db, world, city_inspectors):
    args = ("--county", "榆次区", "--enterprises", "2", "--inspectors-per", "2", "--seed", "42", "--dry-run")
    first, second = draw_json(app, *args), draw_json(app, *args)
    assert first == second and first["seed"] == 42
    assert {task["enterprise"]["name"] for task in first["tasks"]} == {world.enterprise_a.name,
                                                                      world.enterprise_a2.name}
    for task in first["tasks"]:
        assert len({person["id"] for person in task["inspectors"]}) == 2
        assert all(person["county"] is None for person in task["inspectors"])  # the city's inspectors
    assert plans(db) == 0


def test_the_counties_inspectors_are_drawn_only_for_other_counties(app, db, world):
    for number in range(3):
        add_inspector(db, f"taigu_{number}", world.unit_b)
    db.commit()
    report = draw_json(app, "--enterprises", "3", "--inspectors-per", "2", "--seed", "5", "--with-counties",
                       "--dry-run")
    for task in report["tasks"]:
        assert task["enterprise"]["county"] not in {person["county"] for person in task["inspectors"]}


def test_asking_for_more_than_the_pools_hold_is_a_clear_error_and_keeps_nothing(app, db, world, city_inspectors):
    too_many = cli(app, "--county", "榆次区", "--enterprises", "3", "--inspectors-per", "2", "--seed", "1")
    assert too_many.exit_code != 0 and "符合筛选条件的企业只有 2 家" in too_many.output
    too_few = cli(app, "--county", "榆次区", "--enterprises", "1", "--inspectors-per", "4", "--seed", "1")
    assert too_few.exit_code != 0 and "3" in too_few.output and "每家企业" in too_few.output
    alone = cli(app, "--enterprises", "1", "--inspectors-per", "1", "--seed", "1")
    assert alone.exit_code != 0 and "2" in alone.output
    assert plans(db) == 0


def test_the_city_keeps_a_plan_and_drawing_again_says_whether_the_rosters_changed(login, db, world, city_inspectors):
    city = login("city").english()
    response = city.post("/spot-checks", {
        "county": world.county_a.id, "sector": 0, "enterprises": 2, "per_task": 2, "seed": 2021,
        "mode": "city_spot",
    })
    assert response.status_code == 302
    plan = db.scalars(select(SpotCheckPlan)).one()
    assert (plan.seed, plan.per_task, len(plan.tasks)) == (2021, 2, 2)
    page = city.get(f"/spot-checks/{plan.id}").get_data(as_text=True)
    assert "The same plan: the rosters have not changed" in page and world.enterprise_a.name in page
    add_enterprise(db, "榆次新开业公司", world.county_a, world.enterprise_a.sector)
    db.commit()
    page = city.get(f"/spot-checks/{plan.id}").get_data(as_text=True)
    assert "The rosters have changed since the draw" in page


def test_a_wrong_draw_is_refused_beside_its_field(login, db, world, city_inspectors):
    response = login("city").english().post("/spot-checks", {
        "county": world.county_a.id, "sector": 0, "enterprises": 9, "per_task": 2, "seed": 1, "mode": "city_spot",
    })
    assert response.status_code == 400 and "Only 2 enterprises match the filter" in response.get_data(as_text=True)
    assert plans(db) == 0


def test_the_plan_and_its_results_download_as_two_sheets(login, db, world, city_inspectors):
    city = login("city")
    city.post("/spot-checks", {"county": world.county_a.id, "sector": 0, "enterprises": 1, "per_task": 2,
                               "seed": 3, "mode": "city_spot"})
    plan = db.scalars(select(SpotCheckPlan)).one()
    workbook = load_workbook(io.BytesIO(city.get(f"/spot-checks/{plan.id}.xlsx").data))
    assert workbook.sheetnames == ["抽查计划", "抽查结果"]
    assert plan.tasks[0].enterprise.name in [cell.value for cell in workbook["抽查计划"][3]]
    assert plan.enterprises_hash in [cell.value for row in workbook["抽查计划"].iter_rows() for cell in row]


def test_a_drawn_inspector_sees_the_task_and_its_result_shows_once_inspected(login, db, world, city_inspectors):
    city = login("city")
    city.post("/spot-checks", {"county": world.county_a.id, "sector": 0, "enterprises": 1, "per_task": 2,
                               "seed": 8, "mode": "city_spot"})
    task = db.scalars(select(SpotCheckTask)).one()
    drawn, enterprise = task.inspectors[0], task.enterprise
    inspector = login(drawn.username)
    assert enterprise.name in inspector.get("/").get_data(as_text=True).split("<h2>")[1]
    sites = inspector.http.get("/api/v1/sites").get_json()
    assert sites[0]["name"] == enterprise.name
    number = inspection_id(start(inspector, world, enterprise=enterprise, mode="city_spot", team=0))
    pass_everything_but(inspector, db, number, "none")
    assert inspector.post(f"/inspections/{number}/review", {}).status_code == 302
    page = city.get(f"/spot-checks/{task.plan_id}").get_data(as_text=True)
    assert f"/inspections/{number}/problems" in page
    assert enterprise.name not in inspector.get("/").get_data(as_text=True).split("<h2>")[1]


def test_a_drawn_inspector_of_another_county_opens_that_enterprise_and_nothing_else_of_its_county(
    login, db, world,
):
    add_inspector(db, "taigu_1", world.unit_b)  # with insp_b, two inspectors of county B, none of the city
    db.commit()
    login("city").post("/spot-checks", {
        "county": world.county_a.id, "sector": 0, "enterprises": 1, "per_task": 2, "seed": 4, "mode": "city_spot",
        "with_counties": "y",
    })
    task = db.scalars(select(SpotCheckTask)).one()
    assert {person.unit.county_id for person in task.inspectors} == {world.county_b.id}  # 回避
    drawn = task.enterprise
    untouched = world.enterprise_a2 if drawn.id == world.enterprise_a.id else world.enterprise_a
    inspector = login(task.inspectors[0].username)
    assert inspector.get(f"/s/{drawn.qr_token}").status_code == 200
    assert inspector.get(f"/s/{untouched.qr_token}").status_code == 403
    refused = start(inspector, world, enterprise=drawn, mode="county_full", team=0)  # not its county's inspection
    assert refused.status_code == 302 and "/inspections/" not in refused.location
    response = start(inspector, world, enterprise=drawn, mode="cross", team=0)
    assert response.status_code == 302 and "/inspections/" in response.location
    assert start(inspector, world, enterprise=untouched, mode="cross", team=0).status_code == 403
    assert db.scalar(select(func.count()).select_from(SpotCheckTask)) == 1
