"""The outbox API under /api/v1: who gets in, idempotent submissions, photos in either order, JSON errors."""

import contextlib
import hashlib
import http.client
import json
import re
import threading
import uuid
from base64 import b64encode
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.serving import make_server

from checklist.models import (
    Checklist,
    EnforcementAction,
    Enterprise,
    Hazard,
    Inspection,
    InspectionStatus,
    ItemResult,
    LoginAttempt,
    Photo,
    User,
)
from checklist.rules import inspections, outbox

from .conftest import PASSWORD
from .helpers import deadline_in, jpeg_bytes

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def new_uuid() -> str:
    return str(uuid.uuid4())


class Api:
    """A client of the API with a bearer token, as the phone's outbox uses it."""

    def __init__(self, http, token):
        self.http, self.headers = http, {"Authorization": f"Bearer {token}"}

    def get(self, url):
        return self.http.get(url, headers=self.headers)

    def put_json(self, url, body):
        return self.http.put(url, json=body, headers=self.headers)

    def put_photo(self, photo_uuid, data, site, content_type="image/jpeg", **query):
        arguments = "".join(f"&{key}={value}" for key, value in query.items())
        return self.http.put(
            f"/api/v1/photos/{photo_uuid}?site={site}{arguments}", data=data,
            headers={**self.headers, "Content-Type": content_type},
        )

    def checklist(self, enterprise):
        return self.get(f"/api/v1/checklists/{enterprise.sector.code}").get_json()


def issue_token(http, username, password=PASSWORD):
    response = http.post("/api/v1/tokens", json={"username": username, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


@pytest.fixture
def api(app, world):
    """Return an API client with a bearer token for a user name."""
    def make(username):
        http = app.test_client()
        return Api(http, issue_token(http, username))
    return make


def submission(world, checklist, photos=(), **changes):
    """A whole inspection of enterprise A: every item passed but the first, failed with a major hazard."""
    first, *others = checklist["items"]
    body = {
        "site": world.enterprise_a.qr_token,
        "mode": "county_full",
        "team_id": world.team_a.id,
        "started_at": "2026-11-20T08:30:00+08:00",
        "checklist_id": checklist["id"],
        "results": [
            {
                "item_code": first["code"], "outcome": "fail", "note": "东侧", "photos": list(photos),
                "hazard": {
                    "uuid": new_uuid(), "level": "major", "description": "脚手架连墙件缺失",
                    "deadline": deadline_in(10).isoformat(), "responsible_person": "王经理",
                },
            },
            *({"item_code": item["code"], "outcome": "pass", "note": "", "photos": [], "hazard": None}
              for item in others),
        ],
        "actions": [
            {"kind": "document", "document_number": "榆住建责改〔2026〕1号", "fine_wan": None, "note": ""},
            {"kind": "fine", "document_number": "", "fine_wan": "2.50", "note": "罚款"},
        ],
        "inspectors": [world.colleague_a.id],
        "signature": {"refused": True, "signer_name": "王经理"},
    }
    body.update(changes)
    return body


def counts(db) -> dict:
    db.expire_all()
    return {
        model.__name__: db.scalar(select(func.count()).select_from(model))
        for model in (Inspection, Hazard, ItemResult, EnforcementAction, Photo)
    }


def signature_base64() -> str:
    output = BytesIO()
    Image.new("LA", (200, 80), (0, 255)).save(output, "PNG")
    return b64encode(output.getvalue()).decode()


# Getting in.


def test_a_token_opens_the_api_for_thirty_days(api, client, world):
    response = client.http.post("/api/v1/tokens", json={"username": "insp_a", "password": PASSWORD})
    assert response.status_code == 201
    expires_at = datetime.fromisoformat(response.get_json()["expires_at"])
    assert timedelta(days=29, hours=23) < expires_at - datetime.now(UTC) <= timedelta(days=30)
    me = Api(client.http, response.get_json()["token"]).get("/api/v1/me").get_json()
    assert me == {
        "id": world.inspector_a.id, "name": "张检查", "role": "inspector",
        "unit": {"id": world.unit_a.id, "name": "榆次区住建局", "county_id": world.county_a.id},
        "teams": [{"id": world.team_a.id, "name": "第一检查督导组"}],
        "modes": ["county_full", "surprise", "video", "cross"],
    }


def test_a_wrong_password_gets_no_token_and_counts_as_a_failed_login(client, db, world):
    response = client.http.post("/api/v1/tokens", json={"username": "insp_a", "password": "wrong"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"
    assert db.scalar(select(func.count()).select_from(LoginAttempt)) == 2  # the account and the address


def test_failed_logins_through_the_api_block_the_login_page_too(client, world):
    for _attempt in range(5):
        client.http.post("/api/v1/tokens", json={"username": "insp_a", "password": "wrong"})
    blocked = client.http.post("/api/v1/tokens", json={"username": "insp_a", "password": PASSWORD})
    assert blocked.status_code == 429 and blocked.get_json()["error"]["code"] == "too_many_attempts"
    assert client.post("/login", {"username": "insp_a", "password": PASSWORD}).status_code == 429


def test_a_token_ends_with_a_new_password(api, app, db, world):
    client = api("insp_a")
    assert client.get("/api/v1/me").status_code == 200
    user = db.get(User, world.inspector_a.id)
    user.set_password("another-secret")
    db.commit()
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic aW5zcDpwYXNz", "Bearer "])
def test_a_bad_authorization_header_is_refused(client, world, header):
    response = client.http.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_without_a_login_the_api_answers_401_in_json(client, world):
    response = client.http.get("/api/v1/sites")
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_the_session_cookie_works_and_its_changes_need_the_csrf_header(login, world):
    inspector = login("insp_a")
    assert inspector.get("/api/v1/me").get_json()["name"] == "张检查"
    url = f"/api/v1/photos/{new_uuid()}?site={world.enterprise_a.qr_token}"
    refused = inspector.http.put(url, data=jpeg_bytes(), content_type="image/jpeg")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    wrong = inspector.http.put(url, data=jpeg_bytes(), content_type="image/jpeg", headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    accepted = inspector.http.put(
        url, data=jpeg_bytes(), content_type="image/jpeg", headers={"X-CSRFToken": inspector.token()}
    )
    assert accepted.status_code == 201, accepted.get_json()


# What a phone needs before it goes offline.


def test_sites_are_the_users_county_by_default(api, world):
    sites = api("insp_a").get("/api/v1/sites").get_json()
    assert {site["name"] for site in sites} == {"榆次建工有限公司", "榆次煤业有限公司"}
    site = next(site for site in sites if site["token"] == world.enterprise_a.qr_token)
    assert site == {
        "token": world.enterprise_a.qr_token, "name": "榆次建工有限公司", "county": "榆次区",
        "county_id": world.county_a.id, "sector_code": "construction", "sector_name": site["sector_name"],
        "address": "",
    }


def test_sites_the_users_own_unit_supervises_come_first(api, db, world):
    """The service worker precaches the first few hundred sites: the inspector's own unit's first."""
    def names():
        return [site["name"] for site in api("insp_a").get("/api/v1/sites").get_json()]

    assert names() == ["榆次建工有限公司", "榆次煤业有限公司"]  # both its unit's: by name
    db.get(Enterprise, world.enterprise_a.id).supervising_unit_id = None
    db.commit()
    assert names() == ["榆次煤业有限公司", "榆次建工有限公司"]


def test_the_city_lists_one_county_or_all(api, world):
    city = api("city")
    assert len(city.get("/api/v1/sites").get_json()) == 3
    [site] = city.get(f"/api/v1/sites?county={world.county_b.id}").get_json()
    assert site["name"] == "太谷建设有限公司"


def test_an_enterprise_lists_only_itself(api, world):
    sites = api("91140702MA0K000013").get("/api/v1/sites").get_json()
    assert [site["token"] for site in sites] == [world.enterprise_a.qr_token]


def test_the_checklist_is_the_current_version_with_its_items(api, db, world):
    checklist = api("insp_a").checklist(world.enterprise_a)
    stored = db.get(Checklist, checklist["id"])
    assert checklist["version"] == stored.version and checklist["sector_code"] == "construction"
    assert [item["code"] for item in checklist["items"]] == [item.code for item in stored.items]
    assert {"common", "sector"} == {item["section"] for item in checklist["items"]}


def test_an_unknown_sector_has_no_checklist(api, world):
    response = api("insp_a").get("/api/v1/checklists/no-such-sector")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


# Inspections: created once, whatever happens to the network.


def test_an_inspection_is_recorded_submitted_and_signed_in_one_go(api, db, world):
    client = api("insp_a")
    checklist = client.checklist(world.enterprise_a)
    client_uuid = new_uuid()
    body = submission(world, checklist)
    body["signature"] = {"signer_name": "王经理", "png_base64": signature_base64()}
    response = client.put_json(f"/api/v1/inspections/{client_uuid}", body)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "complete" and answer["missing_photos"] == []
    assert answer["problem_list_url"] == f"/inspections/{answer['id']}/problems"

    inspection = db.get(Inspection, answer["id"])
    assert inspection.uuid == client_uuid and inspection.status is InspectionStatus.SUBMITTED
    assert inspection.client_hash == outbox.submission_hash(body)
    assert inspection.started_at.isoformat() == "2026-11-20T00:30:00"  # stored in UTC
    assert {user.username for user in inspection.inspectors} == {"insp_a", "insp_a2"}
    [hazard] = inspection.hazards
    assert hazard.uuid == body["results"][0]["hazard"]["uuid"] and hazard.found_at is not None
    assert hazard.deadline == deadline_in(10) and hazard.level.value == "major"
    assert [(action.kind.value, str(action.fine_wan)) for action in inspection.actions] == [
        ("document", "0.00"), ("fine", "2.50")
    ]
    assert inspection.signer_name == "王经理" and inspection.signature_png.startswith(b"\x89PNG")
    assert client.get(f"/api/v1/inspections/{client_uuid}").get_json() == answer


def test_the_same_inspection_sent_five_times_is_recorded_once(api, db, world):
    client = api("insp_a")
    body, client_uuid = submission(world, client.checklist(world.enterprise_a)), new_uuid()
    responses = [client.put_json(f"/api/v1/inspections/{client_uuid}", body) for _ in range(5)]
    assert [response.status_code for response in responses] == [201, 200, 200, 200, 200]
    assert len({json.dumps(response.get_json()) for response in responses}) == 1
    assert counts(db) == {
        "Inspection": 1, "Hazard": 1, "ItemResult": len(body["results"]), "EnforcementAction": 2, "Photo": 0,
    }


def test_the_same_content_in_another_key_order_is_the_same_inspection(api, world):
    client = api("insp_a")
    body, client_uuid = submission(world, client.checklist(world.enterprise_a)), new_uuid()
    assert client.put_json(f"/api/v1/inspections/{client_uuid}", body).status_code == 201
    reordered = dict(reversed(list(body.items())))
    assert client.put_json(f"/api/v1/inspections/{client_uuid}", reordered).status_code == 200


def test_an_inspection_stored_by_another_request_after_this_one_looked_is_answered_200(api, db, world, monkeypatch):
    client, other_phone_tab = api("insp_a"), api("insp_a")
    body, url = submission(world, client.checklist(world.enterprise_a)), f"/api/v1/inspections/{new_uuid()}"
    lock = outbox._lock

    def the_other_request_first(session, enterprise):
        monkeypatch.setattr(outbox, "_lock", lock)
        assert other_phone_tab.put_json(url, body).status_code == 201
        lock(session, enterprise)

    monkeypatch.setattr(outbox, "_lock", the_other_request_first)
    assert client.put_json(url, body).status_code == 200
    assert counts(db)["Inspection"] == 1


def test_another_body_under_the_same_uuid_is_refused_and_changes_nothing(api, db, world):
    client = api("insp_a")
    body, client_uuid = submission(world, client.checklist(world.enterprise_a)), new_uuid()
    first = client.put_json(f"/api/v1/inspections/{client_uuid}", body).get_json()
    before = counts(db)
    changed = json.loads(json.dumps(body))
    changed["results"][0]["hazard"]["description"] = "另一个隐患"
    response = client.put_json(f"/api/v1/inspections/{client_uuid}", changed)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    assert counts(db) == before
    [hazard] = db.get(Inspection, first["id"]).hazards
    assert hazard.description == "脚手架连墙件缺失"


def test_another_user_cannot_reuse_an_inspection_uuid(api, world):
    client, colleague = api("insp_a"), api("insp_a2")
    body, client_uuid = submission(world, client.checklist(world.enterprise_a)), new_uuid()
    assert client.put_json(f"/api/v1/inspections/{client_uuid}", body).status_code == 201
    body["inspectors"] = []
    assert colleague.put_json(f"/api/v1/inspections/{client_uuid}", body).status_code == 409


def test_every_item_needs_a_result(api, db, world):
    client = api("insp_a")
    checklist = client.checklist(world.enterprise_a)
    body = submission(world, checklist)
    left_out = [result["item_code"] for result in body["results"][-2:]]
    body["results"] = body["results"][:-2]
    response = client.put_json(f"/api/v1/inspections/{new_uuid()}", body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "missing_results" and error["missing_items"] == left_out
    assert all(code in error["message"] for code in left_out)
    assert counts(db)["Inspection"] == 0


@pytest.mark.parametrize("change, field", [
    (lambda body: body.update(mode="sideways"), "mode"),
    (lambda body: body.update(checklist_id=999_999), "checklist_id"),
    (lambda body: body.update(team_id=True), "team_id"),
    (lambda body: body.update(started_at="yesterday"), "started_at"),
    (lambda body: body["results"][0].update(outcome="maybe"), "results[0].outcome"),
    (lambda body: body["results"][0].update(hazard=None), "results[0].hazard"),
    (lambda body: body["results"][1].update(hazard=body["results"][0]["hazard"]), "results[1].hazard"),
    (lambda body: body["results"][0]["hazard"].update(description=" "), "results[0].hazard.description"),
    (lambda body: body["results"][0].update(photos=["not-a-uuid"]), "results[0].photos[0]"),
    (lambda body: body["results"][1].update(item_code=body["results"][0]["item_code"]), "results[1].item_code"),
    (lambda body: body["actions"][1].update(fine_wan="-3"), "actions[1].fine_wan"),
    (lambda body: body["actions"][0].update(kind="pardon"), "actions[0].kind"),
    (lambda body: body.update(inspectors=[999_999]), "inspectors[0]"),
    (lambda body: body.update(signature={"signer_name": "王经理", "png_base64": "bm90IGEgcG5n"}),
     "signature.png_base64"),
])
def test_a_refused_value_is_named_and_nothing_is_stored(api, db, world, change, field):
    client = api("insp_a")
    body = submission(world, client.checklist(world.enterprise_a))
    change(body)
    response = client.put_json(f"/api/v1/inspections/{new_uuid()}", body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["field"] == field
    assert counts(db)["Inspection"] == 0


def test_a_phones_older_checklist_version_is_kept(api, db, world):
    client = api("insp_a")
    older = client.checklist(world.enterprise_a)
    stored = db.get(Checklist, older["id"])
    newer = Checklist(sector_id=stored.sector_id, version=stored.version + 1, content_hash="x", source="import")
    db.add(newer)
    db.commit()
    assert client.checklist(world.enterprise_a)["id"] == newer.id
    answer = client.put_json(f"/api/v1/inspections/{new_uuid()}", submission(world, older)).get_json()
    assert db.get(Inspection, answer["id"]).checklist_id == older["id"]


def test_a_checklist_of_another_sector_is_refused(api, world):
    client = api("insp_a")
    coal = client.checklist(world.enterprise_a2)
    body = submission(world, client.checklist(world.enterprise_a), checklist_id=coal["id"])
    response = client.put_json(f"/api/v1/inspections/{new_uuid()}", body)
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "checklist_id"


def test_an_enterprise_sends_its_self_inspection(api, db, world):
    client = api("91140702MA0K000013")
    body = submission(world, client.checklist(world.enterprise_a), mode="self_check", team_id=None,
                      actions=[], inspectors=[], signature=None)
    response = client.put_json(f"/api/v1/inspections/{new_uuid()}", body)
    assert response.status_code == 201, response.get_json()
    assert db.get(Inspection, response.get_json()["id"]).mode.value == "self_check"
    body["mode"] = "county_full"
    refused = client.put_json(f"/api/v1/inspections/{new_uuid()}", body)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"


# Photos, before or after their inspection.


def test_a_photo_sent_before_its_inspection_is_attached_when_the_inspection_arrives(api, app, db, world):
    client = api("insp_a")
    photo_uuid, upload = new_uuid(), jpeg_bytes()
    sent = client.put_photo(photo_uuid, upload, world.enterprise_a.qr_token, captured_at="2026-11-20T09:15:00Z")
    assert sent.status_code == 201, sent.get_json()
    receipt = sent.get_json()
    assert receipt == {
        "uuid": photo_uuid, "id": receipt["id"], "sha256": hashlib.sha256(upload).hexdigest(), "attached": False,
    }
    photo = db.get(Photo, receipt["id"])
    assert photo.inspection_id is None and photo.enterprise_id == world.enterprise_a.id
    assert photo.captured_at.isoformat() == "2026-11-20T09:15:00"

    body = submission(world, client.checklist(world.enterprise_a), photos=[photo_uuid])
    answer = client.put_json(f"/api/v1/inspections/{new_uuid()}", body).get_json()
    assert answer["status"] == "complete" and answer["missing_photos"] == []
    db.expire_all()
    photo = db.get(Photo, receipt["id"])
    inspection = db.get(Inspection, answer["id"])
    assert photo.inspection_id == inspection.id
    assert photo.hazard_id == inspection.hazards[0].id and photo.item_id == inspection.hazards[0].item_id
    assert client.put_photo(photo_uuid, upload, world.enterprise_a.qr_token).get_json()["attached"] is True


def test_an_inspection_waits_for_a_declared_photo_that_has_not_arrived(api, db, world):
    client = api("insp_a")
    photo_uuid, client_uuid = new_uuid(), new_uuid()
    body = submission(world, client.checklist(world.enterprise_a), photos=[photo_uuid])
    answer = client.put_json(f"/api/v1/inspections/{client_uuid}", body).get_json()
    assert answer["status"] == "incomplete" and answer["missing_photos"] == [photo_uuid]
    assert client.get(f"/api/v1/inspections/{client_uuid}").get_json()["status"] == "incomplete"

    sent = client.put_photo(photo_uuid, jpeg_bytes(), world.enterprise_a.qr_token)
    assert sent.status_code == 201 and sent.get_json()["attached"] is True
    after = client.get(f"/api/v1/inspections/{client_uuid}").get_json()
    assert after["status"] == "complete" and after["missing_photos"] == []
    [photo] = db.get(Inspection, answer["id"]).hazards[0].photos
    assert photo.uuid == photo_uuid


def test_the_same_photo_again_is_stored_once_and_other_bytes_are_refused(api, app, db, world):
    client, photo_uuid = api("insp_a"), new_uuid()
    first = client.put_photo(photo_uuid, jpeg_bytes(), world.enterprise_a.qr_token)
    again = client.put_photo(photo_uuid, jpeg_bytes(), world.enterprise_a.qr_token)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    other = client.put_photo(photo_uuid, jpeg_bytes(color=(200, 10, 10)), world.enterprise_a.qr_token)
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "conflict"
    assert counts(db)["Photo"] == 1
    assert db.get(Photo, first.get_json()["id"]).sha256 == first.get_json()["sha256"]


def test_a_broken_image_is_refused_in_chinese(api, db, world):
    response = api("insp_a").put_photo(new_uuid(), jpeg_bytes()[:300], world.enterprise_a.qr_token)
    assert response.status_code == 422 and response.is_json
    error = response.get_json()["error"]
    assert error["code"] in ("corrupt", "not_image") and CHINESE.search(error["message"])
    assert counts(db)["Photo"] == 0


def test_a_photo_of_another_type_is_refused_with_415(api, world):
    response = api("insp_a").put_photo(new_uuid(), b"GIF89a", world.enterprise_a.qr_token, content_type="image/gif")
    assert response.status_code == 415 and response.get_json()["error"]["code"] == "unsupported_media_type"


def test_a_photo_larger_than_the_limit_is_refused_with_413(api, app, world):
    app.config["PHOTO_MAX_BYTES"] = 1000
    response = api("insp_a").put_photo(new_uuid(), jpeg_bytes(), world.enterprise_a.qr_token)
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_a_body_larger_than_any_request_may_be_is_refused_in_json(api, app, world):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api("insp_a").put_photo(new_uuid(), jpeg_bytes(), world.enterprise_a.qr_token)
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_a_photo_of_an_unknown_site_is_404(api, world):
    response = api("insp_a").put_photo(new_uuid(), jpeg_bytes(), "0" * 32)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_site"


# Each county sees its own.


def test_another_countys_inspector_is_kept_out(api, world):
    owner, stranger = api("insp_a"), api("insp_b")
    client_uuid = new_uuid()
    body = submission(world, owner.checklist(world.enterprise_a))
    assert owner.put_json(f"/api/v1/inspections/{client_uuid}", body).status_code == 201

    listed = stranger.get(f"/api/v1/sites?county={world.county_a.id}")
    assert listed.status_code == 403 and listed.get_json()["error"]["code"] == "forbidden"
    body["team_id"], body["inspectors"] = None, []
    sent = stranger.put_json(f"/api/v1/inspections/{new_uuid()}", body)
    assert sent.status_code == 403 and CHINESE.search(sent.get_json()["error"]["message"])
    photo = stranger.put_photo(new_uuid(), jpeg_bytes(), world.enterprise_a.qr_token)
    assert photo.status_code == 403
    seen = stranger.get(f"/api/v1/inspections/{client_uuid}")
    assert seen.status_code == 404 and seen.get_json()["error"]["code"] == "not_found"
    assert owner.get(f"/api/v1/inspections/{client_uuid}").status_code == 200


def test_a_photo_declared_by_another_users_inspection_is_refused(api, world):
    owner, colleague = api("insp_a"), api("insp_a2")
    photo_uuid = new_uuid()
    body = submission(world, owner.checklist(world.enterprise_a), photos=[photo_uuid])
    assert owner.put_json(f"/api/v1/inspections/{new_uuid()}", body).status_code == 201
    response = colleague.put_photo(photo_uuid, jpeg_bytes(), world.enterprise_a.qr_token)
    assert response.status_code == 409


# Errors are JSON.


@pytest.mark.parametrize("method, url, status, code", [
    ("get", "/api/v1/no-such-thing", 404, "not_found"),
    ("get", "/api/v1", 404, "not_found"),
    ("delete", "/api/v1/me", 405, "method_not_allowed"),
    ("get", "/api/v1/photos/3fa85f64-5717-4562-b3fc-2c963f66afa6", 405, "method_not_allowed"),
    ("get", "/api/v1/sites?county=abc", 422, "invalid"),
    ("get", "/api/v1/sites?county=99999", 404, "not_found"),
    ("get", "/api/v1/inspections/not-a-uuid", 404, "not_found"),
])
def test_errors_under_the_api_are_json(api, world, method, url, status, code):
    client = api("city")
    response = getattr(client.http, method)(url, headers=client.headers)
    assert response.status_code == status and response.is_json
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_a_malformed_or_non_json_body_is_refused_in_json(api, world):
    client = api("insp_a")
    url = f"/api/v1/inspections/{new_uuid()}"
    broken = client.http.put(url, data="{not json", content_type="application/json", headers=client.headers)
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "bad_request"
    nan = client.http.put(url, data='{"site": NaN}', content_type="application/json", headers=client.headers)
    assert nan.status_code == 400
    for half_a_pair in ('{"site": "\\ud800"}', '{"results": [{"note": "\\udfff"}]}'):  # no UTF-8 for it
        lone = client.http.put(url, data=half_a_pair, content_type="application/json", headers=client.headers)
        assert lone.status_code == 400 and lone.get_json()["error"]["code"] == "bad_request", half_a_pair
    form = client.http.put(url, data={"site": "x"}, headers=client.headers)
    assert form.status_code == 415
    listed = client.put_json(url, [1, 2])
    assert listed.status_code == 422 and listed.get_json()["error"]["field"] == "body"


def test_pages_outside_the_api_keep_their_html_errors(client, world):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_the_openapi_document_describes_every_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = {
        (re.sub(r"<(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method.lower())
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert routes == described
    assert set(document["components"]["securitySchemes"]) == {"bearer", "cookie", "csrfToken"}


# Two requests at the same moment, against a real threaded server.


@pytest.fixture
def server(app):
    """Serve the app on a free local port, with a thread per request."""
    running = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running.server_port
    running.shutdown()
    running.server_close()
    thread.join()


def send(port, method, path, body, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def at_the_same_moment(port, *requests):
    """Send the requests from threads at once; return their (status, body) in order."""
    answers = [None] * len(requests)

    def run(number, request):
        answers[number] = send(port, *request)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def hold_until_both_arrive(monkeypatch, module, name):
    """Make both requests reach this point, past their own look for an earlier copy, before either writes.

    On SQLite they cannot both be there: a writing request takes the write lock at its BEGIN IMMEDIATE, so
    the other waits for the first to commit. The first then goes on after a while, alone.
    """
    original, barrier = getattr(module, name), threading.Barrier(2, timeout=2)

    def waiting(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, waiting)


def test_the_same_inspection_twice_at_the_same_moment_is_recorded_once(api, db, world, server, monkeypatch):
    client = api("insp_a")
    body = submission(world, client.checklist(world.enterprise_a))
    hold_until_both_arrive(monkeypatch, inspections, "active_campaign")
    request = ("PUT", f"/api/v1/inspections/{new_uuid()}", json.dumps(body).encode(),
               {**client.headers, "Content-Type": "application/json"})
    answers = at_the_same_moment(server, request, request)
    assert sorted(status for status, _answer in answers) == [200, 201], answers
    assert answers[0][1] == answers[1][1]
    assert counts(db) == {
        "Inspection": 1, "Hazard": 1, "ItemResult": len(body["results"]), "EnforcementAction": 2, "Photo": 0,
    }


def test_a_photo_and_its_inspection_at_the_same_moment_meet(api, db, world, server, monkeypatch):
    client = api("insp_a")
    photo_uuid, client_uuid = new_uuid(), new_uuid()
    body = submission(world, client.checklist(world.enterprise_a), photos=[photo_uuid])
    hold_until_both_arrive(monkeypatch, outbox, "_lock")
    answers = at_the_same_moment(
        server,
        ("PUT", f"/api/v1/inspections/{client_uuid}", json.dumps(body).encode(),
         {**client.headers, "Content-Type": "application/json"}),
        ("PUT", f"/api/v1/photos/{photo_uuid}?site={world.enterprise_a.qr_token}", jpeg_bytes(),
         {**client.headers, "Content-Type": "image/jpeg"}),
    )
    assert [status for status, _answer in answers] == [201, 201], answers
    monkeypatch.undo()
    assert client.get(f"/api/v1/inspections/{client_uuid}").get_json()["status"] == "complete"
    db.expire_all()
    assert db.scalars(select(Photo)).one().inspection_id == answers[0][1]["id"]
