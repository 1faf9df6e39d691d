"""``nakama``: the terminal app and its command-line tools.

With no sub-command it starts the touchscreen app (demo mode with simulated devices
and an embedded hub when no hardware is configured). Each sub-command lives in its
own module under ``app/commands`` and registers itself there.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from app import __version__
from app.commands import COMMAND_MODULES
from app.store import StoreError

# Commands that run long or change the store as a whole: what the helpdesk asks about.
LOGGED = frozenset({"run", "sync", "enroll", "backup", "restore"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nakama", description="Nakama shop-floor terminal (仲間まわし)."
    )
    parser.add_argument("--version", action="version", version=f"nakama {__version__}")
    parser.add_argument("--db", help="path of the local database (default: user data dir)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"app.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    raw = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(raw)
    if args.command is None:
        args = parser.parse_args([*raw, "run"])
    if args.command in LOGGED:
        from app import logs

        logs.setup()
        logging.getLogger("nakama.cli").info("command", extra={"command": args.command})
    try:
        return int(args.func(args) or 0)
    except StoreError as exc:
        from app.commands.common import explain_store_error

        print(explain_store_error(exc), file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
