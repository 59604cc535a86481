"""Error pages in the user's language."""

from typing import NoReturn

from flask import Flask, abort, make_response, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError


def bad_request(message: str) -> NoReturn:
    """Stop the request with a 400 page that says what was wrong."""
    abort(make_response(render_template("error.html", code=400, message=message), 400))


def forbidden(message: str) -> NoReturn:
    """Stop the request with a 403 page that says why."""
    abort(make_response(render_template("error.html", code=403, message=message), 403))


def init_app(app: Flask) -> None:
    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("You are not allowed to see this."),
        404: lambda: _("There is no such page."),
        413: lambda: _("The upload is too large. Send fewer or smaller photos at a time."),
        500: lambda: _("Something went wrong on the server. Nothing you sent was half-saved; please try again."),
    }
    for code, message in messages.items():
        app.register_error_handler(
            code, lambda error, code=code, message=message: (
                render_template("error.html", code=code, message=message()), code
            )
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("The form expired or was not sent from this site. Go back, reload the page and try again.")
        return render_template("error.html", code=400, message=message), 400
