"""Backups of the store (``VACUUM INTO``): before a migration, once a day, on request; and
restoring one, after checking it, with the replaced store kept aside.

A restored store is older than what its terminal has already sent to the hub. Its next
``seq`` would then reuse numbers the hub holds (``seq_conflict``), so a restore of an
enrolled store marks it ``restore_recover``: the store refuses new records until the sync
has pulled this terminal's own events back from the hub (``Syncer.recover_own``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.store.db import SQLITE_HEADER, connect, integrity_problems, vacuum_into
from app.store.errors import StoreError, classify
from app.store.migrations import APPLICATION_ID, LATEST

SUFFIX = ".bak"
DAILY_PREFIX = "daily-"
RECOVER = "restore_recover"  # meta key: "1" while own events must come back from the hub
SEQ_FLOOR = "seq_floor"  # meta key: this terminal's events are numbered above it


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S")


def default_dir(db_path: Path) -> Path:
    """Where backups go unless told otherwise: ``backups/`` beside the store."""
    return db_path.parent / "backups"


def backup(
    conn: sqlite3.Connection, db_path: Path, to: Path | None = None, *, label: str = ""
) -> Path:
    """Back the store up into directory ``to`` (default: ``backups/`` beside it) as
    ``<name>.<label><stamp>.bak``. Returns the file written."""
    folder = to if to is not None else default_dir(db_path)
    name = f"{db_path.stem}.{label}{stamp()}{SUFFIX}"
    dest = folder / name
    n = 1
    while dest.exists():  # two backups in one second: never write over one
        dest = folder / f"{db_path.stem}.{label}{stamp()}-{n}{SUFFIX}"
        n += 1
    return vacuum_into(conn, dest)


def daily_backups(folder: Path, db_path: Path) -> list[Path]:
    """The daily backups of this store in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{db_path.stem}.{DAILY_PREFIX}*{SUFFIX}"))


def daily_backup(
    conn: sqlite3.Connection, db_path: Path, keep: int, folder: Path | None = None
) -> Path | None:
    """Take today's backup unless one exists (UTC day), then keep only the newest ``keep``
    daily backups (the migration and manual backups are never pruned). Returns the new
    file, or None when today's was already there or ``keep`` is 0 (backups off)."""
    if keep <= 0:
        return None
    folder = folder if folder is not None else default_dir(db_path)
    today = f"{db_path.stem}.{DAILY_PREFIX}{datetime.now(UTC):%Y%m%d}"
    made = None
    if not any(p.name.startswith(today) for p in daily_backups(folder, db_path)):
        made = backup(conn, db_path, folder, label=DAILY_PREFIX)
    for old in daily_backups(folder, db_path)[:-keep]:
        old.unlink(missing_ok=True)
    return made


def daily_backup_file(db_path: Path, keep: int, folder: Path | None = None) -> Path | None:
    """``daily_backup`` over a connection of its own: for a background thread of the
    running app (in WAL mode the copy reads one snapshot and never blocks the writer)."""
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return daily_backup(conn, Path(db_path), keep, folder)
    except sqlite3.DatabaseError as exc:
        raise StoreError(classify(exc), str(exc), str(db_path)) from exc
    finally:
        conn.close()


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a backup file holds, read before restoring it."""

    path: Path
    schema_version: int
    terminal_id: str
    firm_id: str
    events: int
    own_max_seq: int
    enrolled: bool


def inspect(path: Path) -> BackupInfo:
    """Check a backup file: a SQLite file, a Nakama store, sound, and not from a newer
    program (a downgrade is refused). Raises ``StoreError`` (``not_a_database``,
    ``foreign_database``, ``integrity_failed``, ``schema_too_new``)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise StoreError("io_error", str(exc), str(path)) from exc
    if head != SQLITE_HEADER:
        raise StoreError("not_a_database", "no SQLite header", str(path))
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.DatabaseError as exc:
        raise StoreError(classify(exc), str(exc), str(path)) from exc
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise StoreError("foreign_database", f"application_id={app_id:#x}", str(path))
        if version > LATEST:
            raise StoreError(
                "schema_too_new", f"file v{version}, this program v{LATEST}", str(path)
            )
        problems = integrity_problems(conn)
        if problems:
            raise StoreError("integrity_failed", "; ".join(problems[:5]), str(path))
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        terminal = meta.get("terminal_id", "")
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        own = conn.execute(
            "SELECT coalesce(max(seq), 0) FROM events WHERE terminal_id = ?", (terminal,)
        ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(classify(exc), str(exc), str(path)) from exc
    finally:
        conn.close()
    return BackupInfo(
        path,
        int(version),
        terminal,
        meta.get("firm_id", ""),
        int(events),
        int(own),
        bool(meta.get("hub_token")),
    )


@dataclass(frozen=True, slots=True)
class RestoreReport:
    restored: BackupInfo
    set_aside: Path | None  # the store that was replaced, kept under a new name
    replaced_own_max_seq: int  # highest own seq in the replaced store (0: unreadable or none)
    must_recover: bool  # own events must come back from the hub before new records

    def to_dict(self) -> dict[str, object]:
        r = self.restored
        return {
            "restored": str(r.path),
            "schema_version": r.schema_version,
            "terminal_id": r.terminal_id,
            "firm_id": r.firm_id,
            "events": r.events,
            "own_max_seq": r.own_max_seq,
            "set_aside": str(self.set_aside) if self.set_aside else None,
            "replaced_own_max_seq": self.replaced_own_max_seq,
            "must_recover": self.must_recover,
        }


def _own_max_seq(path: Path, terminal_id: str) -> int:
    """The highest seq of ``terminal_id`` in a store file, 0 when it cannot be read."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT coalesce(max(seq), 0) FROM events WHERE terminal_id = ?", (terminal_id,)
            ).fetchone()
            return int(row[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return 0  # damaged: the hub is then the only record of what came after


def restore(file: Path, db_path: Path) -> RestoreReport:
    """Replace the store at ``db_path`` with the backup ``file`` after checking it. The
    old store (with its WAL) is kept as ``<name>.before-restore-<stamp>``; the restored
    store is migrated to this program's schema (with its own backup first). Raises
    ``StoreError`` and leaves everything as it was when the file does not pass."""
    info = inspect(file)
    db_path = Path(db_path)
    replaced_seq = 0
    aside: Path | None = None
    if db_path.exists():
        with contextlib.suppress(sqlite3.DatabaseError, StoreError):
            # Fold the WAL into the file so the copy kept aside is whole by itself.
            c = sqlite3.connect(str(db_path))
            try:
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                c.close()
        replaced_seq = _own_max_seq(db_path, info.terminal_id)
        aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp()}")
        os.replace(db_path, aside)
        for side in ("-wal", "-shm"):
            extra = db_path.with_name(db_path.name + side)
            if extra.exists():
                os.replace(extra, aside.with_name(aside.name + side))
    part = db_path.with_name(db_path.name + ".restoring")
    shutil.copyfile(file, part)
    os.replace(part, db_path)
    conn = connect(db_path)  # checks again and migrates an older schema, backup first
    try:
        floor = max(replaced_seq, info.own_max_seq)
        values = {SEQ_FLOOR: str(floor), RECOVER: "1" if info.enrolled else ""}
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return RestoreReport(info, aside, replaced_seq, info.enrolled)
