"""交叉检查: a county's team sent to another county's enterprises for a period reaches those and nothing else of
that county, only in the period."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from checklist import access
from checklist.clock import local_today
from checklist.models import CrossAssignment

from .helpers import start

TODAY = local_today()


def send(login, world, starts_on, ends_on, **extra):
    return login("city").english().post("/cross-assignments", {
        "team": world.team_a.id, "county": world.county_b.id, "sector": 0,
        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), **extra,
    })


@pytest.mark.parametrize("days, reached", [
    ((1, 5), False),  # before the period
    ((-2, 3), True),  # during it
    ((-9, -1), False),  # after it
])
def test_the_sent_team_reaches_the_enterprise_only_in_the_period(login, db, world, days, reached):
    first, last = (TODAY + timedelta(days=day) for day in days)
    db.add(CrossAssignment(team=world.team_a, enterprise=world.enterprise_b, starts_on=first, ends_on=last,
                           created_by_id=world.city_admin.id))
    db.commit()
    inspector = login("insp_a")
    assert (inspector.get(f"/s/{world.enterprise_b.qr_token}").status_code == 200) is reached
    response = start(inspector, world, enterprise=world.enterprise_b, mode="cross")
    assert ("/inspections/" in (response.location or "")) is reached
    names = [site["name"] for site in inspector.http.get("/api/v1/sites").get_json()]
    assert (world.enterprise_b.name in names) is reached
    assert access.crossing_to(world.inspector_a, world.enterprise_b) is reached


def test_the_city_sends_a_team_and_its_members_see_nothing_else_of_that_county(login, db, world):
    other = db.get(type(world.enterprise_b), world.enterprise_b.id)
    response = send(login, world, TODAY, TODAY + timedelta(days=7))
    assert response.status_code == 302
    assert db.scalar(select(func.count()).select_from(CrossAssignment)) == 1  # county B has one enterprise
    inspector = login("insp_a")
    assert inspector.get(f"/s/{other.qr_token}").status_code == 200
    assert start(inspector, world, enterprise=other, mode="county_full").location.endswith(f"/s/{other.qr_token}")
    assert inspector.get(f"/coverage?county={world.county_b.id}").status_code == 403
    hazards = inspector.get(f"/hazards?county={world.county_b.id}").get_data(as_text=True)
    assert world.unit_b.name not in hazards
    assert login("insp_a2").get(f"/s/{other.qr_token}").status_code == 200  # a member of the same team
    assert login("insp_b").get(f"/s/{world.enterprise_a.qr_token}").status_code == 403  # not the other way round


def test_a_wrong_sending_is_refused_and_stores_nothing(login, db, world):
    past = send(login, world, TODAY - timedelta(days=9), TODAY - timedelta(days=1))
    assert past.status_code == 400 and "not before today" in past.get_data(as_text=True)
    own = login("city").english().post("/cross-assignments", {
        "team": world.team_a.id, "county": world.county_a.id, "sector": 0,
        "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat(),
    })
    assert own.status_code == 400 and "another county" in own.get_data(as_text=True)
    assert login("admin_a").post("/cross-assignments", {
        "team": world.team_a.id, "county": world.county_b.id, "sector": 0,
        "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat(),
    }).status_code == 403
    assert db.scalar(select(func.count()).select_from(CrossAssignment)) == 0


def test_the_city_recalls_a_team(login, db, world):
    send(login, world, TODAY, TODAY + timedelta(days=7))
    crossing = db.scalars(select(CrossAssignment)).one()
    assert login("city").post(f"/cross-assignments/{crossing.id}/recall", {}).status_code == 302
    assert db.scalar(select(func.count()).select_from(CrossAssignment)) == 0
    assert login("insp_a").get(f"/s/{world.enterprise_b.qr_token}").status_code == 403
