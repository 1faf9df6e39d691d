"""``nakama approve day|lot`` and ``nakama approvals``: the sign-off from the command line.

``approve day 2026-12-01`` approves this firm's records of that local day, ``approve lot
LOT`` a lot's inspection results: the same ``RecordsApproved`` the review's sign-off
page records, decided by ``commands.approve`` and written by ``Store.record``. The
approver is named with ``--by`` (name, operator id or badge) and signs with their PIN,
asked for without echo (``getpass``) or read from standard input (``--pin-stdin``); an
approver without a PIN cannot sign. A day or lot already approved is not approved twice:
the command says so and shows what was corrected or recorded after the approval; an
approver who has looked at that approves again with ``--again``.

``approvals`` lists the latest approval of every day and lot (``--day``, ``--lot``: one).
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import date

from app import texts
from app.commands.common import find_operator, open_store, print_json, refuse
from app.core import commands, operators
from app.core.commands import Actor, Refusal
from app.core.operators import OperatorRecord
from app.core.rules import Reason
from app.store import Store
from app.store.approvals import (
    ApprovalStatus,
    day_approval,
    day_records,
    lot_approval,
    lot_records,
)
from app.store.inspection import NoSuchLot
from app.store.store import EVENT_COLUMNS, row_to_event

_LOT_NUMBER = re.compile(r"-L[1-9][0-9]{0,3}$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("approve", help="approve a day's records or a lot's inspection results")
    what = p.add_subparsers(dest="scope", metavar="SCOPE", required=True)
    d = what.add_parser("day", help="this firm's records of a day (承認: 日報)")
    d.add_argument("day", type=date.fromisoformat, help="the day, YYYY-MM-DD")
    lot = what.add_parser("lot", help="a lot's inspection results (承認: 検査成績書)")
    lot.add_argument("lot", help="lot id, e.g. F001-261201-7K3Q-L1")
    lot.add_argument("--job", help="the lot's job (default: read from the lot id)")
    for q in (d, lot):
        q.add_argument("--by", required=True, help="the owner or inspector: name, id or badge")
        q.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
        q.add_argument("--again", action="store_true", help="approve again after corrections since")
        q.add_argument("--firm", help="this terminal's firm code")
        q.set_defaults(func=cmd_approve)

    ls = sub.add_parser("approvals", help="list the latest approval of each day and lot")
    one = ls.add_mutually_exclusive_group()
    one.add_argument("--day", type=date.fromisoformat, help="only this day, YYYY-MM-DD")
    one.add_argument("--lot", help="only this lot")
    ls.add_argument("--firm", help="this terminal's firm code")
    ls.set_defaults(func=cmd_approvals)


# -- who signs --------------------------------------------------------------------------


def approver(roster: dict[str, OperatorRecord], text: str) -> OperatorRecord | None:
    """An active operator by id, badge, or name (spaces ignored, one match only)."""
    rec = find_operator(roster, text)
    if rec is None:
        key = re.sub(r"\s+", "", text)
        named = [r for r in roster.values() if re.sub(r"\s+", "", r.name) == key]
        rec = named[0] if len(named) == 1 else None
    return rec if rec is not None and rec.active else None


def _read_pin(args: argparse.Namespace) -> str:
    if args.pin_stdin:
        return sys.stdin.readline().strip()
    return getpass.getpass("暗証番号 / PIN: ")


def _signed(store: Store, rec: OperatorRecord, pin: str) -> Actor | Refusal:
    if not rec.has_pin:
        return Refusal("approver_pin_required", rec.operator_id)
    if not pin:
        return Refusal("pin_required", rec.operator_id)
    if not operators.check_pin(pin, rec.pin_hash):
        return Refusal(Reason.BAD_PIN.value, rec.operator_id)
    return Actor(store.firm_id, rec.operator_id, rec.role)


# -- what is approved -------------------------------------------------------------------


def job_of_lot(store: Store, lot_id: str) -> str:
    """The job a lot belongs to: from the lots this terminal has, else from its id."""
    row = store.conn.execute("SELECT job_id FROM lots WHERE lot_id = ?", (lot_id,)).fetchone()
    if row is not None:
        return str(row[0])
    return _LOT_NUMBER.sub("", lot_id)


def status_json(status: ApprovalStatus | None) -> dict[str, object] | None:
    if status is None:
        return None
    return {
        "approver": status.approver,
        "approver_name": status.approver_name,
        "at": status.at,
        "records": status.records,
        "corrected_after": list(status.corrected_after),
        "added_after": status.added_after,
        "event_id": status.event_id,
    }


def show_status(store: Store, status: ApprovalStatus) -> None:
    """The approval in both languages, and each record corrected after it."""
    from app.ui.approval_text import approval_lines  # words only, no Qt

    for lang in ("ja", "en"):
        print("  ".join(approval_lines(status, lang)))
    for eid in status.corrected_after:
        row = store.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE event_id = ? LIMIT 1", (eid,)
        ).fetchone()
        if row is not None:
            ev = row_to_event(row)
            op = f" op {ev.op}" if ev.op is not None else ""
            print(f"  訂正 / corrected: {ev.type} {ev.job_id or ''}{op} {ev.occurred_at} [{eid}]")


def cmd_approve(args: argparse.Namespace) -> int:
    with open_store(args, firm_id=args.firm) as store:
        if not store.firm_id:
            return refuse("no_firm")
        rec = approver(store.operators(), args.by)
        if rec is None:
            return refuse(Reason.UNKNOWN_OPERATOR.value, args.by)
        if args.scope == "day":
            key = args.day.isoformat()
            status = day_approval(store, args.day)
        else:
            job_id = args.job or job_of_lot(store, args.lot)
            job = store.job(job_id)
            if job is None or not job.created_at:
                return refuse(Reason.UNKNOWN_JOB.value, job_id)
            if args.lot not in job.lots:
                return refuse("unknown_lot", args.lot)
            key = args.lot
            status = lot_approval(store, job_id, args.lot)
        if status is not None and not args.again:
            show_status(store, status)
            if status.clean:
                print(texts.explain("already_approved", key))
                print_json({"ok": True, "recorded": False, "approval": status_json(status)})
                return 0
            status_code = refuse("changed_since_approval", key)
            print("  → --again", file=sys.stderr)
            return status_code
        actor = _signed(store, rec, _read_pin(args))
        if isinstance(actor, Refusal):
            return refuse(actor)
        if args.scope == "day":
            records = day_records(store, args.day, actor.firm)
            outcome = commands.approve(None, actor, records, day=key)
        else:
            try:
                records = lot_records(store, job_id, args.lot)
            except NoSuchLot as exc:
                return refuse(exc.code, exc.detail)
            outcome = commands.approve(job, actor, records, lot_id=args.lot)
        result = store.record(outcome)
        if not result.ok:
            return refuse(result.reason or "io_error", result.detail)
        print_json(
            {"ok": True, "recorded": True, "scope": args.scope, "key": key,
             "records": len(records), "event": result.event.to_wire() if result.event else None}
        )  # fmt: skip
        return 0


def cmd_approvals(args: argparse.Namespace) -> int:
    """One JSON line per day or lot: its latest approval and what changed since."""
    with open_store(args, firm_id=args.firm) as store:
        rows = store.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE type = 'RecordsApproved' ORDER BY hlc"
        ).fetchall()
        days: set[str] = set()
        lots_: dict[str, str] = {}
        for ev in map(row_to_event, rows):
            if ev.job_id is None and ev.firm_id == store.firm_id:
                days.add(str(ev.payload["day"]))
            elif ev.job_id is not None:
                lots_[str(ev.payload["lot_id"])] = ev.job_id
        if args.day is not None:
            days, lots_ = {args.day.isoformat()}, {}
        elif args.lot is not None:
            days, lots_ = set(), {args.lot: lots_.get(args.lot) or job_of_lot(store, args.lot)}
        for d in sorted(days):
            s = day_approval(store, date.fromisoformat(d))
            print_json({"scope": "day", "day": d, "approval": status_json(s)})
        for lot_id, job_id in sorted(lots_.items()):
            try:
                s = lot_approval(store, job_id, lot_id)
            except NoSuchLot as exc:
                return refuse(exc.code, exc.detail)
            print_json({"scope": "lot", "lot": lot_id, "job": job_id, "approval": status_json(s)})
        return 0
