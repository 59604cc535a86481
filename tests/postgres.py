"""PostgreSQL for the test suite: a throwaway server, and a fresh database for each test.

As a script, `python tests/postgres.py COMMAND...` starts a server in a temporary folder (initdb and
pg_ctl; as the `postgres` system user when run as root, since initdb refuses root), listening on
127.0.0.1 only, on a free port; runs COMMAND with TEST_DATABASE_URL pointing at it; then stops the
server and removes the folder however COMMAND ended (a failure, Ctrl-C or SIGTERM included), and exits
with COMMAND's status. Where PostgreSQL is not installed it says so and exits 0 without running
COMMAND, except under CI=true, where that is an error.

The server is for tests only: no fsync, and the C collation, so that text sorts by code point exactly
as SQLite sorts it.

In the tests, TEST_DATABASE_URL names a server and a database to connect to with the right to create
databases; `Databases` makes the run's database, migrated once, and empties it before each test.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
LOCK_TIMEOUT = "-c lock_timeout=10s"


# The throwaway server.


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on the PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    found = sorted(DEBIAN_BINARIES.glob("*/bin/pg_ctl"), key=lambda path: int(path.parent.parent.name))
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A PostgreSQL server in a temporary folder, for one run of the suite."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="checklist-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *arguments: str) -> None:
        """Run a server program, as the postgres system user if we are root (initdb refuses root)."""
        command = [str(self.bindir / arguments[0]), *arguments[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.folder, user="postgres", group="postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                 "--no-locale", "--no-sync")
        options = " ".join(f"-c {name}={value}" for name, value in {
            **SERVER_SETTINGS, "port": self.port, "unix_socket_directories": self.folder,
        }.items())
        try:
            self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        except subprocess.CalledProcessError:
            sys.stderr.write(self.log.read_text(errors="replace") if self.log.exists() else "no server log\n")
            raise

    def stop(self) -> None:
        """Stop the server (if it runs) and remove its folder."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except subprocess.CalledProcessError as error:
                sys.stderr.write(f"postgres.py: could not stop the server: {error}\n")
        shutil.rmtree(self.folder, ignore_errors=True)


def main(command: list[str]) -> int:
    if not command:
        sys.stderr.write("usage: python tests/postgres.py COMMAND [ARGUMENT...]\n")
        return 2
    bindir = binaries()
    if bindir is None:
        message = "PostgreSQL is not installed (no initdb/pg_ctl): the PostgreSQL pass of the tests is skipped."
        if os.environ.get("CI") == "true":
            sys.stderr.write(f"ERROR: {message} CI must run it: apt-get install postgresql.\n")
            return 1
        print(f"\n*** {message} Install it (apt-get install postgresql) to run it. ***\n", flush=True)
        return 0
    server = Server(bindir)
    child = None

    def on_signal(signum, _frame):
        """While COMMAND runs, let it end on its own (Ctrl-C reaches it directly; SIGTERM is passed on)."""
        if child is None or child.poll() is not None:
            raise KeyboardInterrupt
        if signum == signal.SIGTERM:
            child.terminate()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        started = time.monotonic()
        server.start()
        print(f"PostgreSQL ({bindir}) started in {time.monotonic() - started:.1f} s at {server.url}", flush=True)
        child = subprocess.Popen(command, env={**os.environ, "TEST_DATABASE_URL": server.url})
        return child.wait()
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        server.stop()


# A fresh database for each test.


def is_postgres(url: str | None) -> bool:
    return bool(url) and make_url(url).get_backend_name() == "postgresql"


class Databases:
    """The databases of one test run on a PostgreSQL server.

    The run migrates one database; before each test, `clean` empties its tables and restarts its id
    sequences (DELETE in the order of the foreign keys: much faster than TRUNCATE, or than CREATE DATABASE
    ... TEMPLATE, on such small tables). A test that needs a database of its own gets one from `create`.
    """

    def __init__(self, url: str):
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.prefix = f"checklist_test_{os.getpid()}"
        self.numbers = count(1)
        self.created: list[str] = []
        self.migrated: str | None = None
        self.cleaner = None  # an engine on the migrated database
        self.cleaning = ""

    def url_of(self, name: str) -> str:
        """A database's URL; a lock waited on for 10 s fails, as SQLite's busy timeout does, rather than hang."""
        return self.url.set(database=name).update_query_dict({"options": LOCK_TIMEOUT}).render_as_string(
            hide_password=False
        )

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement)

    def create(self) -> str:
        """Create an empty database; return its URL."""
        name = f"{self.prefix}_{next(self.numbers)}"
        self._execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url_of(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        assert name in self.created, name
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.remove(name)

    def prepare(self, url: str) -> None:
        """Take a migrated database as the tests' one: learn its tables (but Alembic's) and sequences."""
        self.cleaner = create_engine(url, pool_size=1)
        with self.cleaner.connect() as connection:
            metadata = MetaData()
            metadata.reflect(connection)
            sequences = connection.exec_driver_sql(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()"
            ).scalars().all()
        tables = [table.name for table in reversed(metadata.sorted_tables) if table.name != "alembic_version"]
        self.cleaning = "; ".join([
            # Connections a test left open would hold locks; DROP DATABASE ... WITH (FORCE) would end them too.
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()",
            *(f'DELETE FROM "{table}"' for table in tables),
            *(f'ALTER SEQUENCE "{sequence}" RESTART' for sequence in sequences),
        ])
        self.migrated = url

    def clean(self) -> str:
        """Empty the migrated database, as a fresh copy would be; return its URL."""
        with self.cleaner.begin() as connection:
            connection.exec_driver_sql(self.cleaning)
        return self.migrated

    def close(self) -> None:
        if self.cleaner is not None:
            self.cleaner.dispose()
        for name in list(self.created):
            self.drop(self.url_of(name))
        self.admin.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
