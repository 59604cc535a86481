"""The Flask extensions, made here unbound so that no module imports the app factory."""

from functools import cache, cached_property

import flask_babel
from babel.support import Translations
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import Domain
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from jinja2 import pass_eval_context
from markupsafe import Markup
from wtforms.i18n import messages_path

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in first.")


def select_locale() -> str:
    """Chinese unless the user chose English (a cookie set by the language switch); the commands speak Chinese."""
    choice = request.cookies.get("lang") if has_request_context() else None
    return choice if choice in ("zh_CN", "en") else "zh_CN"


# ---- Translations found once per request ------------------------------------------------------------
#
# Flask-Babel 4 finds the request's locale, its name and its catalogue again for every string it translates
# (three look-ups in `g` each time), and Jinja's i18n callables take the template's context and copy it for
# every string inside a loop: the 470 strings of the site page made an eighth of its time. Here the
# catalogue is kept in the request's Babel context (g._flask_babel) as `babel_translations`, the attribute
# that Flask-Babel's force_locale() and refresh() reset; the templates' `_`, `gettext` and `ngettext` and the
# labels of lazy_gettext below read it from there. The app has one translation domain.


def translations() -> Translations:
    """The catalogue of the request's locale (Flask-Babel's get_translations(), found once per request)."""
    if has_app_context():  # g._get_current_object(): an attribute of the proxy itself costs eight times more
        babel_context = vars(g._get_current_object()).get("_flask_babel")
        found = getattr(babel_context, "babel_translations", None)
        if found is not None:
            return found
    return flask_babel.get_translations()


class RequestDomain(Domain):
    """The default domain, whose catalogue is looked up once per request instead of for every string."""

    def get_translations(self) -> Translations:
        babel_context = flask_babel._get_current_context()  # g._flask_babel, where force_locale() resets it
        found = getattr(babel_context, "babel_translations", None)
        if found is None:
            found = super().get_translations()
            if babel_context is not None:
                babel_context.babel_translations = found
        return found


class Babel(flask_babel.Babel):
    """Flask-Babel with RequestDomain, and template callables that neither look the catalogue up again nor
    copy the template's context for each string (Jinja does for a callable that takes the context)."""

    @cached_property
    def domain_instance(self) -> Domain:
        return RequestDomain(domain=self.domain)

    def init_app(self, app: Flask, *args, **kwargs) -> None:
        super().init_app(app, *args, **kwargs)
        app.jinja_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)


def _formatted(eval_context, text: str, variables: dict) -> str:
    # As Jinja's newstyle gettext: Markup where the template escapes, and always a format string.
    if not (variables or "%" in text):
        return Markup(text) if eval_context.autoescape else text
    if not eval_context.autoescape:
        return text % variables
    if all(type(value) is int for value in variables.values()):  # a number needs no escaping: a plain %
        return Markup(text % variables)
    return Markup(text) % variables


@pass_eval_context
def _gettext(eval_context, string: str, **variables) -> str:
    return _formatted(eval_context, translations().ugettext(string), variables)


@pass_eval_context
def _ngettext(eval_context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _formatted(eval_context, translations().ungettext(singular, plural, num), variables)


def _translated(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext, translated through translations(): for labels shown many times a page."""
    return LazyString(_translated, string, **variables)


class WTFormsTranslations:
    """WTForms' own messages (and its default labels, such as the CSRF field's) in the request's language,
    each language's catalogue read once per process: Flask-WTF reads the file again for every request that
    builds a form."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalogue(str(flask_babel.get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(flask_babel.get_locale())).ungettext(singular, plural, n)


@cache
def _wtforms_catalogue(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


babel = Babel()
