"""``nakama support-bundle --out FILE.zip``: what the consortium's helpdesk needs to help.

Logs, versions, settings, the store's check result and sync status, the list of
backups. Never a token, a PIN (or its hash), a private key, or the events themselves:
the bundle is built from an allow-list of store facts, and every text in it is scrubbed
of the store's token and bearer-looking strings once more before it is written.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import sys
import zipfile
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from app import __version__, logs
from app.commands.common import open_store, print_json
from app.commands.db import check_report
from app.settings import BY_KEY, Settings, backup_dir
from app.store import StoreError
from app.store import backup as backups

# Store facts a helpdesk may read; anything else in ``meta`` (the hub token) stays home.
META_ALLOWED = (
    "terminal_id",
    "firm_id",
    "hub_url",
    "hub_id",
    "projection_version",
    "sync_last_success",
    "sync_last_error",
    "published_key_id",
    "lot_repair_open",
    backups.RECOVER,
    backups.SEQ_FLOOR,
)
SECRET_WORDS = ("token", "pin", "secret", "password", "key")
PACKAGES = (
    "PySide6",
    "PySide6_Essentials",
    "shiboken6",
    "opencv-python-headless",
    "opencv-python",
    "pyzbar",
    "zxing-cpp",
    "httpx",
    "pyserial",
    "pymodbus",
    "reportlab",
    "cryptography",
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "support-bundle", help="a zip for the helpdesk: logs, versions, settings, checks"
    )
    p.add_argument("--out", required=True, metavar="FILE.zip")
    p.set_defaults(func=cmd_bundle)


def versions() -> dict[str, Any]:
    """This program's, Python's, SQLite's and the main libraries' versions."""
    found: dict[str, str] = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "nakama": __version__,
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "packages": found,
    }


def safe_settings(settings: Settings) -> dict[str, Any]:
    """The settings, without any whose name says it is secret, and without a password
    in a URL (``https://user:pw@hub``)."""
    out: dict[str, Any] = {}
    for key, value in settings.values.items():
        if key not in BY_KEY or any(w in key.lower() for w in SECRET_WORDS):
            continue
        if isinstance(value, str) and "@" in value and "://" in value:
            scheme, rest = value.split("://", 1)
            value = f"{scheme}://***@{rest.split('@', 1)[1]}"
        out[key] = value
    return out


def cmd_bundle(args: argparse.Namespace) -> int:
    from app.sync import status

    settings = Settings()
    parts: dict[str, Any] = {
        "versions.json": versions(),
        "settings.json": safe_settings(settings),
    }
    secrets: list[str] = []
    try:
        with open_store(args, check=False) as store:
            secrets = [v for v in (store.meta("hub_token"),) if v]
            secrets += [r.pin_hash for r in store.operators().values() if r.pin_hash]
            parts["store.json"] = {k: store.meta(k) for k in META_ALLOWED}
            parts["db_check.json"] = check_report(store)
            parts["sync_status.json"] = asdict(status(store))
            folder = backup_dir(settings) or backups.default_dir(store.path)
            parts["backups.json"] = (
                [{"name": p.name, "bytes": p.stat().st_size} for p in sorted(folder.glob("*.bak"))]
                if folder.is_dir()
                else []
            )
    except StoreError as exc:
        parts["store.json"] = {"error": exc.code, "detail": exc.detail, "path": exc.path}

    def scrub(text: str) -> str:
        for s in secrets:
            text = text.replace(s, "***")
        return logs.redact(text)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, obj in parts.items():
            z.writestr(name, scrub(json.dumps(obj, ensure_ascii=False, indent=2, default=str)))
            written.append(name)
        for f in logs.files():
            text = f.read_text(encoding="utf-8", errors="replace")
            z.writestr(f"logs/{f.name}", scrub(text))
            written.append(f"logs/{f.name}")
        z.writestr("README.txt", f"Nakama support bundle, {datetime.now(UTC).isoformat()}\n")
    print_json({"bundle": str(out), "bytes": out.stat().st_size, "files": written})
    return 0
