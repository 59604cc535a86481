"""Logging in and out."""

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_required, login_user, logout_user
from sqlalchemy import select

from .db import get_session
from .forms import ActionForm, LoginForm
from .models import User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in first.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return get_session().get(User, int(user_id))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


def safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("views.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = get_session().scalars(select(User).where(User.username == form.username.data.strip())).first()
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user, remember=True)
            return redirect(safe_next(request.args.get("next")))
        flash(_("Wrong user name or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if ActionForm().validate_on_submit():
        logout_user()
    return redirect(url_for("auth.login"))
