"""Settings: defaults, then instance/config.py, then environment variables."""

from checklist import create_app
from checklist.models import Hazard

from .helpers import deadline_in, fail_item, inspection_id, pass_everything_but, start


def test_environment_variables_override_the_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "photos"))
    monkeypatch.setenv("BASE_URL", "https://anjian.example.cn")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/env.sqlite"
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "photos")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # served over https
    app.extensions["engine"].dispose()


def test_sqlite_in_the_instance_folder_by_default(monkeypatch):
    for name in ("DATABASE_URL", "UPLOAD_DIR"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["DATABASE_URL"].startswith("sqlite:///") and "instance" in app.config["DATABASE_URL"]
    app.extensions["engine"].dispose()


def test_a_hazard_without_a_deadline_gets_the_default_for_its_level(login, world, db, app):
    inspector = login("insp_a")
    number = inspection_id(start(inspector, world))
    item = pass_everything_but(inspector, db, number, "CON-02")
    fail_item(inspector, number, item, level="general", deadline="")
    hazard = db.query(Hazard).one()
    assert hazard.deadline == deadline_in(app.config["HAZARD_DEADLINE_DAYS"]["general"])
