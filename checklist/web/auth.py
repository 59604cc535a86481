"""Logging in and out, activating an account, one's own profile, and the supervisors' page of an enterprise's
account."""

import hmac
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user, user_loaded_from_cookie
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from checklist import access
from checklist.db import get_session
from checklist.extensions import login_manager
from checklist.models import Enterprise, User
from checklist.refusal import Refused
from checklist.rules import accounts, teams
from checklist.web.forms import AccountForm, ActionForm, ActivationForm, CardNumberForm, LoginForm
from checklist.web.respond import no_store

bp = Blueprint("auth", __name__)


# A request's user with its unit, which the access checks of nearly every page ask for; built once, the id
# bound at each run (building it costs half as much as running it).
USER_WITH_UNIT = select(User).where(User.id == bindparam("user_id")).options(joinedload(User.unit))


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Find the user a session or remember-me cookie names ("<id>:<token>", see User.get_id).

    A cookie made before a logout, a new password or a reset carries an older token and finds nobody;
    neither does one of a disabled account.
    """
    user_id, _colon, token = identity.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 10 and token):
        return None
    user = get_session().scalars(USER_WITH_UNIT, {"user_id": int(user_id)}).first()
    if user is None or not user.active or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


def keep_session_alive(_app, **_signal) -> None:
    """A login restored from the remember-me cookie ends after the same inactivity as one typed in."""
    cookie_session.permanent = True


class PageSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, except that a page the service worker fetches for offline use (X-Precache)
    never writes the cookie: it runs beside the person's own requests, and the session it read before one of them
    changed it (a flashed message, most often) would overwrite theirs when it answers last."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        return not request.headers.get("X-Precache") and super().should_set_cookie(app, session)


def init_app(app: Flask) -> None:
    app.session_interface = PageSessions()
    login_manager.init_app(app)
    user_loaded_from_cookie.connect(keep_session_alive, app)


def start_session(user: User, remember: bool = True) -> None:
    """Log the user in on a new session: nothing of the anonymous one survives, and it times out."""
    cookie_session.clear()
    cookie_session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without a request
    login_user(user, remember=remember)


def safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site.

    Browsers read a backslash as a slash and drop tabs and line breaks: a target with any of them, or with
    a space, could lead to another site and is not followed.
    """
    if target and target.isprintable() and "\\" not in target and " " not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("views.home")


def too_many_attempts(error: Refused, template: str, **context):
    """Answer 429 on the same page, whatever was typed."""
    flash(str(error.message), "error")
    return no_store((render_template(template, **context), 429))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            user = accounts.authenticate(session, form.username.data, form.password.data, request.remote_addr)
        except accounts.LoginBlocked as error:
            return too_many_attempts(error, "auth/login.html", form=form)
        except accounts.LoginRefused as error:
            session.commit()  # the failure counts
            flash(str(error.message), "error")
        else:
            session.commit()
            start_session(user)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if ActionForm().validate_on_submit():
        session = get_session()
        current_user.end_sessions()  # a copy of this session's cookies must not log in again either
        session.commit()
        cookie_session.clear()
        logout_user()  # after clear(): it leaves the note that deletes the remember-me cookie
    return redirect(url_for("auth.login"))


@bp.route("/activate", methods=["GET", "POST"])
def activate():
    """Set a password with the activation code; a link fills in the user name and the code."""
    form = ActivationForm(username=request.args.get("username", ""), code=request.args.get("code", ""))
    if form.validate_on_submit():
        session = get_session()
        try:
            user = accounts.activate(session, form.username.data, form.code.data, form.password.data,
                                     request.remote_addr)
        except accounts.LoginBlocked as error:
            return too_many_attempts(error, "auth/activate.html", form=form)
        except accounts.AccountError as error:
            session.commit()  # a wrong code counts as a failed login
            flash(error.message, "error")
        else:
            session.commit()
            start_session(user)
            flash(_("Your password is set. Log in with it from now on."), "success")
            return redirect(url_for("views.home"))
    return no_store(render_template("auth/activate.html", form=form))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """The officer's own name, unit, teams and phone, and the form that records their 执法证号."""
    access.require(not access.is_enterprise(current_user))
    form = CardNumberForm(card_number=current_user.card_number)
    if form.validate_on_submit():
        session = get_session()
        try:
            teams.set_card_number(session, current_user, current_user, form.card_number.data or "")
        except teams.TeamError as error:
            session.rollback()
            form.card_number.errors = [error.message]
            return render_template("auth/profile.html", form=form), 400
        session.commit()
        flash(_("Your enforcement card number is saved.") if current_user.card_number
              else _("Your enforcement card number is cleared."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form), 400 if form.errors else 200


def activation_link(username: str, code: str) -> str:
    query = urlencode({"username": username, "code": code})
    return f"{current_app.config['BASE_URL'].rstrip('/')}{url_for('auth.activate')}?{query}"


@bp.route("/enterprises/<int:enterprise_id>/account", methods=["GET", "POST"])
@login_required
def enterprise_account(enterprise_id: int):
    """Show the state of an enterprise's login; a POST opens or resets it and shows the code once."""
    session = get_session()
    enterprise = session.get(Enterprise, enterprise_id) or abort(404)
    access.require(access.can_manage_accounts(current_user, enterprise))
    user = accounts.enterprise_account(session, enterprise)
    form = AccountForm(
        name=user.name if user else enterprise.contact_name, phone=user.phone if user else enterprise.contact_phone
    )
    code = None
    if form.validate_on_submit():
        try:
            user, code = accounts.open_enterprise_account(
                session, current_user, enterprise, name=form.name.data, phone=form.phone.data
            )
        except accounts.AccountError as error:
            flash(error.message, "error")
        else:
            session.commit()
    return no_store(render_template(
        "auth/account.html", enterprise=enterprise, account=user, state=accounts.account_state(user), form=form,
        code=code, link=activation_link(user.username, code) if code else None,
        activation_days=accounts.ACTIVATION_DAYS,
    ))
