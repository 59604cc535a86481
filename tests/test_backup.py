"""Backups: taken while the app serves writes, restored whole; damaged archives and occupied databases refused.

The round trip serves a database (this module's `app`, with conftest's `world` in it) under gunicorn with
gunicorn.conf.py, keeps phones' submissions coming through /api/v1 from a thread, takes a backup with the
CLI in the middle, and restores it into a fresh database and photo store. On SQLite always; on
PostgreSQL when TEST_DATABASE_URL names a server (postgresql+psycopg://...) where the tests may create
databases.
"""

import hashlib
import io
import json
import os
import runpy
import sqlite3
import tarfile
import time
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.gunicorn import ROOT, Gunicorn
from bench.load import flask, integrity
from bench.phones import Phone, take_seat
from checklist import create_app
from checklist.db import alembic_config, upgrade
from checklist.models import Inspection, Photo
from checklist.ops import backup

from .conftest import PASSWORD
from .helpers import jpeg_bytes

HEAD = ScriptDirectory.from_config(alembic_config(None)).get_current_head()
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRESQL = TEST_DATABASE_URL.startswith("postgresql")
KINDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not ON_POSTGRESQL, reason="TEST_DATABASE_URL is not a postgresql+psycopg:// URL: no PostgreSQL to back up",
    )),
]


# Databases: a SQLite file, or a PostgreSQL database created for the test.


class Databases:
    """Where a test's databases live; each one is dropped at the end of the test."""

    def __init__(self, tmp_path: Path):
        self.tmp_path, self.created = tmp_path, []
        self.admin = None
        if ON_POSTGRESQL:
            self.admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def new(self, kind: str, name: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self.tmp_path / name / 'checklist.sqlite'}"
        database = f"checklist_backup_{os.getpid()}_{uuid.uuid4().hex[:8]}_{name}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return make_url(TEST_DATABASE_URL).set(database=database).render_as_string(hide_password=False)

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as connection:
                for database in self.created:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            self.admin.dispose()


@pytest.fixture
def databases(tmp_path):
    made = Databases(tmp_path)
    yield made
    made.close()


def settings(url: str, upload_dir: Path) -> dict:
    return {
        "TESTING": True, "SECRET_KEY": "backup-test", "DATABASE_URL": url, "UPLOAD_DIR": str(upload_dir),
        "BASE_URL": "http://testserver",
    }


@pytest.fixture
def app(request, databases, tmp_path):
    """The live app (conftest's `world` fills it): SQLite unless a test asks for postgresql."""
    kind = getattr(request, "param", "sqlite")
    url = databases.new(kind, "live")
    Path(tmp_path / "live").mkdir(exist_ok=True)
    live = create_app(settings(url, tmp_path / "live" / "uploads"))
    upgrade(live)
    yield live
    live.extensions["engine"].dispose()


def let_go(app, db) -> None:
    """Close this process's connections to the live database, as a stopped app server would."""
    db.close()
    db.get_bind().dispose()
    app.extensions["engine"].dispose()


def environment(url: str, upload_dir: Path, **extra) -> dict:
    return {
        **os.environ, "DATABASE_URL": url, "UPLOAD_DIR": str(upload_dir), "SECRET_KEY": "backup-test",
        "BASE_URL": "http://testserver", **extra,
    }


# A phone sending to the app under gunicorn.


def start_phone(base: str, world) -> Phone:
    seat = take_seat(base, world.inspector_a.username, PASSWORD, world.enterprise_a.sector.code,
                     world.enterprise_a.qr_token)
    phone = Phone(base, seat, jpeg_bytes(size=(320, 240)))
    phone.start()
    return phone


# What a restored database holds.


def restored_state(url: str, upload_dir: Path) -> dict:
    """Inspections and photos of a restored database, and the photo rows whose files are missing."""
    restored = create_app(settings(url, upload_dir))
    try:
        with restored.extensions["sessionmaker"]() as session:
            inspections = {row.uuid: row for row in session.scalars(select(Inspection))}
            photos = {row.uuid: row for row in session.scalars(select(Photo))}
            half_done = [  # an inspection committed without all of its results would be half-present
                row.uuid for row in inspections.values() if len(row.results) != len(row.checklist.items)
            ]
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
            missing = [
                relative for row in photos.values() for relative in (row.path, row.thumbnail_path)
                if not (upload_dir / relative).is_file() or (upload_dir / relative).read_bytes()[:2] != b"\xff\xd8"
            ]
            return {
                "inspections": {key: row.id for key, row in inspections.items()},
                "photos": {key: (row.inspection_id, row.path) for key, row in photos.items()},
                "half_done": half_done, "missing_files": missing, "revision": revision,
            }
    finally:
        restored.extensions["engine"].dispose()


@pytest.mark.parametrize("app", KINDS, indirect=True)
def test_a_backup_taken_under_load_restores_every_submission_acknowledged_before_it(
    app, world, db, databases, tmp_path,
):
    kind = app.extensions["engine"].dialect.name
    live_url, live_uploads = app.config["DATABASE_URL"], Path(app.config["UPLOAD_DIR"])
    let_go(app, db)  # the world is committed; gunicorn has the database from here
    env = environment(live_url, live_uploads)
    archive = tmp_path / "backup.tar.gz"
    with Gunicorn(env, tmp_path / "gunicorn.log") as server:
        phone = start_phone(server.base, world)
        try:
            phone.wait_for(20)
            began = time.monotonic()
            made = flask(env, "backup", "-o", str(archive))
            ended = time.monotonic()
            assert made.returncode == 0, made.stderr
            phone.wait_for(len(phone.acknowledged()) + 3)
        finally:
            phone.halt.set()
            phone.join(timeout=60)
    assert not phone.failures
    assert f"backup written to {archive}" in made.stdout
    before = [sent for sent in phone.sent if sent.acknowledged_at is not None and sent.acknowledged_at < began]
    during = [sent for sent in phone.sent if sent.acknowledged_at is not None and began < sent.acknowledged_at < ended]
    after = [sent for sent in phone.sent if sent.sent_at > ended]
    print(f"acknowledged: {len(before)} before the backup, {len(during)} while it ran ({ended - began:.1f} s), "
          f"{len(after)} sent after it")
    assert before and during and after, "the phone should have been writing before, during and after the backup"

    with tarfile.open(archive) as members:
        manifest = json.loads(members.extractfile("manifest.json").read())
    assert manifest["database"] == {**manifest["database"], "kind": kind, "alembic_revision": HEAD}
    assert manifest["photos"]["missing_files"] == []

    target_url, target_uploads = databases.new(kind, "restored"), tmp_path / "restored" / "uploads"
    restored = flask(environment(target_url, target_uploads), "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "migrations: now at" in restored.stdout
    if kind == "sqlite":
        assert "integrity check: ok" in restored.stdout
        assert integrity(target_url) == "ok"

    state = restored_state(target_url, target_uploads)
    assert state["revision"] == HEAD
    for sent in before:  # every submission acknowledged before the backup began, whole
        assert sent.inspection_uuid in state["inspections"], sent
        assert state["photos"][sent.photo_uuid][0] == state["inspections"][sent.inspection_uuid], sent
    assert not [sent for sent in after if sent.inspection_uuid in state["inspections"]], "taken after the backup"
    assert set(state["inspections"]) <= {sent.inspection_uuid for sent in phone.sent}
    assert state["half_done"] == [] and state["missing_files"] == []  # nothing half-present
    assert len(state["photos"]) == manifest["photos"]["rows"]


# Refusals.


def make_backup(app, world, tmp_path) -> Path:
    """A backup of the live app with one photo file in its store."""
    photo = Path(app.config["UPLOAD_DIR"]) / "ab" / "photo.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(jpeg_bytes())
    app.extensions["engine"].dispose()
    return backup.create_backup(app.config["DATABASE_URL"], app.config["UPLOAD_DIR"], tmp_path / "b.tar.gz").path


def repack(source: Path, target: Path, change) -> Path:
    """Copy an archive member by member, letting change(name, data) alter each (manifest.json untouched)."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = change(member.name, old.extractfile(member).read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


def snapshot(folder: Path) -> dict:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    } if folder.exists() else {}


def test_a_damaged_archive_is_refused_and_changes_nothing(app, world, databases, tmp_path):
    archive = make_backup(app, world, tmp_path)
    data = archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) // 2])
    tampered = repack(archive, tmp_path / "tampered.tar.gz",
                      lambda name, body: body[:-1] + b"\x00" if name.startswith("photos/") else body)
    unlisted = repack(archive, tmp_path / "unlisted.tar.gz",
                      lambda name, body: b"{}" if name == "manifest.json" else body)
    not_gzip = tmp_path / "not-a-backup.tar.gz"
    not_gzip.write_bytes(b"hello" * 100)
    refusals = {
        truncated: "truncated or damaged",
        tampered: "checksum mismatch for photos/ab/photo.jpg",
        unlisted: "not a backup made by this app",
        not_gzip: "truncated or damaged",
        tmp_path / "missing.tar.gz": "does not exist",
    }
    empty_url, empty_uploads = databases.new("sqlite", "fresh"), tmp_path / "fresh" / "uploads"
    live_before = snapshot(tmp_path / "live")
    for damaged, message in refusals.items():
        for url, uploads in ((empty_url, empty_uploads), (app.config["DATABASE_URL"], app.config["UPLOAD_DIR"])):
            with pytest.raises(backup.BackupError, match=message):
                backup.restore_backup(url, uploads, damaged, force=True)
        assert not (tmp_path / "fresh").exists()
        assert snapshot(tmp_path / "live") == live_before
    cli = app.test_cli_runner().invoke(args=["restore", "--force", str(truncated)])
    assert cli.exit_code == 1 and f"Error: {truncated} is truncated or damaged" in cli.output
    assert snapshot(tmp_path / "live") == live_before
    backup.restore_backup(empty_url, empty_uploads, archive)  # the intact one restores
    assert snapshot(empty_uploads) == {"ab/photo.jpg": live_before["uploads/ab/photo.jpg"]}


@pytest.mark.parametrize("app", KINDS, indirect=True)
def test_restore_refuses_a_database_that_holds_data_unless_forced(app, world, db, tmp_path):
    archive = make_backup(app, world, tmp_path)
    with app.extensions["sessionmaker"]() as session, session.begin():
        session.execute(text("UPDATE enterprise SET name = 'changed since the backup' WHERE id = :id"),
                        {"id": world.enterprise_a.id})
    let_go(app, db)
    refused = app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "--force" in refused.output
    forced = app.test_cli_runner().invoke(args=["restore", "--force", str(archive)])
    assert forced.exit_code == 0, forced.output
    with app.extensions["sessionmaker"]() as session:
        names = session.scalars(text("SELECT name FROM enterprise ORDER BY name")).all()
    assert "changed since the backup" not in names and world.enterprise_a.name in names


def test_a_sqlite_database_in_use_is_not_replaced(app, world, db, tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "LOCK_TIMEOUT", 0.2)
    archive = make_backup(app, world, tmp_path)
    let_go(app, db)
    database = make_url(app.config["DATABASE_URL"]).database
    holder = sqlite3.connect(database)  # an app server's pooled connection
    try:
        holder.execute("SELECT count(*) FROM enterprise").fetchone()
        before = Path(database).read_bytes()
        with pytest.raises(backup.BackupError, match="in use by another process"):
            backup.restore_backup(app.config["DATABASE_URL"], app.config["UPLOAD_DIR"], archive, force=True)
        assert Path(database).read_bytes() == before
    finally:
        holder.close()


def test_an_older_backup_is_migrated_on_restore(databases, tmp_path):
    url, uploads = databases.new("sqlite", "old"), tmp_path / "old" / "uploads"
    uploads.mkdir(parents=True)
    old = create_app(settings(url, uploads))
    command.upgrade(alembic_config(old.extensions["engine"]), "0003")
    old.extensions["engine"].dispose()
    archive = backup.create_backup(url, uploads, tmp_path).path
    assert archive.name.startswith("checklist-backup-") and archive.parent == tmp_path
    assert archive.stat().st_mode & 0o077 == 0  # for its owner's eyes only
    target = databases.new("sqlite", "new")
    result = backup.restore_backup(target, tmp_path / "new" / "uploads", archive)
    assert (result.manifest.revision, result.revision_after, result.integrity) == ("0003", HEAD, "ok")


def test_postgresql_needs_its_client_tools(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    uploads = tmp_path / "uploads"
    with pytest.raises(backup.BackupError, match="pg_dump was not found on PATH: install the PostgreSQL client"):
        backup.create_backup("postgresql+psycopg://checklist@127.0.0.1/checklist", uploads, tmp_path / "b.tar.gz")
    with pytest.raises(backup.BackupError, match="backups support SQLite and PostgreSQL databases, not mysql"):
        backup.create_backup("mysql://checklist@127.0.0.1/checklist", uploads, tmp_path / "b.tar.gz")
    assert list(tmp_path.iterdir()) == []


def test_the_postgresql_password_goes_in_the_environment_not_on_the_command_line():
    url = make_url("postgresql+psycopg://checklist:p%40ss%2Fword@db.internal:5433/checklist?sslmode=require")
    connection, env = backup.libpq_arguments(url)
    assert connection == "postgresql://checklist@db.internal:5433/checklist?sslmode=require"
    assert env["PGPASSWORD"] == "p@ss/word"
    socket_url = make_url("postgresql+psycopg://checklist@/checklist?host=/run/postgresql")
    assert backup.libpq_arguments(socket_url)[0] == "postgresql://checklist@/checklist?host=%2Frun%2Fpostgresql"


def test_a_backup_from_a_newer_app_is_refused(app, world, tmp_path):
    archive = make_backup(app, world, tmp_path)

    def newer(name, body):
        if name != "manifest.json":
            return body
        manifest = json.loads(body)
        manifest["database"]["alembic_revision"] = "9999"
        return json.dumps(manifest).encode()

    newer_archive = repack(archive, tmp_path / "newer.tar.gz", newer)
    with pytest.raises(backup.BackupError, match="9999, which this version of the app does not know"):
        backup.restore_backup(f"sqlite:///{tmp_path / 'x.sqlite'}", tmp_path / "x", newer_archive)
    assert not (tmp_path / "x.sqlite").exists()


# gunicorn.conf.py


def gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_MAX_WORKERS", "GUNICORN_ACCESSLOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_settings(monkeypatch):
    default = gunicorn_settings(monkeypatch)
    cores = len(os.sched_getaffinity(0))
    assert default["bind"] == ["127.0.0.1:8000"] and default["workers"] == min(2 * cores + 1, 8)
    assert default["preload_app"] is False and default["worker_class"] == "gthread"
    assert default["timeout"] >= 60 and default["max_requests_jitter"] > 0
    assert default["worker_tmp_dir"] == ("/dev/shm" if os.path.isdir("/dev/shm") else None)
    many = gunicorn_settings(monkeypatch, GUNICORN_BIND="unix:/run/c.sock, 10.0.0.5:8000", GUNICORN_MAX_WORKERS="2",
                             GUNICORN_ACCESSLOG="")
    assert many["bind"] == ["unix:/run/c.sock", "10.0.0.5:8000"] and many["workers"] == 2
    assert many["accesslog"] is None
    assert gunicorn_settings(monkeypatch, GUNICORN_WORKERS="3")["workers"] == 3
