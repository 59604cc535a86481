"""Presence evidence and marked photos through the routes (issue 16, items 2 and 3): the position at the start and
with each photo, stored and shown with its distance from the registered location and the phone's clock beside the
server's, flagged beyond the thresholds; the form and the API refusing the same positions; marked copies kept
beside their stamped originals, shown first and guarded alike."""

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from io import BytesIO

import docx
import pytest
from PIL import Image
from sqlalchemy import select

from checklist import presence
from checklist.models import Document, DocumentKind, Inspection, Photo

from .factories import new_uuid
from .helpers import deadline_in, jpeg_bytes, pass_everything_but
from .test_api import Api, issue_token, submission

SITE = (37.68712, 112.75321)  # enterprise A's registered location, in 榆次
NEAR = (37.68762, 112.75321)  # 56 m north
FAR = (37.69712, 112.75321)  # 1,112 m north
ENTERPRISE_A = "91140702MA0K000013"


@pytest.fixture
def located(world, db):
    world.enterprise_a.latitude, world.enterprise_a.longitude = SITE
    db.commit()
    return world


def english(client):
    return client.english()


def position(point=NEAR, accuracy="15", clock_gap=timedelta(0)) -> dict:
    """The start form's or item form's hidden fields as app.js fills them: the fix, and the phone's clock."""
    now = datetime.now(UTC)
    return {"latitude": str(point[0]), "longitude": str(point[1]), "accuracy": accuracy,
            "located_at": (now - timedelta(seconds=20) + clock_gap).isoformat(),
            "sent_at": (now + clock_gap).isoformat()}


def start_with(client, world, **fields):
    return client.post(f"/s/{world.enterprise_a.qr_token}/inspections", {
        "client_uuid": new_uuid(), "mode": "county_full", "team": world.team_a.id, **fields,
    })


def started(db, response) -> Inspection:
    db.expire_all()
    return db.get(Inspection, int(re.search(r"/inspections/(\d+)", response.location).group(1)))


def test_distances_are_great_circle_metres():
    assert round(presence.distance(*SITE, *NEAR)) == 56
    assert round(presence.distance(*SITE, *FAR)) == 1112
    beijing, shanghai = (39.9042, 116.4074), (31.2304, 121.4737)
    assert 1_066_000 < presence.distance(*beijing, *shanghai) < 1_069_000  # 1,067 km on the WGS-84 sphere
    assert presence.distance(*SITE, *SITE) == 0


def test_a_start_near_the_site_is_shown_with_its_distance_and_no_flag(located, login, db):
    client = english(login("insp_a"))
    inspection = started(db, start_with(client, located, **position(NEAR)))
    assert (inspection.start_latitude, inspection.start_longitude, inspection.start_accuracy) == (*NEAR, 15.0)
    assert abs(inspection.start_received_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "56 m from the registered location" in page and "37.68762, 112.75321" in page
    assert "Over 500 m away" not in page and "minutes off" not in page


def test_a_start_far_away_with_the_phones_clock_off_is_flagged_on_every_step(located, login, db):
    client = english(login("insp_a"))
    inspection = started(db, start_with(client, located, **position(FAR, clock_gap=timedelta(minutes=-25))))
    evidence = inspection.start_evidence
    assert evidence.far and evidence.clock_off and evidence.clock_gap_minutes == 25
    for step in ("", "/review", "/enforcement", "/problems"):
        page = client.get(f"/inspections/{inspection.id}{step}").get_data(as_text=True)
        assert "1112 m from the registered location" in page and "Over 500 m away" in page, step
        assert "The phone's clock was 25 minutes off" in page, step


def test_a_gap_of_nine_minutes_and_a_distance_of_450_m_are_not_flagged(located, login, db):
    client = english(login("insp_a"))
    inside = (SITE[0] + 450 / 111_195, SITE[1])  # 450 m north
    inspection = started(db, start_with(client, located, **position(inside, clock_gap=timedelta(minutes=9))))
    evidence = inspection.start_evidence
    assert 449 < evidence.distance < 451 and not evidence.far and not evidence.clock_off
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "450 m from the registered location" in page and "Over 500 m" not in page and "minutes off" not in page


def test_without_a_position_nothing_is_recorded_and_the_page_says_so(located, login, db, world):
    client = english(login("insp_a"))
    inspection = started(db, start_with(client, world))  # no JavaScript, or no permission: no fields
    assert inspection.start_fix is None and inspection.start_received_at is None
    assert "No position was recorded at the start." in client.get(f"/inspections/{inspection.id}").get_data(
        as_text=True)


def test_an_enterprise_without_a_registered_location_shows_the_coordinates_alone(world, login, db):
    client = english(login("insp_a"))
    inspection = started(db, start_with(client, world, **position(FAR)))
    assert inspection.start_evidence.distance is None and not inspection.start_evidence.far
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "The roster has no location for this enterprise." in page and "37.69712, 112.75321" in page


def api_client(app, username="insp_a") -> Api:
    http = app.test_client()
    http.set_cookie("lang", "en")
    return Api(http, issue_token(http, username))


def put_inspection(api: Api, body, sent_at: datetime | None = None):
    query = f"?sent_at={sent_at.isoformat().replace('+', '%2B')}" if sent_at else ""
    return api.http.put(f"/api/v1/inspections/{new_uuid()}{query}", json=body, headers=api.headers)


def position_body(point=FAR, accuracy=20.0) -> dict:
    return {"latitude": point[0], "longitude": point[1], "accuracy": accuracy,
            "located_at": "2026-11-20T08:29:40+08:00"}


def test_the_api_stores_the_start_position_and_the_phones_clock_and_the_page_flags_them(app, located, db, login):
    api = api_client(app)
    checklist = api.checklist(located.enterprise_a)
    late = datetime.now(UTC) + timedelta(hours=2)  # a phone whose clock runs two hours fast
    response = put_inspection(api, submission(located, checklist, position=position_body()), sent_at=late)
    assert response.status_code == 201, response.get_json()
    inspection = db.get(Inspection, response.get_json()["id"])
    assert (inspection.start_latitude, inspection.start_accuracy) == (FAR[0], 20.0)
    assert inspection.start_located_at == datetime(2026, 11, 20, 0, 29, 40)  # naive UTC, as stored
    assert abs(inspection.start_sent_at - late.replace(tzinfo=None)) < timedelta(seconds=1)
    assert inspection.start_evidence.far and inspection.start_evidence.clock_gap_minutes == 120
    page = english(login("insp_a")).get(f"/inspections/{inspection.id}/problems").get_data(as_text=True)
    assert "Over 500 m away" in page and "The phone's clock was 120 minutes off" in page


def test_the_api_without_a_position_records_none(app, located, db):
    api = api_client(app)
    response = put_inspection(api, submission(located, api.checklist(located.enterprise_a)))
    assert response.status_code == 201
    assert db.get(Inspection, response.get_json()["id"]).start_fix is None


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"latitude": "95"}, "position.latitude", "latitude lies between -90 and 90"),
    ({"longitude": "-181"}, "position.longitude", "latitude lies between -90 and 90"),
    ({"accuracy": "0"}, "position.accuracy", "more than 0 and at most 5000 metres"),
    ({"accuracy": "9000"}, "position.accuracy", "more than 0 and at most 5000 metres"),
    ({"longitude": ""}, "position.longitude", "missing or not valid"),
    ({"latitude": "nan"}, "position.latitude", "missing or not valid"),
])
def test_the_form_and_the_api_refuse_the_same_positions_with_the_same_message(
    app, located, login, db, fields, field, words
):
    client = english(login("insp_a"))
    sent = {**position(NEAR), **fields}
    response = start_with(client, located, **sent)
    assert response.status_code == 302 and response.location.endswith(f"/s/{located.enterprise_a.qr_token}")
    flashed = client.get(response.location).get_data(as_text=True)
    assert db.scalars(select(Inspection)).first() is None

    api = api_client(app)
    body_position = {"latitude": NEAR[0], "longitude": NEAR[1], "accuracy": 15}
    for name, value in fields.items():
        if value == "":
            del body_position[name]
        else:
            body_position[name] = float(value) if value != "nan" else "nan"
    answer = put_inspection(api, submission(located, api.checklist(located.enterprise_a), position=body_position))
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["field"] == field and words in error["message"]
    assert error["message"].replace("'", "&#39;") in flashed  # the very words the form flashed
    assert db.scalars(select(Inspection)).first() is None


def test_a_photo_sent_through_the_api_keeps_its_position_and_a_bad_one_is_refused(app, located, db, login):
    api = api_client(app)
    token = located.enterprise_a.qr_token
    refused = api.put_photo(new_uuid(), jpeg_bytes(), token, latitude=FAR[0], longitude=FAR[1], accuracy=0)
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "accuracy"
    half = api.put_photo(new_uuid(), jpeg_bytes(), token, latitude=FAR[0])
    assert half.status_code == 422 and half.get_json()["error"]["field"] == "longitude"
    assert db.scalars(select(Photo)).first() is None

    photo_uuid = new_uuid()
    sent_at = (datetime.now(UTC) - timedelta(minutes=30)).isoformat().replace("+", "%2B")
    stored = api.put_photo(photo_uuid, jpeg_bytes(), token, latitude=FAR[0], longitude=FAR[1], accuracy=8.5,
                           sent_at=sent_at)
    assert stored.status_code == 201, stored.get_json()
    checklist = api.checklist(located.enterprise_a)
    response = put_inspection(api, submission(located, checklist, photos=[photo_uuid], position=position_body(NEAR)))
    assert response.status_code == 201 and response.get_json()["status"] == "complete"
    [photo] = db.scalars(select(Photo)).all()
    assert (photo.latitude, photo.longitude, photo.accuracy) == (*FAR, 8.5)
    assert photo.evidence.far and photo.evidence.clock_off
    assert not db.get(Inspection, photo.inspection_id).start_evidence.far  # the start was near
    hazard_page = english(login("insp_a")).get(f"/hazards/{photo.hazard_id}").get_data(as_text=True)
    assert "1112 m away" in hazard_page


def fail_with_photos(client, inspection_id, item, photos, marked=(), marked_for="", fix=None):
    data = {
        "outcome": "fail", "level": "major", "description": "配电箱门未关闭", "deadline": deadline_in(10).isoformat(),
        "responsible_person": "王经理", "note": "", "marked_for": marked_for, **(fix or {}),
        "photos": [(BytesIO(photo), f"p{number}.jpg") for number, photo in enumerate(photos)],
        "marked": [(BytesIO(photo), f"m{number}.jpg") for number, photo in enumerate(marked)],
    }
    return client.post(f"/inspections/{inspection_id}/items/{item.id}", data, content_type="multipart/form-data")


ORIGINAL, OTHER, MARKED = jpeg_bytes((1440, 1080), (90, 90, 90)), jpeg_bytes((1440, 1080), (20, 120, 20)), \
    jpeg_bytes((1440, 1080), (200, 30, 30))


def marked_inspection(client, world, db, fix=None):
    """An item failed with two photos, the second one marked; returns the inspection."""
    inspection = started(db, start_with(client, world, **position(NEAR)))
    item = pass_everything_but(client, db, inspection.id, "CON-02")
    response = fail_with_photos(client, inspection.id, item, [ORIGINAL, OTHER], marked=[MARKED], marked_for="1",
                                fix=fix)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    return db.get(Inspection, inspection.id)


def test_a_marked_photo_is_kept_stamped_beside_its_original_and_shown_first(located, login, db):
    client = english(login("insp_a"))
    inspection = marked_inspection(client, located, db, fix=position(FAR))
    first, marked, second = inspection.photos  # Photo.SHOWN_ORDER: the first original, then the marked copy first
    assert (first.marked_from_id, marked.marked_from_id, second.marked_from_id) == (None, second.id, None)
    assert marked.id > second.id and marked.hazard_id == second.hazard_id == first.hazard_id
    assert all(photo.evidence.far for photo in inspection.photos)  # the item form's position, for each
    folder = client.http.application.config["UPLOAD_DIR"]
    for photo in (marked, second):  # both stamped: re-encoded, the stamp's dark box in the bottom-left corner
        with Image.open(f"{folder}/{photo.path}") as image:
            assert image.size == (1440, 1080)
            assert sum(image.getpixel((60, 1030))) < 0.6 * sum(image.getpixel((720, 1030)))
    with Image.open(f"{folder}/{marked.path}") as image:
        assert image.getpixel((720, 300))[0] > 150  # the red marked copy, not the grey original
    item_page = client.get(f"/inspections/{inspection.id}/items/{marked.item_id}").get_data(as_text=True)
    order = [first.id, marked.id, second.id]
    assert [int(number) for number in re.findall(r'href="/photos/(\d+)"', item_page)] == order
    assert client.post(f"/inspections/{inspection.id}/review", {}).status_code == 302
    page = client.get(f"/hazards/{marked.hazard_id}").get_data(as_text=True)
    shown = [int(number) for number in re.findall(r'href="/photos/(\d+)"', page)]
    assert shown == [first.id, marked.id, second.id]
    assert page.index("Marked") < page.index(f'href="/photos/{second.id}"') and "Original" in page
    problems = client.get(f"/inspections/{inspection.id}/problems").get_data(as_text=True)
    thumbs = [int(number) for number in re.findall(r'/photos/(\d+)/thumb', problems)]
    assert thumbs == [first.id, marked.id, second.id]


def test_a_marked_copy_without_its_original_is_refused_and_nothing_is_stored(located, login, db):
    client = english(login("insp_a"))
    inspection = started(db, start_with(client, located))
    item = pass_everything_but(client, db, inspection.id, "CON-02")
    for marked_for in ("5", "", "0,0"):
        response = fail_with_photos(client, inspection.id, item, [ORIGINAL], marked=[MARKED, MARKED][
            :2 if marked_for == "0,0" else 1], marked_for=marked_for)
        assert response.status_code == 400
        assert "A marked photo must come with its original." in response.get_data(as_text=True)
    assert db.scalars(select(Photo)).first() is None


def test_without_javascript_the_plain_photo_goes_up_as_before(located, login, db):
    client = english(login("insp_a"))
    inspection = started(db, start_with(client, located))
    item = pass_everything_but(client, db, inspection.id, "CON-02")
    assert fail_with_photos(client, inspection.id, item, [jpeg_bytes((3000, 2000))]).status_code == 302
    [photo] = db.scalars(select(Photo)).all()
    assert photo.marked_from_id is None and photo.fix is None and photo.width == 1600  # the server's own limit


def test_a_phone_sends_a_marked_copy_after_its_original(app, located, db):
    api = api_client(app)
    token = located.enterprise_a.qr_token
    original, copy = new_uuid(), new_uuid()
    early = api.put_photo(copy, MARKED, token, marked_from=original)  # the original has not arrived
    assert early.status_code == 404 and early.get_json()["error"]["field"] == "marked_from"
    assert api.put_photo(original, ORIGINAL, token).status_code == 201
    other = api_client(app, "insp_a2")
    stolen = other.put_photo(new_uuid(), MARKED, token, marked_from=original)  # another inspector's original
    assert stolen.status_code == 404
    assert api.put_photo(copy, MARKED, token, marked_from=original).status_code == 201
    again = api.put_photo(new_uuid(), MARKED, token, marked_from=copy)  # a copy of a copy
    assert again.status_code == 404
    checklist = api.checklist(located.enterprise_a)
    response = put_inspection(api, submission(located, checklist, photos=[original, copy]))
    assert response.status_code == 201 and response.get_json()["status"] == "complete"
    inspection = db.get(Inspection, response.get_json()["id"])
    assert [photo.uuid for photo in inspection.photos] == [copy, original]
    assert inspection.photos[0].marked_from_id == inspection.photos[1].id


def test_both_copies_are_guarded_as_every_photo_of_the_inspection(located, login, db, client, world):
    inspector = english(login("insp_a"))
    inspection = marked_inspection(inspector, located, db)
    ids = [photo.id for photo in inspection.photos]
    assert login("insp_a2").get(f"/photos/{ids[1]}").status_code == 403  # a draft: its creator's alone
    assert inspector.post(f"/inspections/{inspection.id}/review", {}).status_code == 302
    for username, status in (("insp_a", 200), ("insp_a2", 200), (ENTERPRISE_A, 200), ("admin_a", 200),
                             ("city", 200), ("insp_b", 403), ("admin_b", 403), ("91140702MA0K000026", 403)):
        viewer = login(username)
        for photo_id in ids:
            for suffix in ("", "/thumb"):
                assert viewer.get(f"/photos/{photo_id}{suffix}").status_code == status, (username, photo_id, suffix)
    for photo_id in ids:
        assert client.get(f"/photos/{photo_id}").status_code == 302  # to the login page


def test_an_unattached_marked_copy_is_its_senders_alone(app, located, login):
    api = api_client(app)
    token = located.enterprise_a.qr_token
    original, copy = new_uuid(), new_uuid()
    ids = [api.put_photo(original, ORIGINAL, token).get_json()["id"],
           api.put_photo(copy, MARKED, token, marked_from=original).get_json()["id"]]
    for photo_id in ids:
        assert login("insp_a").get(f"/photos/{photo_id}").status_code == 200
        assert login("insp_a2").get(f"/photos/{photo_id}").status_code == 403
        assert login(ENTERPRISE_A).get(f"/photos/{photo_id}").status_code == 403


@pytest.fixture
def carded(located, db):
    located.inspector_a.card_number, located.colleague_a.card_number = "14070021001", "14070021002"
    db.commit()
    return located


def test_the_inspection_record_shows_where_the_phone_was(carded, login, db):
    client = english(login("insp_a"))
    inspection = marked_inspection(client, carded, db, fix=position(FAR))
    client.post(f"/inspections/{inspection.id}/review", {"inspectors": [carded.colleague_a.id]})
    db.expire_all()
    record = db.scalars(select(Document).where(Document.inspection_id == inspection.id,
                                               Document.kind == DocumentKind.RECORD)).one()
    page = client.get(f"/documents/{record.id}").get_data(as_text=True)
    assert "On-site position" in page
    assert "At the start the phone was at 37.68762, 112.75321 (WGS-84, within 15 m), 56 m from the enterprise&#39;s " \
        "registered location." in page
    assert "3 photos carry a position, the farthest 1112 m from the registered location." in page
    word = docx.Document(io.BytesIO(client.get(f"/documents/{record.id}.docx").data))
    text = "\n".join(paragraph.text for paragraph in word.paragraphs)
    assert "On-site position: At the start the phone was at 37.68762, 112.75321" in text
    assert "the farthest 1112 m" in text


def test_a_record_without_any_position_says_nothing_of_it(carded, login, db):
    client = english(login("insp_a"))
    inspection = started(db, start_with(client, carded))
    item = pass_everything_but(client, db, inspection.id, "CON-02")
    assert fail_with_photos(client, inspection.id, item, [ORIGINAL]).status_code == 302
    client.post(f"/inspections/{inspection.id}/review", {"inspectors": [carded.colleague_a.id]})
    record = db.scalars(select(Document).where(Document.inspection_id == inspection.id,
                                               Document.kind == DocumentKind.RECORD)).one()
    assert "On-site position" not in client.get(f"/documents/{record.id}").get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(client.get(f"/documents/{record.id}.docx").data)) as word:
        assert "On-site position" not in word.read("word/document.xml").decode()
