"""The inspector's whole flow in headless Chromium on a 360-px phone."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from checklist.models import Inspection, InspectionStatus

from .helpers import jpeg_bytes

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium for the browser tests: run `make browser`")
    pytest.skip("no /usr/bin/chromium on this machine", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
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
def phone():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True,
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        page.console_errors = []
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        yield page
        browser.close()


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
    page.locator("main a.button").click()
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
