"""`make bench`: the app's speed and size figures, each printed with its target, then one JSON line.

    .venv/bin/python -m bench.run [--scale 1] [--regenerate] [--quick]

The dataset of bench/dataset.py (built once and cached; `--regenerate` rebuilds it) is copied into a
temporary folder and every measurement runs on that copy, so the cached file is never changed. Every
ratio is measured against its baseline in the same run, on the same machine, one right after the other:
the machines are shared and noisy, so only the ratios compare between runs. `--quick` is a smoke run:
one timing of each kind, 20 requests of each page in-process, 3-second wrk runs, 2,000 requests for the
worker's memory.

What is measured and how:

- export_s: the city's statistics table for the whole campaign as xlsx, built in-process as
  `flask export-table --city` builds it (median of 3 after one warm-up); export_vs_sql: that time over
  the time of the very SELECT statements the export issued, captured while it ran and replayed on a raw
  DBAPI connection with every row fetched (same runs, interleaved); export_rss_mb: the peak RSS of the
  export CLI in a child process.
- list_export_s, list_export_rss_mb: the city's list of major hazards (GET /major-hazards.xlsx, as the city's
  supervisor, logged in through the form) in a child process of its own (bench/list_export.py): the median
  time of a download after a warm-up, and the peak RSS of that process.
- site_ms, checklist_ms: what the site page and a draft's checklist page (those of the requests/s below) cost
  in-process: the median of PAGE_REQUESTS requests through the Flask test client logged in as the scene's
  inspector, after a warm-up, the two pages in turns (a noisy neighbour slows both alike).
- site_rps_ratio, checklist_rps_ratio, site_p99_ms: wrk over loopback against gunicorn (2 workers,
  4 threads, gunicorn.conf.py) serving the site page and a draft's checklist page with an inspector's
  session cookie (logged in through the /login form), over the same wrk run against bench/hello.py under
  the same settings; a run in which one worker got all of wrk's keep-alive connections is run again.
- queries_*: SQL statements per page, counted with a before_cursor_execute listener on the app's engine
  (BEGIN, COMMIT and PRAGMA not counted), in-process with the Flask test client, on the second request
  of the page (the first warms the app's caches).
- pages_p95_ms, pages_max_ms, slowest: every GET route of the app as every role (bench/crawl.py), in-process,
  each address timed once after a warm-up; the 95th percentile and the maximum over the pages a role reaches,
  and the five slowest.
- growth: the city's export, the city dashboard and the crawl's slowest page (its route, role and query string)
  in-process at scales 0.1, 1 and 3 (datasets of 100,000, 1,000,000 and 3,000,000 hazards, each cached like the
  main one), median of 5 after a warm-up: each one's time at 1 and at 3 over its time at 0.1. The data grows 10
  and 30 times: nothing may grow faster.
- dashboard_city_ms: the city dashboard in-process, median of 5 after one warm-up.
- coverage_city_ms: the city's coverage page (/coverage, every county ranked) in-process, likewise.
- draw_ms: a 双随机 draw of 100 enterprises × 2 inspectors from the whole roster and every inspector (the
  city's and the counties'), both rosters read from the database, not kept; median of 5 after a warm-up.
- photo_ms, photo_vs_pillow: the upload's photo pipeline (imaging.process_photo) on a 12-megapixel
  phone JPEG, over Pillow's bare draft decode + resize + encode of the same file; medians of 5.
- photo_upload_kb: what a phone sends for a photo, in KB: the median over the bench's four 12-megapixel photos
  (bench/photo_upload.py: a scene, a certificate with small print, a pressure gauge, a concrete wall) of the JPEG
  that static/js/app.js's Evidence.compress makes of each in headless Chromium, at the size and quality app.js
  uses; what the server stores after its stamp is printed beside it.
- site_first_load_kb: headless Chromium, empty cache, the inspector's cookie set: the site page's own
  HTML, CSS and JS, as gzip sends them (the server's Content-Encoding, or gzip -1 of the bodies, which is
  what the README's nginx does when the app does not compress); what the service worker then precaches
  is printed, not counted. external_requests: requests to any other host during a crawl of every role's
  main pages.
- offline_sites_ratio, offline_first_fill_kb, offline_daily_kb: the phone's offline copy of its sites (issue 16) for
  an inspector of the county with the most enterprises (bench.run.inspector_of's choice), in-process through the
  Flask test client logged in as him. The ratio: that county's enterprises (counted with SQL) whose site the whole
  copy holds, token and name alike, over their number. The fill: what static/js/sw.js fetches to fill the copy
  (OFFLINE_FILL: /api/v1/me, the copy, the checklist of each sector it holds, the shell pages), each answer
  required to be 200, as gzip -1 sends them (the README's nginx); first the copy whole, then as the daily refresh
  asks it, `?since=` one day before the dataset's last hazard history (a day's typical changes). Each note gives
  the copy's own KB apart from the rest.
- worker_rss_mb: the largest VmHWM of the two gunicorn workers after 10,000 requests of a mix of pages.

The enterprise of the site and checklist pages is the busiest one of the sector with the longest
checklist, seen by an inspector of its county; the checklist page is a draft opened for him with the
app's own rule before gunicorn starts. SQLite only (the dataset is a SQLite file).

Exits 1 when a target is missed or a measurement failed, 0 otherwise; the last line is always the JSON.
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import json
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine, make_url

from . import chromium
from .gunicorn import ROOT, Gunicorn
from .phones import phone_jpeg

SECRET_KEY = "bench-secret-key-not-for-production"
SMALL_SCALE = 0.01  # the dataset of the query counts' first figures
GROWTH_SCALES = (0.1, 1.0, 3.0)  # issue 15: nothing may grow faster than the data
DATA_GROWTH = tuple(scale / GROWTH_SCALES[0] for scale in GROWTH_SCALES[1:])  # 10 and 30
PHOTO_SIZE = (4000, 3000)  # 12 megapixels, as a phone takes them
LONG_SIDE = 1600  # photos_image.LONG_SIDE
RSS_REQUESTS = 10_000
PAGE_REQUESTS = 200  # of each of the site and checklist pages in-process, for site_ms and checklist_ms
NOT_COUNTED = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b", re.IGNORECASE)
CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# What static/js/sw.js fetches to fill the phone's offline copy, the first time and each day (tests/test_bench_run.py
# holds the two in step): the copy itself (whole, or `?since=` the previous answer's cursor), the checklist of each
# {sector} code the copy holds, and the shell pages, the inspection page's with the {token} of any site.
OFFLINE_COPY = "/api/v1/sites/offline"
OFFLINE_FILL = ("/api/v1/me", OFFLINE_COPY, "/api/v1/checklists/{sector}",
                "/", "/app/outbox", "/app/scan", "/app/inspect/{token}", "/app/site")


# ---- Figures and their targets --------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    text: str
    check: Callable[[object], bool] | None = None  # None: reported, no target


def at_most(limit: float, unit: str = "") -> Target:
    return Target(f"<= {limit:g}{unit}", lambda value: value <= limit)


def at_least(limit: float) -> Target:
    return Target(f">= {limit:g}", lambda value: value >= limit)


SAME_PAIR = Target("both equal", lambda pair: len(pair) == 2 and pair[0] == pair[1])

TARGETS: dict[str, Target] = {
    "export_s": at_most(3, " s"),
    "export_vs_sql": at_most(1.5),
    "site_ms": Target("report"),
    "checklist_ms": Target("report"),
    "site_rps_ratio": at_least(0.06),
    "checklist_rps_ratio": at_least(0.06),
    "site_p99_ms": Target("report"),
    "queries_site": SAME_PAIR,
    "queries_checklist": SAME_PAIR,
    "queries_dashboard": SAME_PAIR,
    "dashboard_city_ms": at_most(300, " ms"),
    "coverage_city_ms": at_most(300, " ms"),
    "draw_ms": at_most(1000, " ms"),
    "photo_ms": Target("report"),
    "photo_vs_pillow": at_most(1.2),
    "photo_upload_kb": at_most(250, " KB"),
    "site_first_load_kb": at_most(60, " KB"),
    "external_requests": Target("== 0", lambda value: value == 0),
    "offline_sites_ratio": at_least(1.0),
    "offline_first_fill_kb": at_most(1500, " KB"),
    "offline_daily_kb": at_most(300, " KB"),
    "worker_rss_mb": at_most(150, " MB"),
    "export_rss_mb": at_most(250, " MB"),
    "list_export_s": at_most(1, " s"),
    "list_export_rss_mb": at_most(250, " MB"),
    "pages_p95_ms": at_most(300, " ms"),
    "pages_max_ms": at_most(1000, " ms"),
    "slowest": Target("report"),
    "growth": Target("<= 10x, 30x", lambda growth: all(
        ratio <= data for ratios in growth.values() for ratio, data in zip(ratios, DATA_GROWTH, strict=True))),
}


@dataclass
class Report:
    """The figures in the order of TARGETS; a key never measured (or whose measurement failed) is null."""

    values: dict[str, object] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def add(self, key: str, value: object, note: str = "") -> None:
        if key not in TARGETS:
            raise KeyError(key)
        self.values[key] = value
        if note:
            self.notes[key] = note
        print(f"  -> {self.line(key)}", flush=True)

    def verdict(self, key: str) -> str:
        value, target = self.values.get(key), TARGETS[key]
        if value is None:
            return "MISSED (not measured)"
        if target.check is None:
            return "report"
        return "ok" if target.check(value) else "MISSED"

    def line(self, key: str) -> str:
        value = self.values.get(key)
        if isinstance(value, list | dict):
            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = "-" if value is None else f"{value:g}"
        note = f"  ({self.notes[key]})" if key in self.notes else ""
        return f"{key:<22} {shown:>14}  {TARGETS[key].text:<12} {self.verdict(key)}{note}"

    def table(self) -> str:
        return "\n".join(self.line(key) for key in TARGETS)

    def json(self) -> str:
        return json.dumps({key: self.values.get(key) for key in TARGETS}, ensure_ascii=False)

    @property
    def missed(self) -> list[str]:
        return [key for key in TARGETS if self.verdict(key).startswith("MISSED")]


def rounded(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits}g}") if value >= 1 else round(value, digits)


def median(values: list[float]) -> float:
    return statistics.median(values)


def gzip_size(body: bytes, level: int = 1) -> int:
    """Bytes of the body gzipped; level 1 is nginx's default gzip_comp_level (README's nginx has `gzip on`)."""
    return len(gzip.compress(body, compresslevel=level, mtime=0))


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


# ---- wrk ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p99_ms: float | None
    requests: int
    seconds: float
    errors: int  # socket errors plus responses other than 2xx and 3xx


DURATION_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip()).groups()
    return float(number) * DURATION_UNITS[unit]


def parse_wrk(output: str) -> WrkResult:
    """Read requests/s, the 99th percentile latency (with --latency), requests and errors from wrk's output."""
    rate = re.search(r"^Requests/sec:\s*([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+\w+),", output, re.MULTILINE)
    if rate is None or total is None:
        raise ValueError(f"not wrk output: {output[-500:]!r}")
    p99 = re.search(r"^\s*99(?:\.0+)?%\s+([\d.]+\w+)\s*$", output, re.MULTILINE)
    errors = sum(int(number) for number in re.findall(
        r"(?:connect|read|write|timeout) (\d+)", output.partition("Socket errors:")[2].partition("\n")[0]
    ))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        p99_ms=duration_ms(p99.group(1)) if p99 else None,
        requests=int(total.group(1)),
        seconds=duration_ms(total.group(2)) / 1000,
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


def wrk(url: str, seconds: float, *, cookie: str | None = None, script: Path | None = None,
        connections: int = 16, threads: int = 2, timeout: float = 10) -> tuple[WrkResult, str]:
    # wrk reads whole seconds only
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{math.ceil(seconds)}s",
               f"--timeout={math.ceil(timeout)}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}: {done.stderr}{done.stdout}")
    return parse_wrk(done.stdout), done.stdout


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def mix_script(requests: list[tuple[str, str]]) -> str:
    """A wrk script: GETs of the (path, cookie) pairs in turn; prints how many responses came, and how many of
    them were not 200 (wrk itself counts only those outside 2xx and 3xx)."""
    pairs = ",\n".join(f"  {{{lua_string(path)}, {lua_string(cookie)}}}" for path, cookie in requests)
    return f"""
local pairs_ = {{
{pairs}
}}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) responses = 0; bad = 0; turn = math.random(#pairs_) end
function request()
  turn = turn % #pairs_ + 1
  return wrk.format("GET", pairs_[turn][1], {{["Cookie"] = pairs_[turn][2]}})
end
function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local all, wrong = 0, 0
  for _, thread in ipairs(threads) do all = all + thread:get("responses"); wrong = wrong + thread:get("bad") end
  io.write(string.format("BENCH responses=%d bad=%d\\n", all, wrong))
end
"""


# ---- HTTP as a browser does it (for gunicorn) ---------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


@dataclass
class HttpLogin:
    """A session logged in through the real /login form (CSRF token included) of a running server."""

    base: str
    jar: http.cookiejar.CookieJar

    @property
    def cookie(self) -> str:
        """The Cookie header a browser would send."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)

    def cookies(self) -> list[dict]:
        """The cookies for Playwright's add_cookies."""
        return [{"name": cookie.name, "value": cookie.value, "url": self.base} for cookie in self.jar]


def http_login(base: str, username: str, password: str) -> HttpLogin:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{base}/login", timeout=30) as response:
        token = CSRF_TOKEN.search(response.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": password}).encode()
    try:
        opener.open(f"{base}/login", data=form, timeout=30)
        raise RuntimeError(f"logging in {username} did not redirect: wrong password?")
    except urllib.error.HTTPError as error:
        if error.code != 302 or "/login" in (error.headers.get("Location") or ""):
            raise RuntimeError(f"logging in {username} answered {error.code}") from None
    return HttpLogin(base, jar)


def http_get(url: str, cookie: str = "") -> tuple[int, bytes]:
    """GET without following redirects: (status, body)."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def require_ok(url: str, cookie: str) -> None:
    """Fail early when a page would not answer 200 under wrk (a 302 to /login would count as success)."""
    status, body = http_get(url, cookie)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}: {body[:200]!r}")


# ---- The app in-process ---------------------------------------------------------------------------


def make_app(url: str, uploads: Path) -> Flask:
    """The app on a copy of a dataset, the copy brought to the latest migration (a cached dataset may predate one).

    The migration runs in a process of its own (`flask db-upgrade`): one that fills kept figures from a million rows
    leaves this process hundreds of MB bigger, and a child forked from it starts with that memory in its peak RSS,
    which the exports' measurements read."""
    from checklist import create_app

    config = {"SECRET_KEY": SECRET_KEY, "DATABASE_URL": url, "UPLOAD_DIR": str(uploads), "BASE_URL": "http://127.0.0.1"}
    child_process([sys.executable, "-m", "flask", "--app", "app", "db-upgrade"], {**os.environ, **config},
                  "flask db-upgrade")
    return create_app(config)


class PageClient:
    """The Flask test client logged in through the login form, as tests/conftest.py's Client does."""

    def __init__(self, app: Flask, username: str, password: str):
        self.client = app.test_client()
        page = self.client.get("/login").get_data(as_text=True)
        response = self.client.post("/login", data={
            "csrf_token": CSRF_TOKEN.search(page).group(1), "username": username, "password": password,
        })
        if response.status_code != 302:
            raise RuntimeError(f"logging in {username} in-process answered {response.status_code}")

    def get(self, path: str) -> bytes:
        response = self.client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response.get_data()


class QueryCounter:
    """Count the SQL statements an engine sends while inside the `with` block (transaction control and
    PRAGMAs not counted); keep them, with their parameters, for replaying."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.statements: list[tuple[str, object]] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def _seen(self, _connection, _cursor, statement, parameters, _context, _executemany) -> None:
        if not NOT_COUNTED.match(statement):
            self.statements.append((statement, parameters))

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def queries_of(app: Flask, browser: PageClient, path: str) -> int:
    """The statements of a page's second request (the first warms what the app caches)."""
    browser.get(path)
    with QueryCounter(app.extensions["engine"]) as counter:
        browser.get(path)
    return counter.count


# ---- The dataset and what the measurements use of it ------------------------------------------------


def copy_sqlite(url: str, target: Path) -> str:
    """Copy a SQLite database (its WAL included) with SQLite's online backup; return the copy's URL."""
    source_path = make_url(url).database
    source, copy = sqlite3.connect(source_path), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return f"sqlite:///{target}"


@dataclass
class Scene:
    """Who and what the measurements use in one database."""

    sector: str
    enterprise_id: int
    token: str
    inspector: str
    county_admin: str
    city: str
    enterprise_user: str | None
    county_id: int
    campaign: tuple[date, date]
    draft_id: int | None = None
    item_id: int | None = None
    submitted_id: int | None = None
    hazard_id: int | None = None
    enterprise_hazard_id: int | None = None
    facts: dict[str, int] = field(default_factory=dict)


def largest_sector(session, catalogue) -> str:
    """The sector with the most checklist items that has enterprises."""
    from checklist.models import Enterprise, Sector

    present = set(session.scalars(select(Sector.code).join(Enterprise, Enterprise.sector_id == Sector.id)))
    return max(sorted(present & set(catalogue.sectors)), key=lambda code: len(catalogue.sectors[code].items))


def inspector_of(session, county_id: int):
    """An active inspector of the county, a team member if there is one."""
    from checklist.models import Role, Unit, User, team_member

    inspectors = (
        select(User).join(Unit, User.unit_id == Unit.id)
        .where(User.role == Role.INSPECTOR, User.active.is_(True), Unit.county_id == county_id)
    )
    return (session.scalars(inspectors.where(User.id.in_(select(team_member.c.user_id))).order_by(User.id)).first()
            or session.scalars(inspectors.order_by(User.id)).first())


def find_scene(app: Flask) -> Scene:
    """Pick the busiest enterprise of the sector with the longest checklist, and users who may see it."""
    from checklist.models import Enterprise, Hazard, Inspection, InspectionStatus, Role, Sector, Unit, User
    from checklist.rules.inspections import active_campaign

    with app.app_context(), app.extensions["read_sessionmaker"]() as session:
        code = largest_sector(session, app.extensions["catalogue"])
        busiest = (
            select(Enterprise.id, func.count(Inspection.id).label("inspections"))
            .join(Sector, Enterprise.sector_id == Sector.id)
            .outerjoin(Inspection, (Inspection.enterprise_id == Enterprise.id)
                       & (Inspection.status == InspectionStatus.SUBMITTED))
            .where(Sector.code == code).group_by(Enterprise.id)
            .order_by(func.count(Inspection.id).desc(), Enterprise.id)
        )
        enterprise = None
        for enterprise_id, _count in session.execute(busiest):
            candidate = session.get(Enterprise, enterprise_id)
            if inspector_of(session, candidate.county_id) is not None:
                enterprise = candidate
                break
        if enterprise is None:
            raise RuntimeError(f"no enterprise of {code} in a county with an inspector")
        county_admin = session.scalars(
            select(User).join(Unit, User.unit_id == Unit.id)
            .where(User.role == Role.COUNTY_ADMIN, Unit.county_id == enterprise.county_id).order_by(User.id)
        ).first()
        city = session.scalars(select(User).where(User.role == Role.CITY_ADMIN).order_by(User.id)).first()
        found = select(Hazard).where(Hazard.found_at.is_not(None))
        # An enterprise login with hazards to show: this enterprise's own, else the first one that has some.
        enterprise_user = session.scalars(
            select(User).where(User.role == Role.ENTERPRISE, User.active.is_(True),
                               User.enterprise_id.in_(select(Hazard.enterprise_id).where(Hazard.found_at.is_not(None))))
            .order_by((User.enterprise_id == enterprise.id).desc(), User.id)
        ).first()
        hazard = session.scalars(found.where(Hazard.enterprise_id == enterprise.id).order_by(Hazard.id)).first()
        campaign = active_campaign(session)
        return Scene(
            sector=code, enterprise_id=enterprise.id, token=enterprise.qr_token,
            inspector=inspector_of(session, enterprise.county_id).username,
            county_admin=county_admin.username if county_admin else None, city=city.username,
            enterprise_user=enterprise_user.username if enterprise_user else None, county_id=enterprise.county_id,
            campaign=(campaign.starts_on, campaign.ends_on),
            submitted_id=session.scalars(  # one with a problem list and an order to print
                select(Inspection.id).where(Inspection.enterprise_id == enterprise.id,
                                            Inspection.status == InspectionStatus.SUBMITTED,
                                            Inspection.unit_id.is_not(None),
                                            Inspection.id.in_(select(Hazard.inspection_id)))
                .order_by(Inspection.signed_at.is_(None), Inspection.id)
            ).first(),
            hazard_id=hazard.id if hazard else None,
            enterprise_hazard_id=session.scalars(
                select(Hazard.id).where(Hazard.found_at.is_not(None),
                                        Hazard.enterprise_id == enterprise_user.enterprise_id).order_by(Hazard.id)
            ).first() if enterprise_user else None,
            facts={
                "submitted inspections": session.scalar(
                    select(func.count(Inspection.id)).where(Inspection.enterprise_id == enterprise.id,
                                                            Inspection.status == InspectionStatus.SUBMITTED)),
                "open hazards": session.scalar(
                    select(func.count(Hazard.id)).where(Hazard.enterprise_id == enterprise.id,
                                                        Hazard.found_at.is_not(None), Hazard.closed_at.is_(None))),
            },
        )


def start_draft(session, app: Flask, user, enterprise, client_uuid: str):
    """Open a draft inspection through the app's own rule (inspections.start_inspection)."""
    from checklist import access
    from checklist.rules.inspections import start_inspection

    teams = [team for team in (user.unit.teams if user.unit else []) if user in team.members]
    return start_inspection(
        session, app.extensions["catalogue"], user, enterprise, mode=access.allowed_modes(user)[0],
        team=teams[0] if teams else None, client_uuid=client_uuid,
    )


def add_draft(app: Flask, scene: Scene) -> None:
    """Give the scene's inspector a draft at the scene's enterprise (before gunicorn starts)."""
    from checklist.models import Enterprise, User

    with app.app_context(), app.extensions["sessionmaker"]() as session:
        user = session.scalars(select(User).where(User.username == scene.inspector)).one()
        draft = start_draft(session, app, user, session.get(Enterprise, scene.enterprise_id),
                            "00000000-0000-4000-8000-00000000bec4")
        session.commit()
        scene.draft_id, scene.item_id = draft.id, draft.checklist.items[0].id


def hazard_world(app: Flask, scene: Scene, hazards: int, draft_hazards: int) -> tuple[str, int]:
    """Add a new enterprise in the scene's county and sector with `hazards` open hazards (submitted
    inspections of 10 failed items each, one evidence photo row per hazard) and a draft with
    `draft_hazards` failed items, all through the app's rules; return its QR token and the draft's id."""
    from checklist import credit_code
    from checklist.clock import local_today
    from checklist.models import (
        County,
        Enterprise,
        HazardLevel,
        Outcome,
        Photo,
        PhotoKind,
        Sector,
        User,
    )
    from checklist.rules.inspections import HazardInput, record_result, submit_inspection

    today = local_today()  # China's day, as the rules check deadlines: from 16:00 UTC it is a day ahead
    with app.app_context(), app.extensions["sessionmaker"]() as session:
        user = session.scalars(select(User).where(User.username == scene.inspector)).one()
        county = session.get(County, scene.county_id)
        enterprise = Enterprise(
            name=f"基准测试企业{hazards}", credit_code=credit_code.generate(county.code, random.Random(hazards)),
            county=county, sector=session.scalars(select(Sector).where(Sector.code == scene.sector)).one(),
            supervising_unit_id=user.unit_id, contact_name="王经理",
        )
        session.add(enterprise)
        session.flush()

        def fail(inspection, items, number: int) -> None:
            for position, item in enumerate(inspection.checklist.items):
                failing = item in items
                record_result(session, user, inspection, item, Outcome.FAIL if failing else Outcome.PASS,
                              hazard=HazardInput(
                                  level=HazardLevel.MAJOR if position % 5 == 0 else HazardLevel.GENERAL,
                                  description=f"基准隐患 {number}-{position}",
                                  deadline=today + timedelta(days=position),
                                  responsible_person="王经理",
                              ) if failing else None)

        for number in range(hazards // 10):
            client_uuid = f"00000000-0000-4000-8000-{hazards:04d}{number:08d}"
            inspection = start_draft(session, app, user, enterprise, client_uuid)
            items = inspection.checklist.items
            fail(inspection, [items[(number + step) % len(items)] for step in range(10)], number)
            session.flush()
            for hazard in inspection.hazards:
                session.add(Photo(inspection=inspection, enterprise_id=enterprise.id, hazard=hazard,
                                  item_id=hazard.item_id, kind=PhotoKind.EVIDENCE, sha256="0" * 64,
                                  path=f"bench/{hazard.uuid}.jpg", thumbnail_path=f"bench/{hazard.uuid}-t.jpg",
                                  width=1600, height=1200, uploaded_by_id=user.id))
            submit_inspection(session, user, inspection)
        draft = start_draft(session, app, user, enterprise, f"00000000-0000-4000-8000-{hazards:04d}99999999")
        items = draft.checklist.items
        for position, item in enumerate(items[:draft_hazards]):
            record_result(session, user, draft, item, Outcome.FAIL, hazard=HazardInput(
                level=HazardLevel.GENERAL, description=f"草稿隐患 {position}", deadline=today + timedelta(days=15),
                responsible_person="王经理",
            ))
        session.commit()
        return enterprise.qr_token, draft.id


# ---- Measurements ---------------------------------------------------------------------------------


def city_export(app: Flask, scene: Scene) -> Callable[[], None]:
    """Build the city's statistics table of the whole campaign as xlsx, as `flask export-table --city` does."""
    from checklist.read.statistics import city_table
    from checklist.sheets.exports import statistics_table_xlsx

    def build() -> None:
        with app.app_context(), app.extensions["sessionmaker"]() as session:  # as the CLI: a write session
            data = statistics_table_xlsx(city_table(session, *scene.campaign))
        assert data[:2] == b"PK"

    return build


def measure_export(app: Flask, scene: Scene, env: dict, folder: Path, report: Report, runs: int) -> None:
    start, end = scene.campaign
    engine = app.extensions["engine"]
    build = city_export(app, scene)

    def export() -> float:
        began = time.perf_counter()
        build()
        return time.perf_counter() - began

    def replay(statements: list[tuple[str, object]]) -> float:
        began = time.perf_counter()
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            cursor.close()
        finally:
            connection.close()
        return time.perf_counter() - began

    with app.app_context():
        with QueryCounter(engine) as counter:  # also the warm-up run
            export()
        selects = [(statement, parameters) for statement, parameters in counter.statements
                   if statement.lstrip().upper().startswith(("SELECT", "WITH"))]
        replay(selects)
        export_times, sql_times = [], []
        for _ in range(runs):  # interleaved: a noisy neighbour slows both alike
            export_times.append(export())
            sql_times.append(replay(selects))
    print(f"  period {start} to {end}; the export sent {counter.count} statements, {len(selects)} SELECTs replayed")
    print(f"  export: median {median(export_times):.3f} s, best {min(export_times):.3f} s of {runs}; "
          f"bare SQL: median {median(sql_times):.3f} s, best {min(sql_times):.3f} s")
    report.add("export_s", rounded(median(export_times)), f"median of {runs}")
    report.add("export_vs_sql", rounded(median(export_times) / median(sql_times)),
               f"median {median(export_times):.3f} s / SQL median {median(sql_times):.3f} s")

    # The CLI in a child process of its own, so that its peak RSS is its own.
    output = folder / "city.xlsx"
    command = [sys.executable, "-m", "flask", "--app", "app", "export-table", "--city",
               "--from", start.isoformat(), "--to", end.isoformat(), "-o", str(output)]
    began = time.perf_counter()
    printed, peak_mb = child_process(command, env, "export-table")
    print(f"  CLI: {printed.strip()} in {time.perf_counter() - began:.2f} s, {output.stat().st_size} bytes")
    report.add("export_rss_mb", rounded(peak_mb), "peak RSS of `flask export-table --city`")


def child_process(command: list[str], env: dict, name: str) -> tuple[str, float]:
    """Run a command in the project's folder; return what it printed and its peak RSS in MB (its own alone)."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    printed = process.stdout.read().decode(errors="replace")
    process.stdout.close()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed: {printed[-1000:]}")
    return printed, usage.ru_maxrss / 1024


def measure_list_export(scene: Scene, env: dict, folder: Path, report: Report, runs: int,
                        password: str | None = None) -> None:
    """The city's list of major hazards as xlsx (its county with the most), downloaded in a child process
    (bench/list_export.py): the median time of a download after a warm-up, and the peak RSS of the process."""
    output = folder / "major-hazards.xlsx"
    command = [sys.executable, "-m", "bench.list_export", scene.city, str(runs), str(output)]
    printed, peak_mb = child_process(command, {**env, "BENCH_PASSWORD": password or dataset_password()},
                                     "bench.list_export")
    figures = json.loads(printed.strip().splitlines()[-1])
    seconds = figures["seconds"]
    print(f"  {figures['path']} as the city: {', '.join(f'{value:.2f}' for value in seconds)} s, "
          f"{figures['bytes']} bytes")
    report.add("list_export_s", rounded(median(seconds)), f"median of {len(seconds)} after a warm-up")
    report.add("list_export_rss_mb", rounded(peak_mb), "peak RSS of `python -m bench.list_export`")


def measure_dashboard(app: Flask, scene: Scene, report: Report, runs: int) -> None:
    browser = PageClient(app, scene.city, dataset_password())
    times = timed_ms(lambda: browser.get("/dashboard"), runs)
    print(f"  city dashboard in-process: {', '.join(f'{value:.0f}' for value in times)} ms")
    report.add("dashboard_city_ms", rounded(median(times)), f"median of {len(times)} after a warm-up")


def timed_ms(action: Callable[[], object], runs: int) -> list[float]:
    """The times of an action in ms, after one warm-up: 5 runs (1 when quick)."""
    action()
    times = []
    for _ in range(max(runs, 5) if runs > 1 else 1):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return times


def measure_coverage(app: Flask, scene: Scene, report: Report, runs: int) -> None:
    from checklist.read.spot_checks import DrawFilter
    from checklist.rules.inspections import active_campaign
    from checklist.rules.spot_checks import draw_from_rosters

    browser = PageClient(app, scene.city, dataset_password())
    times = timed_ms(lambda: browser.get("/coverage"), runs)
    print(f"  city coverage page in-process: {', '.join(f'{value:.0f}' for value in times)} ms")
    report.add("coverage_city_ms", rounded(median(times)), f"median of {len(times)} after a warm-up")
    with app.extensions["sessionmaker"]() as session:
        campaign = active_campaign(session)
        drawn = []
        times = timed_ms(lambda: drawn.append(draw_from_rosters(
            session, campaign, DrawFilter(with_counties=True), enterprises=100, per_task=2, seed=len(drawn),
        )), runs)
    print(f"  draw of 100 x 2 from the whole roster: {', '.join(f'{value:.0f}' for value in times)} ms")
    report.add("draw_ms", rounded(median(times)), f"median of {len(times)} after a warm-up")


def biggest_county(session) -> tuple[int, str]:
    """The county with the most enterprises (of equals, the first): its id and name."""
    return session.execute(text(
        "SELECT county.id, county.name FROM enterprise JOIN county ON county.id = enterprise.county_id"
        " GROUP BY county.id, county.name ORDER BY count(*) DESC, county.id LIMIT 1")).one()


def sites_held(copy: dict, enterprises: list[tuple[str, str]]) -> int:
    """How many of the enterprises, (QR token, name) each, have their site in the offline copy's answer."""
    held = set(zip(copy["sites"]["token"], copy["sites"]["name"], strict=True))
    return sum((token, name) in held for token, name in enterprises)


def offline_copy(browser: PageClient, since: str | None = None) -> tuple[dict, dict[str, int]]:
    """The offline copy as the service worker asks it: `since` a time in one answer, else whole, part after part
    (`?after=` each answer's `next`), its parts' columns joined; and the gzip -1 bytes of each answer."""
    path = OFFLINE_COPY + (f"?{urllib.parse.urlencode({'since': since})}" if since else "")
    body = browser.get(path)
    copy, sizes = json.loads(body), {path: gzip_size(body)}
    while copy["next"] is not None:
        path = f"{OFFLINE_COPY}?after={copy['next']}"
        body = browser.get(path)
        part, sizes[path] = json.loads(body), gzip_size(body)
        for table in ("sites", "hazards"):
            for name, values in part[table].items():
                copy[table][name] += values
        for names in ("counties", "sectors", "units"):
            copy[names].update(part[names])
        copy["next"] = part["next"]
    return copy, sizes


def offline_fill(browser: PageClient, since: str | None = None, token: str | None = None,
                 sectors: dict | None = None) -> tuple[dict, dict[str, int]]:
    """Fill the offline copy as the service worker does (OFFLINE_FILL), the copy whole or `since` a time: the copy's
    answer, and the gzip -1 bytes of each address fetched (the copy's first). Any answer but 200 fails (PageClient).
    The inspection page is that of `token`, else of the copy's first site; the checklists those of `sectors` (the
    phone asks again for every sector its copy holds), else of the answer's."""
    copy, sizes = offline_copy(browser, since)
    if token is None:
        if not copy["sites"]["token"]:
            raise RuntimeError(f"{OFFLINE_COPY} holds no site")
        token = copy["sites"]["token"][0]
    codes = sorted(sectors or copy["sectors"])
    for address in OFFLINE_FILL:
        if address == OFFLINE_COPY:
            continue
        for path in ([address.format(sector=urllib.parse.quote(code, safe='')) for code in codes]
                     if "{sector}" in address else [address.format(token=token)]):
            sizes[path] = gzip_size(browser.get(path))
    return copy, sizes


def measure_offline(app: Flask, report: Report) -> None:
    """The phone's offline copy of an inspector of the county with the most enterprises: the share of that county's
    enterprises it holds, and what filling it costs on the wire, the first time and on a day's changes."""
    from checklist.models import HazardHistory

    with app.app_context(), app.extensions["read_sessionmaker"]() as session:
        county_id, county = biggest_county(session)
        enterprises = session.execute(text("SELECT qr_token, name FROM enterprise WHERE county_id = :county"),
                                      {"county": county_id}).all()
        inspector = inspector_of(session, county_id)
        if inspector is None:
            raise RuntimeError(f"no active inspector in {county}, the county with the most enterprises")
        last = session.scalar(select(func.max(HazardHistory.at)))
        if last is None:
            raise RuntimeError("no hazard history: no day of changes to refresh")
    browser = PageClient(app, inspector.username, dataset_password())
    held = sites_held(offline_copy(browser)[0], enterprises)  # whatever the rest of the fill answers
    report.add("offline_sites_ratio", rounded(held / len(enterprises)),
               f"{held} of {len(enterprises)} enterprises of {county}, {inspector.username}'s copy")
    since = (last - timedelta(days=1)).isoformat(timespec="seconds") + "Z"
    began = time.perf_counter()
    whole, first = offline_fill(browser)
    print(f"  {inspector.username} of {county} ({len(enterprises)} enterprises): the first fill in "
          f"{time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    changed, daily = offline_fill(browser, since, whole["sites"]["token"][0], whole["sectors"])
    print(f"  the daily refresh since {since} (a day before the last hazard history) in "
          f"{time.perf_counter() - began:.1f} s")
    for name, sizes, copy in (("first fill", first, whole), ("daily refresh", daily, changed)):
        print(f"  {name}: the copy holds {len(copy['sites']['id'])} sites and {len(copy['hazards']['id'])} hazards "
              f"({len(copy['closed'])} closed), ids of {len(copy['site_ids'])}; gzip -1 bytes:\n    "
              + "\n    ".join(f"{path}: {size}" for path, size in sizes.items()))
    for key, sizes in (("offline_first_fill_kb", first), ("offline_daily_kb", daily)):
        parts = [size / 1024 for path, size in sizes.items() if path.startswith(OFFLINE_COPY)]
        others = [size / 1024 for path, size in sizes.items() if not path.startswith(OFFLINE_COPY)]
        report.add(key, rounded(sum(parts) + sum(others)),
                   f"the copy {sum(parts):.0f} KB in {len(parts)} answers + {len(others)} other answers"
                   f" {sum(others):.0f} KB, gzip -1")


def role_clients(app: Flask, scene: Scene) -> dict[str, object]:
    """A test client per role of the crawl, logged in through the login form (anonymous: nobody)."""
    from . import crawl

    clients = {crawl.ANONYMOUS: app.test_client()}
    for role, username in crawl.users(scene).items():
        clients[role] = PageClient(app, username, dataset_password()).client
    return clients


def measure_pages(app: Flask, scene: Scene, report: Report):
    """Every GET route as every role (bench.crawl): the 95th percentile and the slowest pages; returns the crawl."""
    from . import crawl

    result = crawl.crawl(app, scene, role_clients(app, scene))
    print(f"  {len(result.timed)} requests timed, {len(result.reached)} reached by their role")
    for entry in result.slowest(10):
        print(f"    {entry}")
    report.add("pages_p95_ms", rounded(result.p95_ms), f"over {len(result.reached)} pages and roles")
    report.add("pages_max_ms", rounded(result.max_ms))
    report.add("slowest", [f"{entry.endpoint} as {entry.role}: {entry.ms:.0f} ms" for entry in result.slowest()])
    return result


def measure_growth(slowest, folder: Path, report: Report, runs: int, regenerate: bool) -> None:
    """The city's export, the city dashboard and the crawl's slowest page (the same route, role and query string)
    at scales 0.1, 1 and 3, each on a fresh copy: `growth` is each one's time at 1 and at 3 over its time at 0.1,
    to hold against the data's own growth (10 and 30)."""
    from . import crawl, dataset

    times: dict[float, dict[str, float]] = {}
    for scale in GROWTH_SCALES:
        built = dataset.ensure(scale, regenerate=regenerate)
        path = folder / f"growth-{scale:g}.sqlite"
        app = make_app(copy_sqlite(built.url, path), folder / "uploads")
        try:
            scene = find_scene(app)
            add_draft(app, scene)
            clients = role_clients(app, scene)
            query = slowest.path.partition("?")[2]
            page = next(address for endpoint, address in crawl.addresses(app, slowest.role, scene,
                                                                         crawl.prepare(app, scene))
                        if endpoint == slowest.endpoint and address.partition("?")[2] == query)
            actions = {
                "export": city_export(app, scene),
                "dashboard": lambda: clients["city_admin"].get("/dashboard").close(),  # noqa: B023 - used at once
                f"{slowest.endpoint} as {slowest.role}": lambda: clients[slowest.role].get(page).close(),  # noqa: B023
            }
            times[scale] = {name: median(timed_ms(action, runs)) for name, action in actions.items()}
        finally:
            app.extensions["engine"].dispose()
            path.unlink()
        print(f"  scale {scale:g} ({built.counts['hazards']} hazards): "
              + ", ".join(f"{name} {value:.0f} ms" for name, value in times[scale].items()))
    base, *larger = GROWTH_SCALES
    report.add("growth", {name: [rounded(times[scale][name] / times[base][name]) for scale in larger]
                          for name in times[base]},
               f"time at scale {', '.join(f'{scale:g}' for scale in larger)} over the time at {base:g}")


def measure_queries(small_url: str, full_app: Flask, full_scene: Scene, folder: Path, report: Report) -> None:
    """Statements per page: the site and checklist pages on an enterprise with 10, then 100 hazards (added to
    copies of the small dataset), the city dashboard on the small and on the full dataset."""
    site, checklist, dashboard = [], [], []
    for hazards, draft_hazards in ((10, 10), (100, 100)):
        url = copy_sqlite(small_url, folder / f"queries-{hazards}.sqlite")
        app = make_app(url, folder / "uploads-small")
        try:
            scene = find_scene(app)
            token, draft_id = hazard_world(app, scene, hazards, draft_hazards)
            inspector = PageClient(app, scene.inspector, dataset_password())
            site.append(queries_of(app, inspector, f"/s/{token}"))
            checklist.append(queries_of(app, inspector, f"/inspections/{draft_id}"))
            if hazards == 10:
                dashboard.append(queries_of(app, PageClient(app, scene.city, dataset_password()), "/dashboard"))
        finally:
            app.extensions["engine"].dispose()
    dashboard.append(queries_of(full_app, PageClient(full_app, full_scene.city, dataset_password()), "/dashboard"))
    report.add("queries_site", site, "enterprise with 10 / 100 open hazards")
    report.add("queries_checklist", checklist, "its draft with 10 / every item failed")
    report.add("queries_dashboard", dashboard, f"city, scale {SMALL_SCALE} / full dataset")


def pillow_bare(data: bytes) -> bytes:
    """Pillow alone: draft decode, resize to fit LONG_SIDE (the app's LANCZOS), encode at the app's quality.

    The draft asks for the fitted size (1600x1200 for a 4:3 photo): JPEG's draft only scales down while both
    sides stay at least the asked ones, so a (1600, 1600) box would decode a 4000x3000 photo at full size.
    """
    from PIL import Image

    image = Image.open(BytesIO(data))
    scale = LONG_SIDE / max(image.size)
    fitted = (round(image.width * scale), round(image.height * scale))
    image.draft("RGB", fitted)
    image = image.resize(fitted, Image.Resampling.LANCZOS)
    output = BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


def measure_photo(app: Flask, report: Report, runs: int) -> None:
    from checklist.imaging import process_photo

    data = phone_jpeg(PHOTO_SIZE)
    lines = ["2021-10-08 10:24", "晋中市某某煤业有限公司", "张检查"]  # the stamp: photos.stamp_lines
    with app.app_context():
        process_photo(data, lines)  # warm-up: finds and loads the CJK font once
        pillow_bare(data)
        app_times, pillow_times = [], []
        for _ in range(max(runs, 5) if runs > 1 else 1):
            began = time.perf_counter()
            process_photo(data, lines)
            app_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            pillow_bare(data)
            pillow_times.append(time.perf_counter() - began)
    app_ms, pillow_ms = median(app_times) * 1000, median(pillow_times) * 1000
    print(f"  {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEG of {len(data) / 2**20:.1f} MiB: process_photo {app_ms:.0f} ms, "
          f"bare Pillow {pillow_ms:.0f} ms (medians of {len(app_times)})")
    report.add("photo_ms", rounded(app_ms), "process_photo, median")
    report.add("photo_vs_pillow", rounded(app_ms / pillow_ms), f"bare Pillow {pillow_ms:.0f} ms")


def measure_photo_upload(report: Report, photos: dict[str, bytes] | None = None) -> None:
    """The bench's photos (or those given) made smaller by app.js in headless Chromium, then stamped by the server:
    the median size of what goes up."""
    from . import photo_upload

    photos = photos or photo_upload.bench_photos()
    with photo_upload.Phone() as phone:
        long_side, quality = phone.settings()
        sent = photo_upload.send(phone, photos)
    for photo in sent:
        print(f"  {photo.name}: {len(photos[photo.name]) / 1024:.0f} KB taken, {photo.width}x{photo.height} "
              f"{len(photo.upload) / 1024:.0f} KB sent, {len(photo.stored) / 1024:.0f} KB stored after the stamp")
    report.add("photo_upload_kb", rounded(photo_upload.upload_kb(sent)),
               f"median of {len(sent)}, app.js at {long_side} px and quality {quality}")


def measure_page_costs(app: Flask, scene: Scene, report: Report, requests: int) -> None:
    """The site and checklist pages in-process, as the scene's inspector: the median of `requests` each, after
    a warm-up, the two pages in turns."""
    browser = PageClient(app, scene.inspector, dataset_password())
    pages = {"site": f"/s/{scene.token}", "checklist": f"/inspections/{scene.draft_id}"}
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(max(requests // 10, 2)):  # the warm-up
        for path in pages.values():
            browser.get(path)
    for _ in range(requests):
        for name, path in pages.items():
            began = time.perf_counter()
            browser.get(path)
            times[name].append((time.perf_counter() - began) * 1000)
    for name, path in pages.items():
        ordered = sorted(times[name])
        print(f"  {name} {path}: median {median(ordered):.1f} ms, fastest {ordered[0]:.1f} ms, "
              f"90th percentile {ordered[len(ordered) * 9 // 10]:.1f} ms")
        report.add(f"{name}_ms", rounded(median(ordered)), f"median of {requests} in-process")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def balanced_wrk(server: Gunicorn, url: str, seconds: float, cookie: str | None = None,
                 attempts: int = 3) -> WrkResult:
    """wrk's figures from a run in which both workers did their share.

    wrk keeps its connections open, and a gthread worker accepts as many as come while the other is busy:
    now and then one worker gets all 16 and the other idles, which halves the figure whatever the page.
    Such a run (a worker with less than a quarter of the other's CPU time) is run again, up to `attempts`.
    """
    for attempt in range(1, attempts + 1):
        before = {pid: cpu_seconds(pid) for pid in server.worker_pids()}
        result, _ = wrk(url, seconds, cookie=cookie)
        used = [cpu_seconds(pid) - start for pid, start in before.items()]
        balanced = min(used) >= max(used) / 4
        print(f"    run {attempt}: {result.requests_per_second:.0f} requests/s, p99 {result.p99_ms} ms, worker CPU "
              f"{', '.join(f'{value:.1f}' for value in used)} s{'' if balanced else ': unbalanced'}")
        if balanced:
            break
    return result


def measure_throughput(env: dict, folder: Path, scene: Scene, report: Report, seconds: float) -> None:
    """Requests/s of the site and checklist pages over a bare Flask app, each under gunicorn with 2 workers
    and 4 threads (no access log for either), driven by wrk (2 threads, 16 keep-alive connections) from
    loopback after a short warm-up.

    wrk runs on the same two cores as gunicorn and takes its share of them: the conditions are the same
    for the baseline and the app, so the ratio is fair, but the absolute figures are lower than a separate
    load machine would see.
    """
    warm = min(2.0, seconds)
    with Gunicorn(env, folder / "hello.log", app="bench.hello:app", ready="/", access_log=False) as hello:
        wrk(f"{hello.base}/", warm)
        print("  hello:")
        baseline = balanced_wrk(hello, f"{hello.base}/", seconds)
    with Gunicorn(env, folder / "app.log", access_log=False) as server:
        inspector = http_login(server.base, scene.inspector, dataset_password())
        pages = {"site": f"/s/{scene.token}", "checklist": f"/inspections/{scene.draft_id}"}
        results = {}
        for name, path in pages.items():
            require_ok(server.base + path, inspector.cookie)
            wrk(server.base + path, warm, cookie=inspector.cookie)
            print(f"  {name} {path}:")
            results[name] = balanced_wrk(server, server.base + path, seconds, cookie=inspector.cookie)
            if results[name].errors:
                raise RuntimeError(f"{name} page: {results[name].errors} errors under wrk")
    ratio = lambda name: rounded(results[name].requests_per_second / baseline.requests_per_second)  # noqa: E731
    report.add("site_rps_ratio", ratio("site"),
               f"{results['site'].requests_per_second:.0f} / hello {baseline.requests_per_second:.0f} requests/s")
    report.add("checklist_rps_ratio", ratio("checklist"), f"{results['checklist'].requests_per_second:.0f} requests/s")
    report.add("site_p99_ms", rounded(results["site"].p99_ms), "wrk -t2 -c16")


def vm_hwm_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024


def measure_worker_rss(env: dict, folder: Path, scene: Scene, report: Report, requests: int) -> None:
    """Fresh workers (never restarted: GUNICORN_MAX_REQUESTS=0) serve `requests` GETs of a mix of pages;
    then the largest peak RSS (VmHWM) of the two.

    The mix, per 1,000 requests: 484 site pages and 483 checklist pages (the inspectors' phones), 20 county
    hazard lists and 10 county dashboards (an inspector's), 2 city hazard lists and 1 city dashboard.
    """
    with Gunicorn({**env, "GUNICORN_MAX_REQUESTS": "0"}, folder / "rss.log", access_log=False) as server:
        inspector = http_login(server.base, scene.inspector, dataset_password())
        city = http_login(server.base, scene.city, dataset_password())
        kinds = [(f"/s/{scene.token}", inspector.cookie, 484),
                 (f"/inspections/{scene.draft_id}", inspector.cookie, 483),
                 ("/hazards?status=open", inspector.cookie, 20), ("/dashboard", inspector.cookie, 10),
                 ("/hazards", city.cookie, 2), ("/dashboard", city.cookie, 1)]
        for path, cookie, _share in kinds:
            require_ok(server.base + path, cookie)
        mix = [(path, cookie) for path, cookie, share in kinds for _ in range(share)]
        random.Random(1).shuffle(mix)
        script = folder / "mix.lua"
        script.write_text(mix_script(mix))
        before = {pid: vm_hwm_mb(pid) for pid in server.worker_pids()}
        served, seconds, chunk = 0, 0.0, 5.0
        while served < requests:  # wrk runs for a duration: rounds of it until enough responses came
            result, output = wrk(f"{server.base}/", chunk, script=script, connections=8, timeout=120)
            counted = re.search(r"BENCH responses=(\d+) bad=(\d+)", output)
            if int(counted.group(2)):
                raise RuntimeError(f"the mix got {counted.group(2)} responses other than 200")
            served, seconds = served + int(counted.group(1)), seconds + result.seconds
            rate = served / seconds
            chunk = max(2.0, min(60.0, (requests - served) / rate + 1))
        after = {pid: vm_hwm_mb(pid) for pid in server.worker_pids()}
        if set(after) != set(before):
            raise RuntimeError("a worker was restarted during the run")
    print(f"  {served} requests in {seconds:.1f} s ({served / seconds:.0f}/s); VmHWM per worker "
          f"before {', '.join(f'{value:.0f}' for value in before.values())} MB, "
          f"after {', '.join(f'{value:.0f}' for value in after.values())} MB")
    report.add("worker_rss_mb", rounded(max(after.values())), f"max VmHWM of 2 workers after {served} requests")


def crawl_pages(scene: Scene) -> dict[str | None, list[str]]:
    """The main pages of each role (None: not logged in), by the user names of the scene."""
    draft, submitted, token = scene.draft_id, scene.submitted_id, scene.token
    pages: dict[str | None, list[str]] = {
        None: ["/login", f"/s/{token}", "/activate", "/manifest.webmanifest", "/sw.js"],
        scene.city: ["/", "/dashboard", "/hazards", "/hazards?status=open&major=1", "/inspection-list",
                     "/cross-check", "/tables", f"/tables?county={scene.county_id}", "/reports/daily/status",
                     "/reports/bulletin", "/reports/monthly/overview", "/verification", "/major-hazards",
                     "/enterprises", "/teams", "/imports"],
        scene.inspector: ["/", f"/s/{token}", f"/inspections/{draft}", f"/inspections/{draft}/items/{scene.item_id}",
                          f"/inspections/{draft}/enforcement", f"/inspections/{draft}/review",
                          f"/app/inspect/{token}", "/app/outbox", "/app/scan", "/dashboard", "/hazards"],
    }
    if submitted:
        pages[scene.inspector] += [f"/inspections/{submitted}/problems", f"/inspections/{submitted}/documents"]
    if scene.hazard_id:
        pages[scene.city].append(f"/hazards/{scene.hazard_id}")
    if scene.county_admin:
        pages[scene.county_admin] = ["/", "/dashboard", "/hazards", "/verification", "/tables", "/reports/daily",
                                     "/reports/monthly", "/enterprises", "/teams"]
    if scene.enterprise_user:
        pages[scene.enterprise_user] = ["/", "/rectification", f"/hazards/{scene.enterprise_hazard_id}"]
    return pages


def wait_quiet(page, activity: list[float], quiet: float = 1.5, cap: float = 30) -> None:
    """Wait until no request has started for `quiet` seconds (the service worker's precaching), at most `cap`."""
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline and time.monotonic() - (activity[-1] if activity else 0) < quiet:
        page.wait_for_timeout(250)


def measure_browser(env: dict, folder: Path, scene: Scene, report: Report) -> None:
    """First load of the site page with an empty cache, and a crawl of every role's main pages counting the
    requests to any other host, in headless Chromium against gunicorn."""
    from playwright.sync_api import sync_playwright

    with Gunicorn(env, folder / "browser.log", access_log=False) as server, sync_playwright() as playwright:
        host = urllib.parse.urlsplit(server.base).netloc
        browser = chromium.launch(playwright)
        external: list[str] = []
        statuses: list[str] = []

        def context_for(username: str | None, phone: bool = True):
            options = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True} if phone else {}
            context = browser.new_context(**options)
            if username:
                context.add_cookies(http_login(server.base, username, dataset_password()).cookies())
            activity: list[float] = []

            def seen(request) -> None:
                activity.append(time.monotonic())
                parts = urllib.parse.urlsplit(request.url)
                if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
                    external.append(request.url)

            context.on("request", seen)
            return context, activity

        # First load: a phone that never saw the site, the inspector's session cookie already set.
        context, activity = context_for(scene.inspector)
        page = context.new_page()
        loaded, everything = [], []
        page.on("requestfinished", lambda request: loaded.append(request))
        context.on("requestfinished", lambda request: everything.append(request))
        response = page.goto(f"{server.base}/s/{scene.token}", wait_until="load")
        if response.status != 200:
            raise RuntimeError(f"site page answered {response.status} in the browser")
        page.wait_for_timeout(500)
        total, compressed_by_server, lines = 0, False, []
        for request in loaded:
            if request.resource_type not in ("document", "stylesheet", "script"):
                continue
            answer = request.response()
            body = answer.body()
            encoded = answer.headers.get("content-encoding")
            size = request.sizes()["responseBodySize"] if encoded else gzip_size(body)
            compressed_by_server |= bool(encoded)
            total += size
            lines.append(f"{request.resource_type} {urllib.parse.urlsplit(request.url).path}: {len(body)} bytes, "
                         f"{size} {encoded or 'gzip -1'}")
        others = sum(len(request.response().body()) for request in loaded
                     if request.resource_type not in ("document", "stylesheet", "script") and request.response())
        print("  first load of the site page:\n    " + "\n    ".join(lines))
        print(f"    (other resources of the page, not counted: {others} bytes)")
        wait_quiet(page, activity)
        own = {id(request) for request in loaded}
        worker = [request for request in everything if id(request) not in own]
        worker_bytes = sum(request.sizes()["responseBodySize"] for request in worker)
        print(f"  besides the page's own {len(loaded)} requests, the service worker fetched {len(worker)} more "
              f"(its precache of the county; {worker_bytes / 1024:.0f} KB uncompressed), not counted in "
              "site_first_load_kb")
        how = "Content-Encoding from the server" if compressed_by_server else \
            "the server does not compress: bodies gzipped at level 1, as the README's nginx would"
        report.add("site_first_load_kb", rounded(total / 1024), how)
        context.close()

        # The crawl: every role's main pages; any request to another host counts.
        visited, slow = 0, []
        for username, paths in crawl_pages(scene).items():
            context, activity = context_for(username, phone=username != scene.city)
            page = context.new_page()
            for path in paths:
                began = time.monotonic()
                response = page.goto(server.base + path, wait_until="load", timeout=180_000)
                if time.monotonic() - began > 1:
                    slow.append(f"{username or 'anonymous'} {path} {time.monotonic() - began:.1f} s")
                visited += 1
                if response is None or response.status != 200:
                    statuses.append(f"{username or 'anonymous'} {path}: {response.status if response else 'none'}")
            wait_quiet(page, activity)
            context.close()
        browser.close()
    if slow:
        print("  pages slower than 1 s to load: " + "; ".join(slow))
    for url in external[:20]:
        print(f"  external request: {url}")
    note = f"{visited} pages of {len(crawl_pages(scene))} roles"
    if statuses:  # the crawl missed what those pages would have loaded
        print("  pages that did not answer 200: " + "; ".join(statuses))
        report.failures.append(f"crawl: {len(statuses)} pages did not answer 200")
        note += f", {len(statuses)} of them not 200"
    report.add("external_requests", len(external), note)


# ---- The run ---------------------------------------------------------------------------------------


def dataset_password() -> str:
    from . import dataset

    return dataset.PASSWORD


@contextmanager
def measuring(report: Report, title: str, keys: tuple[str, ...]) -> Iterator[None]:
    """Run one measurement; a failure is printed and leaves its keys unmeasured, the others go on."""
    section(title)
    began = time.monotonic()
    try:
        yield
    except Exception:  # noqa: BLE001 - any failure of one measurement must not lose the others
        traceback.print_exc()
        report.failures.append(title)
        for key in keys:
            report.values.setdefault(key, None)
    print(f"  ({time.monotonic() - began:.1f} s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.partition("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size, 1 = a whole city's campaign")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached dataset")
    parser.add_argument("--quick", action="store_true", help="one timing each, short wrk runs: a smoke test")
    options = parser.parse_args(argv)
    runs, seconds, requests = (1, 3.0, 2_000) if options.quick else (3, 10.0, RSS_REQUESTS)
    began = time.monotonic()
    report = Report()

    from . import dataset

    section(f"dataset, scale {options.scale:g}")
    full = dataset.ensure(options.scale, regenerate=options.regenerate)
    print(f"  {full.path}: generated in {full.seconds:.1f} s; "
          + ", ".join(f"{name} {count}" for name, count in full.counts.items()))
    small = dataset.ensure(SMALL_SCALE, regenerate=options.regenerate) if options.scale != SMALL_SCALE else full
    print(f"  small (scale {SMALL_SCALE:g}, for the query counts): generated in {small.seconds:.1f} s; "
          + ", ".join(f"{name} {count}" for name, count in small.counts.items()))

    with tempfile.TemporaryDirectory(prefix="bench-") as temporary:
        folder = Path(temporary)
        url = copy_sqlite(full.url, folder / "work.sqlite")  # every measurement works on this copy
        uploads = folder / "uploads"
        shutil.copytree(full.upload_dir, uploads) if Path(full.upload_dir).is_dir() else uploads.mkdir()
        env = {**os.environ, "SECRET_KEY": SECRET_KEY, "DATABASE_URL": url, "UPLOAD_DIR": str(uploads),
               "BASE_URL": "http://127.0.0.1:8000", "PROXY_FIX": "0"}
        app = make_app(url, uploads)
        scene = find_scene(app)
        add_draft(app, scene)
        print(f"  scene: sector {scene.sector}, enterprise {scene.enterprise_id} ({scene.facts}), inspector "
              f"{scene.inspector}, city {scene.city}, county admin {scene.county_admin}, enterprise user "
              f"{scene.enterprise_user}, draft {scene.draft_id}, campaign {scene.campaign[0]} to {scene.campaign[1]}")

        with measuring(report, "export of the city's table", ("export_s", "export_vs_sql", "export_rss_mb")):
            measure_export(app, scene, env, folder, report, runs)
        with measuring(report, "the city's list of major hazards as xlsx", ("list_export_s", "list_export_rss_mb")):
            measure_list_export(scene, env, folder, report, runs)
        with measuring(report, "city dashboard", ("dashboard_city_ms",)):
            measure_dashboard(app, scene, report, runs)
        with measuring(report, "coverage and the spot-check draw", ("coverage_city_ms", "draw_ms")):
            measure_coverage(app, scene, report, runs)
        with measuring(report, "the phone's offline copy", ("offline_sites_ratio", "offline_first_fill_kb",
                                                            "offline_daily_kb")):
            measure_offline(app, report)  # before the crawl: its preparation adds hazard history
        crawled = None
        with measuring(report, "every page as every role", ("pages_p95_ms", "pages_max_ms", "slowest")):
            crawled = measure_pages(app, scene, report)
        with measuring(report, "SQL statements per page", ("queries_site", "queries_checklist", "queries_dashboard")):
            measure_queries(small.url, app, scene, folder, report)
        with measuring(report, "photo pipeline", ("photo_ms", "photo_vs_pillow")):
            measure_photo(app, report, runs)
        with measuring(report, "what a phone sends for a photo", ("photo_upload_kb",)):
            measure_photo_upload(report)
        with measuring(report, "the site and checklist pages in-process", ("site_ms", "checklist_ms")):
            measure_page_costs(app, scene, report, 20 if options.quick else PAGE_REQUESTS)
        app.extensions["engine"].dispose()  # gunicorn's workers open their own connections
        with measuring(report, "requests/s under gunicorn", ("site_rps_ratio", "checklist_rps_ratio", "site_p99_ms")):
            measure_throughput(env, folder, scene, report, seconds)
        with measuring(report, f"worker memory after {requests} requests", ("worker_rss_mb",)):
            measure_worker_rss(env, folder, scene, report, requests)
        with measuring(report, "headless Chromium", ("site_first_load_kb", "external_requests")):
            measure_browser(env, folder, scene, report)
        with measuring(report, "growth with the data", ("growth",)):
            if crawled is None:
                raise RuntimeError("the crawl failed: no slowest page to follow")
            measure_growth(crawled.slowest(1)[0], folder, report, runs, options.regenerate)

    section(f"figures (scale {options.scale:g}{', quick' if options.quick else ''}; "
            f"{time.monotonic() - began:.0f} s in all)")
    print(f"{'key':<22} {'value':>14}  {'target':<12} verdict")
    print(report.table())
    if report.failures:
        print(f"failed measurements: {', '.join(report.failures)}")
    print(report.json(), flush=True)
    return 1 if report.missed or report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
