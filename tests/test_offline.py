"""The installed app offline, in headless Chromium against the app under gunicorn.

Each test serves its own database (the `app` and `world` fixtures of conftest) with gunicorn in its
own process group, so that it can be killed with SIGKILL and started again on the same port, and
checks what the server holds by querying that database directly.
"""

import os
import time
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from bench import chromium
from bench.gunicorn import Gunicorn
from checklist.models import Hazard, Inspection, InspectionStatus, Photo
from checklist.sheets.labels import qr_image, qr_png

from .browsers import require_chromium
from .helpers import jpeg_bytes, submitted_inspection

ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "test-artifacts"

sync_api = require_chromium()
pytestmark = pytest.mark.browser


@pytest.fixture
def server(app, world, tmp_path):
    app.extensions["engine"].dispose()  # the world is committed; gunicorn has the database from here
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "UPLOAD_DIR": str(tmp_path / "uploads"),
           "SECRET_KEY": "offline-test", "OFFLINE_PART_SITES": "1"}  # the county's copy in parts, as a big one
    served = Gunicorn(env, tmp_path / "gunicorn.log", workers=1)
    served.env["BASE_URL"] = served.base
    served.start()
    yield served
    served.stop()


@pytest.fixture(scope="module")
def playwright():
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright):
    browser = chromium.launch(playwright)
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(**chromium.PHONE, service_workers="allow")
    context.set_default_timeout(20000)
    yield context
    context.close()


def new_page(context):
    return chromium.watch_errors(context.new_page())


def log_in_ready(page, base, username="insp_a"):
    """Log in, and wait until the service worker controls the page and holds the county offline."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "secret-pass")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.wait_for_function("""async () => {
        const cache = await caches.open('checklist-data-v2');
        return !!(await cache.match('/__offline-data'));
    }""", polling=200)


def fill_inspection(page, photos, failing="CON-02", photo_items=("CON-02", "CON-01")):
    """Answer every item (one failed with a hazard), one photo on each of photo_items, a signature."""
    page.wait_for_selector("#offline-form:not([hidden]) li.item")
    items = page.locator("li.item")
    for index in range(items.count()):
        item = items.nth(index)
        code = item.get_attribute("data-code")
        item.locator(f"input[data-outcome][value={'fail' if code == failing else 'pass'}]").check()
    failed = page.locator(f"li.item[data-code={failing}]")
    failed.locator("textarea[data-field=description]").fill("塔吊司机无特种作业操作证")
    failed.locator("input[data-field=responsible_person]").fill("王经理")
    assert failed.locator("input[data-level][value=major]").is_checked()  # CON-02 cites a 重大事故隐患判定标准
    assert "判定" in failed.locator("[data-criterion]").inner_text()
    for code, photo in zip(photo_items, photos, strict=True):
        page.locator(f"li.item[data-code={code}] input[data-photos]").set_input_files(str(photo))
        page.wait_for_selector(f"li.item[data-code={code}] .thumb img")
    page.fill("[data-signer-name]", "王经理")
    canvas = page.locator(".sign-pad canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 30)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('[data-save-state]').textContent.length > 0")


@pytest.fixture
def photo_files(tmp_path):
    files = []
    for number, (size, color) in enumerate([((3000, 2000), (90, 60, 30)), ((1200, 1600), (30, 120, 60))]):
        path = tmp_path / f"photo-{number}.jpg"
        path.write_bytes(jpeg_bytes(size, color))
        files.append(path)
    return files


def counts(db) -> tuple[int, int]:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Inspection)), db.scalar(select(func.count()).select_from(Photo))


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def outbox_states(page) -> list[str]:
    return page.locator("li.outbox-item").evaluate_all("nodes => nodes.map(node => node.dataset.state)")


def test_an_inspection_made_offline_survives_a_reload_and_is_sent_once_when_online(
    server, context, world, db, photo_files
):
    ARTIFACTS.mkdir(exist_ok=True)
    page = new_page(context)
    log_in_ready(page, server.base)
    token = world.enterprise_a.qr_token

    context.set_offline(True)
    page.goto(f"{server.base}/s/{token}")  # the QR code's page, from the phone's copy
    page.locator("[data-pwa] a.button").click()
    page.wait_for_url(f"**/app/inspect/{token}")
    fill_inspection(page, photo_files)
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "offline-1-form.png"), full_page=True)
    page.locator("[data-queue]").click()
    page.wait_for_url("**/app/outbox")
    page.wait_for_selector("li.outbox-item[data-state=waiting]")

    page.reload()  # still offline: the queue is in IndexedDB, not in the page
    page.wait_for_selector("li.outbox-item[data-state=waiting]")
    assert outbox_states(page) == ["waiting"] and no_horizontal_scroll(page)
    stored = page.evaluate("""async () => {
        const [item] = (await Outbox.listItems()).filter(i => i.state === 'waiting');
        const photos = await Outbox.photosOf(item.uuid);
        const sizes = [];
        for (const photo of photos) {
            const bitmap = await createImageBitmap(new Blob([photo.bytes], {type: photo.type}));
            sizes.push([bitmap.width, bitmap.height]);
        }
        return {uuid: item.uuid, csrf: !!item.csrf, results: item.body.results.length,
                buffers: photos.every(p => p.bytes instanceof ArrayBuffer), types: photos.map(p => p.type), sizes};
    }""")
    assert stored["buffers"] and stored["csrf"] and stored["types"] == ["image/jpeg", "image/jpeg"]
    assert sorted(stored["sizes"]) == [[1080, 1440], [1440, 960]]  # long side 1440 (app.js Evidence.LONG_SIDE)
    assert counts(db) == (0, 0)  # nothing reached the server while offline
    page.screenshot(path=str(ARTIFACTS / "offline-2-outbox-waiting.png"), full_page=True)

    context.set_offline(False)  # the `online` event sends it
    page.wait_for_selector("li.outbox-item[data-state=sent]", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "offline-3-outbox-sent.png"), full_page=True)
    assert page.evaluate("uuid => Outbox.photosOf(uuid).then(photos => photos.length)", stored["uuid"]) == 0

    db.expire_all()
    [inspection] = db.scalars(select(Inspection)).all()
    assert inspection.uuid == stored["uuid"] and inspection.status is InspectionStatus.SUBMITTED
    assert inspection.enterprise_id == world.enterprise_a.id and len(inspection.results) == stored["results"]
    assert inspection.signer_name == "王经理" and inspection.signature_png
    [hazard] = db.scalars(select(Hazard)).all()
    assert hazard.level.value == "major" and hazard.description == "塔吊司机无特种作业操作证"
    photos = db.scalars(select(Photo)).all()
    assert len(photos) == 2 and all(photo.inspection_id == inspection.id for photo in photos)
    assert [photo.hazard_id for photo in photos].count(hazard.id) == 1
    assert page.console_errors == []


def test_a_server_killed_while_the_inspection_is_in_flight_ends_with_exactly_one_copy(
    server, context, world, db, photo_files
):
    page = new_page(context)
    log_in_ready(page, server.base)
    token = world.enterprise_a.qr_token
    context.set_offline(True)
    page.goto(f"{server.base}/app/inspect/{token}")
    fill_inspection(page, photo_files)
    page.locator("[data-queue]").click()
    page.wait_for_url("**/app/outbox")
    page.wait_for_selector("li.outbox-item[data-state=waiting]")

    answers = []
    page.on("response", lambda response: "/api/v1/inspections/" in response.url
            and answers.append(response.status))
    killed = []

    def kill_after_the_server_has_it(route):
        if route.request.method != "PUT" or killed:
            route.fallback()
            return
        route.fetch()  # the server stores the inspection and answers …
        server.kill()  # … and dies (SIGKILL) before the answer reaches the phone
        killed.append(time.monotonic())
        route.abort("connectionreset")

    context.route("**/api/v1/inspections/*", kill_after_the_server_has_it)
    context.set_offline(False)
    page.wait_for_selector("li.outbox-item[data-state=waiting] [data-error]:not([hidden])", timeout=30000)
    assert killed and outbox_states(page) == ["waiting"]  # not lost, not failed: it waits to try again
    assert counts(db) == (1, 2)  # the server had committed it before it died
    page.screenshot(path=str(ARTIFACTS / "offline-4-server-killed.png"), full_page=True)

    server.start()  # the same port, the same database
    context.unroute("**/api/v1/inspections/*")
    page.locator("[data-send-now]").click()
    page.wait_for_selector("li.outbox-item[data-state=sent]", timeout=30000)
    assert answers == [200]  # the retry: "the same again", not a second inspection

    assert counts(db) == (1, 2)
    [inspection] = db.scalars(select(Inspection)).all()
    assert inspection.status is InspectionStatus.SUBMITTED
    assert all(photo.inspection_id == inspection.id for photo in db.scalars(select(Photo)))
    assert len(inspection.hazards) == 1


def test_a_site_page_opens_offline_from_a_qr_code_after_precaching(server, context, world, tmp_path):
    page = new_page(context)
    log_in_ready(page, server.base)
    page.goto(f"{server.base}/app/outbox")
    page.locator("[data-refresh]").click()  # on demand, too
    page.wait_for_function("() => document.querySelector('[data-offline-status]').dataset.at")
    assert "2" in page.locator("[data-offline-status]").inner_text()
    names = page.locator("[data-site-list] a").all_text_contents()  # listed from the copy (folded away)
    assert sorted(names) == sorted([world.enterprise_a.name, world.enterprise_a2.name])
    page.goto(f"{server.base}/app/scan")  # opened once online, as the installed app would be

    server.stop()  # no server at all, and no network either
    context.set_offline(True)

    # The phone's camera app hands the QR code's address to the browser: a page never opened before.
    other = world.enterprise_a2
    page.goto(f"{server.base}/s/{other.qr_token}")
    page.wait_for_selector("[data-site]:not([hidden])")  # drawn from the copy of the county
    assert page.locator("h1").inner_text() == other.name
    page.screenshot(path=str(ARTIFACTS / "offline-5-site-page.png"), full_page=True)
    page.locator("[data-pwa] a.button").click()  # and a new inspection of it
    page.wait_for_selector("#offline-form:not([hidden]) li.item")
    assert page.locator("[data-site-name]").inner_text() == other.name
    assert page.locator("li.item[data-code^=COAL]").count() > 0

    # The in-app scanner, offline: a photo of the code opens the site page.
    code = tmp_path / "code.png"
    code.write_bytes(qr_png(f"{server.base}/s/{world.enterprise_a.qr_token}"))
    page.goto(f"{server.base}/app/scan")
    assert no_horizontal_scroll(page)
    page.locator("[data-photo]").set_input_files(str(code))
    page.wait_for_url(f"**/s/{world.enterprise_a.qr_token}")
    page.wait_for_selector("[data-site]:not([hidden])")
    assert page.locator("h1").inner_text() == world.enterprise_a.name
    assert page.console_errors == []


def test_the_copy_comes_in_parts_takes_a_days_changes_and_is_asked_whole_for_a_site_it_lacks(server, context):
    """sites.js in Chromium, on answers shaped as /api/v1/sites/offline's: the whole copy in two parts (whole, with
    the first part's cursor, only after the last), then a day's changes (one hazard moved, one closed, one site no
    longer the inspector's, its hazard with it), then changes that name a site the copy does not hold; and nobody
    else reads the copy."""
    page = new_page(context)
    log_in_ready(page, server.base)
    page.goto(f"{server.base}/app/outbox")
    seen = page.evaluate("""async () => {
        const user = document.querySelector('meta[name=user-id]').content;
        const columns = (names, rows) => Object.fromEntries(names.map((name, i) => [name, rows.map(row => row[i])]));
        const site = ['id', 'token', 'name', 'credit_code', 'county_id', 'sector_code', 'address', 'contact_name',
                      'contact_phone', 'supervising_unit_id'];
        const hazard = ['id', 'site_id', 'level', 'status', 'deadline', 'description', 'responsible_person'];
        const none = {counties: {}, sectors: {}, units: {}, sites: columns(site, []), hazards: columns(hazard, []),
                      site_ids: [], closed: [], after: 0, next: null};
        const part = await Sites.apply({...none, complete: true, cursor: 'c1', next: 1,
            counties: {1: '榆次区'}, sectors: {fire: '消防'},
            sites: columns(site, [[1, 't1', '甲', 'c1', 1, 'fire', '', '', '', null]]),
            hazards: columns(hazard, [[10, 1, 'major', 'open', 20000, '一', '王'],
                                      [11, 1, 'general', 'open', 20001, '二', '王']])}, user, 'c1');
        const whole = await Sites.apply({...none, complete: true, cursor: 'c1b', after: 1,
            sites: columns(site, [[2, 't2', '乙', 'c2', 1, 'fire', '', '', '', null]]),
            hazards: columns(hazard, [[12, 2, 'general', 'open', 20002, '三', '李']])}, user, 'c1');
        const day = await Sites.apply({...none, complete: false, cursor: 'c2', site_ids: [1],
            hazards: columns(hazard, [[11, 1, 'general', 'submitted', 20001, '二', '王']]), closed: [10]}, user, 'c2');
        const one = await Sites.site('t1', user);
        const held = await Outbox.transact(['hazards'], 'readonly', (stores, result) => {
            stores.hazards.count().onsuccess = event => { result.value = event.target.result; };
        });
        const lacking = await Sites.apply({...none, complete: false, cursor: 'c3', site_ids: [1, 3]}, user, 'c3');
        return {part: [part.cursor, part.sites], whole: [whole.cursor, whole.sites], day: [day.cursor, day.sites],
                hazards: one.hazards.map(h => [h.id, h.status, h.deadline]), named: [one.county, one.sector_name],
                held, gone: await Sites.site('t2', user), stranger: await Sites.site('t1', 'another'), lacking};
    }""")
    assert seen["part"] == [None, 1] and seen["whole"] == ["c1", 2]  # not whole until the last part: asked again
    assert seen["day"] == ["c2", 1] and seen["hazards"] == [[11, "submitted", "2024-10-05"]]
    assert seen["named"] == ["榆次区", "消防"] and seen["held"] == 1  # site 2's hazard went with it
    assert seen["gone"] is None and seen["stranger"] is None and seen["lacking"] == {"incomplete": True}


def test_two_tabs_share_one_draft_and_the_service_worker_sends_it_with_the_stored_token(
    server, context, world, db, photo_files
):
    token = world.enterprise_a.qr_token
    first = new_page(context)
    log_in_ready(first, server.base)
    context.set_offline(True)
    first.goto(f"{server.base}/app/inspect/{token}")
    fill_inspection(first, photo_files)
    first.wait_for_function("() => document.querySelector('[data-save-state]').textContent !== 'Saving…'")

    first.reload()  # a reload keeps the half-filled form, photos included
    first.wait_for_selector("#offline-form:not([hidden]) li.item .thumb img")
    assert first.locator("input[data-outcome]:checked").count() == first.locator("li.item").count()
    assert first.locator(".thumb img").count() == 2

    second = new_page(context)  # the same site in a second tab: the same draft, not a new one
    second.goto(f"{server.base}/app/inspect/{token}")
    second.wait_for_selector("[data-resumed]:not([hidden])")
    second.locator("li.item[data-code=CON-03] summary").click()
    second.locator("li.item[data-code=CON-03] textarea[data-field=note]").fill("东侧脚手架")
    first.wait_for_function(
        "() => document.querySelector('li.item[data-code=CON-03] textarea[data-field=note]').value === '东侧脚手架'"
    )
    first.locator("[data-queue]").click()
    first.wait_for_url("**/app/outbox")
    second.wait_for_selector("[data-locked]:not([hidden])")  # queued in the other tab: no more changes here
    assert first.evaluate("() => Outbox.listItems().then(items => items.map(item => item.state))") == ["waiting"]

    warnings = []
    first.once("dialog", lambda dialog: (warnings.append(dialog.message), dialog.dismiss()))
    first.locator("form[data-logout] button").click()
    first.wait_for_timeout(300)
    assert warnings and "1" in warnings[0] and first.url.endswith("/app/outbox")  # still logged in

    first.close()
    second.close()
    context.set_offline(False)
    [worker] = context.service_workers
    summary = worker.evaluate("() => Outbox.sync({force: true})")  # what a Background Sync event runs
    assert summary["sent"] == 1, summary

    db.expire_all()
    [inspection] = db.scalars(select(Inspection)).all()
    assert inspection.status is InspectionStatus.SUBMITTED and len(inspection.photos) == 2
    assert any(result.note == "东侧脚手架" for result in inspection.results)


def test_a_refused_inspection_is_failed_with_the_servers_reason_and_sent_after_retry(
    server, context, world, db, photo_files
):
    page = new_page(context)
    log_in_ready(page, server.base)
    refusals = []

    def refuse_once(route):
        if route.request.method != "PUT" or refusals:
            route.fallback()
            return
        refusals.append(route.request.url)
        route.fulfill(status=422, json={"error": {"code": "invalid", "message": "检查结果不完整，请补充"}})

    context.route("**/api/v1/inspections/*", refuse_once)
    page.goto(f"{server.base}/app/inspect/{world.enterprise_a.qr_token}")
    fill_inspection(page, photo_files)
    page.locator("[data-queue]").click()
    page.wait_for_url("**/app/outbox")
    failed = page.locator("li.outbox-item[data-state=failed]")
    failed.wait_for()
    assert failed.locator("[data-error]").inner_text() == "检查结果不完整，请补充"  # the server's words
    assert counts(db) == (0, 2)  # the photos arrived; the inspection did not, and nothing retries by itself
    page.wait_for_timeout(500)
    assert len(refusals) == 1 and outbox_states(page) == ["failed"]

    failed.locator("[data-retry]").click()
    page.wait_for_selector("li.outbox-item[data-state=sent]")
    assert counts(db) == (1, 2)
    assert page.console_errors == [] or all("422" in error for error in page.console_errors)

    # Nothing unsent: logging out asks nothing, and the county's pages leave the phone with the inspector.
    page.locator("form[data-logout] button").click()
    page.wait_for_url("**/login")
    page.wait_for_function("""async () => {
        const keys = await (await caches.open('checklist-data-v2')).keys();
        return !keys.some(request => new URL(request.url).pathname.startsWith('/s/'));
    }""")
    page.wait_for_function("""() => new Promise(resolve => {  // and the copy of the county with them
        const opened = indexedDB.open('checklist-outbox');
        opened.onsuccess = () => {
            opened.result.transaction('sites').objectStore('sites').count().onsuccess = event => {
                opened.result.close();
                resolve(event.target.result === 0);
            };
        };
    })""")


def test_the_in_app_scanner_reads_a_site_code_from_the_camera(server, playwright, world, tmp_path):
    """A fake camera (Chromium's test device) films the QR code posted at the enterprise."""
    token = world.enterprise_a2.qr_token
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(qr_image(f"{server.base}/s/{token}", box_size=6).convert("RGB").resize((320, 320)), (160, 80))
    video = tmp_path / "camera.mjpeg"
    with video.open("wb") as stream:
        for _ in range(5):
            buffer = BytesIO()
            frame.save(buffer, "JPEG")
            stream.write(buffer.getvalue())
    browser = chromium.launch(
        playwright, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    try:
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                      permissions=["camera"])
        context.set_default_timeout(20000)
        page = new_page(context)
        log_in_ready(page, server.base)
        page.goto(f"{server.base}/app/scan")
        page.locator("[data-start]").click()  # no BarcodeDetector in Chromium on Linux: the vendored jsQR decodes
        page.wait_for_url(f"**/s/{token}")
        assert page.locator("h1").inner_text() == world.enterprise_a2.name
        assert page.console_errors == []
    finally:
        browser.close()


def test_a_never_visited_site_page_is_drawn_from_the_copy_and_its_inspection_is_sent_once(
    server, context, login, world, db, photo_files
):
    """Issue 16 [field]: with the network off, a site page this phone never opened comes from the copy of the
    county, with its open hazard; from it an inspection with the position (geolocation mocked) and a photo marked
    offline, its marked copy beside it. Online, the outbox sends the original, then the copy naming it, then the
    inspection with the position and the phone's clock, once."""
    hazard = submitted_inspection(login("insp_a"), world, db).hazards[0]  # found on an earlier visit
    world.enterprise_a.latitude, world.enterprise_a.longitude = 37.68712, 112.75321
    db.commit()
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 37.6876, "longitude": 112.7533, "accuracy": 12})
    page = new_page(context)
    log_in_ready(page, server.base)  # it opens the home page only
    token = world.enterprise_a.qr_token
    context.set_offline(True)
    page.goto(f"{server.base}/s/{token}")
    page.wait_for_selector("[data-site]:not([hidden])")  # the shell, not a page the server drew
    assert page.locator("h1").inner_text() == world.enterprise_a.name
    [shown] = page.locator("[data-hazards] li").all()
    assert hazard.description in shown.inner_text() and shown.locator(".badge.major").count() == 1
    assert not shown.locator("[data-overdue]").is_visible()  # due in some days
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "offline-7-site-page-from-the-copy.png"), full_page=True)
    page.locator("[data-pwa] a.button").click()
    page.wait_for_url(f"**/app/inspect/{token}")
    fill_inspection(page, photo_files[:1], photo_items=("CON-02",))
    page.locator("li.item[data-code=CON-02] .thumb [data-mark]").click()
    canvas = page.locator(".marker canvas")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5, steps=5)
    page.mouse.up()
    page.locator(".marker [data-done]").click()
    page.wait_for_selector("li.item[data-code=CON-02] .thumb [data-marked]:not([hidden])")
    assert page.locator("li.item[data-code=CON-02] .thumb").count() == 2 and no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "offline-6-marked-photo.png"), full_page=True)
    page.wait_for_function("() => document.querySelector('[data-save-state]').textContent !== 'Saving…'")
    page.locator("[data-queue]").click()
    page.wait_for_url("**/app/outbox")
    queued = page.evaluate("""async () => {
        const [item] = await Outbox.listItems();
        const photos = await Outbox.photosOf(item.uuid);
        return {uuid: item.uuid, position: item.body.position,
                photos: photos.map(p => [p.uuid, p.marked_from || null, !!p.position])};
    }""")
    assert queued["position"]["latitude"] == 37.6876 and queued["position"]["accuracy"] == 12
    (original, none, located), (copy, names, copy_located) = queued["photos"]
    assert none is None and names == original and located and copy_located

    context.set_offline(False)
    page.wait_for_selector("li.outbox-item[data-state=sent]", timeout=30000)
    page.reload()  # the outbox asks again: nothing more goes
    page.wait_for_selector("li.outbox-item[data-state=sent]")
    db.expire_all()
    [inspection] = db.scalars(select(Inspection).where(Inspection.uuid == queued["uuid"])).all()
    assert counts(db) == (2, 2)  # the earlier visit's inspection, and this one with its two photos
    assert (inspection.start_latitude, inspection.start_accuracy) == (37.6876, 12.0)
    assert inspection.start_sent_at is not None and not inspection.start_evidence.clock_off
    assert round(inspection.start_evidence.distance) == 54
    marked, plain = inspection.photos  # the marked copy first
    assert (marked.uuid, plain.uuid) == (copy, original) and marked.marked_from_id == plain.id
    assert plain.latitude == 37.6876 and marked.hazard_id == plain.hazard_id is not None
    assert page.console_errors == []
