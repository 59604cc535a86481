"""Each party sees only its own: other enterprises and other counties get 403/404."""

import pytest
from sqlalchemy import func, select

from checklist.models import Inspection

from .helpers import inspection_id, jpeg_bytes, start, submitted_inspection


@pytest.fixture
def inspection(login, world, db):
    return submitted_inspection(login("insp_a"), world, db, photos=[jpeg_bytes()])


def record_urls(inspection):
    photo = inspection.hazards[0].photos[0]
    return [
        f"/inspections/{inspection.id}",
        f"/inspections/{inspection.id}/problems",
        f"/inspections/{inspection.id}/enforcement",
        f"/photos/{photo.id}",
        f"/photos/{photo.id}/thumb",
    ]


@pytest.mark.parametrize("outsider", ["91140702MA0K000026", "insp_b"])
def test_other_enterprise_and_other_county_cannot_read_the_records(login, inspection, world, outsider):
    client = login(outsider)
    for url in record_urls(inspection):
        response = client.get(url)
        response.close()
        assert response.status_code in (403, 404), url
    assert client.get(f"/s/{world.enterprise_a.qr_token}").status_code == 403


@pytest.mark.parametrize("insider", ["91140702MA0K000013", "insp_a2", "admin_a", "city"])
def test_the_enterprise_its_county_and_the_city_can_read_them(login, inspection, insider):
    client = login(insider)
    for url in record_urls(inspection):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url


def test_anonymous_users_are_sent_to_log_in(client, inspection):
    for url in record_urls(inspection):
        assert client.get(url).status_code == 302


def test_another_county_cannot_start_an_inspection_here(login, world):
    response = start(login("insp_b"), world)
    assert response.status_code == 403


def test_an_enterprise_can_only_self_inspect(login, world, db):
    client = login("91140702MA0K000013")
    refused = start(client, world, mode="county_full")
    assert refused.status_code == 302 and "/inspections/" not in refused.location
    accepted = client.post(f"/s/{world.enterprise_a.qr_token}/inspections", {
        "client_uuid": "4b7e0a52-5d0b-4a8e-9d9e-2f5b8f6f3c11", "mode": "self_check", "team": 0,
    })
    assert "/inspections/" in accepted.location


def test_a_colleague_not_named_on_a_draft_cannot_change_it(login, world, db):
    number = inspection_id(start(login("insp_a"), world))
    colleague = login("insp_a2")
    assert colleague.get(f"/inspections/{number}").status_code == 403
    assert colleague.post(f"/inspections/{number}/review", {}).status_code == 403


def test_a_submitted_inspection_cannot_be_changed(login, inspection, db):
    client = login("insp_a")
    item = inspection.checklist.items[0]
    response = client.post(f"/inspections/{inspection.id}/items/{item.id}", {"outcome": "na"})
    assert response.status_code == 302
    db.expire_all()
    assert next(r for r in inspection.results if r.item_id == item.id).outcome.value == "pass"


def test_an_enterprise_cannot_reach_the_supervisors_pages(login, world):
    client = login("91140702MA0K000013")
    assert client.get("/enterprises").status_code == 403
    assert client.get(f"/counties/{world.county_a.id}/qr-sheet.pdf").status_code == 403


def test_a_county_supervisor_cannot_print_another_countys_labels(login, world):
    response = login("admin_a").get(f"/counties/{world.county_b.id}/qr-sheet.pdf")
    assert response.status_code == 403


def test_a_county_lists_only_its_own_enterprises(login, world):
    page = login("admin_a").get("/enterprises").get_data(as_text=True)
    assert world.enterprise_a.name in page and world.enterprise_b.name not in page


def test_a_post_without_the_csrf_token_is_refused(login, world, db):
    client = login("insp_a")
    response = client.post(f"/s/{world.enterprise_a.qr_token}/inspections", {
        "client_uuid": "4b7e0a52-5d0b-4a8e-9d9e-2f5b8f6f3c11", "mode": "county_full", "team": world.team_a.id,
    }, csrf=False)
    assert response.status_code == 400
    assert db.scalar(select(func.count(Inspection.id))) == 0
