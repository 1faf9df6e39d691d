"""Backups of the hub database into a folder, keeping the newest N: a SQLite hub with
``VACUUM INTO`` (a consistent copy while the hub runs), a PostgreSQL hub with
``pg_dump --format=custom`` (restore with ``pg_restore --clean --if-exists -d URL FILE``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from hub.db import normalise_url
from wire.errors import NakamaError

PREFIX = "nakama-hub-"


class BackupFailed(NakamaError):
    """The hub database could not be backed up (pg_dump missing or failing, disk full)."""


def backup(url: str, folder: Path, *, keep: int = 14) -> Path:
    """Write one backup of the hub database at ``url`` into ``folder``; prune to ``keep``."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    u = make_url(normalise_url(url))
    if u.get_backend_name() == "sqlite":
        if not u.database or u.database == ":memory:":
            raise BackupFailed("no SQLite file to back up")
        dest = folder / f"{PREFIX}{stamp}.sqlite"
        part = dest.with_name(dest.name + ".part")
        conn = sqlite3.connect(u.database, isolation_level=None)
        try:
            conn.execute("VACUUM INTO ?", (str(part),))
        except sqlite3.DatabaseError as exc:
            part.unlink(missing_ok=True)
            raise BackupFailed(str(exc)) from exc
        finally:
            conn.close()
    else:
        dest = folder / f"{PREFIX}{stamp}.dump"
        part = dest.with_name(dest.name + ".part")
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupFailed("pg_dump is not installed (apt-get install postgresql-client)")
        env = dict(os.environ)
        if u.password:
            env["PGPASSWORD"] = str(u.password)  # never on the command line (ps shows it)
        plain = u.set(drivername="postgresql", password=None)
        dsn = plain.render_as_string(hide_password=False)
        done = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={part}", dsn],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            part.unlink(missing_ok=True)
            raise BackupFailed(done.stderr.strip()[-500:])
    os.replace(part, dest)
    if keep > 0:
        old = sorted(p for p in folder.glob(f"{PREFIX}*") if not p.name.endswith(".part"))
        for p in old[:-keep]:
            p.unlink(missing_ok=True)
    return dest
