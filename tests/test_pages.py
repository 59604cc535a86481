"""Logging in as each role, the home pages, the health check and the language switch."""

import pytest

from checklist import create_app

from .helpers import fail_item, inspection_id, pass_everything_but, start, submitted_inspection


@pytest.mark.parametrize("username, landing", [
    ("insp_a", "/"), ("admin_a", "/"), ("city", "/"), ("91140702MA0K000013", "/"),
])
def test_each_role_logs_in_and_reaches_its_home(client, world, username, landing):
    response = client.post("/login", {"username": username, "password": "secret-pass"})
    assert response.status_code == 302 and response.location == landing
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200


def test_an_enterprise_user_lands_on_its_rectification_list(login, world):
    response = login("91140702MA0K000013").get("/")
    assert response.location == "/rectification"


def test_a_wrong_password_is_refused_in_chinese(client, world):
    response = client.post("/login", {"username": "insp_a", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_logging_out_ends_the_session(login, world):
    client = login("insp_a")
    client.post("/logout", {})
    assert client.get("/").status_code == 302


def test_health_check_reaches_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_health_check_says_when_the_database_is_unreachable(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.sqlite"})
    assert app.test_client().get("/healthz").status_code == 503


def test_chinese_by_default_and_english_on_request(client, world):
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en")
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_the_form_library_speaks_the_language_of_each_request(client, world):
    chinese = client.post("/login", {"username": "", "password": ""}).get_data(as_text=True)
    assert "该字段是必填字段。" in chinese and "This field is required." not in chinese
    client.get("/lang/en")
    english = client.post("/login", {"username": "", "password": ""}).get_data(as_text=True)
    assert "This field is required." in english and "该字段是必填字段。" not in english
    client.http.delete_cookie("lang")
    assert "该字段是必填字段。" in client.post("/login", {"username": "", "password": ""}).get_data(as_text=True)


def test_the_site_page_lists_open_hazards_and_past_inspections(login, world, db):
    inspection = submitted_inspection(login("insp_a"), world, db)
    page = login("admin_a").get(f"/s/{world.enterprise_a.qr_token}").get_data(as_text=True)
    assert inspection.hazards[0].description in page
    assert f"/inspections/{inspection.id}/problems" in page


def test_the_site_page_hides_hazards_of_drafts(login, world, db):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    fail_item(inspector, number, pass_everything_but(inspector, db, number, "CON-02"))
    page = login("admin_a").get(f"/s/{world.enterprise_a.qr_token}").get_data(as_text=True)
    assert "脚手架连墙件缺失" not in page


def test_inspectors_find_enterprises_of_their_county_by_name(login, world):
    page = login("insp_a").get("/?q=建").get_data(as_text=True)
    assert world.enterprise_a.name in page and world.enterprise_b.name not in page


def test_the_site_page_needs_no_other_request_to_render(login, world):
    response = login("insp_a").get(f"/s/{world.enterprise_a.qr_token}")
    page = response.get_data(as_text=True)
    assert "<style>" in page and 'rel="stylesheet"' not in page
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
