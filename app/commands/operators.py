"""``nakama operators add|list|retire|badges``: the firm's operators (作業者).

Adding and retiring go through the core's ``save_operator``: the first person entered
on a terminal must be an owner; after that an owner (``--by``, or the ``operator``
setting) adds and retires people. A PIN is read from the terminal twice (``--pin``) or
from standard input (``--pin-stdin``) and kept only as a salted hash; nothing here ever
prints a hash.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from pathlib import Path

from app.commands.common import (
    PIN_ENV,
    find_operator,
    open_store,
    print_json,
    refuse,
    resolve_actor,
)
from app.core import commands, operators
from app.core.commands import Actor, Refusal
from app.core.operators import OperatorRecord
from app.core.rules import Reason
from app.store import Store

_BADGE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def public(rec: OperatorRecord) -> dict[str, object]:
    """An operator as shown: never the PIN hash, only whether there is a PIN."""
    return {
        "operator_id": rec.operator_id,
        "name": rec.name,
        "role": rec.role,
        "badge": rec.badge,
        "has_pin": rec.has_pin,
        "active": rec.active,
    }


def _read_pin(args: argparse.Namespace) -> str | Refusal | None:
    if args.pin_stdin:
        pin = sys.stdin.readline().strip()
    elif args.pin:
        pin = getpass.getpass("暗証番号 / PIN: ")
        again = getpass.getpass("もう一度 / again: ")
        if pin != again:
            return Refusal("pin_mismatch")
    else:
        return None
    return pin if operators.pin_ok(pin) else Refusal("pin_format")


def _by(store: Store, args: argparse.Namespace) -> Actor | Refusal:
    """Who adds or retires: ``--by`` (an owner) or the ``operator`` setting; on a terminal
    with nobody entered yet, nobody (the first person is entered by themselves)."""
    if not store.operators():
        return Actor(store.firm_id)
    return resolve_actor(store, args.by, args.by_pin)


def _new_id(store: Store) -> str:
    taken = set(store.operators())
    while True:
        oid = operators.new_operator_id(store.firm_id)
        if oid not in taken:
            return oid


def cmd_add(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if not store.firm_id:
            return refuse("no_firm")
        actor = _by(store, args)
        if isinstance(actor, Refusal):
            return refuse(actor)
        pin = _read_pin(args)
        if isinstance(pin, Refusal):
            return refuse(pin)
        oid = _new_id(store)
        if actor.operator is None:
            actor = Actor(store.firm_id, oid, args.role)  # the first owner enters themselves
        badge = args.badge or "".join(secrets.choice(_BADGE_ALPHABET) for _ in range(6))
        outcome = commands.save_operator(
            store.operators(),
            actor,
            operator_id=oid,
            name=args.name,
            role=args.role,
            badge=badge,
            pin_hash=operators.hash_pin(pin) if pin else "",
        )
        result = store.record(outcome)
        if not result.ok:
            return refuse(result.reason or "io_error", result.detail)
        print_json(public(store.operators()[oid]))
        return 0


def cmd_retire(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if not store.firm_id:
            return refuse("no_firm")
        roster = store.operators()
        rec = find_operator(roster, args.operator_id)
        if rec is None or not rec.active:
            return refuse(Reason.UNKNOWN_OPERATOR.value, args.operator_id)
        actor = _by(store, args)
        if isinstance(actor, Refusal):
            return refuse(actor)
        outcome = commands.save_operator(
            roster,
            actor,
            operator_id=rec.operator_id,
            name=rec.name,
            role=rec.role,
            badge=rec.badge,
            pin_hash=rec.pin_hash,
            active=False,
        )
        result = store.record(outcome)
        if not result.ok:
            return refuse(result.reason or "io_error", result.detail)
        print_json(public(store.operators()[rec.operator_id]))
        return 0


def cmd_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        roster = list(store.operators().values())
    if args.json:
        for rec in roster:
            print_json(public(rec))
        return 0
    for rec in roster:
        flags = ("PIN" if rec.has_pin else "") + ("" if rec.active else " retired")
        print(f"{rec.operator_id:<14} {rec.role:<8} {rec.badge:<8} {rec.name}  {flags.strip()}")
    return 0


def cmd_badges(args: argparse.Namespace) -> int:
    out = Path(args.out)
    with open_store(args) as store:
        roster = [r for r in store.operators().values() if r.active]
        if not roster:
            return refuse(Reason.UNKNOWN_OPERATOR.value, "no active operators")
        from app.ui.badge_print import write_badges  # Qt only when really printing

        try:
            cards = write_badges(roster, out, lang=args.lang)
        except OSError as exc:
            refuse("write_failed", str(exc))
            return 2
    print_json({"ok": True, "out": str(out), "cards": cards})
    return 0


def _by_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", help="the owner doing this: id or badge (default: `operator` setting)")
    p.add_argument("--by-pin", help=f"the owner's PIN, if they have one (or ${PIN_ENV})")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    op = sub.add_parser("operators", help="the firm's operators and their badges")
    osub = op.add_subparsers(dest="operators_command", metavar="ACTION", required=True)
    add = osub.add_parser("add", help="add an operator (the first one is the owner)")
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--role", default=commands.OPERATOR, help="operator (default), owner or inspector"
    )
    add.add_argument("--badge", help="badge code printed on the card (default: random)")
    pins = add.add_mutually_exclusive_group()
    pins.add_argument("--pin", action="store_true", help="ask for a PIN (typed twice, hidden)")
    pins.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    _by_options(add)
    add.set_defaults(func=cmd_add)
    ls = osub.add_parser("list", help="the firm's operators (never their PINs)")
    ls.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    ls.set_defaults(func=cmd_list)
    ret = osub.add_parser("retire", help="retire an operator (their records stay)")
    ret.add_argument("operator_id", metavar="ID")
    _by_options(ret)
    ret.set_defaults(func=cmd_retire)
    bad = osub.add_parser("badges", help="print badge cards with QR codes as a PDF")
    bad.add_argument("--out", required=True, help="PDF file to write")
    bad.add_argument("--lang", choices=["ja", "en"], default="ja", help="card language")
    bad.set_defaults(func=cmd_badges)
