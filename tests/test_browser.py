"""The inspector's whole flow in headless Chromium on a 360-px phone."""

import io
import threading
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from bench import chromium
from checklist.models import Inspection, InspectionStatus

from .browsers import require_chromium
from .helpers import deadline_in, jpeg_bytes, submitted_inspection

ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"

sync_api = require_chromium()
pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(app, world):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


def new_page(browser, **context_options):
    """A page in its own context (its own cookies), collecting console errors."""
    page = chromium.watch_errors(browser.new_context(**context_options).new_page())
    page.set_default_timeout(15000)
    return page


@pytest.fixture
def phone(browser):
    return new_page(browser, **chromium.PHONE)


@pytest.fixture
def desktop(browser):
    return new_page(browser, viewport={"width": 1280, "height": 800})


def log_in(page, base, username, password="secret-pass"):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_inspector_runs_an_inspection_from_the_site_page_to_the_signed_problem_list(
    live_server, phone, world, db, tmp_path
):
    page = phone
    ARTIFACTS.mkdir(exist_ok=True)
    photo = tmp_path / "hazard.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900), (90, 60, 30)))

    page.goto(f"{live_server}/s/{world.enterprise_a.qr_token}")
    assert world.enterprise_a.name in page.content()
    page.locator("main a.button[href^='/login']").click()  # the site page offers reporting too
    page.fill("input[name=username]", "insp_a")
    page.fill("input[name=password]", "secret-pass")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"**/s/{world.enterprise_a.qr_token}")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "1-site-page.png"), full_page=True)

    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/inspections/*")
    for radio in page.locator("input[type=radio][value=pass]").all():
        radio.check()
    page.locator(".sticky-actions button[type=submit]").click()
    page.wait_for_load_state()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "2-checklist.png"))

    page.locator("li.item", has_text="CON-02").locator("a.choice-fail").click()
    assert page.locator(".hazard-fields").is_hidden()
    page.locator("label.choice-fail").click()
    assert page.locator(".hazard-fields").is_visible()
    page.fill("textarea[name=description]", "塔吊司机无特种作业操作证")
    page.locator("label.choice-major").click()
    page.set_input_files("input[name=photos]", str(photo))
    page.screenshot(path=str(ARTIFACTS / "3-item.png"), full_page=True)
    page.locator("#item-form button[type=submit]").click()
    page.wait_for_url("**/inspections/*#item-*")

    page.locator("nav.steps a", has_text="3").click()
    page.wait_for_url("**/review")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/problems")
    assert "塔吊司机无特种作业操作证" in page.content()
    assert page.locator("table.problems img").count() == 1
    assert page.locator("table.problems img").evaluate("img => img.naturalWidth > 0")

    page.fill("input[name=signer_name]", "王经理")
    canvas = page.locator(".signature-pad canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 30)
    page.mouse.up()
    page.locator("#sign-form button[type=submit]").click()
    page.wait_for_selector("img.signature-image")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "4-problem-list.png"), full_page=True)

    assert page.console_errors == []  # no script error, nothing blocked by the Content-Security-Policy

    db.expire_all()
    [inspection] = db.query(Inspection).all()
    assert inspection.status is InspectionStatus.SUBMITTED
    assert inspection.signer_name == "王经理" and inspection.signature_png
    [hazard] = inspection.hazards
    assert hazard.level.value == "major" and len(hazard.photos) == 1


def test_enterprise_fixes_on_a_phone_and_the_supervisor_verifies_on_a_desktop(
    live_server, phone, desktop, login, world, db, tmp_path
):
    inspection = submitted_inspection(login("insp_a"), world, db, photos=[jpeg_bytes()])
    hazard = inspection.hazards[0]
    proof = tmp_path / "fixed.jpg"
    proof.write_bytes(jpeg_bytes((1000, 800), (30, 160, 60)))

    def enterprise_submits(note):
        phone.goto(f"{live_server}/rectification")
        phone.locator(f"a[href='/hazards/{hazard.id}']").first.click()
        phone.set_input_files("#fix-form input[name=photos]", str(proof))
        phone.fill("#fix-form textarea[name=note]", note)
        phone.locator("#fix-form button[type=submit]").click()
        phone.wait_for_selector(".flash.success")
        assert no_horizontal_scroll(phone)

    def supervisor(action, reason=""):
        desktop.goto(f"{live_server}/verification")
        desktop.locator(f"ul.queue a[href='/hazards/{hazard.id}']").click()
        assert desktop.locator(".compare img").count() >= 2  # before and after side by side
        if action == "reject":
            desktop.fill("#reject-form textarea[name=reason]", reason)
            desktop.locator("#reject-form button[type=submit]").click()
        else:
            desktop.locator("#accept-form button[type=submit]").click()
        desktop.wait_for_selector(".flash.success")

    log_in(desktop, live_server, "admin_a")
    log_in(phone, live_server, world.enterprise_user_a.username)
    enterprise_submits("已加装连墙件")
    phone.screenshot(path=str(ARTIFACTS / "5-enterprise-submitted.png"), full_page=True)
    supervisor("reject", "东侧仍缺两处连墙件")
    enterprise_submits("东侧两处已补齐")
    supervisor("accept")
    desktop.screenshot(path=str(ARTIFACTS / "6-supervisor-closed.png"), full_page=True)

    steps = desktop.locator("ol.history li").all_inner_texts()
    assert [step.split(" ·")[0] for step in steps] == [
        "发现", "提交整改", "验收不通过，退回整改", "提交整改", "验收销号",
    ]
    assert "东侧仍缺两处连墙件" in steps[2]
    assert phone.console_errors == [] and desktop.console_errors == []


def test_the_city_runs_an_oversight_check_of_a_county_department_with_the_evidence_beside_the_items(
    live_server, desktop, phone, world, db
):
    world.unit_a.liaison_name, world.unit_a.liaison_phone = "陈联络", "13800000000"
    db.commit()
    page = desktop
    ARTIFACTS.mkdir(exist_ok=True)
    log_in(page, live_server, "city")
    page.goto(f"{live_server}/oversight")
    page.locator("details.county summary", has_text=world.county_a.name).click()  # the units county by county
    page.locator("ul.units li", has_text=world.unit_a.name).locator("button[type=submit]").click()
    page.wait_for_url("**/inspections/*")
    assert "督政检查" in page.locator("header.inspection-head").inner_text()
    teams = page.locator("li.item", has_text="G03").locator("dl.evidence")
    assert "1个组，2人" in teams.inner_text() and "陈联络 13800000000" in teams.inner_text()
    coverage = page.locator("li.item", has_text="G01").locator("dl.evidence")
    assert "0 / 2" in coverage.inner_text() and coverage.locator("dd.flagged").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "7-oversight-checklist.png"), full_page=True)

    for radio in page.locator("input[type=radio][value=pass]").all():
        radio.check()
    page.locator(".sticky-actions button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("li.item", has_text="G05").locator("a.choice-fail").click()
    assert "问题" in page.locator("#item-form fieldset.hazard-fields > legend").inner_text()
    assert page.locator("dl.evidence").count() == 1  # the item's own evidence, on its page too
    page.locator("label.choice-fail").click()
    page.fill("textarea[name=description]", "上级督导发现的问题隐患逾期未销号")
    page.fill("input[name=responsible_person]", "刘副局长")
    page.locator("#item-form button[type=submit]").click()
    page.wait_for_url("**/inspections/*#item-*")
    page.locator("nav.steps a", has_text="3").click()
    page.wait_for_url("**/review")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/problems")
    assert world.unit_a.name in page.content() and "上级督导发现的问题隐患逾期未销号" in page.content()
    page.screenshot(path=str(ARTIFACTS / "8-oversight-problems.png"), full_page=True)
    assert page.console_errors == []

    log_in(phone, live_server, "insp_a")  # the department's own list, on a phone
    phone.goto(f"{live_server}/oversight/units/{world.unit_a.id}")
    assert "上级督导发现的问题隐患逾期未销号" in phone.content() and no_horizontal_scroll(phone)
    db.expire_all()
    [inspection] = db.query(Inspection).all()
    assert inspection.is_oversight and inspection.status is InspectionStatus.SUBMITTED


def test_the_county_assigns_the_inspector_sees_it_and_a_drawn_city_inspector_opens_the_drawn_site(
    live_server, browser, desktop, phone, world, db
):
    from checklist.models import SpotCheckTask

    from .factories import add_inspector

    for number in (1, 2):
        add_inspector(db, f"city_insp_{number}", world.city_unit, f"市检查{number}")
    db.commit()
    page = desktop
    log_in(page, live_server, "admin_a")
    page.goto(f"{live_server}/assignments")
    page.locator("#assign-form li", has_text=world.enterprise_a2.name).locator("input[type=checkbox]").check()
    page.select_option("#member", f"{world.team_a.id}-{world.inspector_a.id}")
    page.locator("#assign-form button[value=chosen]").click()
    page.wait_for_selector(".flash.success")
    assert "包保" in page.content()

    log_in(phone, live_server, "insp_a")
    phone.goto(f"{live_server}/")
    assigned = phone.locator("ul.assigned")
    assert world.enterprise_a2.name in assigned.inner_text() and no_horizontal_scroll(phone)
    phone.screenshot(path=str(ARTIFACTS / "9-assigned-home.png"), full_page=True)

    city = new_page(browser, viewport={"width": 1280, "height": 800})
    log_in(city, live_server, "city")
    city.goto(f"{live_server}/spot-checks")
    city.select_option("select[name=county]", str(world.county_a.id))
    city.fill("input[name=enterprises]", "1")
    city.fill("input[name=per_task]", "2")
    city.locator("#draw-form button[type=submit]").click()
    city.wait_for_url("**/spot-checks/*")
    assert "计划可复现" in city.content()
    db.expire_all()
    task = db.query(SpotCheckTask).one()
    drawn = task.inspectors[0]

    inspector = new_page(browser, **chromium.PHONE)
    log_in(inspector, live_server, drawn.username)
    inspector.goto(f"{live_server}/")
    inspector.locator("ul.drawn a", has_text=task.enterprise.name).click()
    inspector.wait_for_url(f"**/s/{task.enterprise.qr_token}")
    assert inspector.locator("form.card button[type=submit]").count() == 1  # it may start the spot check
    assert no_horizontal_scroll(inspector)
    for each in (page, phone, city, inspector):
        assert each.console_errors == []


def test_a_re_inspection_on_a_phone_from_the_task_list_to_the_issued_opinion(
    live_server, phone, login, world, db, tmp_path
):
    world.unit_a.document_prefix = "榆住建"
    world.inspector_a.card_number, world.colleague_a.card_number = "14070021001", "14070021002"
    db.commit()
    inspection = submitted_inspection(login("insp_a"), world, db, photos=[jpeg_bytes()])
    hazard = inspection.hazards[0]
    login(world.enterprise_user_a.username).post(f"/hazards/{hazard.id}/fix", {
        "note": "已加装连墙件", "photos": [(io.BytesIO(jpeg_bytes()), "fix.jpg")],
    }, content_type="multipart/form-data")
    photo = tmp_path / "review.jpg"
    photo.write_bytes(jpeg_bytes((1000, 800), (200, 120, 40)))

    log_in(phone, live_server, "insp_a")
    phone.goto(f"{live_server}/reviews")
    task = phone.locator(f"[data-task='{hazard.id}'] a")
    task.click()
    phone.select_option("select[name=second]", str(world.colleague_a.id))
    card = phone.locator(f"fieldset[data-hazard='{hazard.id}']")
    card.locator("input[value=partial]").check()
    card.locator(f"input[name=note_{hazard.id}]").fill("东侧仍缺两处连墙件")
    card.locator(f"input[name=deadline_{hazard.id}]").fill(deadline_in(5).isoformat())
    card.locator(f"input[name=photos_{hazard.id}]").set_input_files(str(photo))
    assert no_horizontal_scroll(phone)
    phone.locator("form.review-visit button[type=submit]").click()
    phone.wait_for_selector(".flash.success")
    assert "/documents/" in phone.url
    text = phone.locator("main").inner_text()
    assert "整改复查意见书" in text and "榆住建复查" in text and "东侧仍缺两处连墙件" in text
    assert "14070021002" in text and no_horizontal_scroll(phone)
    phone.screenshot(path=str(ARTIFACTS / "7-re-inspection-opinion.png"), full_page=True)
    assert phone.console_errors == []


def test_a_worker_reports_a_hazard_from_the_qr_code_on_a_phone_without_javascript(
    live_server, browser, login, world, db, tmp_path
):
    """As in WeChat's browser with scripts off: the plain form with a photo, its code, the outcome by the code."""
    phone = new_page(browser, **chromium.PHONE, java_script_enabled=False)
    photo = tmp_path / "hazard.jpg"
    photo.write_bytes(jpeg_bytes((1600, 1200), (180, 90, 40)))
    phone.goto(f"{live_server}/s/{world.enterprise_a.qr_token}")
    phone.locator(f"a[href='/s/{world.enterprise_a.qr_token}/report']").click()
    phone.fill("textarea[name=description]", "配电箱门敞开，电线裸露")
    phone.fill("input[name=place]", "二号车间东侧")
    phone.set_input_files("input[name=photo]", str(photo))
    assert no_horizontal_scroll(phone)
    phone.locator("#report-form button[type=submit]").click()
    code = phone.locator(".report-code").inner_text().replace("-", "")
    assert len(code) == 16 and no_horizontal_scroll(phone)
    phone.screenshot(path=str(ARTIFACTS / "report-1-code.png"), full_page=True)

    phone.locator(f"a[href='/r/{code}']").click()
    assert "配电箱门敞开" in phone.locator("main").inner_text()
    assert phone.evaluate("document.querySelector('main img').naturalWidth") > 0  # its photo, by the code
    assert no_horizontal_scroll(phone)
    phone.goto(f"{live_server}/r")  # later, typing the code in groups
    phone.fill("input[name=code]", "-".join(code[start:start + 4] for start in range(0, 16, 4)).lower())
    phone.locator("main form button[type=submit]").click()
    assert phone.url.endswith(f"/r/{code}")
    phone.screenshot(path=str(ARTIFACTS / "report-2-status.png"), full_page=True)

    officer = new_page(browser, **chromium.PHONE)  # the supervising unit's inspector, on a phone too
    log_in(officer, live_server, "insp_a")
    officer.locator("a[href='/worker-reports']").first.click()
    officer.locator("main ul.list a").first.click()
    assert "二号车间东侧" in officer.locator("main").inner_text() and no_horizontal_scroll(officer)
    officer.locator("#accept-form button[type=submit]").click()
    officer.wait_for_selector(".flash.success")
    officer.screenshot(path=str(ARTIFACTS / "report-3-accepted.png"), full_page=True)
    phone.reload()
    assert phone.locator("main .badge.pass").count() == 1  # turned into a hazard, as its reporter sees
    assert phone.console_errors == [] and officer.console_errors == []


def test_an_inspector_marks_a_photo_and_the_phone_sends_its_position_at_360_px(
    app, live_server, browser, world, db, tmp_path
):
    """The start and the photo carry the (mocked) position; the photo is made smaller, marked with a circle, an
    arrow (undone) and a text, and both copies go up; the page shows the distance, the marked one first."""
    from checklist.models import Photo

    world.enterprise_a.latitude, world.enterprise_a.longitude = 37.68712, 112.75321
    db.commit()
    page = new_page(browser, **chromium.PHONE, permissions=["geolocation"],
                    geolocation={"latitude": 37.6876, "longitude": 112.7533, "accuracy": 12})
    photo = tmp_path / "panel.jpg"
    photo.write_bytes(jpeg_bytes((4000, 3000), (70, 90, 110)))
    log_in(page, live_server, "insp_a")
    page.goto(f"{live_server}/s/{world.enterprise_a.qr_token}")
    page.locator("form[data-locate] button[type=submit]").click()
    page.wait_for_url("**/inspections/*")
    summary = page.locator("details.presence-summary summary")
    assert "54" in summary.inner_text() and summary.locator(".badge").count() == 0  # 54 m away: no flag
    summary.click()
    page.screenshot(path=str(ARTIFACTS / "10-position-at-the-start.png"))

    page.locator("li.item", has_text="CON-02").locator("a.choice-fail").click()
    page.locator("label.choice-fail").click()
    page.fill("textarea[name=description]", "配电箱门未关闭")
    page.set_input_files("input[name=photos]", str(photo))
    page.locator("[data-previews] [data-mark]").click()
    canvas = page.locator(".marker canvas")
    box = canvas.bounding_box()
    assert box["width"] <= 360 and no_horizontal_scroll(page)

    def drag(start, end):
        page.mouse.move(box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"])
        page.mouse.down()
        for step in range(1, 6):
            page.mouse.move(box["x"] + (start[0] + (end[0] - start[0]) * step / 5) * box["width"],
                            box["y"] + (start[1] + (end[1] - start[1]) * step / 5) * box["height"])
        page.mouse.up()

    drag((0.5, 0.5), (0.62, 0.5))  # a circle around the middle
    page.locator(".marker [data-tool=arrow]").click()
    drag((0.1, 0.9), (0.4, 0.6))
    page.locator(".marker [data-undo]").click()  # the arrow goes again
    page.locator(".marker [data-tool=text]").click()
    page.fill(".marker [data-marker-input]", "门未关")
    drag((0.2, 0.2), (0.2, 0.2))  # a tap places it
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "10-marking-a-photo.png"))
    page.locator(".marker [data-done]").click()
    page.wait_for_selector("[data-previews] [data-marked]:not([hidden])")
    page.locator("#item-form button[type=submit]").click()
    page.wait_for_url("**/inspections/*#item-*")
    assert page.console_errors == []

    db.expire_all()
    marked, original = db.query(Photo).order_by(*Photo.SHOWN_ORDER).all()
    assert marked.marked_from_id == original.id and original.marked_from_id is None
    assert (original.width, original.height) == (1440, 1080)  # made smaller on the phone: app.js's LONG_SIDE
    assert (original.latitude, original.longitude, original.accuracy) == (37.6876, 112.7533, 12)
    assert marked.latitude == 37.6876 and marked.sent_at is not None
    inspection = original.inspection
    assert (inspection.start_latitude, inspection.start_accuracy) == (37.6876, 12) and inspection.start_sent_at
    uploads = Path(app.config["UPLOAD_DIR"])
    with Image.open(uploads / marked.path) as drawn, Image.open(uploads / original.path) as plain:
        red = drawn.getpixel((round(0.62 * 1440), 540))  # on the circle's right edge
        assert red[0] > 150 and red[1] < 90 and plain.getpixel((round(0.62 * 1440), 540))[0] < 120
        assert drawn.getpixel((round(0.25 * 1440), round(0.75 * 1080)))[0] < 120  # the arrow was undone
    page.goto(f"{live_server}/inspections/{inspection.id}/items/{original.item_id}")
    links = page.locator(".thumbs a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert links == [f"/photos/{marked.id}", f"/photos/{original.id}"] and no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "11-marked-photo-shown-first.png"), full_page=True)
