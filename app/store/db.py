"""Opening the SQLite file: pragmas, identity, integrity check, migrations with backup."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from app.store.errors import StoreError, classify
from app.store.migrations import APPLICATION_ID, LATEST, MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"


def default_path() -> Path:
    """The database under the platform's user-data directory, unless NAKAMA_DB says otherwise."""
    env = os.environ.get("NAKAMA_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("nakama", "Nakama")) / "nakama.db"


def connect(path: Path | str, *, check: bool = True) -> sqlite3.Connection:
    """Open, identify, check and migrate the database. Raises ``StoreError``."""
    path = Path(path)
    if path != Path(":memory:"):
        path.parent.mkdir(parents=True, exist_ok=True)
        _refuse_non_sqlite(path)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(classify(exc), str(exc), str(path)) from exc
    if str(path) != ":memory:" and mode.lower() != "wal":
        raise StoreError("io_error", f"journal_mode={mode}", str(path))
    if tables and app_id != APPLICATION_ID:
        conn.close()
        raise StoreError("foreign_database", f"application_id={app_id:#x}", str(path))
    if version > LATEST:
        conn.close()
        raise StoreError("schema_too_new", f"file v{version}, this program v{LATEST}", str(path))
    if check and tables:
        problems = integrity_problems(conn, quick=True)
        if problems:
            conn.close()
            raise StoreError("integrity_failed", "; ".join(problems[:5]), str(path))
    migrate(conn, path)
    return conn


def _refuse_non_sqlite(path: Path) -> None:
    # SQLite would happily treat an empty file as new, but a file of something else
    # (a spreadsheet, a half-copied backup) must never be written over.
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        head = f.read(16)
    if head != SQLITE_HEADER:
        raise StoreError("not_a_database", "no SQLite header", str(path))


def integrity_problems(conn: sqlite3.Connection, *, quick: bool = False) -> list[str]:
    """Problems reported by SQLite's integrity and foreign-key checks; empty when sound."""
    try:
        rows = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
        if not quick:
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
            problems += [f"foreign key: {r}" for r in fk]
        return problems
    except sqlite3.DatabaseError as exc:
        return [str(exc)]


def vacuum_into(conn: sqlite3.Connection, dest: Path) -> Path:
    """Write a consistent, compacted copy of the open database to ``dest``: the one backup
    function (migrations, daily, ``nakama backup``). Written beside it and renamed, so a
    half-written file never has the final name. Raises ``StoreError``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    part.unlink(missing_ok=True)
    try:
        conn.execute("VACUUM INTO ?", (str(part),))
    except sqlite3.DatabaseError as exc:
        part.unlink(missing_ok=True)
        raise StoreError(classify(exc), f"backup: {exc}", str(dest)) from exc
    os.replace(part, dest)
    return dest


def migrate(conn: sqlite3.Connection, path: Path) -> list[Path]:
    """Apply pending migrations, each after a backup. Returns the backups written."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    existed = version > 0  # a file made just now has nothing worth a backup
    backups: list[Path] = []
    for number, _name, statements in MIGRATIONS:
        if number <= version:
            continue
        if existed and str(path) != ":memory:":
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            backups.append(vacuum_into(conn, path.with_name(f"{path.name}.v{version}-{stamp}.bak")))
        try:
            conn.execute("BEGIN IMMEDIATE")
            for sql in statements:
                conn.execute(sql)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            conn.execute("ROLLBACK")
            raise StoreError(classify(exc), f"migration {number}: {exc}", str(path)) from exc
        version = number
    return backups
