"""``nakama db check`` and ``nakama db rebuild``."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.common import open_store, print_json
from app.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="check or rebuild the local database")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    check = dbsub.add_parser("check", help="integrity check and projection replay comparison")
    check.set_defaults(func=cmd_check)
    rebuild = dbsub.add_parser("rebuild", help="derive every projection again from the events")
    rebuild.set_defaults(func=cmd_rebuild)


def check_report(store: Store) -> dict[str, Any]:
    """The full check of a store (SQLite integrity, projections against a replay)."""
    problems = store.check_integrity()
    return {
        "path": str(store.path),
        "ok": not problems,
        "events": store.count_events(),
        "terminal_id": store.terminal_id,
        "firm_id": store.firm_id,
        "outbox": store.outbox_stats(),
        "problems": problems,
    }


def cmd_check(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        report = check_report(store)
        print_json(report)
        return 0 if report["ok"] else 1


def cmd_rebuild(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        n = store.rebuild()
        print_json({"path": str(store.path), "replayed_events": n, "ok": True})
        return 0
