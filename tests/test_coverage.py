"""检查全覆盖: the coverage of a county and of the city against a hand-built roster, through the routes and the CLI."""

import io
import json
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from checklist import tallies
from checklist.clock import local_today
from checklist.models import Assignment, Campaign, Enterprise, InspectionMode, Outcome, Role, Sector, Unit, UnitKind
from checklist.rules.inspections import record_result, start_inspection, submit_inspection

from .factories import add_enterprise, add_user, new_uuid
from .test_imports import (
    ANSWERABLE_HEADERS,
    ROSTER_HEADERS,
    english,
    new_codes,
    post_roster,
    reported,
    roster_row,
    xlsx,
)

TODAY = local_today()
PERIOD = {"from": (TODAY - timedelta(days=10)).isoformat(), "to": TODAY.isoformat()}


def inspect(app, db, user, enterprise, mode, *, team=None, days_ago=0, submit=True):
    """An inspection of the enterprise, every item passed, submitted days ago (or left a draft)."""
    record = start_inspection(db, app.extensions["catalogue"], user, enterprise, mode=mode, team=team,
                              client_uuid=new_uuid())
    for item in record.checklist.items:
        record_result(db, user, record, item, Outcome.PASS)
    if submit:
        submit_inspection(db, user, record)
        record.submitted_at -= timedelta(days=days_ago)
    return record


@pytest.fixture
def roster(app, db, world):
    """County A: three construction and three coal enterprises, inspected each in its own way; county B: one,
    not inspected.

    construction: A (county unit, in the period), self (its own self-check only), draft (a county draft only);
    coal: A2 (nothing), outside (county unit, before the period), two (county unit and the city).
    """
    construction, coal = (db.scalars(select(Sector).where(Sector.code == code)).one()
                          for code in ("construction", "coal"))
    made = {
        name: add_enterprise(db, f"榆次{name}有限公司", world.county_a, sector, supervising_unit=world.unit_a)
        for name, sector in (("自查", construction), ("草稿", construction), ("期外", coal), ("两家", coal))
    }
    db.flush()
    own = add_user(db, made["自查"].credit_code, Role.ENTERPRISE, "自查经理", enterprise=made["自查"])
    county, city = world.inspector_a, world.city_admin
    inspect(app, db, county, world.enterprise_a, InspectionMode.COUNTY_FULL, team=world.team_a, days_ago=1)
    inspect(app, db, own, made["自查"], InspectionMode.SELF_CHECK)
    inspect(app, db, county, made["草稿"], InspectionMode.COUNTY_FULL, team=world.team_a, submit=False)
    inspect(app, db, county, made["期外"], InspectionMode.COUNTY_FULL, team=world.team_a, days_ago=20)
    inspect(app, db, county, made["两家"], InspectionMode.COUNTY_FULL, team=world.team_a, days_ago=2)
    inspect(app, db, city, made["两家"], InspectionMode.CITY_SPOT, days_ago=1)
    tallies.rebuild_coverage(db.connection())  # the inspections were back-dated after their submission
    db.commit()
    return made


def cli_json(app, *args):
    result = app.test_cli_runner().invoke(args=["coverage", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_kept_coverage_is_the_one_counted_from_the_inspections(app, db, roster, world):
    kept = cli_json(app, "--county", "榆次区")  # from the campaign's start: the kept first days
    campaign = db.get(Campaign, 1)
    counted = cli_json(app, "--county", "榆次区", "--from", (campaign.starts_on + timedelta(days=1)).isoformat())
    assert kept["total"] == {"roster": 6, "inspected": 3, "not_inspected": 3, "self_checked": 1, "by_county": 3,
                             "by_city": 1}
    assert counted["total"] == kept["total"]  # nothing happened on the campaign's first day


def test_the_county_figures_match_the_hand_counted_roster(app, roster, world):
    report = cli_json(app, "--county", "榆次区", "--from", PERIOD["from"], "--to", PERIOD["to"])
    assert report["scope"] == "榆次区"
    rows = {row["sector"]: row for row in report["rows"]}
    assert {sector: (row["roster"], row["inspected"], row["not_inspected"]) for sector, row in rows.items()} == {
        "construction": (3, 1, 2), "coal": (3, 1, 2),
    }
    assert report["total"] == {"roster": 6, "inspected": 2, "not_inspected": 4, "self_checked": 1,
                               "by_county": 2, "by_city": 1}
    for row in report["rows"]:
        assert row["inspected"] + row["not_inspected"] == row["roster"]


def test_the_city_ranks_the_lowest_coverage_first(app, roster, world, login):
    report = cli_json(app, "--city", "--from", PERIOD["from"], "--to", PERIOD["to"])
    assert [row["county"] for row in report["rows"]][0] == "太谷区"  # 0 of 1 inspected
    assert report["total"]["roster"] == 7 and report["total"]["not_inspected"] == 5
    page = login("city").get("/coverage?" + "&".join(f"{key}={value}" for key, value in PERIOD.items()))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and text.index("太谷区") < text.index("榆次区")


@pytest.mark.parametrize("kind, expected", [
    ("not_inspected", {"榆次煤业有限公司", "榆次自查有限公司", "榆次草稿有限公司", "榆次期外有限公司"}),
    ("inspected", {"榆次建工有限公司", "榆次两家有限公司"}),
    ("self_checked", {"榆次自查有限公司"}),
    ("by_city", {"榆次两家有限公司"}),
    ("by_county", {"榆次建工有限公司", "榆次两家有限公司"}),
])
def test_the_list_behind_each_number_holds_exactly_what_it_counts(login, roster, world, kind, expected):
    response = login("admin_a").get("/coverage/enterprises", query_string={**PERIOD, "kind": kind})
    text = response.get_data(as_text=True)
    every = {"榆次煤业有限公司", "榆次自查有限公司", "榆次草稿有限公司", "榆次期外有限公司", "榆次建工有限公司",
             "榆次两家有限公司"}
    assert {name for name in every if name in text} == expected
    assert f"({len(expected)})" in text and world.enterprise_b.name not in text


def test_the_county_page_links_every_number_to_its_list(login, roster, world):
    text = login("admin_a").get("/coverage", query_string=PERIOD).get_data(as_text=True)
    assert "kind=not_inspected" in text and f"unit={world.unit_a.id}" in text
    assert "33.3%" in text  # 2 of 6


def test_the_coverage_downloads_as_xlsx(login, roster, world):
    response = login("admin_a").get("/coverage.xlsx", query_string=PERIOD)
    sheet = load_workbook(io.BytesIO(response.data)).active
    total = [cell.value for cell in sheet[sheet.max_row]]
    assert total[3:6] == [6, 2, 4]
    listing = login("admin_a").get("/coverage/enterprises.xlsx", query_string={**PERIOD, "kind": "not_inspected"})
    assert load_workbook(io.BytesIO(listing.data)).active.max_row == 2 + 4


def test_the_cli_writes_xlsx_and_refuses_bad_arguments(app, roster, tmp_path):
    runner = app.test_cli_runner()
    output = tmp_path / "coverage.xlsx"
    assert runner.invoke(args=["coverage", "--city", "--format", "xlsx", "-o", str(output)]).exit_code == 0
    assert load_workbook(output).active.max_row >= 4
    for args, message in ((["--city", "--county", "榆次区"], "either --county"), (["--county", "无此县"], "no county"),
                          (["--city", "--format", "xlsx"], "-o FILE"),
                          (["--city", "--from", "2026-12-31", "--to", "2026-01-01"], "is after")):
        result = runner.invoke(args=["coverage", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)


def test_another_county_and_other_roles_cannot_read_the_coverage(login, roster, world):
    assert login("admin_b").get(f"/coverage?county={world.county_a.id}").status_code == 403
    assert login("admin_b").get(
        "/coverage/enterprises", query_string={"county": world.county_a.id, "kind": "roster"}).status_code == 403
    for username in ("insp_a", "91140702MA0K000013"):
        assert login(username).get("/coverage").status_code == 403
    own = login("admin_b").get("/coverage/enterprises", query_string={"kind": "roster"}).get_data(as_text=True)
    assert world.enterprise_b.name in own and world.enterprise_a.name not in own


def test_a_unit_inspected_by_oversight_does_not_count_as_an_enterprise(app, db, roster, world):
    before = cli_json(app, "--county", "榆次区")["total"]
    record = start_inspection(db, app.extensions["catalogue"], world.city_admin, world.unit_a,
                              mode=InspectionMode.CITY_SPOT, team=None, client_uuid=new_uuid())
    for item in record.checklist.items:
        record_result(db, world.city_admin, record, item, Outcome.PASS)
    submit_inspection(db, world.city_admin, record)
    db.commit()
    assert cli_json(app, "--county", "榆次区")["total"] == before


# 包保: assignment one by one and in bulk; the inspector's home lists what is assigned to them first.


def member(world, user=None):
    return f"{world.team_a.id}-{(user or world.inspector_a).id}"


def test_the_county_assigns_one_enterprise_and_the_inspector_sees_it_first(login, roster, world, db):
    admin, inspector = login("admin_a"), login("insp_a")
    target = roster["草稿"]
    response = admin.post(f"/assignments?county={world.county_a.id}", {
        "enterprises": [target.id], "member": member(world), "scope": "chosen",
    })
    assert response.status_code == 302
    [row] = db.scalars(select(Assignment)).all()
    assert (row.enterprise_id, row.team_id, row.user_id) == (target.id, world.team_a.id, world.inspector_a.id)
    home = inspector.get("/").get_data(as_text=True)
    assert target.name in home.split("<h2>")[1]  # the first list of the home page
    assert target.name not in login("insp_a2").get("/").get_data(as_text=True)
    sites = inspector.http.get("/api/v1/sites").get_json()
    assert sites[0]["name"] == target.name  # the phone precaches it first


def test_the_roster_downloads_as_its_pages_list_it_with_who_answers_for_each(login, roster, world, monkeypatch):
    from checklist.read import paging

    admin = login("admin_a")
    admin.post(f"/assignments?county={world.county_a.id}", {
        "enterprises": [roster["草稿"].id], "member": member(world), "scope": "chosen",
    })
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    query = {**PERIOD, "kind": "roster"}
    names, page = [], 1
    while shown := re.findall(r'<li><a href="/s/[^"]+">([^<]+)</a>',
                              admin.get("/coverage/enterprises", query_string={**query, "page": page}).get_data(
                                  as_text=True)):
        names += shown
        page += 1
    sheet = load_workbook(io.BytesIO(admin.get("/coverage/enterprises.xlsx", query_string=query).data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(names) == 6 and [row[3] for row in rows] == names
    assigned = {row[3]: row[8:] for row in rows}
    assert assigned[roster["草稿"].name] == (world.team_a.name, world.inspector_a.name)
    assert assigned[world.enterprise_a.name] == (None, None)


def test_an_assigned_enterprise_leaves_the_home_list_once_inspected(app, db, login, roster, world):
    login("admin_a").post(f"/assignments?county={world.county_a.id}", {
        "enterprises": [world.enterprise_a.id, roster["草稿"].id], "member": member(world), "scope": "chosen",
    })
    home = login("insp_a").get("/").get_data(as_text=True)
    assigned = home.split("<h2>")[1]
    assert roster["草稿"].name in assigned and world.enterprise_a.name not in assigned  # inspected already


def test_the_county_assigns_every_enterprise_the_filter_shows(login, roster, world, db):
    coal = db.scalars(select(Sector).where(Sector.code == "coal")).one()
    response = login("admin_a").post(f"/assignments?county={world.county_a.id}&sector={coal.id}", {
        "member": member(world, world.colleague_a), "scope": "all",
    })
    assert response.status_code == 302
    rows = db.scalars(select(Assignment)).all()
    assert {row.enterprise.sector_id for row in rows} == {coal.id} and len(rows) == 3
    assert {row.user_id for row in rows} == {world.colleague_a.id}
    again = login("admin_a").post(f"/assignments?county={world.county_a.id}&sector={coal.id}", {
        "member": member(world), "scope": "all",
    })
    assert again.status_code == 302
    db.expire_all()
    assert len(db.scalars(select(Assignment)).all()) == 3  # assigned again: replaced, not doubled
    assert {row.user_id for row in db.scalars(select(Assignment))} == {world.inspector_a.id}
    page = login("admin_a").get("/coverage/enterprises", query_string={**PERIOD, "kind": "not_inspected"})
    assert f"{world.team_a.name} · {world.inspector_a.name}" in page.get_data(as_text=True)


def test_a_wrong_assignment_is_refused_and_stores_nothing(login, roster, world, db):
    admin = login("admin_a").english()
    outsider = f"{world.team_a.id}-{world.inspector_b.id}"  # not a member of that team
    response = admin.post(f"/assignments?county={world.county_a.id}", {
        "enterprises": [world.enterprise_a.id], "member": outsider, "scope": "chosen",
    })
    assert response.status_code == 400 and "Choose a team member" in response.get_data(as_text=True)
    response = admin.post(f"/assignments?county={world.county_a.id}", {"member": member(world), "scope": "chosen"})
    assert response.status_code == 400 and "at least one enterprise" in response.get_data(as_text=True)
    other = admin.post(f"/assignments?county={world.county_a.id}", {
        "enterprises": [world.enterprise_b.id], "member": member(world), "scope": "chosen",
    })
    assert other.status_code == 404  # county B's enterprise is not among county A's
    assert login("admin_b").post(f"/assignments?county={world.county_a.id}", {
        "enterprises": [world.enterprise_a.id], "member": member(world), "scope": "chosen",
    }).status_code == 403
    assert login("insp_a").get("/assignments").status_code == 403
    assert db.scalars(select(Assignment)).all() == []


def test_the_roster_import_assigns_each_row_to_its_team_member(login, world, db):
    first, second, third = new_codes(3, seed=11)
    rows = [
        roster_row("榆次一号公司", first) + ["第一检查督导组", "张检查"],
        roster_row("榆次二号公司", second) + ["", "insp_a2"],  # the user name; the only team of that person
        roster_row("榆次三号公司", third) + ["", ""],
    ]
    response = post_roster(login("admin_a"), xlsx([*ROSTER_HEADERS, *ANSWERABLE_HEADERS], rows))
    assert response.status_code == 302
    rows = {row.enterprise.name: row for row in db.scalars(select(Assignment))}
    assert {name: row.user.username for name, row in rows.items()} == {
        "榆次一号公司": "insp_a", "榆次二号公司": "insp_a2"}


def test_a_roster_naming_an_unknown_or_foreign_person_is_refused_whole(login, world, db):
    first, second, third = new_codes(3, seed=12)
    rows = [
        roster_row("榆次甲公司", first) + ["第一检查督导组", "张检查"],
        roster_row("榆次乙公司", second) + ["", "赵太谷"],  # county B's inspector
        roster_row("榆次丙公司", third) + ["第一检查督导组", ""],
    ]
    response = post_roster(english(login("admin_a")), xlsx([*ROSTER_HEADERS, *ANSWERABLE_HEADERS], rows))
    assert response.status_code == 400
    problems = {(row, column) for row, column, _reason in reported(response)}
    assert problems == {(3, "包保责任人"), (4, "包保责任人")}
    assert db.scalars(select(Assignment)).all() == []
    assert db.scalars(select(Enterprise).where(Enterprise.name == "榆次甲公司")).first() is None


def test_the_daily_report_is_prefilled_with_the_coverage_of_its_day(login, db, roster, world):
    from checklist.read import reports

    committee = db.scalars(select(Unit).where(Unit.county_id == world.county_a.id,
                                              Unit.kind == UnitKind.COMMITTEE)).one()
    yesterday = TODAY - timedelta(days=1)
    figures = reports.daily_figures(db, committee, yesterday)
    # the campaign so far: A (a day ago), 期外 (20 days ago) and 两家 inspected; A2, 自查 and 草稿 not
    assert (figures.enterprises_inspected, figures.enterprises_not_inspected) == (3, 3)
    assert reports.daily_figures(db, committee, TODAY - timedelta(days=25)).enterprises_inspected == 0
    admin = login("admin_a")
    assert admin.post(f"/reports/daily?day={yesterday.isoformat()}", {
        "leadership": "", "highlights": "", "problems": "", "typical_cases": "",
    }).status_code == 302
    day = reports.compile_day(db, yesterday)
    assert (day.totals.enterprises_inspected, day.totals.enterprises_not_inspected) == (3, 3)


def test_an_inspection_submitted_through_the_form_counts_at_once(app, login, roster, world, db):
    from .helpers import inspection_id, pass_everything_but, start

    before = cli_json(app, "--county", "榆次区")["total"]
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world, enterprise=world.enterprise_a2))
    pass_everything_but(inspector, db, number, "none")
    assert inspector.post(f"/inspections/{number}/review", {}).status_code == 302
    after = cli_json(app, "--county", "榆次区")["total"]
    assert (after["inspected"], after["by_county"]) == (before["inspected"] + 1, before["by_county"] + 1)
