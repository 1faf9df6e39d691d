"""``nakama selftest [--out DIR] [--hub URL --code CODE]``: the program checks itself."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.common import print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "selftest", help="render the screen, decode a traveler, read a gauge, sync once"
    )
    p.add_argument("--out", default=".", metavar="DIR", help="where the PNGs go")
    p.add_argument("--hub", default="", metavar="URL", help="a hub to sync with once")
    p.add_argument("--code", default="", help="an enrolment code of that hub (firm F001)")
    p.set_defaults(func=cmd_selftest)


def cmd_selftest(args: argparse.Namespace) -> int:
    from app.ui.selftest import run  # Qt only when really testing

    result = run(Path(args.out), args.hub, args.code)
    print_json(result)
    return 0 if result["ok"] else 1
