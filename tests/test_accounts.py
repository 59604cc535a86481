"""Enterprise accounts: a supervisor opens them with a one-time code; failed logins are slowed down."""

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from checklist.credit_code import check_character
from checklist.models import Enterprise, LoginAttempt, Role, User, utcnow
from checklist.rules import accounts
from checklist.rules.accounts import AccountError, AccountState, InvalidCode

from .conftest import PASSWORD, Client
from .factories import add_enterprise

NEW_PASSWORD = "new-pass-2021"
CODE = re.compile(r'class="activation-code">([^<]+)<')
LINK = re.compile(r'class="activation-link">([^<]+)<')


@pytest.fixture
def newcomer(world, db) -> Enterprise:
    """An enterprise of county A that has no login yet."""
    body = "91140702MA0K00007"
    enterprise = add_enterprise(db, "榆次化工有限公司", world.county_a, world.enterprise_a.sector,
                                body + check_character(body), contact_name="吴厂长", contact_phone="13800000000")
    db.commit()
    return enterprise


def english(client: Client) -> Client:
    """Switch the client to the English interface, so that messages are checked by their source text."""
    client.get("/lang/en")
    return client


def account_url(enterprise) -> str:
    return f"/enterprises/{enterprise.id}/account"


def open_account(client, enterprise, **fields) -> tuple[str, str]:
    """Open or reset the account through the page; return the code and the activation link shown."""
    response = client.post(account_url(enterprise), fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    return CODE.search(page).group(1), html.unescape(LINK.search(page).group(1))


def activate(client, username, code, password=NEW_PASSWORD, again=None, **kwargs):
    return client.post("/activate", {
        "username": username, "code": code, "password": password, "password_again": again or password,
    }, **kwargs)


def login_status(app, username, password, address="127.0.0.1") -> int:
    response = Client(app.test_client()).post(
        "/login", {"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )
    return response.status_code


# Opening and activating, through the pages


def test_the_newcomer_has_no_account_in_the_world(world, newcomer, db):
    assert db.scalar(select(func.count(User.id)).where(User.enterprise_id == newcomer.id)) == 0
    assert db.scalar(select(User).where(User.username == world.enterprise_a2.credit_code)) is not None


def test_a_county_supervisor_opens_an_account_and_sees_the_code_once(login, newcomer, db):
    client = english(login("admin_a"))
    before = client.get(account_url(newcomer)).get_data(as_text=True)
    assert "No account yet" in before and newcomer.credit_code in before

    response = client.post(account_url(newcomer), {"name": "吴厂长", "phone": "13800000000"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    code = CODE.search(page).group(1)
    assert re.fullmatch(f"[{accounts.CODE_ALPHABET}]{{10}}", code)
    link = html.unescape(LINK.search(page).group(1))
    assert link == f"http://testserver/activate?username={newcomer.credit_code}&code={code}"

    user = db.scalar(select(User).where(User.username == newcomer.credit_code))
    assert user.role is Role.ENTERPRISE and user.enterprise_id == newcomer.id and user.name == "吴厂长"
    assert code not in user.activation_code_hash and check_password_hash(user.activation_code_hash, code)

    again = client.get(account_url(newcomer))
    assert again.headers["Cache-Control"] == "no-store"
    assert code not in again.get_data(as_text=True) and "Waiting for activation" in again.get_data(as_text=True)


def test_the_activation_link_fills_in_the_form(app, login, newcomer):
    code, link = open_account(login("admin_a"), newcomer)
    parts = urlsplit(link)
    response = Client(app.test_client()).get(f"{parts.path}?{parts.query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert f'value="{newcomer.credit_code}"' in page and f'value="{code}"' in page


def test_activating_with_the_code_sets_the_password_and_logs_in(app, login, newcomer, db):
    code, _link = open_account(login("admin_a"), newcomer)
    enterprise = Client(app.test_client())
    response = activate(enterprise, newcomer.credit_code, code)
    assert response.status_code == 302 and response.location == "/"
    home = enterprise.get("/")
    assert home.status_code == 302 and not home.location.startswith("/login")  # logged in: sent to its own pages
    assert login_status(app, newcomer.credit_code, NEW_PASSWORD) == 302
    user = db.scalar(select(User).where(User.username == newcomer.credit_code))
    db.refresh(user)
    assert user.activation_code_hash == "" and user.activation_expires_at is None


def test_a_code_typed_in_lower_case_with_spaces_still_works(client, login, newcomer):
    code, _link = open_account(login("admin_a"), newcomer)
    typed = f"{code[:5]} {code[5:]}".lower()
    assert activate(client, newcomer.credit_code.lower(), typed).status_code == 302


def test_the_same_code_used_again_is_refused(app, login, newcomer):
    code, _link = open_account(login("admin_a"), newcomer)
    assert activate(Client(app.test_client()), newcomer.credit_code, code).status_code == 302
    second = activate(english(Client(app.test_client())), newcomer.credit_code, code, password="someone-else")
    assert second.status_code == 200 and "Wrong user name or activation code." in second.get_data(as_text=True)
    assert login_status(app, newcomer.credit_code, NEW_PASSWORD) == 302
    assert login_status(app, newcomer.credit_code, "someone-else") == 200


def test_a_wrong_code_is_refused_and_counted_as_a_failure(client, login, newcomer, db):
    open_account(login("admin_a"), newcomer)
    response = activate(english(client), newcomer.credit_code, "ABCDEFGHJK")
    assert response.status_code == 200
    assert "Wrong user name or activation code." in response.get_data(as_text=True)
    key = f"user:{newcomer.credit_code.lower()}"
    assert db.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.key == key)) == 1
    assert client.get("/").location.startswith("/login")  # still anonymous


def test_an_expired_code_is_refused(client, login, newcomer, db):
    code, _link = open_account(login("admin_a"), newcomer)
    user = db.scalar(select(User).where(User.username == newcomer.credit_code))
    user.activation_expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    response = activate(english(client), newcomer.credit_code, code)
    assert response.status_code == 200 and "has expired" in response.get_data(as_text=True)
    assert "Activation code expired" in english(login("admin_a")).get(account_url(newcomer)).get_data(as_text=True)


def test_the_two_passwords_must_match_and_be_long_enough(client, login, newcomer):
    code, _link = open_account(login("admin_a"), newcomer)
    english(client)
    assert "The two passwords differ." in activate(client, newcomer.credit_code, code, again="other-pass-1").get_data(
        as_text=True
    )
    assert "Use at least 8 characters." in activate(client, newcomer.credit_code, code, "short").get_data(as_text=True)
    assert activate(client, newcomer.credit_code, code).status_code == 302  # the code was not used up


def test_a_reset_stops_the_old_password_and_issues_a_new_code(app, login, world, db):
    admin = english(login("admin_a"))
    assert ">Active<" in admin.get(account_url(world.enterprise_a)).get_data(as_text=True)
    first, _link = open_account(admin, world.enterprise_a)
    assert login_status(app, world.enterprise_a.credit_code, PASSWORD) == 200
    second, _link = open_account(admin, world.enterprise_a)
    assert second != first
    assert activate(Client(app.test_client()), world.enterprise_a.credit_code, first).status_code == 200
    assert activate(Client(app.test_client()), world.enterprise_a.credit_code, second).status_code == 302
    assert db.scalar(select(func.count(User.id)).where(User.enterprise_id == world.enterprise_a.id)) == 1


def test_the_city_supervisor_opens_accounts_in_every_county(login, world):
    code, _link = open_account(login("city"), world.enterprise_b)
    assert len(code) == accounts.CODE_LENGTH


@pytest.mark.parametrize("outsider", ["insp_a", "91140702MA0K000013", "admin_a"])
def test_inspectors_enterprises_and_other_counties_cannot_manage_the_account(login, world, db, outsider):
    client = login(outsider)
    assert client.get(account_url(world.enterprise_b)).status_code == 403
    assert client.post(account_url(world.enterprise_b)).status_code == 403
    assert db.scalar(select(User).where(User.username == world.enterprise_b.credit_code)) is None


def test_the_account_page_of_an_own_enterprise_is_refused_to_its_inspector_and_itself(login, world):
    for username in ("insp_a", "91140702MA0K000013"):
        assert login(username).get(account_url(world.enterprise_a)).status_code == 403


def test_the_enterprise_list_links_the_account_page_for_supervisors_only(login, world):
    link = account_url(world.enterprise_a)
    assert link in login("admin_a").get("/enterprises").get_data(as_text=True)
    assert link not in login("insp_a").get("/enterprises").get_data(as_text=True)


# Failed logins, through the login page


def test_six_wrong_passwords_block_the_account_even_with_the_right_password(app, world):
    statuses = [login_status(app, "insp_a", "wrong-guess") for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert login_status(app, "insp_a", PASSWORD) == 429
    assert login_status(app, "insp_a", PASSWORD, address="10.0.0.3") == 429  # the account, from anywhere
    assert login_status(app, "insp_a2", PASSWORD, address="10.0.0.2") == 302


def test_a_blocked_login_says_why(client, world):
    english(client)
    for _ in range(5):
        client.post("/login", {"username": "insp_a", "password": "wrong-guess"})
    response = client.post("/login", {"username": "insp_a", "password": PASSWORD})
    assert response.status_code == 429 and "Too many failed attempts" in response.get_data(as_text=True)


def test_thirty_failures_from_one_address_block_it_for_other_accounts(app, world):
    for number in range(accounts.MAX_ADDRESS_FAILURES):
        assert login_status(app, f"guess{number % 10}", "wrong-guess", address="10.0.0.9") == 200
    assert login_status(app, "insp_a", PASSWORD, address="10.0.0.9") == 429
    assert login_status(app, "insp_a", PASSWORD, address="10.0.0.2") == 302


def test_a_successful_login_forgets_the_accounts_earlier_typos(app, world):
    for _ in range(4):
        login_status(app, "insp_a", "wrong-guess")
    assert login_status(app, "insp_a", PASSWORD) == 302
    for _ in range(4):
        login_status(app, "insp_a", "wrong-guess")
    assert login_status(app, "insp_a", PASSWORD) == 302


def test_an_enterprise_may_type_its_credit_code_in_lower_case(app, world):
    assert login_status(app, world.enterprise_a.credit_code.lower(), PASSWORD) == 302


# The rules, directly


def test_opening_an_account_stores_only_the_codes_hash(world, newcomer, db):
    user, code = accounts.open_enterprise_account(db, world.county_admin_a, newcomer)
    assert len(code) == accounts.CODE_LENGTH and set(code) <= set(accounts.CODE_ALPHABET)
    assert user.username == newcomer.credit_code and user.name == "吴厂长" and user.phone == "13800000000"
    assert user.password_hash == "" and code not in user.activation_code_hash
    left = user.activation_expires_at - utcnow()
    assert timedelta(days=accounts.ACTIVATION_DAYS - 1) < left <= timedelta(days=accounts.ACTIVATION_DAYS)
    assert accounts.account_state(user) is AccountState.WAITING


def test_an_account_without_a_contact_is_named_after_the_enterprise(world, newcomer, db):
    newcomer.contact_name = ""
    user, _code = accounts.open_enterprise_account(db, world.city_admin, newcomer)
    assert user.name == newcomer.name


def test_an_inspector_may_not_open_an_account(world, newcomer, db):
    with pytest.raises(AccountError):
        accounts.open_enterprise_account(db, world.inspector_a, newcomer)


def test_a_user_name_held_by_another_kind_of_user_is_not_taken_over(world, newcomer, db):
    db.add(User(username=newcomer.credit_code, name="x", role=Role.INSPECTOR, unit=world.unit_a))
    db.flush()
    with pytest.raises(AccountError):
        accounts.open_enterprise_account(db, world.county_admin_a, newcomer)


def test_the_password_may_not_be_the_user_name(world, newcomer, db):
    user, code = accounts.open_enterprise_account(db, world.county_admin_a, newcomer)
    with pytest.raises(AccountError) as refused:
        accounts.activate(db, user.username, code, user.username.lower())
    assert not isinstance(refused.value, InvalidCode)
    with pytest.raises(AccountError):
        accounts.activate(db, user.username, code, "short")
    assert accounts.activate(db, user.username, code, NEW_PASSWORD).check_password(NEW_PASSWORD)
    assert accounts.account_state(user) is AccountState.ACTIVE


def test_an_unknown_user_gets_the_same_refusal_as_a_wrong_code(world, db):
    with pytest.raises(InvalidCode):
        accounts.activate(db, "nobody", "ABCDEFGHJK", NEW_PASSWORD)
    with pytest.raises(InvalidCode):  # an account with a password has no code to use
        accounts.activate(db, world.enterprise_a.credit_code, "", NEW_PASSWORD)


def test_only_failures_of_the_last_minutes_count(db, world):
    for _ in range(accounts.MAX_ACCOUNT_FAILURES):
        accounts.record_failure(db, "Insp_A", "10.0.0.1")
    now = utcnow()
    assert accounts.login_blocked(db, "insp_a", "10.0.0.7", now=now)
    assert not accounts.login_blocked(db, "insp_b", "10.0.0.7", now=now)
    assert not accounts.login_blocked(db, "insp_a", "10.0.0.7", now=now + accounts.FAILURE_WINDOW)


def test_failures_older_than_a_day_are_deleted_when_another_is_recorded(db, world):
    old = utcnow() - accounts.ATTEMPT_RETENTION - timedelta(minutes=1)
    db.add(LoginAttempt(key="user:old", at=old))
    db.flush()
    accounts.record_failure(db, "someone", "10.0.0.1")
    assert db.scalars(select(LoginAttempt.key).order_by(LoginAttempt.key)).all() == ["addr:10.0.0.1", "user:someone"]
