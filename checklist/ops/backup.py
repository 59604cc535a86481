"""Backups: the database and the photo store in one tar.gz archive, and restoring one.

An archive holds, in this order:

- ``database.sqlite`` (SQLite's online backup API: a consistent copy taken while the app writes) or
  ``database.pgdump`` (``pg_dump --format=custom``);
- ``photos/...``: every file of UPLOAD_DIR, added *after* the database copy was taken. The app writes a
  photo's files before it commits the row that points at them (photos.store), so every photo row in the
  copy has its files in the archive; files newer than the copy are harmless extras;
- ``manifest.json`` last: format version, when, which database and Alembic revision, photo counts and the
  size and sha256 of every other member.

Restoring checks the whole archive against its manifest before it changes anything, refuses a database
that holds data unless forced, writes the photos first and the database second (the same order as the
app: never a row without its file), then runs the migrations so that an older backup comes up to date.
SQLite is restored by replacing the database file, which needs the app servers stopped: a server still
holding the old file open would go on writing into it. PostgreSQL goes through pg_restore.

Plain functions; the `backup` and `restore` commands in cli.py call them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path, PurePosixPath

from alembic import command
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from checklist import db

FORMAT = "checklist-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PHOTOS = "photos/"
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024
COMPRESSLEVEL = 6
LOCK_TIMEOUT = 5.0  # seconds to wait for the SQLite file before deciding an app server holds it
PARTIAL_SUFFIXES = (".part",)  # photos.py's temporary files, still being written

Log = Callable[[str], None]


class BackupError(Exception):
    """A backup or a restore could not be done; the message says why, for an operator."""


@dataclass
class Manifest:
    data: dict

    @property
    def kind(self) -> str:
        return self.data["database"]["kind"]

    @property
    def database_member(self) -> str:
        return self.data["database"]["member"]

    @property
    def revision(self) -> str | None:
        return self.data["database"].get("alembic_revision")

    @property
    def members(self) -> dict[str, dict]:
        return self.data["members"]


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    archive_bytes: int


@dataclass
class RestoreResult:
    manifest: Manifest
    photo_files: int
    photo_bytes: int
    revision_before: str | None
    revision_after: str | None
    integrity: str | None  # SQLite's integrity_check, None for PostgreSQL
    warnings: list[str] = field(default_factory=list)


# What the database URL points at.


def database_kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend in ("sqlite", "postgresql"):
        return backend
    raise BackupError(f"backups support SQLite and PostgreSQL databases, not {backend}")


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database).resolve()


def libpq_arguments(url: URL) -> tuple[str, dict[str, str]]:
    """The connection string for pg_dump/pg_restore, and the environment that carries the password.

    The password goes in PGPASSWORD, never on a command line (which every user of the machine can read).
    """
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    plain = URL.create(  # the same URL without its password (URL.set would keep it) nor the driver's name
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database, query=url.query,
    )
    return plain.render_as_string(hide_password=False), environment


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools (Debian: postgresql-client) "
            "of the server's major version or newer"
        )
    return path


def run_pg_tool(arguments: list[str], environment: dict[str, str], what: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(arguments, env=environment, capture_output=True, check=True)
    except subprocess.CalledProcessError as failure:
        message = failure.stderr.decode("utf-8", errors="replace").strip()
        raise BackupError(f"{what} failed (exit {failure.returncode}): {message}") from None


# Small file helpers.


def sha256_file(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


class HashingReader:
    """A file object that hashes and counts what is read through it."""

    def __init__(self, stream):
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def fsync_directory(path: Path) -> None:
    with suppress(OSError):  # not every file system lets a directory be opened for this
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def copy_stream(source, target_path: Path) -> tuple[int, str]:
    """Write a stream into a file, fsynced; return its size and sha256."""
    reader = HashingReader(source)
    with target_path.open("wb") as target:
        while chunk := reader.read(CHUNK):
            target.write(chunk)
        target.flush()
        os.fsync(target.fileno())
    return reader.size, reader.digest.hexdigest()


def temporary_beside(target: Path, suffix: str) -> Path:
    """A new empty file in the target's folder (so that a rename puts it in place atomically)."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(handle)
    return Path(name)


def integrity_check(path: Path, immutable: bool = True) -> str:
    """SQLite's PRAGMA integrity_check: "ok" or the problems found.

    `immutable` for a copy nobody else uses (SQLite then creates no -wal or -shm file beside it).
    """
    mode = "immutable=1" if immutable else "mode=ro"
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        connection.close()
    return "\n".join(str(row[0]) for row in rows)


def app_tables() -> list[str]:
    from checklist import models  # noqa: F401  (registers the tables)

    return list(db.Base.metadata.tables)


# Taking a backup.


def snapshot_sqlite(path: Path, target: Path) -> tuple[str | None, list[tuple[str, str]]]:
    """Copy a live SQLite database with the online backup API; return its revision and photo paths.

    The whole copy is one step under one read transaction, so it is the database as of one moment:
    the app's writers go on meanwhile (WAL mode), and everything committed before that moment is in it.
    """
    if not path.exists():
        raise BackupError(f"the database {path} does not exist")
    source = sqlite3.connect(path, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    except sqlite3.Error as error:
        raise BackupError(f"could not copy the SQLite database {path}: {error}") from None
    finally:
        source.close()
    result = integrity_check(target)
    if result != "ok":
        raise BackupError(f"the live database {path} fails SQLite's integrity check; no backup written:\n{result}")
    connection = sqlite3.connect(f"{target.as_uri()}?immutable=1", uri=True)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        photos = []
        if "photo" in tables:
            photos = [tuple(row) for row in connection.execute("SELECT path, thumbnail_path FROM photo")]
    finally:
        connection.close()
    return revision, photos


def copy_rows(pg_restore: str, dump: Path, table: str, environment: dict[str, str]) -> list[dict[str, str | None]]:
    """Read one table's rows out of a custom-format dump (its COPY text), without any database."""
    output = run_pg_tool(
        [pg_restore, "--data-only", f"--table={table}", "--file=-", str(dump)], environment, "pg_restore"
    ).stdout.decode("utf-8", errors="replace")
    columns, rows = None, []
    for line in output.split("\n"):
        if columns is None:
            match = re.match(r"COPY \S+ \((.*)\) FROM stdin;$", line)
            if match:
                columns = [name.strip().strip('"') for name in match.group(1).split(",")]
        elif line == "\\.":
            break
        else:
            values = [None if value == "\\N" else value for value in line.split("\t")]
            rows.append(dict(zip(columns, values, strict=True)))
    return rows


def snapshot_postgresql(url: URL, target: Path) -> tuple[str | None, list[tuple[str, str]]]:
    """pg_dump the database (one consistent snapshot); return its revision and photo paths, read from the dump."""
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    connection, environment = libpq_arguments(url)
    run_pg_tool([pg_dump, "--format=custom", f"--file={target}", f"--dbname={connection}"], environment, "pg_dump")
    versions = copy_rows(pg_restore, target, "alembic_version", environment)
    photos = [(row["path"], row["thumbnail_path"]) for row in copy_rows(pg_restore, target, "photo", environment)]
    return (versions[0]["version_num"] if versions else None), photos


def photo_files(upload_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every finished file of the photo store, as (name in the archive, path), in a stable order."""
    if not upload_dir.is_dir():
        return
    for folder, directories, files in os.walk(upload_dir):
        directories.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if name.endswith(PARTIAL_SUFFIXES) or path.is_symlink() or not path.is_file():
                continue
            yield PHOTOS + path.relative_to(upload_dir).as_posix(), path


def add_file(archive: tarfile.TarFile, name: str, path: Path) -> dict | None:
    """Add one file, hashing it as it is read; None if it vanished meanwhile."""
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        return None
    with stream:
        status = os.fstat(stream.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = status.st_size, int(status.st_mtime), 0o644
        reader = HashingReader(stream)
        archive.addfile(info, reader)
    return {"size": reader.size, "sha256": reader.digest.hexdigest()}


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o644
    archive.addfile(info, BytesIO(data))


def default_name(now: datetime) -> str:
    return f"checklist-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def create_backup(database_url: str, upload_dir: str | Path, output: str | Path) -> BackupResult:
    """Write one archive of the database and the photo store; the archive appears whole or not at all.

    `output` may be a folder: the archive is then named after the time, inside it.
    """
    url, upload_dir, output = make_url(database_url), Path(upload_dir).resolve(), Path(output).resolve()
    kind = database_kind(url)
    now = datetime.now(UTC)
    if output.is_dir():
        output = output / default_name(now)
    if not output.parent.is_dir():
        raise BackupError(f"the folder {output.parent} does not exist")
    if output.is_relative_to(upload_dir):
        raise BackupError(f"write the backup outside the photo store {upload_dir}")
    if kind == "postgresql":
        pg_tool("pg_dump")
        pg_tool("pg_restore")
    with tempfile.TemporaryDirectory(prefix=".checklist-backup-", dir=output.parent) as work:
        work = Path(work)
        database_file = work / DATABASE_MEMBERS[kind]
        # 1. The database, as of one moment.
        if kind == "sqlite":
            revision, photo_rows = snapshot_sqlite(sqlite_path(url), database_file)
        else:
            revision, photo_rows = snapshot_postgresql(url, database_file)
        # 2. Then the photos: every file a row of that copy points at was written before the row was committed.
        partial = work / "archive.tar.gz"
        members: dict[str, dict] = {}
        # Readable by its owner only: it holds every inspection, account and password hash.
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESSLEVEL, format=tarfile.PAX_FORMAT) as tar:
                members[database_file.name] = add_file(tar, database_file.name, database_file)
                for name, path in photo_files(upload_dir):
                    added = add_file(tar, name, path)
                    if added is not None:
                        members[name] = added
                wanted = {PHOTOS + relative for row in photo_rows for relative in row if relative}
                missing = sorted(wanted - set(members))
                photo_members = [name for name in members if name.startswith(PHOTOS)]
                manifest = Manifest({
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
                    "database": {
                        "kind": kind,
                        "member": database_file.name,
                        "alembic_revision": revision,
                        "bytes": members[database_file.name]["size"],
                    },
                    "photos": {
                        "rows": len(photo_rows),
                        "files": len(photo_members),
                        "bytes": sum(members[name]["size"] for name in photo_members),
                        "missing_files": missing,
                    },
                    "members": members,
                })
                add_bytes(tar, MANIFEST, json.dumps(manifest.data, indent=1, ensure_ascii=False).encode())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
        fsync_directory(output.parent)
    return BackupResult(path=output, manifest=manifest, archive_bytes=output.stat().st_size)


# Reading an archive back.


def safe_photo_name(name: str) -> PurePosixPath | None:
    """The path of a photo member relative to UPLOAD_DIR, or None if the name could escape it."""
    if not name.startswith(PHOTOS) or "\\" in name or "\x00" in name:
        return None
    relative = PurePosixPath(name[len(PHOTOS):])
    if relative.is_absolute() or not relative.parts or any(part in ("", ".", "..") for part in relative.parts):
        return None
    return relative


@contextmanager
def open_members(archive: Path) -> Iterator[Iterator[tuple[tarfile.TarInfo, object]]]:
    """Stream an archive's members; errors from a truncated or damaged file become BackupError."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file")
    damaged = f"{archive} is truncated or damaged"
    try:
        with gzip.open(archive, "rb") as compressed, tarfile.open(fileobj=compressed, mode="r|") as tar:

            def members():
                try:
                    for member in tar:
                        yield member, (tar.extractfile(member) if member.isreg() else None)
                    while compressed.read(CHUNK):  # read to the end, so that gzip checks its CRC and length
                        pass
                except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
                    raise BackupError(f"{damaged}: {error}") from None

            yield members()
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(f"{damaged}: {error}") from None


def parse_manifest(data: bytes, archive: Path) -> Manifest:
    try:
        parsed = json.loads(data)
    except ValueError:
        raise BackupError(f"{archive}: its manifest.json is not valid JSON") from None
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a backup made by this app")
    if parsed.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} has backup format version {parsed.get('format_version')}; this app reads version "
            f"{FORMAT_VERSION}"
        )
    database, members = parsed.get("database"), parsed.get("members")
    if (
        not isinstance(database, dict) or database.get("kind") not in DATABASE_MEMBERS
        or database.get("member") != DATABASE_MEMBERS[database["kind"]]
        or not isinstance(members, dict) or database["member"] not in members
        or not all(isinstance(entry, dict) and {"size", "sha256"} <= entry.keys() for entry in members.values())
    ):
        raise BackupError(f"{archive}: its manifest.json is incomplete")
    photos = parsed.get("photos")
    if not (
        isinstance(photos, dict) and all(isinstance(photos.get(key), int) for key in ("rows", "files", "bytes"))
        and isinstance(photos.get("missing_files"), list) and isinstance(parsed.get("created_at"), str)
    ):
        raise BackupError(f"{archive}: its manifest.json is incomplete")
    for name in members:
        if name != database["member"] and safe_photo_name(name) is None:
            raise BackupError(f"{archive}: the manifest names an unexpected member {name!r}")
    return Manifest(parsed)


def verify_archive(archive: str | Path) -> Manifest:
    """Check every member against the manifest, writing nothing; return the manifest or raise BackupError."""
    archive = Path(archive)
    seen: dict[str, tuple[int, str]] = {}
    manifest_data = None
    with open_members(archive) as members:
        for member, stream in members:
            if stream is None:
                raise BackupError(f"{archive}: unexpected member {member.name!r} (not a regular file)")
            if member.name in seen or (member.name == MANIFEST and manifest_data is not None):
                raise BackupError(f"{archive}: the member {member.name!r} appears twice")
            if member.name == MANIFEST:
                manifest_data = stream.read()
                continue
            reader = HashingReader(stream)
            while reader.read(CHUNK):
                pass
            seen[member.name] = (reader.size, reader.digest.hexdigest())
    if manifest_data is None:
        raise BackupError(f"{archive} has no manifest.json: it is truncated, or not a backup made by this app")
    manifest = parse_manifest(manifest_data, archive)
    expected = manifest.members
    missing, unlisted = sorted(set(expected) - set(seen)), sorted(set(seen) - set(expected))
    if missing:
        raise BackupError(f"{archive}: {len(missing)} members of the manifest are missing, {missing[0]} first")
    if unlisted:
        raise BackupError(f"{archive}: {len(unlisted)} members are not in the manifest, {unlisted[0]} first")
    damaged = [name for name, (size, digest) in seen.items()
               if (size, digest) != (expected[name]["size"], expected[name]["sha256"])]
    if damaged:
        raise BackupError(f"{archive}: checksum mismatch for {', '.join(damaged[:5])}: the archive is damaged")
    return manifest


# Restoring.


def check_revision(manifest: Manifest) -> None:
    """Refuse a backup made by a newer app, whose migrations this one does not know."""
    if manifest.revision is None:
        return
    config = db.alembic_config(None)
    try:
        known = ScriptDirectory.from_config(config).get_revision(manifest.revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"the backup's database is at migration {manifest.revision}, which this version of the app does not "
            "know: restore it with the version of the app that made it, or a newer one"
        )


def table_has_rows(connection, table: str) -> bool:
    return connection.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first() is not None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


class SqliteTarget:
    """The SQLite file to replace, locked against every other process while the restore runs.

    A running app server keeps connections to the file open; if it could, it would go on writing
    into the replaced file and those writes would be lost. Taking SQLite's exclusive lock fails while
    any other connection is open, so a restore under a running app is refused.
    """

    def __init__(self, path: Path):
        self.path = path
        self.connection: sqlite3.Connection | None = None

    def __enter__(self) -> SqliteTarget:
        if not self.path.exists():
            return self
        connection = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT, isolation_level=None)
        try:
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("COMMIT")  # in EXCLUSIVE locking mode the lock stays until the connection closes
            # Fold the write-ahead log into the file and stop using one: no old -wal may be left beside the new file.
            connection.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.OperationalError as error:
            connection.close()
            if "locked" in str(error) or "busy" in str(error):
                raise BackupError(
                    f"the database {self.path} is in use by another process: stop the app servers (and any "
                    "running backup) before restoring"
                ) from None
            raise BackupError(f"cannot open the database {self.path}: {error}") from None
        except sqlite3.DatabaseError as error:
            connection.close()
            raise BackupError(f"cannot open the database {self.path}: {error}") from None
        self.connection = connection
        return self

    def __exit__(self, *_exc) -> None:
        if self.connection is not None:
            self.connection.close()

    def has_data(self) -> bool:
        if self.connection is None:
            return False
        tables = {row[0] for row in self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return any(
            self.connection.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is not None
            for table in app_tables() if table in tables
        )

    def revision(self) -> str | None:
        if self.connection is None:
            return None
        with suppress(sqlite3.Error):
            row = self.connection.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        return None

    def replace_with(self, new_file: Path) -> None:
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        os.replace(new_file, self.path)
        fsync_directory(self.path.parent)


def write_photo(upload_dir: Path, relative: PurePosixPath, stream, expected: dict) -> bool:
    """Put one photo file in place atomically; False if an identical one is there already."""
    target = upload_dir.joinpath(*relative.parts)
    if target.is_file() and not target.is_symlink():
        size, digest = sha256_file(target)
        if (size, digest) == (expected["size"], expected["sha256"]):
            return False
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(target, ".part")
    try:
        size, digest = copy_stream(stream, temporary)
        if (size, digest) != (expected["size"], expected["sha256"]):
            raise BackupError(f"checksum mismatch for photos/{relative} while restoring: the archive changed")
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True


def unpack(
    archive: Path, manifest: Manifest, upload_dir: Path, database_target: Path,
    check_database: Callable[[Path], None],
) -> tuple[int, int]:
    """Write the database member to database_target and check it with check_database, then the photos."""
    written = total = 0
    database_done = False
    with open_members(archive) as members:
        for member, stream in members:
            expected = manifest.members.get(member.name)
            if member.name == manifest.database_member:
                size, digest = copy_stream(stream, database_target)
                if (size, digest) != (expected["size"], expected["sha256"]):
                    raise BackupError(f"checksum mismatch for {member.name} while restoring: the archive changed")
                check_database(database_target)
                database_done = True
            elif expected is not None and stream is not None:
                if not database_done:  # it is checked before any photo is written
                    raise BackupError(f"{archive}: the database must come before the photos")
                if write_photo(upload_dir, safe_photo_name(member.name), stream, expected):
                    written += 1
                total += 1
    return written, total


def migrate(url: str) -> str | None:
    engine = db.make_engine(url)
    try:
        command.upgrade(db.alembic_config(engine), "head")
        return current_revision(engine)
    finally:
        engine.dispose()


def restore_backup(
    database_url: str, upload_dir: str | Path, archive: str | Path, *, force: bool = False, log: Log = lambda _: None,
) -> RestoreResult:
    """Restore an archive made by create_backup into the database and photo store given.

    Nothing is changed when the archive is damaged, made by a newer app, of the other database kind, or when
    the database holds data and `force` is not given.
    """
    url, upload_dir, archive = make_url(database_url), Path(upload_dir), Path(archive)
    kind = database_kind(url)
    manifest = verify_archive(archive)
    log(
        f"{archive}: verified ({len(manifest.members)} members); made {manifest.data['created_at']}, "
        f"{manifest.kind} database at migration {manifest.revision}, {manifest.data['photos']['files']} photo files"
    )
    if manifest.kind != kind:
        raise BackupError(
            f"{archive} holds a {manifest.kind} database but DATABASE_URL points at {kind}: restore it into a "
            f"{manifest.kind} database"
        )
    check_revision(manifest)
    warnings = [f"photo file missing from the backup: {name}" for name in manifest.data["photos"]["missing_files"]]
    if kind == "sqlite":
        result = restore_sqlite(sqlite_path(url), upload_dir, archive, manifest, force=force, log=log)
    else:
        result = restore_postgresql(url, upload_dir, archive, manifest, force=force, log=log)
    result.warnings[:0] = warnings
    return result


def refuse_data(where: str) -> BackupError:
    return BackupError(
        f"the database {where} already holds data: restoring would replace it. Give --force to replace it"
    )


def restore_sqlite(
    path: Path, upload_dir: Path, archive: Path, manifest: Manifest, *, force: bool, log: Log,
) -> RestoreResult:
    path.parent.mkdir(parents=True, exist_ok=True)

    def check(candidate: Path) -> None:
        result = integrity_check(candidate)
        if result != "ok":
            raise BackupError(f"the backup's database fails SQLite's integrity check; nothing restored:\n{result}")

    with SqliteTarget(path) as target:
        if target.has_data() and not force:
            raise refuse_data(str(path))
        revision_before = target.revision()
        temporary = temporary_beside(path, ".restore")
        try:
            written, total = unpack(archive, manifest, upload_dir, temporary, check)
            target.replace_with(temporary)
        finally:
            temporary.unlink(missing_ok=True)
    log(f"photos: {total} files in {upload_dir} ({written} written, {total - written} already there)")
    log(f"database: {path} replaced (it was at migration {revision_before or 'none'})")
    revision_after = migrate(f"sqlite:///{path}")
    log(f"migrations: now at {revision_after}")
    integrity = integrity_check(path, immutable=False)
    if integrity != "ok":
        raise BackupError(f"the restored database {path} fails SQLite's integrity check:\n{integrity}")
    log("integrity check: ok")
    return RestoreResult(
        manifest=manifest, photo_files=total, photo_bytes=manifest.data["photos"]["bytes"],
        revision_before=revision_before, revision_after=revision_after, integrity=integrity,
    )


def restore_postgresql(
    url: URL, upload_dir: Path, archive: Path, manifest: Manifest, *, force: bool, log: Log,
) -> RestoreResult:
    pg_restore = pg_tool("pg_restore")
    connection_string, environment = libpq_arguments(url)
    rendered = url.render_as_string(hide_password=True)
    engine = db.make_engine(url.render_as_string(hide_password=False))
    try:
        try:
            with engine.connect() as connection:
                existing = set(inspect(connection).get_table_names())
                has_data = any(table_has_rows(connection, table) for table in app_tables() if table in existing)
            revision_before = current_revision(engine)
        except SQLAlchemyError as error:
            raise BackupError(f"cannot reach the database {rendered}: {error}") from None
        if has_data and not force:
            raise refuse_data(rendered)
        with tempfile.TemporaryDirectory(prefix="checklist-restore-") as work:
            dump = Path(work) / manifest.database_member
            written, total = unpack(archive, manifest, upload_dir, dump, lambda _dump: None)
            log(f"photos: {total} files in {upload_dir} ({written} written, {total - written} already there)")
            # pg_restore --clean drops only what the dump holds: tables that newer migrations added would
            # survive and break the migrations below, so every table of the app goes first.
            with engine.begin() as connection:
                for table in [*app_tables(), "alembic_version"]:
                    if table in existing:
                        connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
            engine.dispose()
            run_pg_tool(
                [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
                 "--exit-on-error", f"--dbname={connection_string}", str(dump)],
                environment, "pg_restore",
            )
        log(f"database: {rendered} restored with pg_restore (it was at migration {revision_before or 'none'})")
    finally:
        engine.dispose()
    revision_after = migrate(url.render_as_string(hide_password=False))
    log(f"migrations: now at {revision_after}")
    return RestoreResult(
        manifest=manifest, photo_files=total, photo_bytes=manifest.data["photos"]["bytes"],
        revision_before=revision_before, revision_after=revision_after, integrity=None,
    )
