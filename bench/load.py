"""Load and faults: phones submitting inspections with photos at once against gunicorn.

    python -m bench.load [--clients 50] [--seconds 120] [--workers 4] [--kill] [--backup]
    python tests/postgres.py python -m bench.load ...     # the same on a throwaway PostgreSQL server

A fresh database (SQLite in a temporary folder, or a new database on TEST_DATABASE_URL's PostgreSQL server)
gets the demo city; `--clients` of its inspectors each log in through /api/v1 on a phone of their own
and send submissions (a photo and an inspection with a hazard) one after another for `--seconds`.
With `--kill`, a gunicorn worker is SIGKILLed at a random moment every few seconds and the phones resend
what was cut off, with the same uuids, as the outbox does. With `--backup`, `flask backup` runs in the
middle and the archive is restored into another fresh database.

Afterwards the database is read back: every acknowledged submission must be stored exactly once, whole
(every checklist result, its hazard, its photo and the photo's files), and nothing else of the phones';
SQLite must pass PRAGMA integrity_check; the restored backup must hold every submission acknowledged
before the backup began. Prints the submit latencies (p50/p95/p99, from the first byte sent to the last
acknowledgement) and exits 1 on any error, loss or double.
"""

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from checklist import create_app
from checklist.db import upgrade
from checklist.models import Role, User
from checklist.ops.demo import seed_demo

from .gunicorn import ROOT, Gunicorn
from .phones import Phone, Seat, Sent, phone_jpeg, take_seat

PASSWORD = "load-test-1234"


@dataclass
class Store:
    """Where a run's databases and photos live; databases made on PostgreSQL are dropped at the end."""

    folder: Path
    server_url: str | None = None  # a PostgreSQL server on which databases may be created
    created: list[str] = field(default_factory=list)

    def new(self, name: str) -> tuple[str, Path]:
        """A new empty database and photo store."""
        uploads = self.folder / name / "uploads"
        uploads.mkdir(parents=True)
        if self.server_url is None:
            return f"sqlite:///{self.folder / name / 'checklist.sqlite'}", uploads
        database = f"checklist_load_{os.getpid()}_{uuid.uuid4().hex[:6]}_{name}"
        self.admin(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return make_url(self.server_url).set(database=database).render_as_string(hide_password=False), uploads

    def admin(self, statement: str) -> None:
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
        engine.dispose()

    def close(self) -> None:
        for database in self.created:
            self.admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def settings(url: str, uploads: Path) -> dict:
    return {"SECRET_KEY": "load-test", "DATABASE_URL": url, "UPLOAD_DIR": str(uploads), "BASE_URL": "http://loopback"}


def environment(url: str, uploads: Path) -> dict:
    return {**os.environ, **settings(url, uploads)}


def prepare(url: str, uploads: Path, clients: int) -> list[str]:
    """Migrate, seed the demo city and give `clients` inspectors of county units a known password."""
    app = create_app(settings(url, uploads))
    try:
        upgrade(app)
        with app.extensions["sessionmaker"]() as session:
            seed_demo(session, app.extensions["catalogue"], upload_dir=app.config["UPLOAD_DIR"])
            inspectors = [
                user for user in session.scalars(select(User).where(User.role == Role.INSPECTOR).order_by(User.id))
                if user.unit is not None and not user.unit.is_city and user.unit.teams
            ][:clients]
            if len(inspectors) < clients:
                raise SystemExit(f"the demo has {len(inspectors)} county inspectors, fewer than {clients}")
            inspectors[0].set_password(PASSWORD)
            for user in inspectors[1:]:
                user.password_hash = inspectors[0].password_hash
            session.commit()
            return [user.username for user in inspectors]
    finally:
        app.extensions["engine"].dispose()


@dataclass
class Run:
    phones: list[Phone]
    seconds: float
    kills: int = 0
    backup_began: float | None = None
    backup_ended: float | None = None
    backup_output: str = ""

    @property
    def sent(self) -> list[Sent]:
        return [sent for phone in self.phones for sent in phone.sent]

    @property
    def acknowledged(self) -> list[Sent]:
        return [sent for sent in self.sent if sent.acknowledged_at is not None]

    @property
    def failures(self) -> list[str]:
        return [failure for phone in self.phones for failure in phone.failures]


def drive(server: Gunicorn, seats: list[Seat], seconds: float, *, kill: bool = False,
          backup=None, seed: int = 1) -> Run:
    """Phones send for `seconds`; meanwhile workers are killed and a backup is taken, if asked."""
    photo = phone_jpeg((1600, 1200))  # what the phone sends once it has compressed a camera photo
    run = Run([Phone(server.base, seat, photo, retry=kill) for seat in seats], seconds)
    chance = random.Random(seed)
    started = time.monotonic()
    for phone in run.phones:
        phone.start()
    backup_thread = None
    if backup is not None:
        def take_backup():
            time.sleep(seconds / 2)
            run.backup_began = time.monotonic()
            run.backup_output = backup()
            run.backup_ended = time.monotonic()
        backup_thread = threading.Thread(target=take_backup, daemon=True)
        backup_thread.start()
    while time.monotonic() - started < seconds:
        time.sleep(chance.uniform(1.0, 4.0) if kill else 0.5)
        workers = server.worker_pids()
        if kill and workers and time.monotonic() - started < seconds:
            server.kill_worker(chance.choice(workers))
            run.kills += 1
    for phone in run.phones:
        phone.halt.set()
    for phone in run.phones:
        phone.join(timeout=600)
    if backup_thread is not None:
        backup_thread.join(timeout=600)
    return run


def stored(url: str, uploads: Path, sent: list[Sent]) -> dict:
    """What the database holds of the phones' submissions, and whatever is wrong with it."""
    engine = create_engine(url, poolclass=NullPool)
    inspection_uuids = {item.inspection_uuid for item in sent}
    try:
        with engine.connect() as connection:
            inspections = Counter()
            ids = {}
            for row in connection.execute(text("SELECT id, uuid FROM inspection WHERE uuid IS NOT NULL")):
                if row.uuid in inspection_uuids:
                    inspections[row.uuid] += 1
                    ids[row.uuid] = row.id
            results = dict(connection.execute(text(
                "SELECT r.inspection_id, count(*) FROM item_result r GROUP BY r.inspection_id"
            )).all())
            items = dict(connection.execute(text(
                "SELECT i.id, (SELECT count(*) FROM checklist_item c WHERE c.checklist_id = i.checklist_id)"
                " FROM inspection i WHERE i.uuid IS NOT NULL"
            )).all())
            hazards = Counter(connection.execute(text("SELECT uuid FROM hazard WHERE uuid IS NOT NULL")).scalars())
            photos, photo_counts = {}, Counter()
            for row in connection.execute(text(
                "SELECT uuid, inspection_id, path, thumbnail_path FROM photo WHERE uuid IS NOT NULL"
            )):
                photos[row.uuid] = row
                photo_counts[row.uuid] += 1
    finally:
        engine.dispose()
    acknowledged = [item for item in sent if item.acknowledged_at is not None]
    problems = []
    for item in acknowledged:
        if inspections[item.inspection_uuid] != 1:
            problems.append(f"{item.inspection_uuid}: stored {inspections[item.inspection_uuid]} times")
            continue
        inspection_id = ids[item.inspection_uuid]
        if results.get(inspection_id) != items[inspection_id]:
            problems.append(f"{item.inspection_uuid}: {results.get(inspection_id)} of {items[inspection_id]} results")
        if hazards[item.hazard_uuid] != 1:
            problems.append(f"{item.inspection_uuid}: its hazard stored {hazards[item.hazard_uuid]} times")
        photo = photos.get(item.photo_uuid)
        if photo is None or photo_counts[item.photo_uuid] != 1 or photo.inspection_id != inspection_id:
            problems.append(f"{item.inspection_uuid}: its photo is missing, doubled or not attached")
        elif not all((uploads / path).is_file() for path in (photo.path, photo.thumbnail_path)):
            problems.append(f"{item.inspection_uuid}: its photo's files are missing")
    unacknowledged = [item for item in sent if item.acknowledged_at is None and inspections[item.inspection_uuid]]
    return {
        "inspections": sum(inspections.values()), "problems": problems, "unacknowledged_stored": len(unacknowledged),
        "uuids": set(inspections),
    }


def integrity(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return "n/a (PostgreSQL)"
    connection = sqlite3.connect(parsed.database)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def flask(env: dict, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *arguments], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}
    figures = {f"p{round(q * 100)}": ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.50, 0.95, 0.99)}
    return {**figures, "max": ordered[-1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill", action="store_true", help="SIGKILL a random worker every 1 to 4 s")
    parser.add_argument("--backup", action="store_true", help="take a backup in the middle and restore it")
    options = parser.parse_args(argv)
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    store = Store(Path(tempfile.mkdtemp(prefix="checklist-load-")), server_url or None)
    try:
        return measure(store, options)
    finally:
        store.close()


def measure(store: Store, options) -> int:
    url, uploads = store.new("live")
    kind = make_url(url).get_backend_name()
    print(f"{kind}: seeding the demo city and {options.clients} phones", flush=True)
    usernames = prepare(url, uploads, options.clients)
    env = environment(url, uploads)
    archive = store.folder / "backup.tar.gz"
    backup = (lambda: flask(env, "backup", "-o", str(archive)).stdout) if options.backup else None
    with Gunicorn(env, store.folder / "gunicorn.log", workers=options.workers, access_log=False) as server:
        seats = [take_seat(server.base, username, PASSWORD) for username in usernames]
        run = drive(server, seats, options.seconds, kill=options.kill, backup=backup)
    result = stored(url, uploads, run.sent)
    check = integrity(url)
    latencies = percentiles([item.latency for item in run.acknowledged])
    retries = sum(item.retries for item in run.sent)
    print(f"{kind}, {options.clients} phones, {options.seconds:.0f} s, {options.workers} workers"
          f"{f', {run.kills} workers killed' if options.kill else ''}:")
    print(f"  submissions sent {len(run.sent)}, acknowledged {len(run.acknowledged)}"
          f" ({len(run.acknowledged) / options.seconds:.1f}/s), errors {len(run.failures)}, retries {retries}")
    print("  submit latency " + ", ".join(f"{key} {value * 1000:.0f} ms" for key, value in latencies.items()))
    print(f"  stored {result['inspections']}, lost or doubled or partial {len(result['problems'])},"
          f" stored without acknowledgement {result['unacknowledged_stored']}, integrity check: {check}")
    failed = bool(run.failures or result["problems"] or check not in ("ok", "n/a (PostgreSQL)") or not run.acknowledged)
    for line in (run.failures + result["problems"])[:20]:
        print(f"  ! {line}")
    if options.backup:
        failed |= not restores(store, run, archive)
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


def restores(store: Store, run: Run, archive: Path) -> bool:
    """Restore the backup into a fresh database: everything acknowledged before the backup began is there."""
    url, uploads = store.new("restored")
    restored = flask(environment(url, uploads), "restore", str(archive))
    if restored.returncode != 0:
        print(f"  ! restore failed: {restored.stderr[-2000:]}")
        return False
    before = [item for item in run.acknowledged if item.acknowledged_at < run.backup_began]
    result = stored(url, uploads, before)
    check = integrity(url)
    later = [item for item in run.sent if item.sent_at > run.backup_ended and item.inspection_uuid in result["uuids"]]
    print(f"  backup taken in {run.backup_ended - run.backup_began:.1f} s under load;"
          f" restored: {result['inspections']} of the {len(before)} acknowledged before it,"
          f" {len(result['problems'])} lost or partial, integrity check: {check}")
    for line in result["problems"][:20]:
        print(f"  ! {line}")
    return bool(before) and not result["problems"] and not later and check in ("ok", "n/a (PostgreSQL)")


if __name__ == "__main__":
    sys.exit(main())
