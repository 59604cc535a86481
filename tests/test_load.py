"""Load and faults, short: phones submitting at once against gunicorn with 4 workers (`make load` runs
the full two minutes with 50 phones on the demo city; README, "Load and faults").

On the suite's database: SQLite, or PostgreSQL in the second pass of `make test`.
"""

import os
from pathlib import Path

import pytest

from bench.gunicorn import Gunicorn
from bench.load import drive, integrity, stored
from bench.phones import take_seat

from .conftest import PASSWORD

PHONES = 24


@pytest.fixture
def server(app, world, tmp_path):
    app.extensions["engine"].dispose()  # the world is committed; gunicorn has the database from here
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "UPLOAD_DIR": app.config["UPLOAD_DIR"],
           "SECRET_KEY": "load-test"}
    with Gunicorn(env, tmp_path / "gunicorn.log", workers=4, access_log=False) as served:
        yield served


def seats(server, world) -> list:
    """Phones of both of county A's inspectors, at the enterprise A."""
    enterprise = world.enterprise_a
    return [
        take_seat(server.base, username, PASSWORD, enterprise.sector.code, enterprise.qr_token)
        for username in [world.inspector_a.username, world.colleague_a.username] * (PHONES // 2)
    ]


def check(app, run) -> None:
    result = stored(app.config["DATABASE_URL"], Path(app.config["UPLOAD_DIR"]), run.sent)
    assert run.failures == []  # no 5xx ("database is locked" included), no refusal
    assert result["problems"] == []  # no acknowledged submission lost, doubled or partial
    assert result["unacknowledged_stored"] == 0
    assert result["inspections"] == len(run.acknowledged) == len(run.sent)
    assert integrity(app.config["DATABASE_URL"]) in ("ok", "n/a (PostgreSQL)")


def test_phones_at_once_lose_and_double_nothing(app, world, server):
    run = drive(server, seats(server, world), seconds=12)
    assert len(run.acknowledged) >= PHONES
    check(app, run)


def test_workers_killed_under_load_leave_every_acknowledged_submission_stored_once(app, world, server):
    run = drive(server, seats(server, world), seconds=20, kill=True, seed=7)
    assert run.kills >= 4
    assert sum(sent.retries for sent in run.sent) > 0, "some submission should have been cut off by a kill"
    check(app, run)
