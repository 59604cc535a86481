"""The database: engine, per-request session, migrations."""

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    pass


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and a busy timeout."""
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def init_app(app: Flask) -> None:
    """Bind the engine and session factory to the app and register the CLI."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)
    app.cli.add_command(upgrade_command)


def get_session() -> Session:
    """Return the session of the current request, opening it on first use."""
    if "db" not in g:
        g.db = current_app.extensions["sessionmaker"]()
    return g.db


def close_session(_exc=None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(app: Flask) -> None:
    """Bring the database schema to the newest migration."""
    command.upgrade(alembic_config(app.extensions["engine"]), "head")


def is_empty(app: Flask) -> bool:
    """Tell whether the database has no enterprises yet (or no tables at all)."""
    engine = app.extensions["engine"]
    if not inspect(engine).has_table("enterprise"):
        return True
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT 1 FROM enterprise LIMIT 1").first() is None


@click.command("db-upgrade")
@with_appcontext
def upgrade_command() -> None:
    """Create or migrate the database schema."""
    upgrade(current_app)
    click.echo("database schema is up to date")
