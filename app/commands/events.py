"""``nakama events tail [-n N]``: the latest events as JSON lines."""

from __future__ import annotations

import argparse

from app.commands.common import open_store, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ev = sub.add_parser("events", help="read the local event log")
    evsub = ev.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    tail = evsub.add_parser("tail", help="print the latest events as JSON lines")
    tail.add_argument("-n", type=int, default=20, help="how many events (default 20)")
    tail.set_defaults(func=cmd_tail)


def cmd_tail(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        for ev in store.tail(max(0, args.n)):
            print_json(ev.to_wire())
    return 0
