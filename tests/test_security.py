"""Security: password hashing, sessions that end, cookies, headers, request limits, proxies, safe spreadsheets."""

import base64
import gc
import re
import uuid
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from alembic import command
from itsdangerous import TimestampSigner
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select, text
from werkzeug.middleware.proxy_fix import ProxyFix

from checklist import create_app
from checklist.clock import local_today
from checklist.db import alembic_config, make_engine
from checklist.models import (
    County,
    DailyReport,
    Enterprise,
    HazardLevel,
    InspectionMode,
    LoginAttempt,
    Outcome,
    Role,
    TableNote,
    Team,
    Unit,
    UnitKind,
    User,
)
from checklist.read.reports import yesterday
from checklist.rules.accounts import issue_activation_code
from checklist.rules.inspections import HazardInput, record_result, start_inspection, submit_inspection

from .conftest import PASSWORD, TOKEN, Client
from .factories import PASSWORD_HASH
from .helpers import jpeg_bytes, submitted_inspection

ROOT = Path(__file__).parent.parent
TOO_LARGE_ZH = "上传的内容太大"


@pytest.fixture
def make_app(tmp_path, database_url):
    """Build another app on this test's database (SQLite or PostgreSQL), with some settings changed."""
    apps = []

    def build(**settings):
        app = create_app({
            "TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url,
            "UPLOAD_DIR": str(tmp_path / "uploads"), "BASE_URL": "http://testserver", **settings,
        })
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["engine"].dispose()


@pytest.fixture
def large_request_bodies():
    """Werkzeug's test client spools big request bodies to a temporary file it never closes."""
    yield
    gc.collect()


def cookies_set(response) -> dict[str, str]:
    """The Set-Cookie headers of a response, by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


# Passwords


def test_passwords_and_activation_codes_are_hashed_with_scrypt(world, db):
    user = db.get(User, world.enterprise_user_a.id)
    user.set_password("another-secret")
    code = issue_activation_code(user)
    assert user.activation_code_hash.startswith("scrypt:") and code not in user.activation_code_hash
    user.set_password("a-third-secret")
    assert user.password_hash.startswith("scrypt:")


# Sessions


def test_logging_in_starts_a_new_session_with_nothing_of_the_anonymous_one(client, world):
    client.get("/login")
    with client.http.session_transaction() as session:
        session["planted"] = "by someone before the login"
    before = client.http.get_cookie("session").value
    client.login("insp_a")
    with client.http.session_transaction() as session:
        assert "planted" not in session and session.permanent
        assert session["_user_id"] == f"{world.inspector_a.id}:{world.inspector_a.session_token}"
    assert client.http.get_cookie("session").value != before


@pytest.mark.parametrize("target", ["/\\evil.example/x", "/\\/evil.example", "/\t/evil.example", "//evil.example"])
def test_the_login_never_sends_on_to_another_site(client, world, target):
    response = client.post("/login", {"username": "insp_a", "password": PASSWORD}, query_string={"next": target})
    assert response.status_code == 302 and response.location == "/"


def test_the_login_sends_on_to_a_page_of_this_site(client, world):
    response = client.post("/login", {"username": "insp_a", "password": PASSWORD},
                           query_string={"next": "/hazards?county=1"})
    assert response.location == "/hazards?county=1"


def test_a_session_cookie_copied_before_the_logout_does_not_log_in_afterwards(app, login, world):
    browser = login("insp_a")
    copied = browser.http.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code == 200
    assert browser.post("/logout").status_code == 302
    assert browser.get("/").location.startswith("/login")
    assert thief.get("/").location.startswith("/login")


def test_the_remember_me_cookie_logs_in_until_the_logout(app, login, world):
    browser = login("insp_a")
    remembered = browser.http.get_cookie("remember_token").value
    assert remembered.startswith(f"{world.inspector_a.id}:")
    restored = app.test_client()
    restored.set_cookie("remember_token", remembered)
    assert restored.get("/").status_code == 200
    with restored.session_transaction() as session:
        assert session.permanent  # the restored login times out like a typed one
    logout = browser.post("/logout")
    assert "remember_token=;" in cookies_set(logout)["remember_token"]  # the browser forgets it
    later = app.test_client()
    later.set_cookie("remember_token", remembered)
    assert later.get("/").location.startswith("/login")


def test_a_logout_ends_the_logins_of_the_same_user_on_other_devices(login, world):
    phone, desk = login("insp_a"), login("insp_a")
    desk.post("/logout")
    assert phone.get("/").location.startswith("/login")


def test_a_reset_by_the_supervisor_ends_the_enterprises_logins(login, world, db):
    enterprise = login("91140702MA0K000013")
    assert enterprise.get("/rectification").status_code == 200
    issue_activation_code(db.get(User, world.enterprise_user_a.id))
    db.commit()
    assert enterprise.get("/rectification").location.startswith("/login")


def test_a_new_password_ends_the_earlier_logins(login, world, db):
    inspector = login("insp_a")
    db.get(User, world.inspector_a.id).set_password("another-secret")
    db.commit()
    assert inspector.get("/").location.startswith("/login")


def test_a_disabled_account_is_logged_out_at_once(login, world, db):
    inspector = login("insp_a")
    db.get(User, world.inspector_a.id).active = False
    db.commit()
    assert inspector.get("/").location.startswith("/login")


def test_a_session_cookie_from_before_the_session_tokens_logs_in_nobody(app, world):
    old = app.session_interface.get_signing_serializer(app).dumps({"_user_id": str(world.inspector_a.id)})
    browser = app.test_client()
    browser.set_cookie("session", old)
    assert browser.get("/").location.startswith("/login")


def test_the_migration_gives_every_existing_user_a_token_of_its_own(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/m.sqlite")
    config = alembic_config(engine)
    command.upgrade(config, "0004")
    with engine.begin() as connection:
        for name in ("one", "two"):
            connection.execute(text(
                "INSERT INTO user (username, name, phone, password_hash, role, active, activation_code_hash) "
                "VALUES (:name, :name, '', '', 'inspector', 1, '')"), {"name": name})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        tokens = connection.execute(text("SELECT session_token FROM user")).scalars().all()
    assert len(set(tokens)) == 2 and all(len(token) == 32 for token in tokens)
    command.downgrade(config, "0004")
    engine.dispose()


def test_an_api_token_ends_with_the_logout(app, login, world):
    http = app.test_client()
    token = http.post("/api/v1/tokens", json={"username": "insp_a", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get("/api/v1/me", headers=headers).status_code == 200
    login("insp_a").post("/logout")
    response = http.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


def test_a_session_idle_longer_than_its_lifetime_is_over(app, login, world, monkeypatch):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)
    assert app.config["SESSION_REFRESH_EACH_REQUEST"] is True
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    with login("insp_a").http.session_transaction() as session:
        data = dict(session)
    serializer = app.session_interface.get_signing_serializer(app)
    fresh = serializer.dumps(data)
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: real(signer) - 13 * 3600)
    idle = serializer.dumps(data)
    monkeypatch.undo()
    for cookie, status in ((fresh, 200), (idle, 302)):
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        assert browser.get("/").status_code == status


def test_each_request_renews_the_session_cookie_and_its_expiry(login, world):
    response = login("insp_a").get("/")
    cookie = cookies_set(response)["session"]
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_httponly_samesite_and_secure_over_https(make_app):
    app = make_app(BASE_URL="https://anjian.example.cn")
    with app.extensions["sessionmaker"]() as db:
        db.add(User(username="https_user", name="用户", role=Role.INSPECTOR, password_hash=PASSWORD_HASH))
        db.commit()
    http, https = app.test_client(), "https://localhost"
    token = TOKEN.search(http.get("/login", base_url=https).get_data(as_text=True)).group(1)
    response = http.post("/login", base_url=https, headers={"Referer": f"{https}/login"}, data={
        "username": "https_user", "password": PASSWORD, "csrf_token": token,
    })
    assert response.status_code == 302
    cookies = cookies_set(response)
    for name in ("session", "remember_token"):
        assert all(part in cookies[name] for part in ("Secure", "HttpOnly", "SameSite=Lax")), cookies[name]


# Headers


def test_every_page_carries_the_security_headers(client, world):
    response = client.get("/login")
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "script-src" not in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=(self)" in headers["Permissions-Policy"] and "geolocation=(self)" in headers["Permissions-Policy"]
    assert "microphone=()" in headers["Permissions-Policy"]  # the position for presence evidence, no other sensor
    assert "Strict-Transport-Security" not in headers  # plain http: the browser would ignore it


def test_strict_transport_security_is_sent_over_https(make_app, client):
    assert client.http.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"] == (
        "max-age=31536000"
    )
    https_app = make_app(BASE_URL="https://anjian.example.cn")
    assert https_app.test_client().get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{path.name}: {tag}")
        found += [f"{path.name}: {handler}" for handler in re.findall(r"\son[a-z]+\s*=", text, re.IGNORECASE)]
        found += [f"{path.name}: javascript: URL" for _ in re.findall(r"javascript:", text, re.IGNORECASE)]
    assert found == []


def signature_data_url() -> str:
    output = BytesIO()
    Image.new("L", (300, 100), 255).save(output, "PNG")
    return "data:image/png;base64," + base64.b64encode(output.getvalue()).decode()


def test_photos_and_signatures_are_served_inline_as_images_only(login, world, db):
    inspector = login("insp_a")
    inspection = submitted_inspection(inspector, world, db, photos=[jpeg_bytes()])
    signed = inspector.post(f"/inspections/{inspection.id}/sign", {
        "signer_name": "王经理", "signature": signature_data_url(),
    })
    assert signed.status_code == 302
    photo = inspection.hazards[0].photos[0]
    for url in (f"/photos/{photo.id}", f"/photos/{photo.id}/thumb", f"/inspections/{inspection.id}/signature.png"):
        response = inspector.get(url)
        assert response.status_code == 200, url
        assert response.mimetype in ("image/jpeg", "image/png"), url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].split(";")[0] == "inline"
        response.close()


# Request limits


def test_the_form_limits_are_set_for_a_phones_forms(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024 * 1024
    assert app.config["MAX_FORM_MEMORY_SIZE"] == 2 * 1024 * 1024
    assert app.config["MAX_FORM_PARTS"] == 1000


def test_a_form_of_too_many_parts_is_refused_with_the_chinese_page(client, world):
    fields = {f"field-{number}": "x" for number in range(1001)}
    response = client.http.post("/login", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413
    assert TOO_LARGE_ZH in response.get_data(as_text=True)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.usefixtures("large_request_bodies")
def test_a_text_field_over_the_form_memory_limit_is_refused(client, world, app):
    field = "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    response = client.http.post("/login", data={"username": field}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert TOO_LARGE_ZH in response.get_data(as_text=True)


def test_a_body_over_the_request_limit_is_refused_before_it_is_read(client, world, app):
    # The request announces one byte more than allowed: it is refused on its Content-Length alone.
    too_long = {"CONTENT_LENGTH": str(app.config["MAX_CONTENT_LENGTH"] + 1)}
    page = client.http.post("/login", data="username=x", content_type="application/x-www-form-urlencoded",
                            environ_overrides=too_long)
    assert page.status_code == 413 and TOO_LARGE_ZH in page.get_data(as_text=True)
    token = client.http.post("/api/v1/tokens", json={"username": "insp_a", "password": PASSWORD}).get_json()["token"]
    api = client.http.put(f"/api/v1/inspections/{uuid.uuid4()}", data="{}", content_type="application/json",
                          headers={"Authorization": f"Bearer {token}"}, environ_overrides=too_long)
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "too_large"


# Behind a proxy


def failed_login(app, **headers) -> str:
    """Fail one login and return the address it was counted against."""
    client = Client(app.test_client())
    client.post("/login", {"username": "nobody", "password": "wrong"}, headers=headers)
    with app.extensions["sessionmaker"]() as db:
        return db.scalars(select(LoginAttempt.key).where(LoginAttempt.key.startswith("addr:"))
                          .order_by(LoginAttempt.id.desc())).first()


def test_without_proxy_fix_forwarded_headers_are_ignored(app):
    assert app.config["PROXY_FIX"] == 0
    assert failed_login(app, **{"X-Forwarded-For": "203.0.113.7"}) == "addr:127.0.0.1"
    assert "Strict-Transport-Security" not in app.test_client().get(
        "/login", headers={"X-Forwarded-Proto": "https"}).headers


def test_behind_one_proxy_the_login_limit_counts_the_clients_address(make_app):
    app = make_app(PROXY_FIX=1)
    # nginx appends the address it saw; whatever the client wrote before it is not trusted.
    assert failed_login(app, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}) == "addr:203.0.113.7"
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_number_of_proxies_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "photos"))
    monkeypatch.setenv("PROXY_FIX", "1")
    app = create_app()
    assert app.config["PROXY_FIX"] == 1 and isinstance(app.wsgi_app, ProxyFix)
    app.extensions["engine"].dispose()


# Spreadsheets never carry a formula (CSV/formula injection)

PLANTED = ('=HYPERLINK("http://x.cn","open")', "+1", "-1", "@SUM(1)")  # short enough for every column


def workbook_of(response):
    assert response.status_code == 200, response.status
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(BytesIO(response.get_data()))


def assert_text_only(workbook, planted=PLANTED, quoted=True) -> None:
    """No cell is a formula, and each planted text is there as text (marked as quoted text)."""
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    for value in planted:
        found = [cell for cell in cells if cell.value == value]
        assert found, f"{value} is missing"
        assert all(cell.data_type == "s" for cell in found), value
        if quoted:
            assert all(cell.quotePrefix for cell in found), value


def hazards_described(db, app, world, texts):
    """Submit an inspection of enterprise A whose first items failed with major hazards of these texts."""
    inspector = db.get(User, world.inspector_a.id)
    inspection = start_inspection(
        db, app.extensions["catalogue"], inspector, world.enterprise_a, mode=InspectionMode.COUNTY_FULL,
        team=world.team_a, client_uuid=str(uuid.uuid4()),
    )
    items = inspection.checklist.items
    for number, item in enumerate(items):
        hazard = None
        if number < len(texts):
            hazard = HazardInput(level=HazardLevel.MAJOR, description=texts[number],
                                 deadline=local_today() + timedelta(days=9), responsible_person=texts[-1])
        record_result(db, inspector, inspection, item, Outcome.FAIL if hazard else Outcome.PASS, hazard=hazard)
    submit_inspection(db, inspector, inspection)
    db.commit()


def test_the_major_hazards_list_writes_names_and_descriptions_as_text(login, world, db, app):
    db.get(Enterprise, world.enterprise_a.id).name = PLANTED[0]
    hazards_described(db, app, world, PLANTED[1:])
    assert_text_only(workbook_of(login("admin_a").get("/major-hazards.xlsx")))


def test_the_team_register_writes_names_as_text(login, world, db):
    unit = db.get(Unit, world.unit_a.id)
    unit.liaison_name = PLANTED[0]
    db.add(Team(name=PLANTED[1], unit=unit, members=[db.get(User, world.inspector_a.id)]))
    db.get(User, world.colleague_a.id).name = PLANTED[2]
    db.get(Team, world.team_a.id).name = PLANTED[3]
    db.commit()
    assert_text_only(workbook_of(login("admin_a").get("/teams.xlsx")))


def test_the_statistics_table_writes_its_texts_as_text(login, world, db):
    committee = db.scalars(select(Unit).where(Unit.county_id == world.county_a.id,
                                              Unit.kind == UnitKind.COMMITTEE)).one()
    start, end = local_today() - timedelta(days=7), local_today()
    db.add(TableNote(unit_id=committee.id, starts_on=start, ends_on=end, highlights=PLANTED[0],
                     problems=PLANTED[1], remarks=PLANTED[2], updated_by_id=world.county_admin_a.id))
    db.get(Unit, world.unit_a.id).name = PLANTED[3]  # a row of the table
    db.get(County, world.county_a.id).name = "=1+1"  # the title names the county
    db.commit()
    response = login("admin_a").get(f"/tables.xlsx?county={world.county_a.id}&from={start}&to={end}")
    assert_text_only(workbook_of(response), planted=(*PLANTED, "=1+1安全检查督导情况统计表"))


def test_the_bulletin_writes_the_reports_texts_as_text(login, world, db):
    committee = db.scalars(select(Unit).where(Unit.county_id == world.county_a.id,
                                              Unit.kind == UnitKind.COMMITTEE)).one()
    day = yesterday()
    db.add(DailyReport(unit_id=committee.id, report_date=day, leadership=PLANTED[0], highlights=PLANTED[1],
                       problems=PLANTED[2], typical_cases=PLANTED[3], submitted_by_id=world.county_admin_a.id))
    db.commit()
    assert_text_only(workbook_of(login("city").get(f"/reports/bulletin.xlsx?day={day}")))


def test_the_import_templates_write_names_as_text(login, world, db):
    for name in PLANTED:
        db.add(Unit(name=name, kind=UnitKind.DEPARTMENT, county_id=world.county_a.id))
    db.commit()
    supervisor = login("admin_a")
    # The templates are written cell by cell (importing._put): text, without the quoted-text mark.
    assert_text_only(workbook_of(supervisor.get("/imports/roster-template.xlsx")), quoted=False)
    assert_text_only(workbook_of(supervisor.get("/imports/checklist-template.xlsx")), planted=())


def test_a_page_fetched_for_offline_use_never_writes_the_session(app, login, world):
    """The service worker's precache runs beside the person's own requests: its answer, made from the session as it
    was, must not overwrite a newer one (the flashed message of the form just sent, say)."""
    name = app.config["SESSION_COOKIE_NAME"]
    inspector = login("insp_a")
    writes = lambda response: any(header.startswith(f"{name}=") for header in response.headers.getlist("Set-Cookie"))  # noqa: E731
    assert writes(inspector.get("/"))  # an ordinary page refreshes the session's lifetime
    precached = inspector.get(f"/s/{world.enterprise_a.qr_token}", headers={"X-Precache": "1"})
    assert precached.status_code == 200 and not writes(precached)
