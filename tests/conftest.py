"""Fixtures: a migrated database per test, a small world of two counties, and logged-in clients.

The suite runs on SQLite, or on PostgreSQL when TEST_DATABASE_URL is a postgresql URL (a server and a
database on it whose user may create databases; `make test` starts a throwaway one, see tests/postgres.py).
Either way each test starts on a freshly migrated database, migrated once per run. A test marked
`sqlite_only(reason)` or `postgres_only(reason)` is skipped, with that reason, on the other database.
"""

import os
import re
import shutil
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from checklist import create_app
from checklist.clock import local_today
from checklist.db import sqlite_pragmas, upgrade
from checklist.models import Campaign, County, Enterprise, Role, Sector, Team, Unit, UnitKind, User
from checklist.rules.definitions import sync_sectors

from .factories import PASSWORD, add_enterprise, add_unit, add_user
from .postgres import Databases, is_postgres

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
POSTGRES = is_postgres(TEST_DATABASE_URL)


def pytest_configure(config):
    if TEST_DATABASE_URL and not POSTGRES:
        raise pytest.UsageError("TEST_DATABASE_URL must be a postgresql URL (unset it to test on SQLite)")
    config.addinivalue_line("markers", "sqlite_only(reason): runs on SQLite only, skipped on PostgreSQL")
    config.addinivalue_line("markers", "postgres_only(reason): runs on PostgreSQL only, skipped on SQLite")


def pytest_report_header():
    return f"database: {'PostgreSQL (TEST_DATABASE_URL)' if POSTGRES else 'SQLite'}"


def pytest_collection_modifyitems(items):
    other = "sqlite_only" if POSTGRES else "postgres_only"
    for item in items:
        marker = item.get_closest_marker(other)
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"{other.replace('_', ' ')}: {reason}"))


def make_app(tmp_path, database_url):
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "BASE_URL": "http://testserver",
    })


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Run the migrations once: a SQLite file (its path), or a PostgreSQL database (`Databases`)."""
    folder = tmp_path_factory.mktemp("template")
    if not POSTGRES:
        template = make_app(folder, f"sqlite:///{folder / 'template.sqlite'}")
        upgrade(template)
        template.extensions["engine"].dispose()  # closing the last connection checkpoints the WAL into the file
        yield folder / "template.sqlite"
        return
    databases = Databases(TEST_DATABASE_URL)
    try:
        migrated = make_app(folder, databases.create())
        upgrade(migrated)
        migrated.extensions["engine"].dispose()
        databases.prepare(migrated.config["DATABASE_URL"])
        yield databases
    finally:
        databases.close()


@pytest.fixture
def database_url(tmp_path, migrated_database):
    """The URL of a freshly migrated database for this test: a copy of the SQLite file, or the PostgreSQL
    database emptied (rows deleted, id sequences restarted)."""
    if POSTGRES:
        return migrated_database.clean()
    shutil.copy(migrated_database, tmp_path / "test.sqlite")
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def empty_database_url(tmp_path, migrated_database):
    """The URL of a database without any table, for this test only."""
    if not POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    url = migrated_database.create()
    yield url
    migrated_database.drop(url)


@pytest.fixture
def app(tmp_path, database_url):
    app = make_app(tmp_path, database_url)
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def db(app):
    """A session outside any request, for setting up and checking data; its reads see what requests commit.

    On PostgreSQL that is READ COMMITTED. On SQLite the app's sessions keep one snapshot from BEGIN to the
    end of the transaction, so this session runs as the sqlite3 module does by default instead: reads
    outside any transaction, and a transaction from its first write to commit or rollback.
    """
    if POSTGRES:
        with app.extensions["sessionmaker"]() as session:
            yield session
        return
    engine = create_engine(app.config["DATABASE_URL"])
    event.listen(engine, "connect", lambda dbapi_connection, _record: sqlite_pragmas(dbapi_connection))
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@dataclass
class World:
    county_a: County
    county_b: County
    unit_a: Unit
    unit_b: Unit
    city_unit: Unit
    team_a: Team
    inspector_a: User
    colleague_a: User
    inspector_b: User
    county_admin_a: User
    county_admin_b: User
    city_admin: User
    enterprise_a: Enterprise
    enterprise_a2: Enterprise
    enterprise_b: Enterprise
    enterprise_user_a: User
    enterprise_user_a2: User


@pytest.fixture
def world(app, db) -> World:
    catalogue = app.extensions["catalogue"]
    sync_sectors(db, catalogue)
    construction = db.query(Sector).filter_by(code="construction").one()
    coal = db.query(Sector).filter_by(code="coal").one()
    today = local_today()
    db.add(Campaign(title="安全检查督导", document_number="市安发〔2021〕17号",
                    starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=90)))
    county_a, county_b = County(name="榆次区", code="140702"), County(name="太谷区", code="140703")
    db.add_all([county_a, county_b])
    unit_a = add_unit(db, "榆次区住建局", county=county_a)
    unit_b = add_unit(db, "太谷区住建局", county=county_b)
    committee_a = add_unit(db, "榆次区安委办", UnitKind.COMMITTEE, county_a)
    committee_b = add_unit(db, "太谷区安委办", UnitKind.COMMITTEE, county_b)
    city_unit = add_unit(db, "晋中市安委办", UnitKind.COMMITTEE)
    enterprise_a = add_enterprise(db, "榆次建工有限公司", county_a, construction, "91140702MA0K000013",
                                  supervising_unit=unit_a, contact_name="王经理")
    enterprise_a2 = add_enterprise(db, "榆次煤业有限公司", county_a, coal, "91140702MA0K000026",
                                   supervising_unit=unit_a)
    enterprise_b = add_enterprise(db, "太谷建设有限公司", county_b, construction, "91140703MA0K00003P",
                                  supervising_unit=unit_b)
    inspector_a = add_user(db, "insp_a", Role.INSPECTOR, "张检查", unit=unit_a)
    colleague_a = add_user(db, "insp_a2", Role.INSPECTOR, "李同事", unit=unit_a)
    team_a = Team(name="第一检查督导组", unit=unit_a, members=[inspector_a, colleague_a])
    db.add(team_a)
    world = World(
        county_a=county_a, county_b=county_b, unit_a=unit_a, unit_b=unit_b, city_unit=city_unit, team_a=team_a,
        inspector_a=inspector_a, colleague_a=colleague_a,
        inspector_b=add_user(db, "insp_b", Role.INSPECTOR, "赵太谷", unit=unit_b),
        county_admin_a=add_user(db, "admin_a", Role.COUNTY_ADMIN, "钱主任", unit=committee_a),
        county_admin_b=add_user(db, "admin_b", Role.COUNTY_ADMIN, "吴主任", unit=committee_b),
        city_admin=add_user(db, "city", Role.CITY_ADMIN, "孙市级", unit=city_unit),
        enterprise_a=enterprise_a, enterprise_a2=enterprise_a2, enterprise_b=enterprise_b,
        enterprise_user_a=add_user(db, "91140702MA0K000013", Role.ENTERPRISE, "王经理", enterprise=enterprise_a),
        enterprise_user_a2=add_user(db, "91140702MA0K000026", Role.ENTERPRISE, "周经理", enterprise=enterprise_a2),
    )
    db.commit()
    return world


TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Client:
    """The Flask test client plus what a browser does: keep the CSRF token, fill forms."""

    def __init__(self, flask_client):
        self.http = flask_client

    def token(self) -> str:
        return TOKEN.search(self.http.get("/login").get_data(as_text=True)).group(1)

    def get(self, url, **kwargs):
        return self.http.get(url, **kwargs)

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        return self.http.post(url, data=data, **kwargs)

    def english(self):
        """Switch this client's pages to the English catalogue, for tests that read messages."""
        self.http.get("/lang/en")
        return self

    def login(self, username, password=PASSWORD):
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self


@pytest.fixture
def client(app) -> Client:
    return Client(app.test_client())


@pytest.fixture
def login(app):
    """Return a new logged-in client for a user name."""
    return lambda username: Client(app.test_client()).login(username)
