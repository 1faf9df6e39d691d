"""A throwaway PostgreSQL cluster for tests and benchmarks: ``initdb`` in a temporary
directory, listening on a free loopback port, trust auth, stopped at exit. As root it
runs the server as the ``postgres`` user (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import atexit
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from wire.errors import NakamaError

_state: dict[str, str] = {}


class PostgresUnavailable(NakamaError):
    """PostgreSQL is not installed (``installed`` False) or would not start."""

    def __init__(self, reason: str, installed: bool) -> None:
        super().__init__(reason)
        self.installed = installed


def bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server() -> str:
    """Base URL (``postgresql://nakama@127.0.0.1:PORT``) of the cluster, started once."""
    if "url" in _state:
        return _state["url"]
    if "error" in _state:
        raise PostgresUnavailable(_state["error"], True)
    bins = bindir()
    if bins is None:
        raise PostgresUnavailable("PostgreSQL binaries (initdb, pg_ctl) are not installed", False)
    root = Path(tempfile.mkdtemp(prefix="nakama-pg-"))
    data = root / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    opts = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c max_connections=200 -c shared_buffers=64MB"
    )
    try:
        subprocess.run(
            [
                *as_user,
                str(bins / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "nakama",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [
                *as_user,
                str(bins / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "-l",
                str(root / "log"),
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=90,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        _state["error"] = f"could not start PostgreSQL: {exc} {getattr(exc, 'stderr', b'')!r}"
        raise PostgresUnavailable(_state["error"], True) from exc

    def stop() -> None:
        subprocess.run(
            [*as_user, str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(stop)
    _state["url"] = f"postgresql://nakama@127.0.0.1:{port}"
    return _state["url"]


def fresh_database() -> str:
    """URL of a new, empty database in the throwaway cluster."""
    import psycopg

    base = server()
    name = "hub_" + secrets.token_hex(4)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"
