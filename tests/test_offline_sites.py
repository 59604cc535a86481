"""The phone's offline copy of its sites (/api/v1/sites/offline, read.offline): all of them with what their site pages
show, then only those changed since the last answer, with the ids of all."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from checklist.models import Enterprise
from checklist.read import offline

from .helpers import submitted_inspection
from .test_api import Api, issue_token
from .test_imports import ROSTER_HEADERS, new_codes, post_roster, roster_row, xlsx
from .test_rectify import ENTERPRISE_A, submit_fix

URL = "/api/v1/sites/offline"


@pytest.fixture(autouse=True)
def no_margin(monkeypatch):
    """The cursor at the answer's very time: a change made just after it comes next time, and one before it not."""
    monkeypatch.setattr(offline, "CURSOR_MARGIN", timedelta(0))


@pytest.fixture
def api(app):
    """The API as a phone's service worker asks it, with a bearer token for a user name."""
    return lambda username: Api(http := app.test_client(), issue_token(http, username))


def url(**query) -> str:
    return f"{URL}?{urlencode(query)}" if query else URL


def rows(columns: dict) -> list[dict]:
    """The answer's columns as one dict a row."""
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def sites_by_token(answer: dict) -> dict:
    return {site["token"]: site for site in rows(answer["sites"])}


def hazards_by_id(answer: dict) -> dict:
    return {hazard["id"]: hazard for hazard in rows(answer["hazards"])}


def test_the_whole_copy_holds_every_site_of_the_county_with_its_open_hazards(api, login, world, db):
    hazard = submitted_inspection(login("insp_a"), world, db).hazards[0]
    answer = api("insp_a").get(URL).get_json()
    assert answer["complete"] and answer["next"] is None and answer["closed"] == []
    assert set(sites_by_token(answer)) == {world.enterprise_a.qr_token, world.enterprise_a2.qr_token}
    site = sites_by_token(answer)[world.enterprise_a.qr_token]
    assert (site["name"], site["credit_code"], answer["counties"][str(site["county_id"])], site["sector_code"]) == (
        "榆次建工有限公司", world.enterprise_a.credit_code, "榆次区", "construction")
    assert answer["sectors"]["construction"] and answer["units"][str(site["supervising_unit_id"])]
    assert hazards_by_id(answer) == {hazard.id: {
        "id": hazard.id, "site_id": world.enterprise_a.id, "level": "major", "status": "open",
        "deadline": (hazard.deadline - offline.EPOCH).days, "description": hazard.description,
        "responsible_person": hazard.responsible_person,
    }}


def test_afterwards_only_what_changed_since_comes_with_every_sites_id(api, login, world, db):
    phone = api("insp_a")
    hazard = submitted_inspection(login("insp_a"), world, db).hazards[0]
    cursor = phone.get(URL).get_json()["cursor"]
    unchanged = phone.get(url(since=cursor)).get_json()
    assert not unchanged["complete"] and len(unchanged["site_ids"]) == 2
    assert (rows(unchanged["sites"]), rows(unchanged["hazards"]), unchanged["closed"]) == ([], [], [])

    enterprise = login(ENTERPRISE_A)
    submit_fix(enterprise, hazard)  # a history row: the hazard is now submitted, its site unchanged
    changed = phone.get(url(since=unchanged["cursor"])).get_json()
    assert rows(changed["sites"]) == [] and hazards_by_id(changed)[hazard.id]["status"] == "submitted"

    assert login("insp_a").post(f"/hazards/{hazard.id}/accept", {"note": "复查合格"}).status_code == 302
    accepted = phone.get(url(since=changed["cursor"])).get_json()
    assert rows(accepted["hazards"]) == [] and accepted["closed"] == [hazard.id]  # the phone drops it

    db.get(Enterprise, world.enterprise_a2.id).address = "榆次区新华街1号"  # as the roster import changes it
    db.commit()
    renamed = phone.get(url(since=accepted["cursor"])).get_json()
    assert [site["address"] for site in sites_by_token(renamed).values()] == ["榆次区新华街1号"]


def test_what_the_roster_import_adds_and_changes_comes_with_the_next_changes(api, login, world):
    phone = api("insp_a")
    cursor = phone.get(URL).get_json()["cursor"]
    new_code = new_codes(1)[0]
    roster = [roster_row("榆次新建有限公司", new_code),
            ["榆次建工集团有限公司", world.enterprise_a.credit_code, "榆次区", "建筑施工", "榆次区新地址", "", "", ""]]
    assert post_roster(login("admin_a"), xlsx(ROSTER_HEADERS, roster)).status_code == 302
    answer = phone.get(url(since=cursor)).get_json()
    changed = {site["credit_code"]: (site["name"], site["address"]) for site in rows(answer["sites"])}
    assert changed == {new_code: ("榆次新建有限公司", "榆次新建有限公司地址"),
                       world.enterprise_a.credit_code: ("榆次建工集团有限公司", "榆次区新地址")}
    assert len(answer["site_ids"]) == 3 and world.enterprise_a2.credit_code not in changed


def test_a_site_moved_to_another_county_leaves_one_copy_and_comes_whole_to_the_other(api, login, world, db):
    hazard = submitted_inspection(login("insp_a"), world, db).hazards[0]
    here, there = api("insp_a"), api("insp_b")
    cursors = here.get(URL).get_json()["cursor"], there.get(URL).get_json()["cursor"]
    db.get(Enterprise, world.enterprise_a.id).county_id = world.county_b.id
    db.commit()
    left = here.get(url(since=cursors[0])).get_json()
    assert left["site_ids"] == [world.enterprise_a2.id] and rows(left["sites"]) == []
    came = there.get(url(since=cursors[1])).get_json()
    assert world.enterprise_a.id in came["site_ids"] and list(sites_by_token(came)) == [world.enterprise_a.qr_token]
    assert list(hazards_by_id(came)) == [hazard.id]  # its open hazards with it: they did not move today


def test_the_city_keeps_one_county_or_only_the_sites_it_is_sent_to(api, world):
    city = api("city")
    assert rows(city.get(URL).get_json()["sites"]) == []  # a whole city would not fit on a phone
    answer = city.get(url(county=world.county_b.id)).get_json()
    assert list(sites_by_token(answer)) == [world.enterprise_b.qr_token]
    changes = city.get(url(county=world.county_b.id, since=answer["cursor"])).get_json()
    assert changes["site_ids"] == [world.enterprise_b.id]


def test_another_countys_copy_is_refused_and_a_bad_cursor_is_explained(api, world):
    phone = api("insp_a")
    refused = phone.get(url(county=world.county_b.id))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert phone.get(url(county=99999)).status_code == 404
    bad = phone.get(url(since="yesterday"))
    assert bad.status_code in (400, 422) and bad.get_json()["error"]["message"]


def test_the_whole_copy_comes_in_parts_each_naming_the_next(app, api, login, world, db, monkeypatch):
    monkeypatch.setitem(app.config, "OFFLINE_PART_SITES", 1)
    hazard = submitted_inspection(login("insp_a"), world, db).hazards[0]
    phone = api("insp_a")
    first, second = sorted([world.enterprise_a, world.enterprise_a2], key=lambda enterprise: enterprise.id)
    part = phone.get(URL).get_json()
    assert part["complete"] and part["next"] == first.id and list(sites_by_token(part)) == [first.qr_token]
    last = phone.get(url(after=part["next"])).get_json()
    assert last["next"] is None and list(sites_by_token(last)) == [second.qr_token]
    [holding] = [answer for answer in (part, last) if hazards_by_id(answer)]  # each hazard with its site
    assert list(hazards_by_id(holding)) == [hazard.id] and sites_by_token(holding)[world.enterprise_a.qr_token]


def test_an_enterprise_keeps_only_its_own_site(api, world):
    answer = api(ENTERPRISE_A).get(URL).get_json()
    assert list(sites_by_token(answer)) == [world.enterprise_a.qr_token]
