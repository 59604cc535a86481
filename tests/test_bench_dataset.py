"""The benchmark dataset (bench/dataset.py), at a small scale: the app's schema, consistent rows in every state,
cached, and served by the app. It only ever uses SQLite files of its own, whatever TEST_DATABASE_URL says."""

import sqlite3
from collections import defaultdict

import pytest

from bench.dataset import PASSWORD, ensure
from checklist import create_app, credit_code
from checklist.db import upgrade
from checklist.models import EnforcementKind, HazardLevel, InspectionMode
from checklist.read.statistics import city_table

SCALE = 0.002


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return ensure(SCALE, folder=tmp_path_factory.mktemp("bench"))


@pytest.fixture(scope="module")
def rows(dataset):
    """Run a query on the dataset file, outside the app."""
    connection = sqlite3.connect(dataset.path)
    yield lambda sql, *args: connection.execute(sql, args).fetchall()
    connection.close()


@pytest.fixture(scope="module")
def app(dataset):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False, "DATABASE_URL": dataset.url,
        "UPLOAD_DIR": str(dataset.upload_dir), "BASE_URL": "http://testserver",
    })
    yield app
    app.extensions["engine"].dispose()


def logged_in(app, username):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def test_counts_scale_and_cache(dataset, tmp_path):
    counts = dataset.counts
    assert (counts["counties"], counts["units"]) == (11, 150)
    assert (counts["enterprises"], counts["inspections"]) == (60, 600)
    assert (counts["hazards"], counts["enforcement_actions"]) == (2_000, 400)
    assert counts["item_results"] >= 14 * counts["inspections"]  # six common items and eight of a sector, at least
    assert dataset.url == f"sqlite:///{dataset.path}" and dataset.upload_dir.is_dir()
    assert dataset.path.name == "city-0.002.sqlite" and dataset.seconds > 0

    again = ensure(SCALE, folder=dataset.path.parent)  # cached: the stored figures, the file untouched
    assert (again.seconds, again.counts, again.path.stat().st_mtime) == (
        dataset.seconds, dataset.counts, dataset.path.stat().st_mtime)
    assert not [path for path in dataset.path.parent.iterdir() if ".tmp." in path.name]

    other = ensure(SCALE, folder=tmp_path)  # the same seed, the same data
    assert (other.counts, other.hazard_states) == (dataset.counts, dataset.hazard_states)
    first = other.path.stat().st_mtime_ns
    assert ensure(SCALE, regenerate=True, folder=tmp_path).path.stat().st_mtime_ns != first


def test_schema_is_the_migrated_one(dataset, rows, tmp_path):
    fresh = create_app({"SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}",
                        "UPLOAD_DIR": str(tmp_path / "uploads")})
    upgrade(fresh)
    fresh.extensions["engine"].dispose()
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"

    def normalized(entries):  # Alembic's batch mode writes a table's constraints in no fixed order
        return {(*entry[:3], tuple(sorted(line.strip(" ,") for line in (entry[3] or "").splitlines())))
                for entry in entries}

    with sqlite3.connect(tmp_path / "fresh.sqlite") as connection:
        expected = normalized(connection.execute(schema))
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert normalized(rows(schema)) == expected
    assert rows("SELECT version_num FROM alembic_version") == revision
    assert rows("PRAGMA journal_mode") == [("wal",)]


def test_rows_are_consistent(rows):
    assert rows("PRAGMA integrity_check") == [("ok",)]
    assert rows("PRAGMA foreign_key_check") == []
    assert all(credit_code.is_valid(code) for code, in rows("SELECT credit_code FROM enterprise"))
    assert rows("SELECT count(*) FROM hazard h JOIN inspection i ON i.id = h.inspection_id "
                "WHERE h.found_at != i.submitted_at OR h.enterprise_id != i.enterprise_id") == [(0,)]
    assert rows("SELECT count(*) FROM item_result r JOIN inspection i ON i.id = r.inspection_id "
                "JOIN checklist_item c ON c.id = r.item_id WHERE c.checklist_id != i.checklist_id") == [(0,)]
    assert rows("SELECT count(*) FROM hazard h LEFT JOIN item_result r ON r.inspection_id = h.inspection_id "
                "AND r.item_id = h.item_id WHERE r.outcome IS NOT 'fail'") == [(0,)]
    assert rows("SELECT count(*) FROM inspection WHERE mode = 'self_check' AND (unit_id IS NOT NULL "
                "OR id IN (SELECT inspection_id FROM enforcement_action))") == [(0,)]
    assert rows("SELECT count(*) FROM hazard WHERE (status = 'closed') != (closed_at IS NOT NULL)") == [(0,)]
    assert rows("SELECT count(*) FROM enforcement_action WHERE (kind = 'fine') != (fine_wan > 0)") == [(0,)]

    # every hazard's history: found first, each row from the status the one before left, ending at its status
    status = dict(rows("SELECT id, status FROM hazard"))
    history = defaultdict(list)
    for row in rows("SELECT hazard_id, at, action, from_status, to_status FROM hazard_history ORDER BY id"):
        history[row[0]].append(row[1:])
    assert set(history) == set(status)
    for hazard_id, steps in history.items():
        assert steps[0][1:] == ("found", None, "open")
        for before, after in zip(steps, steps[1:], strict=False):
            assert after[2] == before[3] and after[0] > before[0], (hazard_id, steps)
        assert steps[-1][3] == status[hazard_id]


def test_every_mode_kind_and_state(dataset, rows):
    # every mode an inspection is started with: a hazard from a worker's report is recorded by accepting the report
    assert {mode for mode, in rows("SELECT DISTINCT mode FROM inspection")} == {
        mode.value for mode in InspectionMode if mode is not InspectionMode.REPORT}
    assert {kind for kind, in rows("SELECT DISTINCT kind FROM enforcement_action")} == {
        kind.value for kind in EnforcementKind}
    last_action = "(SELECT action FROM hazard_history WHERE hazard_id = hazard.id ORDER BY id DESC LIMIT 1)"
    rejected = "EXISTS (SELECT 1 FROM hazard_history WHERE hazard_id = hazard.id AND action = 'rejected')"
    states = {
        "open": "status = 'open' AND deadline >= date('now', '+8 hours')",
        "overdue": "status != 'closed' AND deadline < date('now', '+8 hours')",
        "submitted": "status = 'submitted'",
        "resubmitted": f"status = 'submitted' AND {rejected}",
        "reopened": f"status = 'open' AND {last_action} = 'rejected'",
        "closed": "status = 'closed'",
        "extended": "EXISTS (SELECT 1 FROM hazard_history WHERE hazard_id = hazard.id AND action = 'extended')",
    }
    for level in HazardLevel:
        for name, where in states.items():
            assert rows(f"SELECT count(*) FROM hazard WHERE level = ? AND {where}", level.value)[0][0], (level, name)
    assert rows("SELECT count(*) FROM hazard WHERE listed_unit_id IS NOT NULL AND level = 'major'")[0][0]
    assert rows("SELECT count(*) FROM hazard WHERE listed_unit_id IS NOT NULL AND level != 'major'") == [(0,)]
    assert set(dataset.hazard_states) >= {f"{level.value} {name}" for level in HazardLevel for name in states}


def test_the_app_serves_it(app, rows):
    first_county = "(SELECT id FROM county ORDER BY code LIMIT 1)"  # county-1's; inspector-1-1 works there too
    token, = rows(f"SELECT qr_token FROM enterprise WHERE county_id = {first_county} ORDER BY id")[0]
    hazard_id, = rows("SELECT h.id FROM hazard h JOIN enterprise e ON e.id = h.enterprise_id "
                      f"WHERE e.county_id = {first_county} ORDER BY h.id")[0]
    signed, = rows("SELECT i.id FROM inspection i JOIN enterprise e ON e.id = i.enterprise_id "
                   f"WHERE e.county_id = {first_county} AND i.signature_png IS NOT NULL AND i.unit_id IS NOT NULL"
                   " AND EXISTS (SELECT 1 FROM hazard h WHERE h.inspection_id = i.id) ORDER BY i.id")[0]  # an order
    pages = ["/", "/dashboard", "/hazards", "/hazards?overdue=1&major=1", f"/s/{token}", f"/hazards/{hazard_id}",
             "/inspection-list", "/major-hazards", "/verification",
             f"/inspections/{signed}/problems", f"/inspections/{signed}/documents",
             f"/inspections/{signed}/signature.png"]
    for username in ("city", "county-1", "inspector-1-1"):
        client = logged_in(app, username)
        for page in pages + (["/tables", "/cross-check"] if username != "inspector-1-1" else []):  # supervisors
            assert client.get(page).status_code == 200, (username, page)
    enterprise_user, = rows("SELECT username FROM user WHERE role = 'enterprise' ORDER BY id")[0]
    assert enterprise_user == "ent-1"
    client = logged_in(app, enterprise_user)
    assert client.get("/rectification").status_code == 200
    own, = rows("SELECT e.qr_token FROM enterprise e JOIN user u ON u.enterprise_id = e.id WHERE u.username = ?",
                enterprise_user)[0]
    assert client.get(f"/s/{own}").status_code == 200


def test_statistics_table(app, dataset, rows, tmp_path):
    output = tmp_path / "table.xlsx"
    start, end = dataset.starts_on.isoformat(), dataset.ends_on.isoformat()
    result = app.test_cli_runner().invoke(args=["export-table", "--city", "--from", start, "--to", end, "-o", output])
    assert result.exit_code == 0, result.output
    assert output.stat().st_size > 0
    with app.app_context():
        session = app.extensions["read_sessionmaker"]()
        table = city_table(session, dataset.starts_on, dataset.ends_on)
        session.close()
    counted, = rows("SELECT count(*) FROM hazard h JOIN inspection i ON i.id = h.inspection_id "
                    "WHERE i.mode != 'self_check'")
    assert table.total.general_found + table.total.major_found == counted[0]
    assert table.total.general_closed + table.total.major_closed > 0
    assert table.total.documents and table.total.fines_wan > 0
    assert all(row.teams for row in table.rows if row.county_id is not None)  # every county worked


def test_the_bench_crawls_every_page_as_every_role(dataset, tmp_path):
    """bench/crawl.py on a copy of the dataset: every GET route of the URL map, as each role, without an error."""
    from bench import crawl
    from bench.run import add_draft, copy_sqlite, find_scene

    url = copy_sqlite(dataset.url, tmp_path / "copy.sqlite")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False, "DATABASE_URL": url,
                      "UPLOAD_DIR": str(dataset.upload_dir), "BASE_URL": "http://testserver"})
    scene = find_scene(app)
    add_draft(app, scene)
    clients = {crawl.ANONYMOUS: app.test_client()}
    clients.update({role: logged_in(app, username) for role, username in crawl.users(scene).items()})
    result = crawl.crawl(app, scene, clients)
    app.extensions["engine"].dispose()
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - crawl.SKIPPED
    assert {entry.endpoint for entry in result.timed} == endpoints
    assert {entry.role for entry in result.reached} == {crawl.ANONYMOUS, *crawl.users(scene)}
    reached = {(entry.endpoint, entry.role) for entry in result.reached}
    for endpoint in ("documents.document", "reviews.tasks", "rectification.hazard", "tables.table"):
        assert (endpoint, "city_admin") in reached or (endpoint, "inspector") in reached, endpoint
    assert len(result.slowest()) == 5 and result.max_ms >= result.p95_ms > 0
