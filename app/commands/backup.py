"""``nakama backup [--to DIR]`` and ``nakama restore FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import texts
from app.commands.common import explain_store_error, open_store, print_json
from app.commands.sync import hub_address
from app.settings import Settings, backup_dir
from app.store import StoreError
from app.store import backup as backups
from app.store.db import default_path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("backup", help="write a backup of the local database now")
    b.add_argument("--to", metavar="DIR", help="folder (e.g. a USB stick; default: backups/)")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="replace the local database with a checked backup")
    r.add_argument("file", metavar="FILE")
    r.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        dest = store.backup(Path(args.to) if args.to else backup_dir(Settings()))
        print_json(
            {"backup": str(dest), "bytes": dest.stat().st_size, "events": store.count_events()}
        )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.sync import Syncer, SyncError

    db = Path(args.db) if getattr(args, "db", None) else default_path()
    try:
        report = backups.restore(Path(args.file), db)
    except StoreError as exc:
        if exc.code == "schema_too_new":
            ja, en = texts.pair("restore_too_new")
            print(f"{ja}\n{en}\n  [{exc.code}] {exc.detail}\n  file: {exc.path}", file=sys.stderr)
        else:
            print(explain_store_error(exc), file=sys.stderr)
        return 3
    out = report.to_dict()
    if report.must_recover:
        with open_store(args) as store:
            hub_address(Settings(), store)  # the hub the settings name, as sync uses
            syncer = Syncer(store)
            try:
                out["recovered_from_hub"] = syncer.recover_own()
            except SyncError as exc:
                # Not fatal: the first sync takes them back; until then nothing is recorded.
                out["recovered_from_hub"] = None
                out["recover_error"] = exc.code
                print(texts.explain("restore_recovering", exc.code), file=sys.stderr)
            finally:
                syncer.close()
    print_json(out)
    return 0
