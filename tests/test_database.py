"""The database layer: write transactions that wait their turn, no connection before a fork, both databases."""

import threading
import time
import uuid

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool

from checklist import db as database
from checklist.db import BUSY_TIMEOUT_MS, WRITE, get_session
from checklist.models import Inspection, LoginAttempt, Photo
from checklist.ops.demo import DEMO_LOGINS, seed_demo
from checklist.rules import photos

from .conftest import PASSWORD, POSTGRES, Client, make_app
from .helpers import fail_item, inspection_id, jpeg_bytes, start


def read_then_write_at_once(app, method: str) -> tuple[list[str], list[tuple[Exception, float]]]:
    """Run two requests at the same moment, each reading a count, pausing, then writing a row based on it.

    Return the rows' keys and the errors, each with how long its write waited.
    """
    barrier, errors = threading.Barrier(2), []

    def request():
        barrier.wait()
        with app.test_request_context("/", method=method):
            session = get_session()
            seen = session.scalar(select(func.count()).select_from(LoginAttempt))
            time.sleep(0.3)  # long enough for the other request to have read as well, unless it waits
            started = time.monotonic()
            try:
                session.add(LoginAttempt(key=f"saw:{seen}"))
                session.commit()
            except OperationalError as error:
                errors.append((error, time.monotonic() - started))

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        keys = sorted(get_session().scalars(select(LoginAttempt.key)))
    return keys, errors


def test_two_writing_requests_at_the_same_moment_both_succeed(app):
    keys, errors = read_then_write_at_once(app, "POST")
    assert errors == []
    if POSTGRES:  # READ COMMITTED: both read before either wrote
        assert keys == ["saw:0", "saw:0"]
    else:  # BEGIN IMMEDIATE: the second waited for the first to commit, then read its row
        assert keys == ["saw:0", "saw:1"]


@pytest.mark.sqlite_only("shows why SQLite's writers need BEGIN IMMEDIATE; PostgreSQL has no such lock upgrade")
def test_on_sqlite_a_deferred_transaction_that_reads_then_writes_fails_at_once(app):
    """What BEGIN IMMEDIATE avoids: the read (GET) session's deferred BEGIN, used to write, gets
    'database is locked' when another writer got in between, at once, whatever the busy timeout."""
    keys, errors = read_then_write_at_once(app, "GET")
    assert keys == ["saw:0"]
    [(error, waited)] = errors
    assert "database is locked" in str(error)
    assert waited < BUSY_TIMEOUT_MS / 1000 / 2


@pytest.mark.parametrize(("method", "path", "writes"), [
    ("GET", "/", False),
    ("HEAD", "/", False),
    ("OPTIONS", "/", False),
    ("POST", "/login", True),
    ("PUT", "/api/v1/inspections/x", True),
    ("GET", "/api/v1/checklists/construction", True),  # marked @writes: it may add a checklist version
])
def test_requests_that_may_write_get_a_write_transaction(app, method, path, writes):
    with app.test_request_context(path, method=method):
        assert bool(get_session().get_bind().get_execution_options().get(WRITE)) is writes


def test_work_outside_a_request_writes(app):
    with app.app_context():
        assert get_session().get_bind().get_execution_options().get(WRITE)
    assert app.extensions["sessionmaker"]().get_bind().get_execution_options().get(WRITE)  # CLI and seeder


def test_building_the_app_opens_no_connection(tmp_path, database_url):
    """gunicorn may fork workers from an app built before: no connection may be open by then."""
    connects = []

    def count(*_arguments):
        connects.append(1)

    event.listen(Pool, "connect", count)
    try:
        app = make_app(tmp_path, database_url)
        pool = app.extensions["engine"].pool
        assert (connects, pool.checkedin(), pool.checkedout()) == ([], 0, 0)
        assert app.test_client().get("/healthz").get_json() == {"status": "ok"}
        assert len(connects) == 1
    finally:
        event.remove(Pool, "connect", count)
    app.extensions["engine"].dispose()


@pytest.mark.sqlite_only("WAL, foreign key enforcement and the busy timeout are SQLite settings")
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    with app.extensions["engine"].connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert (pragma("journal_mode"), pragma("foreign_keys"), pragma("busy_timeout")) == ("wal", 1, BUSY_TIMEOUT_MS)


PAGES = [
    "/", "/dashboard", "/hazards?status=unclosed", "/hazards?overdue=1", "/inspection-list", "/cross-check",
    "/tables", "/tables?scope=city", "/tables.xlsx?scope=city", "/major-hazards", "/major-hazards.xlsx",
    "/verification", "/rectification", "/enterprises?q=%E6%A6%86%E6%AC%A1", "/?q=a", "/teams", "/teams.xlsx",
    "/reports/daily", "/reports/daily/status", "/reports/bulletin", "/reports/bulletin.xlsx", "/reports/monthly",
    "/reports/monthly/overview", "/api/v1/me", "/api/v1/sites",
]


def test_the_demo_city_seeds_and_every_role_opens_its_pages(app):
    """The seeder and the pages' SQL over a whole city's data, on the database under test."""
    with app.extensions["sessionmaker"]() as session:
        logins = seed_demo(session, app.extensions["catalogue"], upload_dir=app.config["UPLOAD_DIR"])
        session.commit()
    assert {login.username for login in logins} == {login.username for login in DEMO_LOGINS}
    for login in logins:
        client = Client(app.test_client()).login(login.username, login.password)
        for page in PAGES:
            status = client.get(page).status_code
            assert status in (200, 302, 403, 404), (login.username, page, status)


@pytest.mark.parametrize("url", [
    "/inspections/2147483648", "/hazards/99999999999", "/hazards?county=99999999999&sector=-1",
    "/enterprises?county=99999999999&page=99999999999999999999", "/tables?county=99999999999",
    "/reports/daily?unit=99999999999", "/inspection-list?campaign=99999999999",
])
def test_numbers_beyond_any_id_find_nothing_instead_of_failing_in_sql(login, world, url):
    """PostgreSQL refuses to compare an INTEGER column with a larger number; SQLite just finds nothing."""
    assert login("city").get(url).status_code < 500  # TESTING: an error in SQL would raise here


@pytest.mark.parametrize(("method", "url", "data"), [
    ("GET", "/enterprises?q=a%00b", None),
    ("GET", "/s/ab%00cd", None),
    ("POST", "/login", {"username": "insp_a\x00", "password": "x"}),
])
def test_a_nul_character_in_a_request_is_refused_on_either_database(client, world, method, url, data):
    """PostgreSQL's text cannot hold NUL characters; no real input has one."""
    assert client.http.open(url, method=method, data=data).status_code == 400


def write_from_elsewhere(app) -> float:
    """Write a row from another thread and connection, as another request would; return how long it took."""
    took = []

    def write():
        started = time.monotonic()
        with app.extensions["sessionmaker"]() as session:
            session.add(LoginAttempt(key="meanwhile"))
            session.commit()
        took.append(time.monotonic() - started)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=60)
    return took[0]


@pytest.mark.parametrize("channel", ["api", "form"])
def test_photos_are_re_encoded_while_other_requests_write(app, world, db, login, monkeypatch, channel):
    """Re-encoding runs between transactions: on SQLite, inside one it would hold the write lock."""
    meanwhile = []

    def process_and_watch(process_photo):
        def watched(*args, **kwargs):
            meanwhile.append(write_from_elsewhere(app))
            return process_photo(*args, **kwargs)
        return watched

    monkeypatch.setattr(photos, "process_photo", process_and_watch(photos.process_photo))  # both channels' one way
    if channel == "api":
        http = app.test_client()
        token = http.post("/api/v1/tokens", json={"username": "insp_a", "password": PASSWORD}).get_json()["token"]
        response = http.put(
            f"/api/v1/photos/{uuid.uuid4()}?site={world.enterprise_a.qr_token}", data=jpeg_bytes(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
        )
        assert response.status_code == 201, response.get_json()
    else:
        inspector = login("insp_a")
        number = inspection_id(start(inspector, world))
        item = db.get(Inspection, number).checklist.items[0]
        assert fail_item(inspector, number, item, photos=[jpeg_bytes()]).status_code == 302
    assert len(meanwhile) == 1 and meanwhile[0] < 2, meanwhile  # not BUSY_TIMEOUT_MS later
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Photo)) == 1


@pytest.mark.sqlite_only("the queue of SQLite's writers; PostgreSQL's writers wait on row locks")
def test_many_writers_at_once_each_wait_their_turn(app, monkeypatch):
    """Writers at once, each slow, together longer than the busy timeout: every one succeeds, in turn."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 500)
    app.extensions["engine"].dispose()  # new connections, with that busy timeout
    barrier, errors = threading.Barrier(8), []

    def write(number):
        barrier.wait()
        try:
            with app.extensions["sessionmaker"]() as session:
                session.add(LoginAttempt(key=f"writer:{number}"))
                session.flush()
                time.sleep(0.2)  # eight of these take three times the busy timeout
                session.commit()
        except OperationalError as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(LoginAttempt)) == 8
