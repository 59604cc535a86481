"""The field safety-inspection app."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from checklist import config, db, tallies
from checklist.extensions import babel, csrf, select_locale
from checklist.rules.definitions import load_catalogue

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then environment variables."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(config.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(config.from_environment())
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["DATABASE_URL"] = app.config["DATABASE_URL"] or (
        f"sqlite:///{Path(app.instance_path) / 'checklist.sqlite'}"
    )
    app.config["UPLOAD_DIR"] = app.config["UPLOAD_DIR"] or str(Path(app.instance_path) / "uploads")
    if app.config["BASE_URL"].startswith("https://"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    if app.config["PROXY_FIX"]:
        # Behind nginx: the client's address (for the login limit) and scheme come from its headers.
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.config.setdefault("CHECKLIST_DIR", str(ROOT / "checklists"))
    # A broken checklist file stops start-up here, with its name in the error.
    app.extensions["catalogue"] = load_catalogue(Path(app.config["CHECKLIST_DIR"]))

    db.init_app(app)
    tallies.listen()
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )

    from checklist.api import routes as api
    from checklist.ops import cli
    from checklist.web import (
        auth,
        coverage,
        dashboard,
        documents,
        errors,
        imports,
        oversight,
        pwa,
        rectification,
        reports,
        reviews,
        site,
        spot_checks,
        supervise,
        tables,
        worker_reports,
    )
    from checklist.web import home as views
    from checklist.web import inspections as inspect

    auth.init_app(app)
    errors.init_app(app)
    views.init_app(app)
    for module in (auth, site, inspect, documents, rectification, oversight, coverage, spot_checks, supervise,
                   dashboard, tables, reports, reviews, imports, pwa, worker_reports, api):
        app.register_blueprint(module.bp)
    cli.init_app(app)
    return app
