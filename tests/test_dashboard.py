"""Dashboards: their numbers agree with the lists they link to, and each sees only its own area."""

import re

import pytest

from .helpers import submitted_inspection


@pytest.fixture
def found(login, world, db):
    return submitted_inspection(login("insp_a"), world, db).hazards[0]


def linked_numbers(page: str) -> list[tuple[str, int]]:
    return [(url.replace("&amp;", "&"), int(number))
            for url, number in re.findall(r'<a href="(/hazards\?[^"]*)"[^>]*><b>(\d+)</b>', page)]


@pytest.mark.parametrize("username", ["admin_a", "city"])
def test_every_dashboard_number_matches_the_list_behind_it(login, found, username):
    client = login(username)
    numbers = linked_numbers(client.get("/dashboard").get_data(as_text=True))
    assert len(numbers) >= 5
    for url, number in numbers:
        listed = client.get(url).get_data(as_text=True)
        assert f"<small>({number})</small>" in listed, url


def test_the_county_dashboard_counts_its_open_major_hazard(login, found):
    page = login("admin_a").get("/dashboard").get_data(as_text=True)
    numbers = dict((url, number) for url, number in linked_numbers(page))
    assert numbers["/hazards?status=unclosed"] == 1
    assert numbers["/hazards?status=unclosed&major=1"] == 1


def test_another_county_sees_none_of_it(login, world, db, found):
    client = login("admin_b")
    numbers = dict(linked_numbers(client.get("/dashboard").get_data(as_text=True)))
    assert numbers["/hazards?status=unclosed"] == 0
    assert found.description not in client.get(f"/hazards?county={world.county_a.id}").get_data(as_text=True)


def test_the_city_dashboard_has_a_row_per_county_and_charts_without_script(login, world, found):
    page = login("city").get("/dashboard").get_data(as_text=True)
    assert world.county_a.name in page and world.county_b.name in page
    assert page.count("<svg") == 3 and "<script src" in page and "chart.js" not in page
    assert f"/inspection-list?campaign={found.inspection.campaign_id}&amp;mode=county_full" in page


def test_an_enterprise_has_no_dashboard(login, world):
    client = login("91140702MA0K000013")
    for url in ("/dashboard", "/hazards", "/inspection-list"):
        assert client.get(url).status_code == 403
