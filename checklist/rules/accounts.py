"""Logging in, and enterprise accounts: a supervisor opens them, the enterprise activates them; failed logins
are slowed down.

The rule functions take the session (and the acting user where there is one), flush, and raise
AccountError when refused; the caller commits.
"""

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from checklist import access
from checklist.models import Enterprise, LabelledEnum, Role, User, utcnow
from checklist.refusal import Refused
from checklist.rules import limits
from checklist.rules.limits import Limit

ACTIVATION_DAYS = 7
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud or copied from paper
CODE_LENGTH = 10
MIN_PASSWORD_LENGTH = 8

FAILURE_WINDOW = timedelta(minutes=15)
MAX_ACCOUNT_FAILURES = 5
MAX_ADDRESS_FAILURES = 30
ATTEMPT_RETENTION = limits.RETENTION


class AccountError(Refused):
    """A refused step of opening or activating an account."""


class InvalidCode(AccountError):
    """A wrong user name or activation code: counted as a failed login."""


class LoginRefused(AccountError):
    """A wrong user name or password: the failure is recorded, the caller commits it."""


class LoginBlocked(AccountError):
    """Too many failures of the account or the address in the last minutes: not even checked."""


class AccountState(LabelledEnum):
    NONE = "none", _l("No account yet")
    ACTIVE = "active", _l("Active")
    WAITING = "waiting", _l("Waiting for activation")
    EXPIRED = "expired", _l("Activation code expired")
    DISABLED = "disabled", _l("Disabled")


def find_user(session: Session, username: str) -> User | None:
    """Find a user by name; a credit code typed in lower case on a phone still matches."""
    username = username.strip()
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None and username != username.upper():
        user = session.scalars(select(User).where(User.username == username.upper())).first()
    return user


def enterprise_account(session: Session, enterprise: Enterprise) -> User | None:
    """Return the enterprise's login, named after its credit code, if it has one."""
    return session.scalars(
        select(User).where(User.username == enterprise.credit_code, User.role == Role.ENTERPRISE,
                           User.enterprise_id == enterprise.id)
    ).first()


def account_state(user: User | None, now: datetime | None = None) -> AccountState:
    """Tell whether an account can be used, waits for its activation, or needs a new code."""
    if user is None:
        return AccountState.NONE
    if not user.active:
        return AccountState.DISABLED
    if user.password_hash:
        return AccountState.ACTIVE
    if user.activation_code_hash and user.activation_expires_at and user.activation_expires_at > (now or utcnow()):
        return AccountState.WAITING
    return AccountState.EXPIRED


def new_activation_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """Accept a code typed in lower case or in groups separated by spaces or dashes."""
    return "".join(code.split()).replace("-", "").upper()


def open_enterprise_account(
    session: Session, actor: User, enterprise: Enterprise, *, name: str = "", phone: str = ""
) -> tuple[User, str]:
    """Create or reset the enterprise's login and return it with a one-time activation code in clear.

    The account has no password until the code is used; an existing password stops working at once.
    Only the code's hash is stored, so the code can be shown once and never again.
    """
    if not access.can_manage_accounts(actor, enterprise):
        raise AccountError(_l("You may not manage this enterprise's account."))
    user = session.scalars(select(User).where(User.username == enterprise.credit_code)).first()
    if user is not None and (user.role is not Role.ENTERPRISE or user.enterprise_id != enterprise.id):
        raise AccountError(_l("The user name %(username)s belongs to another account.", username=user.username))
    if user is None:
        user = User(
            username=enterprise.credit_code,
            role=Role.ENTERPRISE,
            enterprise_id=enterprise.id,
            name=(name.strip() or enterprise.contact_name or enterprise.name)[:40],
            phone=(phone.strip() or enterprise.contact_phone)[:20],
        )
        session.add(user)
    else:
        user.name = name.strip()[:40] or user.name
        user.phone = phone.strip()[:20] or user.phone
    code = issue_activation_code(user)
    session.flush()
    return user, code


def issue_activation_code(user: User) -> str:
    """Give the user a new one-time activation code (returned in clear, stored hashed); any password stops.

    Every login of the account ends as well: whoever held it is out until the code is used.
    """
    code = new_activation_code()
    user.password_hash = ""
    user.end_sessions()
    user.activation_code_hash = generate_password_hash(code)
    user.activation_expires_at = utcnow() + timedelta(days=ACTIVATION_DAYS)
    return code


def activate(session: Session, username: str, code: str, password: str, address: str | None = None) -> User:
    """Set the password of an account with its activation code; the code works once.

    Slowed down as logins are: refused while blocked (LoginBlocked), and a wrong code is recorded as a failure
    (InvalidCode) that the caller commits.
    """
    _refuse_if_blocked(session, username, address)
    user = find_user(session, username)
    code = normalize_code(code)
    if (
        user is None
        or not user.active
        or not user.activation_code_hash
        or not check_password_hash(user.activation_code_hash, code)
    ):
        record_failure(session, username, address)
        raise InvalidCode(_l("Wrong user name or activation code."))
    if user.activation_expires_at is None or user.activation_expires_at <= utcnow():
        raise AccountError(_l("This activation code has expired. Ask your supervisor for a new one."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH))
    if password.strip().upper() == user.username.upper():
        raise AccountError(_l("The password must not be the user name."))
    user.set_password(password)
    user.activation_code_hash, user.activation_expires_at = "", None
    session.flush()
    return user


def attempt_keys(username: str, address: str | None) -> tuple[str, str]:
    return f"user:{username.strip().lower()}", f"addr:{address or 'unknown'}"


def login_limits(username: str, address: str | None) -> tuple[Limit, Limit]:
    """The failures allowed to the account and to the address in FAILURE_WINDOW."""
    user_key, address_key = attempt_keys(username, address)
    return (Limit(user_key, MAX_ACCOUNT_FAILURES, FAILURE_WINDOW),
            Limit(address_key, MAX_ADDRESS_FAILURES, FAILURE_WINDOW))


def login_blocked(session: Session, username: str, address: str | None, now: datetime | None = None) -> bool:
    """Tell whether the account or the address failed too often in the last minutes."""
    return limits.reached(session, login_limits(username, address), now) is not None


def record_failure(session: Session, username: str, address: str | None, now: datetime | None = None) -> None:
    """Count a failed login against the account and the address; forget failures older than a day."""
    limits.count(session, attempt_keys(username, address), now)


def _refuse_if_blocked(session: Session, username: str, address: str | None) -> None:
    if login_blocked(session, username, address):
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        raise LoginBlocked(_l("Too many failed attempts. Wait %(minutes)d minutes and try again.", minutes=minutes))


def forget_failures(session: Session, username: str) -> None:
    """Clear an account's failures after it logged in, so that earlier typos do not add up to a block."""
    limits.forget(session, attempt_keys(username, None)[0])


def authenticate(session: Session, username: str, password: str, address: str | None) -> User:
    """Return the active user whose password this is; the one login rule of the pages and the API.

    Refused while the account or the address is blocked (LoginBlocked); a wrong user name or password is
    recorded as a failure (LoginRefused), a success forgets the account's failures. The caller commits in
    either case, and starts the session or issues the token.
    """
    _refuse_if_blocked(session, username, address)
    user = find_user(session, username)
    if user is None or not user.active or not user.check_password(password):
        record_failure(session, username, address)
        raise LoginRefused(_l("Wrong user name or password."))
    forget_failures(session, username)
    if not user.session_token:  # a row written without the ORM's default: sessions and tokens need one
        user.end_sessions()
    session.flush()
    return user
