"""The database: engine, per-request session, migrations.

SQLite (a file in instance/) is the default; DATABASE_URL=postgresql+psycopg://... runs the same code on
PostgreSQL. Nothing here connects: the first connection is opened by the first query, so gunicorn can fork
workers from an app built before (each worker then has a pool of its own).

Transactions on SQLite: every connection runs in WAL mode (readers never block the writer nor each other)
with a busy timeout. SQLAlchemy emits the BEGIN itself (the sqlite3 module's own transaction handling is
switched off, as SQLAlchemy's documentation recommends for pysqlite): a read transaction starts with a
plain (deferred) BEGIN, a write transaction with BEGIN IMMEDIATE, which takes the write lock up front and
so waits its turn under the busy timeout. A deferred transaction that reads and then writes would instead
fail at once with "database is locked" when another writer got in between, whatever the timeout.
Requests other than GET, HEAD and OPTIONS (and a GET whose view is marked `writes`), the CLI commands and
the seeder use write transactions.
PostgreSQL ignores the distinction: its row locks and READ COMMITTED do the same job.
"""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, abort, current_app, g, has_request_context, request
from flask.cli import with_appcontext
from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from werkzeug.routing import IntegerConverter

MIGRATIONS = Path(__file__).parent / "migrations"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE = "checklist_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)
BUSY_TIMEOUT_MS = 10_000
WRITER_QUEUE_TIMEOUT_S = 60  # below gunicorn's worker timeout (gunicorn.conf.py)


class Base(DeclarativeBase):
    pass


# Ids are INTEGER columns: PostgreSQL refuses to compare one with a larger number (SQLite just finds nothing).
MAX_INTEGER = 2**31 - 1


def sql_int(text: str) -> int:
    """Read a number for a query from the query string: 0 to MAX_INTEGER, else ValueError, so that
    request.args.get(name, type=sql_int) answers the default instead."""
    number = int(text)
    if not 0 <= number <= MAX_INTEGER:
        raise ValueError(f"{text} is out of range")
    return number


class IdConverter(IntegerConverter):
    """The routes' <int:...>: a number larger than any id matches no route (404) instead of failing in SQL."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)


def sqlite_pragmas(dbapi_connection) -> None:
    """Foreign keys, WAL and the busy timeout, on every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # the sqlite3 module emits no BEGIN of its own: _sqlite_begin does
    sqlite_pragmas(dbapi_connection)


class WriterQueue:
    """The writers of one SQLite file, in every process, wait their turn on a lock file beside it.

    SQLite's busy handler polls for the write lock with sleeps of up to 100 ms and in no order, so
    with many writers at once one of them can lose every round until its busy timeout ends in
    "database is locked". Here each writer first takes a flock(2) on `<database>-writers`, polled
    every few milliseconds, for up to WRITER_QUEUE_TIMEOUT_S: under a burst a phone's submission waits
    rather than fails. It only orders the writers: SQLite's own lock stays the guard (a writer that
    waited that long goes on to BEGIN IMMEDIATE anyway), and the kernel lets go of a killed process's
    flock. Each connection has a descriptor of its own, so the threads of one
    process take turns too.
    """

    def __init__(self, database: str):
        self.path = f"{database}-writers"

    def enter(self, connection: Connection) -> None:
        info = connection.connection.info
        if "writers_fd" not in info:
            info["writers_fd"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline, pause = time.monotonic() + WRITER_QUEUE_TIMEOUT_S, 0.0005
        while True:
            try:
                fcntl.flock(info["writers_fd"], fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(pause)
                pause = min(pause * 2, 0.004)

    @staticmethod
    def leave(info: dict) -> None:
        if "writers_fd" in info:
            fcntl.flock(info["writers_fd"], fcntl.LOCK_UN)

    @staticmethod
    def close(info: dict) -> None:
        if "writers_fd" in info:
            os.close(info.pop("writers_fd"))

    def listen(self, engine: Engine) -> None:
        """Leave the queue when the transaction ends, and close the descriptor with its connection."""
        for name in ("commit", "rollback"):
            event.listen(engine, name, lambda connection: self.leave(connection.connection.info))
        event.listen(engine.pool, "checkin", lambda _dbapi, record: self.leave(record.info))
        event.listen(engine.pool, "close", lambda _dbapi, record: self.close(record.info))


def _sqlite_begin(queue: WriterQueue | None, connection: Connection) -> None:
    """Start each transaction: BEGIN IMMEDIATE when it will write, a deferred BEGIN when it only reads."""
    if connection.get_execution_options().get(WRITE):
        if queue is not None:
            queue.enter(connection)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """Create the engine (without connecting); SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs."""
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        queue = WriterQueue(database) if database and database != ":memory:" else None
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", lambda connection: _sqlite_begin(queue, connection))
        if queue is not None:
            queue.listen(engine)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions take the write lock up front."""
    return engine.execution_options(**{WRITE: True})


def refuse_nul_characters() -> None:
    """Answer 400 to a request with a NUL character in its path, query or form: PostgreSQL's text cannot
    hold one (comparing with one fails too), SQLite's can, and no real input has one."""
    texts = [request.path]
    for pairs in (request.args, request.form):
        texts.extend(text for key, values in pairs.lists() for text in (key, *values))
    if any("\x00" in text for text in texts):
        abort(400)


def init_app(app: Flask) -> None:
    """Bind the engine and the two session factories to the app, bound the routes' ids, register the CLI."""
    app.url_map.converters["int"] = IdConverter  # before the blueprints add their routes
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["read_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["sessionmaker"] = sessionmaker(writer(engine), expire_on_commit=False)  # writes: CLI, seeder
    app.before_request(refuse_nul_characters)
    app.teardown_appcontext(close_session)
    app.cli.add_command(upgrade_command)


def writes(view):
    """Mark a view that writes even when it answers a GET: its requests get write transactions too."""
    view.writes_database = True
    return view


def _reads_only() -> bool:
    """Tell whether the current request only reads: a GET, HEAD or OPTIONS of a view not marked `writes`."""
    if not has_request_context() or request.method not in READ_METHODS:
        return False
    return not getattr(current_app.view_functions.get(request.endpoint), "writes_database", False)


def get_session() -> Session:
    """Return the session of the current request, opening it on first use.

    GET, HEAD and OPTIONS read (unless their view is marked `writes`); every other request, and work
    outside a request, writes.
    """
    if "db" not in g:
        g.db = current_app.extensions["read_sessionmaker" if _reads_only() else "sessionmaker"]()
    return g.db


def close_session(_exc=None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def lock(session: Session, entity) -> None:
    """Hold the entity's row locked to the end of the transaction, so that writers that need it take turns.

    PostgreSQL: SELECT ... FOR UPDATE (a second writer waits, then reads what the first committed).
    SQLite needs nothing more: a write transaction holds the whole database from its BEGIN IMMEDIATE.
    """
    model = type(entity)
    session.execute(select(model.id).where(model.id == entity.id).with_for_update())


@contextmanager
def released(session: Session, *held) -> Iterator[None]:
    """Do slow work that needs no database (re-encoding photos) between two transactions.

    On SQLite a write transaction holds the whole database from its BEGIN IMMEDIATE: re-encoding photos
    inside it would make every other writer wait. The transaction so far must only have read; it ends
    here and the next statement begins another. Afterwards each `held` entity is read again and locked
    (SELECT ... FOR UPDATE on PostgreSQL), since another request may have changed it meanwhile.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("released() would commit the changes made so far")
    session.commit()
    yield
    for entity in held:
        session.refresh(entity, with_for_update=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(app: Flask) -> None:
    """Bring the database schema to the newest migration."""
    command.upgrade(alembic_config(writer(app.extensions["engine"])), "head")


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
