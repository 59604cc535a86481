"""Helpers shared by the test modules: driving an inspection through HTTP."""

import re
import uuid
from datetime import date, timedelta
from io import BytesIO

from PIL import Image

from checklist.clock import local_today
from checklist.models import Inspection


def jpeg_bytes(size=(800, 600), color=(120, 160, 200)) -> bytes:
    output = BytesIO()
    Image.new("RGB", size, color).save(output, "JPEG")
    return output.getvalue()


def deadline_in(days: int) -> date:
    return local_today() + timedelta(days=days)


def start(client, world, enterprise=None, mode="county_full", client_uuid=None, team=None):
    enterprise = enterprise or world.enterprise_a
    team = team if team is not None else (0 if mode == "self_check" else world.team_a.id)
    return client.post(f"/s/{enterprise.qr_token}/inspections", {
        "client_uuid": client_uuid or str(uuid.uuid4()), "mode": mode, "team": team,
    })


def inspection_id(response) -> int:
    return int(re.search(r"/inspections/(\d+)", response.location).group(1))


def pass_everything_but(client, db, inspection_id_, failing_code):
    """Mark every item passed except one, and return that one (None if no such code)."""
    inspection = db.get(Inspection, inspection_id_)
    outcomes = {f"outcome-{item.id}": "pass" for item in inspection.checklist.items if item.code != failing_code}
    response = client.post(f"/inspections/{inspection_id_}", outcomes)
    assert response.status_code == 302
    return next((item for item in inspection.checklist.items if item.code == failing_code), None)


def fail_items(client, db, inspection_id_, codes, description="发现问题"):
    """Pass every item but those codes, fail each of them with a hazard, and submit."""
    inspection = db.get(Inspection, inspection_id_)
    outcomes = {f"outcome-{item.id}": "pass" for item in inspection.checklist.items if item.code not in codes}
    assert client.post(f"/inspections/{inspection_id_}", outcomes).status_code == 302
    for item in inspection.checklist.items:
        if item.code in codes:
            assert fail_item(client, inspection_id_, item, description=f"{description} {item.code}").status_code == 302
    assert client.post(f"/inspections/{inspection_id_}/review", {}).status_code == 302


def fail_item(client, inspection_id_, item, photos=(), **fields):
    data = {
        "outcome": "fail", "level": "major", "description": "脚手架连墙件缺失",
        "deadline": deadline_in(10).isoformat(), "responsible_person": "王经理", "note": "东侧",
        **fields,
    }
    data["photos"] = [(BytesIO(photo), f"p{number}.jpg") for number, photo in enumerate(photos)]
    return client.post(f"/inspections/{inspection_id_}/items/{item.id}", data, content_type="multipart/form-data")


def submitted_inspection(client, world, db, photos=()) -> Inspection:
    """Run a whole inspection of enterprise A with one failed item; return it."""
    number = inspection_id(start(client, world))
    item = pass_everything_but(client, db, number, "CON-02")
    assert fail_item(client, number, item, photos=photos).status_code == 302
    assert client.post(f"/inspections/{number}/review", {}).status_code == 302
    db.expire_all()
    return db.get(Inspection, number)
