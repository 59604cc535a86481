"""Workers' hazard reports (员工隐患报告): anyone reports through the site's QR code without logging in; the
supervising unit turns the report into a hazard or dismisses it; the reporter follows it with a code; the
enterprise never learns who sent it."""

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from checklist.clock import local_today
from checklist.models import (
    CoverageTally,
    Hazard,
    HazardStatus,
    HistoryAction,
    Inspection,
    InspectionMode,
    InspectionStatus,
    Photo,
    Sector,
    Unit,
    UnitKind,
    WorkerReport,
    WorkerReportStatus,
    utcnow,
)
from checklist.read import coverage, overview, statistics
from checklist.read import reports as daily
from checklist.read.paging import PAGE_SIZE
from checklist.rules import limits
from checklist.rules.inspections import active_campaign
from checklist.rules.worker_reports import code_hash

from .conftest import Client
from .factories import add_enterprise, new_uuid
from .helpers import jpeg_bytes
from .test_bad_input import hundred_megapixel_png
from .test_rectify import submit_fix
from .test_tallies import counted

CODE = re.compile(r'class="report-code">([A-Z0-9-]+)<')
CONTACT = "13800001234 李四"


def anonymous(app, english=False) -> Client:
    client = Client(app.test_client())
    return client.english() if english else client


def send(client: Client, enterprise, *, photo: bytes | None = None, address="10.1.0.1", **fields):
    """Send the report form of the enterprise's site, as a phone's browser does (multipart, no JavaScript)."""
    data = {"client_uuid": new_uuid(), "description": "配电箱门敞开，电线裸露", "place": "二号车间东侧",
            "contact": CONTACT, **fields}
    if photo is not None:
        data["photo"] = (BytesIO(photo), "hazard.jpg")
    return client.post(f"/s/{enterprise.qr_token}/report", data, content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": address})


def code_of(response) -> str:
    return CODE.search(response.get_data(as_text=True)).group(1).replace("-", "")


def reported(app, enterprise, **fields) -> tuple[WorkerReport, str]:
    response = send(anonymous(app), enterprise, **fields)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    code = code_of(response)
    with app.extensions["sessionmaker"]() as session:
        report = session.scalars(select(WorkerReport).where(WorkerReport.code_hash == code_hash(code))).one()
        session.expunge(report)
    return report, code


def accept(client, report, **fields):
    return client.post(f"/worker-reports/{report.id}/accept", {
        "level": "major", "description": "二号车间配电箱未关闭、电线裸露", "responsible_person": "王经理",
        "deadline": (local_today() + timedelta(days=10)).isoformat(), **fields,
    })


def stored_files(app) -> list[Path]:
    uploads = Path(app.config["UPLOAD_DIR"])
    return [path for path in uploads.rglob("*") if path.is_file()] if uploads.exists() else []


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


# The form, for anyone


def test_the_site_pages_offer_anyone_to_report_a_hazard(app, world, login):
    form_url = f"/s/{world.enterprise_a.qr_token}/report"
    assert form_url in anonymous(app).get(f"/s/{world.enterprise_a.qr_token}").get_data(as_text=True)
    assert form_url in login("insp_a").get(f"/s/{world.enterprise_a.qr_token}").get_data(as_text=True)
    page = anonymous(app).get(form_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    # a plain multipart form: WeChat's browser sends it without any script
    assert re.search(r'<form method="post" enctype="multipart/form-data"', html)
    for name in ("description", "place", "photo", "contact", "client_uuid", "csrf_token"):
        assert f'name="{name}"' in html
    assert 'maxlength="500"' in html and 'maxlength="100"' in html and 'maxlength="60"' in html
    assert anonymous(app).get("/s/no-such-token/report").status_code == 404


def test_a_report_without_a_photo_waits_in_the_supervising_units_queue(app, world, db, login):
    response = send(anonymous(app, english=True), world.enterprise_a)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "shown only this once" in page
    code = code_of(response)
    assert len(code) == 16 and set(code) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    report = db.scalars(select(WorkerReport)).one()
    assert (report.unit_id, report.status, report.contact) == (world.unit_a.id, WorkerReportStatus.PENDING, CONTACT)
    assert report.code_hash == code_hash(code) and code not in report.code_hash  # only the hash is kept
    assert not report.photos
    for username in ("insp_a", "admin_a", "city"):
        assert f"/worker-reports/{report.id}" in login(username).get("/worker-reports").get_data(as_text=True)
    for username in ("insp_b", "admin_b"):
        assert f"/worker-reports/{report.id}" not in login(username).get("/worker-reports").get_data(as_text=True)
    home = login("insp_a").get("/").get_data(as_text=True)
    assert re.search(r'href="/worker-reports" class="alert"><b>1</b>', home)


def test_a_report_of_an_enterprise_without_a_supervising_unit_goes_to_its_county_committee(app, world, db, login):
    sector = db.scalars(select(Sector).where(Sector.code == "construction")).one()
    orphan = add_enterprise(db, "榆次无主管公司", world.county_a, sector)
    db.commit()
    report, _code = reported(app, orphan)
    committee = db.get(Unit, report.unit_id)
    assert committee.kind is UnitKind.COMMITTEE and committee.county_id == world.county_a.id
    assert login("admin_a").get(f"/worker-reports/{report.id}").status_code == 200  # the county's supervisor
    assert login("insp_a").get(f"/worker-reports/{report.id}").status_code == 403  # another unit's


def test_a_reports_photo_is_stamped_and_seen_only_by_its_deciders_and_its_code(app, world, db, login):
    report, code = reported(app, world.enterprise_a, photo=jpeg_bytes((1200, 900), (200, 200, 200)))
    photo = db.scalars(select(Photo)).one()
    assert (photo.worker_report_id, photo.uploaded_by_id, photo.inspection_id) == (report.id, None, None)
    assert photo.enterprise_id == world.enterprise_a.id and len(stored_files(app)) == 2
    with Image.open(Path(app.config["UPLOAD_DIR"]) / photo.path) as image:  # the pipeline's stamp, bottom left
        assert sum(image.getpixel((20, image.height - 20))) < sum(image.getpixel((600, 300))) - 100
        assert image.width == 1200 and not image.getexif()
    for username in ("insp_a", "admin_a", "city"):
        for url in (f"/photos/{photo.id}", f"/photos/{photo.id}/thumb"):
            response = login(username).get(url)
            assert response.status_code == 200 and response.mimetype == "image/jpeg", (username, url)
    for username in ("91140702MA0K000013", "91140702MA0K000026", "insp_b", "admin_b"):
        assert login(username).get(f"/photos/{photo.id}").status_code == 403, username
    assert anonymous(app).get(f"/photos/{photo.id}").status_code == 302  # log in first
    for url in (f"/r/{code}/photo", f"/r/{code}/photo/thumb"):
        response = anonymous(app).get(url)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
    wrong = "23456789ABCDEFGH" if code != "23456789ABCDEFGH" else "HGFEDCBA98765432"
    assert anonymous(app).get(f"/r/{wrong}/photo").status_code == 404
    _report, no_photo_code = reported(app, world.enterprise_a, address="10.1.0.2")
    assert anonymous(app).get(f"/r/{no_photo_code}/photo").status_code == 404


# Bad input


@pytest.mark.parametrize("fields, field", [
    ({"description": "   "}, "description"),
    ({"place": ""}, "place"),
    ({"description": "漏" * 501}, "description"),
    ({"place": "东" * 101}, "place"),
    ({"contact": "1" * 61}, "contact"),
])
def test_empty_or_too_long_reports_are_refused_keeping_what_was_typed(app, world, db, fields, field):
    response = send(anonymous(app), world.enterprise_a, **{"place": "锅炉房门口", **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(rf'<div class="field invalid">\s*<label for="{field}"', page)
    kept = "锅炉房门口" if field != "place" else "配电箱门敞开，电线裸露"
    assert kept in page  # the form keeps what was typed
    assert count(db, WorkerReport) == 0


@pytest.mark.parametrize("data, expected", [
    (hundred_megapixel_png(), "too many pixels"),
    (b"%PDF-1.4 not a photo", "not an image we can read"),
    (jpeg_bytes((1200, 900))[:3000], "damaged or incomplete"),
])
def test_a_hostile_image_is_refused_clearly_and_nothing_is_stored(app, world, db, data, expected):
    response = send(anonymous(app, english=True), world.enterprise_a, photo=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and expected in page
    assert "配电箱门敞开，电线裸露" in page and "Choose the photo again" in page
    assert count(db, WorkerReport) == 0 and count(db, Photo) == 0 and not stored_files(app)


def test_a_form_sent_twice_stores_one_report_and_shows_its_code_once(app, world, db):
    client, client_uuid = anonymous(app, english=True), new_uuid()
    first = send(client, world.enterprise_a, client_uuid=client_uuid)
    again = send(client, world.enterprise_a, client_uuid=client_uuid)
    assert first.status_code == again.status_code == 200
    assert CODE.search(first.get_data(as_text=True)) and not CODE.search(again.get_data(as_text=True))
    assert "already been received" in again.get_data(as_text=True)
    assert count(db, WorkerReport) == 1


# Abuse: limits per address and per enterprise, as failed logins are limited


def test_reports_from_one_address_are_limited_per_hour(app, world, db):
    app.config["WORKER_REPORTS_PER_ADDRESS"] = 3
    client = anonymous(app, english=True)
    assert [send(client, world.enterprise_a, address="10.2.0.1").status_code for _ in range(3)] == [200] * 3
    refused = send(client, world.enterprise_a2, address="10.2.0.1", place="仓库二楼")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "from this network in the last hour" in page
    assert "仓库二楼" in page  # what was typed stays in the form
    assert send(client, world.enterprise_a, address="10.2.0.2").status_code == 200  # another address
    assert count(db, WorkerReport) == 4
    assert limits.reached(db, [limits.Limit("report-addr:10.2.0.1", 3, timedelta(hours=1))]) is not None
    later = utcnow() + timedelta(hours=1, minutes=1)  # the hour past, the address may send again
    assert limits.reached(db, [limits.Limit("report-addr:10.2.0.1", 3, timedelta(hours=1))], later) is None


def test_reports_of_one_enterprise_are_limited_per_day(app, world, db):
    app.config["WORKER_REPORTS_PER_ENTERPRISE"] = 3
    client = anonymous(app, english=True)
    statuses = [send(client, world.enterprise_a, address=f"10.3.0.{number}").status_code for number in range(4)]
    assert statuses == [200, 200, 200, 429]
    page = send(client, world.enterprise_a, address="10.3.1.1").get_data(as_text=True)
    assert "too many reports today" in page
    assert send(client, world.enterprise_a2, address="10.3.1.1").status_code == 200  # another enterprise
    assert count(db, WorkerReport) == 4


# The code


def test_the_code_shows_the_outcome_and_a_wrong_code_is_a_missing_page(app, world, db):
    report, code = reported(app, world.enterprise_a)
    client = anonymous(app, english=True)
    page = client.get(f"/r/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "配电箱门敞开，电线裸露" in html and "Waiting for the supervising unit" in html
    assert CONTACT not in html  # the code's holder may not be the reporter
    grouped = "-".join(code[start:start + 4] for start in range(0, 16, 4)).lower()
    assert client.get(f"/r/{grouped}").status_code == 200  # typed in lower case, in groups
    lookup = client.get("/r", query_string={"code": grouped})
    assert lookup.status_code == 302 and lookup.location.endswith(f"/r/{code}")
    assert client.get("/r").status_code == 200
    missing = client.get("/no-such-page").get_data(as_text=True)
    for wrong in ("23456789ABCDEFGH", code[:-1], code + "2", "x" * 200):
        if wrong == code:
            continue
        response = client.get(f"/r/{wrong}")
        assert response.status_code == 404
        assert re.search(r"<main>.*</main>", response.get_data(as_text=True), re.S).group(0) == re.search(
            r"<main>.*</main>", missing, re.S).group(0)
    for username in ("insp_a", "city"):  # the queue's people read it by id; nobody else, and never by id alone
        assert report.description in _page(app, username, f"/worker-reports/{report.id}")


def _page(app, username, url) -> str:
    return Client(app.test_client()).login(username).get(url).get_data(as_text=True)


# Deciding


def test_accepting_a_report_records_a_hazard_with_its_history_and_keeps_the_tallies(app, world, db, login):
    report, code = reported(app, world.enterprise_a)
    officer = login("insp_a")
    form = officer.get(f"/worker-reports/{report.id}").get_data(as_text=True)
    assert CONTACT in form and "二号车间东侧" in form  # the deciders see it all
    assert "王经理" in form  # the enterprise's contact, offered as responsible for the fix
    response = accept(officer, report)
    assert response.status_code == 302 and response.location.endswith(f"/worker-reports/{report.id}")
    db.expire_all()
    stored = db.get(WorkerReport, report.id)
    hazard = stored.hazard
    assert stored.status is WorkerReportStatus.ACCEPTED and stored.decided_by_id == world.inspector_a.id
    assert (hazard.enterprise_id, hazard.status, hazard.level.value) == (world.enterprise_a.id, HazardStatus.OPEN,
                                                                          "major")
    assert hazard.found_at is not None and hazard.item_id is None
    [history] = hazard.history
    assert (history.action, history.user_id, history.to_status) == (HistoryAction.FOUND, world.inspector_a.id,
                                                                   HazardStatus.OPEN)
    record = hazard.inspection
    assert (record.mode, record.status, record.unit_id, record.team_id) == (
        InspectionMode.REPORT, InspectionStatus.RECORDED, world.unit_a.id, None)
    kept, afresh = counted(app)
    assert kept == afresh  # the kept tallies equal a rebuild
    assert [row[:2] + row[4:] for row in kept[2]] == [(world.unit_a.id, hazard.level, 1)]  # the unit's hazard
    today = local_today()
    row = next(row for row in statistics.county_table(db, world.county_a, today, today).rows
               if row.unit_id == world.unit_a.id)
    # the statistics table counts the hazard for the receiving unit, and no visit: no team, no person, no enterprise
    assert (row.major_found, row.major_closed, row.teams, row.inspectors, row.inspected) == (1, 0, 0, 0, 0)
    campaign = active_campaign(db)
    assert count(db, CoverageTally) == 0  # the enterprise is not covered by a report
    assert coverage.of_unit(db, world.unit_a, coverage.Period.so_far(campaign, today)).inspected == 0
    assert sum(overview.inspections_by_mode(db, world.city_admin, campaign).values()) == 0
    assert InspectionMode.REPORT not in overview.inspections_by_mode(db, world.city_admin, campaign)
    committee_a = db.scalars(select(Unit).where(Unit.county_id == world.county_a.id,
                                                Unit.kind == UnitKind.COMMITTEE)).one()
    figures = daily.daily_figures(db, committee_a, today)
    assert (figures.hazards_found, figures.supervision_checks, figures.surprise_checks) == (1, 0, 0)
    status = anonymous(app, english=True).get(f"/r/{code}").get_data(as_text=True)
    assert "Turned into a hazard" in status and "Major" in status and "Open" in status

    # the enterprise fixes it as any hazard; the receiving unit verifies it; the reporter sees it closed
    enterprise = login("91140702MA0K000013")
    assert submit_fix(enterprise, hazard).status_code == 302
    assert officer.post(f"/hazards/{hazard.id}/accept", {"note": "已整改"}).status_code == 302
    kept, afresh = counted(app)
    assert kept == afresh
    status = anonymous(app, english=True).get(f"/r/{code}").get_data(as_text=True)
    assert "Closed" in status
    row = next(row for row in statistics.county_table(db, world.county_a, today, today).rows
               if row.unit_id == world.unit_a.id)
    assert (row.major_found, row.major_closed) == (1, 1)


def test_a_hazard_from_a_report_is_no_inspection_nobody_signs_or_papers(app, world, db, login):
    report, _code = reported(app, world.enterprise_a)
    assert accept(login("insp_a"), report).status_code == 302
    db.expire_all()
    record = db.get(WorkerReport, report.id).hazard.inspection
    officer = login("insp_a")
    problems = officer.get(f"/inspections/{record.id}/problems").get_data(as_text=True)
    assert 'id="sign-form"' not in problems
    assert officer.post(f"/inspections/{record.id}/sign", {"signer_name": "王经理", "refused": "y"}).status_code == 400
    assert officer.post(f"/inspections/{record.id}/documents", {}).status_code == 302  # with the refusal flashed
    db.expire_all()
    assert db.get(Inspection, record.id).signed_at is None and not db.get(Inspection, record.id).documents
    # nobody may start one
    response = officer.post(f"/s/{world.enterprise_a.qr_token}/inspections", {
        "client_uuid": new_uuid(), "mode": "report", "team": world.team_a.id})
    assert response.status_code == 302
    assert db.scalar(select(func.count(Inspection.id)).where(Inspection.mode == InspectionMode.REPORT)) == 1


def test_dismissing_needs_a_reason_which_the_reporter_reads(app, world, db, login):
    report, code = reported(app, world.enterprise_a)
    officer = login("admin_a")
    assert officer.post(f"/worker-reports/{report.id}/dismiss", {"reason": "  "}).status_code == 302
    db.expire_all()
    assert db.get(WorkerReport, report.id).is_pending
    reason = "经现场核实，配电箱已上锁"
    assert officer.post(f"/worker-reports/{report.id}/dismiss", {"reason": reason}).status_code == 302
    db.expire_all()
    stored = db.get(WorkerReport, report.id)
    assert stored.status is WorkerReportStatus.DISMISSED and stored.decided_by_id == world.county_admin_a.id
    status = anonymous(app, english=True).get(f"/r/{code}").get_data(as_text=True)
    assert "Dismissed" in status and reason in status
    # decided once: accepting it now is refused, and makes no hazard
    page = officer.english().post(f"/worker-reports/{report.id}/accept", {
        "level": "general", "description": "x", "responsible_person": "王经理",
        "deadline": (local_today() + timedelta(days=3)).isoformat()}, follow_redirects=True)
    assert "already been decided" in page.get_data(as_text=True)
    assert count(db, Hazard) == 0
    assert f"/worker-reports/{report.id}" in officer.get("/worker-reports?decided=1").get_data(as_text=True)
    assert f"/worker-reports/{report.id}" not in officer.get("/worker-reports").get_data(as_text=True)


def test_the_enterprise_never_sees_the_reporters_contact(app, world, db, login):
    report, _code = reported(app, world.enterprise_a, photo=jpeg_bytes())
    assert accept(login("admin_a"), report, description="配电箱门敞开，电线裸露（二号车间东侧）").status_code == 302
    db.expire_all()
    stored = db.get(WorkerReport, report.id)
    hazard, photo = stored.hazard, stored.photos[0]
    enterprise = login("91140702MA0K000013")
    pages = ["/", "/rectification", f"/hazards/{hazard.id}", f"/inspections/{hazard.inspection_id}/problems",
             f"/s/{world.enterprise_a.qr_token}", f"/inspections/{hazard.inspection_id}/documents"]
    for url in pages:
        response = enterprise.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert CONTACT not in html and "13800001234" not in html, url
        assert f"/photos/{photo.id}" not in html, url
    assert "配电箱门敞开" in enterprise.get(f"/hazards/{hazard.id}").get_data(as_text=True)  # what the unit wrote
    for url in ("/worker-reports", f"/worker-reports/{report.id}", f"/photos/{photo.id}"):
        assert enterprise.get(url).status_code == 403, url


# Who reads and decides


def test_another_countys_supervisor_and_another_enterprise_cannot_read_or_decide_a_report(app, world, db, login):
    report, _code = reported(app, world.enterprise_a)
    for username in ("admin_b", "insp_b", "91140702MA0K000026", "91140702MA0K000013"):
        client = login(username)
        assert client.get(f"/worker-reports/{report.id}").status_code == 403, username
        assert accept(client, report).status_code == 403, username
        assert client.post(f"/worker-reports/{report.id}/dismiss", {"reason": "无"}).status_code == 403, username
        assert report.description not in client.get("/worker-reports").get_data(as_text=True)
    anonymous_client = anonymous(app)
    assert anonymous_client.get(f"/worker-reports/{report.id}").status_code == 302  # log in first
    assert anonymous_client.get("/worker-reports/999999").status_code == 302
    assert login("admin_a").get("/worker-reports/999999").status_code == 404
    db.expire_all()
    assert db.get(WorkerReport, report.id).is_pending and count(db, Hazard) == 0


def test_the_queue_is_paged(app, world, db, login):
    for number in range(PAGE_SIZE + 1):
        db.add(WorkerReport(uuid=new_uuid(), code_hash=f"{number:064d}", enterprise=world.enterprise_a,
                            unit=world.unit_a, description=f"隐患{number}", place="车间"))
    db.commit()
    officer = login("insp_a")
    first, second = officer.get("/worker-reports").get_data(as_text=True), officer.get(
        "/worker-reports?page=2").get_data(as_text=True)
    assert first.count('href="/worker-reports/') == PAGE_SIZE and "page=2" in first
    assert second.count('href="/worker-reports/') == 1
