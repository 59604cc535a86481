"""Cross-check: the city's spot check held against the county's latest inspection before it."""

from io import BytesIO

from sqlalchemy import select

from checklist import tallies
from checklist.models import CrossCheck, Discrepancy, Hazard
from checklist.read.crosscheck import cross_check, findings
from checklist.web import dashboard

from .helpers import fail_items, inspection_id, jpeg_bytes, start


def close_hazard(login, db, hazard):
    login("91140702MA0K000013").post(f"/hazards/{hazard.id}/fix", {
        "note": "已整改", "photos": [(BytesIO(jpeg_bytes()), "fix.jpg")],
    }, content_type="multipart/form-data")
    login("insp_a").post(f"/hazards/{hazard.id}/accept", {})


def county_passed_what_the_city_found(login, world, db) -> None:
    """County A passes CON-01 and closes a hazard at CON-02; the city then finds both (two discrepancies)."""
    county = login("insp_a")
    fail_items(county, db, inspection_id(start(county, world)), {"CON-02"}, description="县级发现")
    close_hazard(login, db, db.scalars(select(Hazard).where(Hazard.description == "县级发现 CON-02")).one())
    city = login("city")
    fail_items(city, db, inspection_id(start(city, world, mode="city_spot", team=0)), {"CON-01", "CON-02"},
               description="市级发现")


def test_a_county_with_many_discrepancies_shows_its_first_ones(login, world, db, monkeypatch):
    monkeypatch.setattr(dashboard, "CROSS_CHECK_SHOWN", 1)
    county_passed_what_the_city_found(login, world, db)
    city = login("city").english()
    page = city.get(f"/cross-check?county={world.county_a.id}").get_data(as_text=True)
    assert "The first 1 of 2 discrepancies." in page
    assert ("市级发现 CON-01" in page) != ("市级发现 CON-02" in page)


def test_the_city_finds_what_the_county_passed_or_closed(login, world, db):
    county = login("insp_a")
    county_inspection = inspection_id(start(county, world))
    fail_items(county, db, county_inspection, {"CON-02", "CON-03"}, description="县级发现")
    closed = db.scalars(select(Hazard).where(Hazard.description == "县级发现 CON-02")).one()
    close_hazard(login, db, closed)

    city = login("city")
    city_inspection = inspection_id(start(city, world, mode="city_spot", team=0))
    fail_items(city, db, city_inspection, {"CON-01", "CON-02", "CON-03"}, description="市级发现")
    other = inspection_id(start(city, world, enterprise=world.enterprise_b, mode="city_spot", team=0))
    fail_items(city, db, other, {"CON-01"}, description="市级发现")  # county B never inspected it: not counted

    db.expire_all()
    [result] = cross_check(db, world.city_admin)
    assert result.county.id == world.county_a.id
    assert (result.checked, result.with_discrepancy, result.rate, result.discrepancies) == (1, 1, 1.0, 2)
    assert sorted((item.kind.value, item.item_code) for item in findings(db, world.city_admin, result.county, 10)) == [
        ("passed", "CON-01"), ("reopened", "CON-02"),
    ]  # CON-03 was still open at the county: no discrepancy
    assert findings(db, world.county_admin_b, result.county, 10) == []  # another county's supervisor reads none

    page = login("admin_a").get("/cross-check").get_data(as_text=True)
    assert "市级发现 CON-01" in page and "市级发现 CON-02" in page and "市级发现 CON-03" not in page
    assert "市级发现" not in login("admin_b").get("/cross-check").get_data(as_text=True)


def test_a_county_inspection_after_the_city_visit_is_not_compared(login, world, db):
    city = login("city")
    fail_items(city, db, inspection_id(start(city, world, mode="city_spot", team=0)), {"CON-01"})
    county = login("insp_a")
    fail_items(county, db, inspection_id(start(county, world)), set())
    db.expire_all()
    assert cross_check(db, world.city_admin) == []


def kept(db) -> tuple[list, list]:
    return (sorted(db.execute(select(CrossCheck.city_inspection_id, CrossCheck.county_inspection_id,
                                     CrossCheck.county_id, CrossCheck.discrepancies)).all()),
            sorted(db.execute(select(Discrepancy.hazard_id, Discrepancy.city_inspection_id, Discrepancy.kind)).all()))


def test_what_submission_keeps_equals_a_rebuild_from_every_inspection(login, world, db):
    """The rows noted one submission at a time are those a bulk rebuild (migration 0015, the demo) computes."""
    county_passed_what_the_city_found(login, world, db)
    city = login("city")
    fail_items(city, db, inspection_id(start(city, world, mode="surprise", team=0)), set())  # agrees: no discrepancy
    db.expire_all()
    noted = kept(db)
    assert [row[3] for row in noted[0]] == [2, 0] and len(noted[1]) == 2
    tallies.rebuild_cross_checks(db.connection())
    assert kept(db) == noted


def test_a_county_inspection_counts_only_for_the_city_visits_after_it(login, world, db):
    """The city's visit before the county's inspection is not compared, even after the county has inspected."""
    city = login("city")
    fail_items(city, db, inspection_id(start(city, world, mode="city_spot", team=0)), {"CON-01"})
    county = login("insp_a")
    fail_items(county, db, inspection_id(start(county, world)), set())
    fail_items(city, db, inspection_id(start(city, world, mode="city_spot", team=0)), {"CON-01"})
    db.expire_all()
    [result] = cross_check(db, world.city_admin)
    assert (result.checked, result.with_discrepancy, result.discrepancies) == (1, 1, 1)
    page = login("city").get(f"/cross-check?county={world.county_a.id}").get_data(as_text=True)
    assert page.count("县级曾判定该项符合") == 1
