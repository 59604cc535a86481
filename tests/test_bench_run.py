"""The pure pieces of bench/run.py (`make bench`): wrk's output, the figures, the query counter, the photos.

Neither wrk nor Chromium is needed here, but for what a phone sends for a photo (skipped without Chromium, as the
browser tests are): the other parts run only under `make bench`.
"""

import json
import os
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import update

from bench import run
from bench.phones import phone_jpeg
from bench.run import (
    OFFLINE_COPY,
    OFFLINE_FILL,
    TARGETS,
    PageClient,
    QueryCounter,
    Report,
    add_draft,
    biggest_county,
    duration_ms,
    find_scene,
    gzip_size,
    hazard_world,
    measure_list_export,
    measure_offline,
    measure_page_costs,
    measure_photo_upload,
    mix_script,
    parse_wrk,
    pillow_bare,
    queries_of,
    sites_held,
)
from checklist.models import Enterprise, utcnow

from .conftest import PASSWORD
from .factories import add_enterprise

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:40001/s/abc
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    14.20ms    6.10ms  95.00ms   80.00%
    Req/Sec   565.12     60.00   700.00     70.00%
  Latency Distribution
     50%   13.00ms
     75%   16.50ms
     90%   21.00ms
     99%    1.20s
  11302 requests in 10.02s, 250.50MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   1128.12
Transfer/sec:     25.00MB
"""


def test_wrk_output_gives_rate_p99_requests_and_errors():
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests_per_second == 1128.12
    assert result.p99_ms == 1200.0
    assert (result.requests, result.seconds, result.errors) == (11302, 10.02, 9)


def test_wrk_output_without_latency_or_errors():
    output = "  10 requests in 1.00s, 1.00KB read\nRequests/sec:     10.00\n"
    result = parse_wrk(output)
    assert (result.p99_ms, result.errors, result.requests) == (None, 0, 10)


def test_wrk_durations_in_every_unit():
    assert [duration_ms(text) for text in ("250us", "3.5ms", "2s", "1m")] == [0.25, 3.5, 2000.0, 60000.0]


def test_mix_script_quotes_paths_and_cookies():
    script = mix_script([("/s/abc", 'session=".x"'), ("/hazards?status=open", "session=y")])
    assert '{"/s/abc", "session=\\".x\\""}' in script
    assert '{"/hazards?status=open", "session=y"}' in script


def test_report_checks_each_target_and_ends_with_one_json_object(capsys):
    report = Report()
    report.add("export_s", 3.5)
    report.add("queries_site", [12, 12])
    report.add("site_p99_ms", 40.0)
    report.add("external_requests", 0)
    assert report.verdict("export_s") == "MISSED"
    assert report.verdict("queries_site") == "ok"
    assert report.verdict("site_p99_ms") == "report"
    assert report.verdict("external_requests") == "ok"
    assert report.verdict("photo_ms").startswith("MISSED")  # never measured
    figures = json.loads(report.json())
    assert list(figures) == list(TARGETS)
    assert figures["queries_site"] == [12, 12] and figures["photo_ms"] is None
    assert "export_s" in report.missed and "queries_site" not in report.missed
    assert "queries_site" in capsys.readouterr().out


def test_gzip_size_is_that_of_the_compressed_body():
    body = b"<p>hello</p>" * 1000
    assert gzip_size(body) < len(body) / 10


def test_phone_jpeg_has_exif_orientation_and_bare_pillow_fits_it_to_1600():
    data = phone_jpeg(size=(2000, 1500))
    with Image.open(BytesIO(data)) as image:
        assert image.size == (2000, 1500) and image.getexif()[0x0112] == 6
    with Image.open(BytesIO(pillow_bare(data))) as resized:
        assert resized.size == (1600, 1200)


def test_query_counter_counts_the_statements_of_a_page(app, world):
    scene = find_scene(app)
    assert scene.inspector == world.inspector_a.username
    token, draft_id = hazard_world(app, scene, hazards=10, draft_hazards=3)
    browser = PageClient(app, scene.inspector, PASSWORD)
    site = queries_of(app, browser, f"/s/{token}")
    assert site > 0
    assert queries_of(app, browser, f"/s/{token}") == site  # the same page again: the same statements
    with QueryCounter(app.extensions["engine"]) as counter:
        browser.get(f"/inspections/{draft_id}")
    assert counter.count > 0
    assert not any(statement.lstrip().upper().startswith(("BEGIN", "COMMIT")) for statement, _ in counter.statements)


def test_the_city_list_export_is_timed_and_its_memory_read_in_a_process_of_its_own(app, world, tmp_path):
    scene = find_scene(app)
    hazard_world(app, scene, hazards=20, draft_hazards=0)  # four of them major
    env = {**os.environ, **{key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "UPLOAD_DIR")}}
    report = Report()
    measure_list_export(scene, env, tmp_path, report, runs=2, password=PASSWORD)
    assert 0 < report.values["list_export_s"] < 60 and 30 < report.values["list_export_rss_mb"] < 1000
    written = load_workbook(tmp_path / "major-hazards.xlsx").active
    county = f"?county={find_scene(app).county_id}"  # the one county with hazards: the city's biggest list
    here = load_workbook(BytesIO(PageClient(app, scene.city, PASSWORD).get(f"/major-hazards.xlsx{county}"))).active
    rows = list(written.iter_rows(values_only=True))
    assert len(rows) == 2 + 4 and rows == list(here.iter_rows(values_only=True))


def test_the_offline_fill_measured_is_what_the_service_worker_fetches():
    """Each address of OFFLINE_FILL is a string of sw.js: a whole one, or the start of one where the worker adds to it
    (the copy's ?since=, a sector's code, a site's token)."""
    script = (Path(__file__).parents[1] / "static/js/sw.js").read_text()
    missing = []
    for address in OFFLINE_FILL:
        fixed, varies, _rest = address.partition("{")
        end = "" if varies or address == OFFLINE_COPY else r"\1"
        if not re.search(r"([\"'`])" + re.escape(fixed) + end, script):
            missing.append(fixed)
    assert "/api/v1/checklists/" in {address.partition("{")[0] for address in OFFLINE_FILL}
    assert missing == []


def test_a_site_is_held_offline_with_its_token_and_name():
    copy = {"sites": {"id": [1, 2], "token": ["a", "b"], "name": ["甲公司", "乙公司"]}}
    assert sites_held(copy, [("a", "甲公司"), ("b", "乙公司")]) == 2
    assert sites_held(copy, [("a", "甲公司"), ("b", "丙公司"), ("c", "乙公司")]) == 1


def test_the_biggest_county_is_that_with_the_most_enterprises_whatever_the_scene(app, world, db):
    def biggest() -> tuple[int, str]:
        with app.app_context(), app.extensions["read_sessionmaker"]() as session:
            return tuple(biggest_county(session))

    assert biggest() == (world.county_a.id, "榆次区")  # two enterprises, 太谷区 one
    for number in range(2):
        add_enterprise(db, f"太谷第{number}公司", world.county_b, world.enterprise_b.sector)
    db.commit()
    assert biggest() == (world.county_b.id, "太谷区") and find_scene(app).county_id == world.county_a.id


def test_the_offline_copy_is_that_of_the_biggest_countys_inspector_and_its_fill_is_sized(app, world, db, capsys,
                                                                                         monkeypatch):
    monkeypatch.setattr(run, "dataset_password", lambda: PASSWORD)
    monkeypatch.setitem(app.config, "OFFLINE_PART_SITES", 2)  # the whole copy in two parts
    scene = find_scene(app)
    token, _draft = hazard_world(app, scene, hazards=10, draft_hazards=0)  # 榆次区: its third enterprise
    # A day's changes: that enterprise and its hazards; the other sites unchanged for three days.
    db.execute(update(Enterprise).where(Enterprise.qr_token != token).values(changed_at=utcnow() - timedelta(days=3)))
    db.commit()
    report = Report()
    measure_offline(app, report)
    assert report.values["offline_sites_ratio"] == 1.0
    assert report.notes["offline_sites_ratio"] == "3 of 3 enterprises of 榆次区, insp_a's copy"
    printed = capsys.readouterr().out
    first, _, daily = printed.partition("daily refresh:")
    assert "the copy holds 3 sites and 10 hazards" in first and "the copy holds 1 sites and 10 hazards" in daily
    for fixed in ("/api/v1/me", "/", "/app/outbox", "/app/scan", "/app/site"):
        assert f"\n    {fixed}: " in first and f"\n    {fixed}: " in daily
    assert f"\n    {OFFLINE_COPY}: " in first and f"\n    {OFFLINE_COPY}?after=" in first
    assert f"\n    {OFFLINE_COPY}?since=" in daily and "?after=" not in daily
    assert "\n    /app/inspect/" in first and "\n    /app/inspect/" in daily
    other = ({"construction", "coal"} - {scene.sector}).pop()
    assert f"/api/v1/checklists/{scene.sector}: " in first and f"/api/v1/checklists/{other}: " in first
    assert f"/api/v1/checklists/{other}: " in daily  # every sector the copy holds, not only the day's sites
    fill, day = report.values["offline_first_fill_kb"], report.values["offline_daily_kb"]
    assert 0 < day < fill < 1500 and report.verdict("offline_daily_kb") == "ok"
    assert re.fullmatch(r"the copy \d+ KB in 2 answers \+ 8 other answers \d+ KB, gzip -1",
                        report.notes["offline_first_fill_kb"])


def test_page_costs_are_the_inspectors_site_and_checklist_pages_in_milliseconds(app, world, capsys, monkeypatch):
    monkeypatch.setattr(run, "dataset_password", lambda: PASSWORD)  # the test world's, not the bench dataset's
    scene = find_scene(app)
    add_draft(app, scene)
    report = Report()
    measure_page_costs(app, scene, report, requests=3)
    assert report.values["site_ms"] > 0 and report.values["checklist_ms"] > 0
    printed = capsys.readouterr().out
    assert f"/s/{scene.token}" in printed and f"/inspections/{scene.draft_id}" in printed


def test_photo_upload_is_the_median_of_what_app_js_sends_and_the_bench_photos_show_fine_detail(capsys):
    from bench import photo_upload

    from .browsers import require_chromium

    require_chromium()
    photos = {"small": phone_jpeg((1200, 900), seed=1), "large": phone_jpeg((3000, 2000), seed=2),
              "certificate": photo_upload.certificate_jpeg((2000, 1500))}
    report = Report()
    measure_photo_upload(report, photos)
    with photo_upload.Phone() as phone:
        long_side, quality = phone.settings()
        sent = {photo.name: photo for photo in photo_upload.send(phone, photos)}
        made_at_1600, width, _height = phone.compress(photos["large"], 1600, 0.8)
    sizes = sorted(len(photo.upload) for photo in sent.values())
    assert report.values["photo_upload_kb"] == run.rounded(sizes[1] / 1024)  # the median of three
    assert report.verdict("photo_upload_kb") == "ok"
    assert (long_side, quality) == (1440, 0.6)
    # The phone's own size: a small photo is kept at its size, a large one fitted to 1440 px, turned upright
    # (EXIF orientation 6: the 3000 x 2000 photo stands 2000 wide); fewer bytes than at 1600 px and 0.8.
    assert (sent["small"].width, sent["small"].height) == (900, 1200)
    assert (sent["large"].width, sent["large"].height) == (960, 1440) and width == 1067
    assert len(sent["large"].upload) < len(made_at_1600)
    with Image.open(BytesIO(sent["large"].stored)) as stored:
        assert stored.size == (960, 1440)  # the server stamps it at the size it came
    assert "KB stored after the stamp" in capsys.readouterr().out


def test_the_bench_photos_are_phone_sized_with_small_print_and_a_gauge():
    from bench import photo_upload

    certificate, gauge = photo_upload.certificate_jpeg((1000, 750)), photo_upload.gauge_jpeg((1000, 750))
    for data in (certificate, gauge):
        with Image.open(BytesIO(data)) as image:
            assert image.size == (1000, 750) and image.format == "JPEG"
    crop = photo_upload.crop(gauge, photo_upload.CROPS["gauge"], 340)
    assert crop.size == (340, 280)
