"""The inspector's loop through HTTP: site page, start, checklist, hazard with photo, submit, problem list."""

import base64
import hashlib
import uuid
from io import BytesIO
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from checklist.models import Hazard, HazardHistory, HazardStatus, Inspection, InspectionStatus, Photo

from .helpers import deadline_in, fail_item, inspection_id, jpeg_bytes, pass_everything_but, start


def test_anonymous_visitor_sees_only_the_name_and_the_way_to_log_in(client, world):
    page = client.get(f"/s/{world.enterprise_a.qr_token}").get_data(as_text=True)
    assert world.enterprise_a.name in page
    assert "/login?next=" in page
    assert world.enterprise_a.credit_code not in page


def test_unknown_token_is_404(client, world):
    assert client.get("/s/not-a-token").status_code == 404


def test_inspector_sees_the_site_page_with_a_start_form(login, world):
    page = login("insp_a").get(f"/s/{world.enterprise_a.qr_token}").get_data(as_text=True)
    assert world.enterprise_a.credit_code in page
    assert 'name="mode"' in page


def test_login_comes_back_to_the_site_page(client, world):
    url = f"/s/{world.enterprise_a.qr_token}"
    response = client.post(f"/login?next={url}", {"username": "insp_a", "password": "secret-pass"})
    assert response.location == url


def test_the_headers_login_link_comes_back_to_the_page_it_is_on(client, world):
    """The header's 登录 keeps the way back, as the site page's own button does; the login page's does not point
    at itself."""
    url = f"/s/{world.enterprise_a.qr_token}"
    header = client.get(url).get_data(as_text=True).split("</header>")[0]
    assert f'href="/login?next={url}"' in header.replace("%2F", "/")
    header = client.get("/login?next=/reports/daily").get_data(as_text=True).split("</header>")[0]
    assert 'href="/login"' in header
    response = client.post(f"/login?next={url}", {"username": "insp_a", "password": "secret-pass"})
    assert response.location == url


def test_login_does_not_follow_a_next_to_another_site(client, world):
    response = client.post("/login?next=//evil.example/x", {"username": "insp_a", "password": "secret-pass"})
    assert response.location == "/"


def test_full_inspection_with_a_failed_item_and_a_photo(login, world, db, app):
    inspector = login("insp_a")
    started = start(inspector, world)
    assert started.status_code == 302
    number = inspection_id(started)
    item = pass_everything_but(inspector, db, number, "CON-02")
    upload = jpeg_bytes()
    saved = fail_item(inspector, number, item, photos=[upload])
    assert saved.status_code == 302, saved.get_data(as_text=True)
    review = inspector.post(f"/inspections/{number}/review", {"inspectors": [world.colleague_a.id]})
    assert review.location.endswith(f"/inspections/{number}/problems")

    db.expire_all()
    inspection = db.get(Inspection, number)
    assert inspection.status is InspectionStatus.SUBMITTED
    assert {user.username for user in inspection.inspectors} == {"insp_a", "insp_a2"}
    [hazard] = inspection.hazards
    assert hazard.status is HazardStatus.OPEN and hazard.found_at is not None
    assert hazard.deadline == deadline_in(10) and hazard.level.value == "major"
    [photo] = hazard.photos
    assert (Path(app.config["UPLOAD_DIR"]) / photo.path).is_file()
    assert (Path(app.config["UPLOAD_DIR"]) / photo.thumbnail_path).is_file()
    assert photo.sha256 == hashlib.sha256(upload).hexdigest()
    assert [row.to_status for row in hazard.history] == [HazardStatus.OPEN]

    problems = inspector.get(f"/inspections/{number}/problems").get_data(as_text=True)
    assert "脚手架连墙件缺失" in problems
    assert f"/photos/{photo.id}/thumb" in problems
    served = inspector.get(f"/photos/{photo.id}")
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/jpeg"


def test_submitting_twice_creates_nothing_twice(login, world, db):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    item = pass_everything_but(inspector, db, number, "CON-02")
    fail_item(inspector, number, item)
    for _ in range(3):
        inspector.post(f"/inspections/{number}/review", {})
    assert db.scalar(select(func.count(Hazard.id))) == 1
    assert db.scalar(select(func.count(HazardHistory.id))) == 1


def test_starting_with_the_same_form_twice_gives_one_draft(login, world, db):
    inspector = login("insp_a")
    form_uuid = str(uuid.uuid4())
    first, second = start(inspector, world, client_uuid=form_uuid), start(inspector, world, client_uuid=form_uuid)
    assert first.location == second.location
    assert db.scalar(select(func.count(Inspection.id))) == 1


def test_a_failed_item_without_a_description_is_refused(login, world, db):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    item = pass_everything_but(inspector, db, number, "CON-02")
    response = fail_item(inspector, number, item, description="")
    assert response.status_code == 400
    assert db.scalar(select(func.count(Hazard.id))) == 0


def test_an_unfinished_inspection_cannot_be_submitted(login, world, db):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    inspector.post(f"/inspections/{number}/review", {})
    assert db.get(Inspection, number).status is InspectionStatus.DRAFT


def test_a_draft_is_kept_and_listed_on_the_home_page(login, world):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    assert f"/inspections/{number}" in inspector.get("/").get_data(as_text=True)


def test_enforcement_action_with_a_fine(login, world, db):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    response = inspector.post(f"/inspections/{number}/enforcement", {
        "kind": "fine", "document_number": "（榆）住建罚〔2026〕1号", "fine_wan": "2.50", "note": "",
    })
    assert response.status_code == 302
    [action] = db.get(Inspection, number).actions
    assert str(action.fine_wan) == "2.50"


def test_a_fine_without_an_amount_is_refused(login, world, db):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    inspector.post(f"/inspections/{number}/enforcement", {"kind": "fine", "document_number": "x"})
    assert db.get(Inspection, number).actions == []


def test_the_enterprise_signs_the_problem_list(login, world, db):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    item = pass_everything_but(inspector, db, number, "CON-02")
    fail_item(inspector, number, item)
    inspector.post(f"/inspections/{number}/review", {})
    signature = "data:image/png;base64," + base64.b64encode(_png()).decode()
    inspector.post(f"/inspections/{number}/sign", {"signer_name": "王经理", "signature": signature})
    db.expire_all()
    inspection = db.get(Inspection, number)
    assert inspection.signer_name == "王经理" and inspection.signature_png
    assert inspector.get(f"/inspections/{number}/signature.png").status_code == 200


def test_refusing_to_sign_is_recorded(login, world, db):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    pass_everything_but(inspector, db, number, "none")
    inspector.post(f"/inspections/{number}/review", {})
    inspector.post(f"/inspections/{number}/sign", {"signer_name": "", "refused": "y"})
    db.expire_all()
    assert db.get(Inspection, number).signature_refused


def _png() -> bytes:
    output = BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(output, "PNG")
    return output.getvalue()


def test_photo_count_is_one_per_upload(login, world, db):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    item = pass_everything_but(inspector, db, number, "CON-02")
    fail_item(inspector, number, item, photos=[jpeg_bytes(), jpeg_bytes(color=(10, 10, 10))])
    assert db.scalar(select(func.count(Photo.id))) == 2
