"""``nakama op ACTION JOB …``: what a machinist does at the screen, from the command line.

Every action goes through the same core command as the screens (``app/core/commands.py``)
and is recorded by ``Store.record``; the recorded event is printed as JSON (its wire
form). A refusal prints the same Japanese and English sentence as the screens
(``app/texts.py``) with its reason code, and exits 1.

What saves typing: ``--lot`` defaults to the only lot the firm can act on now, ``--op``
to the step ``commands.possible`` offers for that lot, and the operator to the
``operator`` setting (``--pin`` or ``NAKAMA_PIN`` when they have a PIN).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any

from app.commands.common import (
    add_operator_options,
    open_store,
    print_json,
    refuse,
    resolve_actor,
)
from app.core import commands, lots
from app.core.commands import Actor, Outcome, Refusal
from app.core.rules import Reason
from app.core.state import JobState
from app.store import Store
from wire.events import COUNT, PAYLOADS, POSINT

# What to type next, after the sentence, for the refusals the command line can help with.
HINTS = {
    "skips_steps": "--confirm-skip",
    "choose_lot": "--lot",
    "choose_op": "--op",
    "no_operator": "--operator ID  /  nakama settings set operator ID",
    "pin_required": "--pin PIN  /  NAKAMA_PIN",
}
_SHORT_LOT = re.compile(r"L?([1-9][0-9]{0,3})", re.IGNORECASE)


def _fail(outcome: Refusal | str, detail: str = "") -> int:
    code = outcome.reason if isinstance(outcome, Refusal) else outcome
    status = refuse(outcome, detail)
    if code in HINTS:
        print(f"  → {HINTS[code]}", file=sys.stderr)
    return status


# -- choosing the lot and the step ------------------------------------------------------


def lot_named(job_id: str, text: str) -> str:
    """The lot a typed text names: a full id, release 0.1's ``J-1``, or just ``L2``/``2``."""
    m = _SHORT_LOT.fullmatch(text.strip())
    if m:
        return lots.lot_id(job_id, int(m.group(1)))
    return lots.canonical(job_id, text.strip())


def choose_lot(job: JobState, actor: Actor, action: str, count: int | None) -> str | Refusal:
    """The only lot this firm can act on now, or a refusal naming the choices."""
    choices = sorted({s.lot_id for s in commands.possible(job, actor)})
    if not choices and action == commands.RECEIVE and len(job.lots) <= 1:
        # The traveler in hand names the job's one lot: offer it as the screen does after
        # a scan (a receipt past steps with no records is then refused as skips_steps).
        only = next(iter(job.lots), lots.first_lot(job.job_id))
        scanned = (only, count or job.qty)
        choices = sorted({s.lot_id for s in commands.possible(job, actor, scanned)})
    if len(choices) == 1:
        return choices[0]
    if not choices:
        return Refusal("no_lot_here", job.job_id)
    return Refusal("choose_lot", ", ".join(choices))


def choose_op(
    job: JobState, actor: Actor, lot_id: str, action: str, count: int | None
) -> int | Refusal:
    """The step ``possible`` offers for the lot; else the firm's latest step with records
    for it; else the firm's only step on the route."""
    offers = [commands.possible(job, actor)]
    if action == commands.RECEIVE:
        # As after a scan of the lot's traveler, but only when nothing else is offered.
        offers.append(commands.possible(job, actor, (lot_id, count or job.qty)))
    for steps in offers:
        for step in steps:
            if step.lot_id == lot_id:
                return step.op.seq
    ours = [o.seq for o in job.route.ops if o.firm == actor.firm]
    if ours and not lots.is_lot_of(job.job_id, lot_id):
        return ours[0]  # no step can be right for it: the core names what is wrong
    held = [s for s in job.history(lot_id) if s in ours]
    if held:
        return max(held)
    if len(ours) == 1:
        return ours[0]
    if not ours:
        return Refusal(Reason.OP_NOT_FOR_THIS_FIRM.value, job.job_id)
    return Refusal("choose_op", ", ".join(map(str, ours)))


# -- the actions ------------------------------------------------------------------------

Build = Callable[[JobState, Actor, str, int, argparse.Namespace], Outcome]


def _receive(job: JobState, actor: Actor, lot: str, op: int, a: argparse.Namespace) -> Outcome:
    return commands.receive(job, actor, lot, op, a.count, confirm_skip=a.confirm_skip)


def _finish(job: JobState, actor: Actor, lot: str, op: int, a: argparse.Namespace) -> Outcome:
    return commands.finish(job, actor, lot, op, a.good, a.defect, a.scrap)


def _defect(job: JobState, actor: Actor, lot: str, op: int, a: argparse.Namespace) -> Outcome:
    return commands.record_defect(job, actor, lot, op, a.code, a.count, a.disposition, a.note)


def _measure(job: JobState, actor: Actor, lot: str, op: int, a: argparse.Namespace) -> Outcome:
    return commands.measure(
        job,
        actor,
        lot,
        op,
        characteristic=a.characteristic,
        nominal=a.nominal,
        tol_minus=a.tol_minus,
        tol_plus=a.tol_plus,
        value=a.value,
        unit=a.unit,
        gauge=a.gauge,
    )


BUILDERS: dict[str, tuple[str, Build]] = {
    "receive": (commands.RECEIVE, _receive),
    "start": (commands.START, lambda j, w, lot, op, a: commands.start(j, w, lot, op)),
    "pause": (commands.PAUSE, lambda j, w, lot, op, a: commands.pause(j, w, lot, op, a.reason)),
    "resume": (commands.RESUME, lambda j, w, lot, op, a: commands.resume(j, w, lot, op)),
    "finish": (commands.FINISH, _finish),
    "defect": (commands.DEFECT, _defect),
    "measure": (commands.MEASURE, _measure),
    "handoff": (
        commands.HAND_OFF,
        lambda j, w, lot, op, a: commands.hand_off(j, w, lot, op, a.count),
    ),
    "split": (commands.SPLIT, lambda j, w, lot, op, a: commands.split(j, w, lot, op, a.count)),
}


def _record(store: Store, outcome: Outcome) -> int:
    result = store.record(outcome)
    if not result.ok or result.event is None:
        return _fail(result.reason or "io_error", result.detail)
    print_json(result.event.to_wire())
    return 0


def cmd_lot_action(args: argparse.Namespace) -> int:
    action, build = BUILDERS[args.op_command]
    with open_store(args) as store:
        actor = resolve_actor(store, args.operator, args.pin)
        if isinstance(actor, Refusal):
            return _fail(actor)
        job = store.job(args.job)
        if job is None or not job.created_at:
            return _fail(Reason.UNKNOWN_JOB.value, args.job)
        count = getattr(args, "count", None)
        lot = lot_named(job.job_id, args.lot) if args.lot else choose_lot(job, actor, action, count)
        if isinstance(lot, Refusal):
            return _fail(lot)
        op = args.step if args.step is not None else choose_op(job, actor, lot, action, count)
        if isinstance(op, Refusal):
            return _fail(op)
        return _record(store, build(job, actor, lot, op, args))


# -- corrections ------------------------------------------------------------------------


def _field_value(type_: str, name: str, text: str) -> Any:
    kind = PAYLOADS.get(type_, {}).get(name)
    if kind in (COUNT, POSINT):
        return int(text)
    return text


def _target(store: Store, ids: list[str]) -> tuple[str, str] | Refusal:
    """(job, event) from ``[JOB] EVENT_ID``; the job is looked up when not given."""
    if len(ids) == 2:
        return ids[0], ids[1]
    rows = store.rows(
        "SELECT DISTINCT job_id FROM events WHERE event_id = ? AND job_id IS NOT NULL", (ids[0],)
    )
    if len(rows) != 1:
        return Refusal(Reason.UNKNOWN_EVENT.value, ids[0])
    return str(rows[0]["job_id"]), ids[0]


def cmd_fix(args: argparse.Namespace) -> int:
    if not 1 <= len(args.ids) <= 2:
        return _fail("bad_field", "[JOB] EVENT_ID")
    with open_store(args) as store:
        actor = resolve_actor(store, args.operator, args.pin)
        if isinstance(actor, Refusal):
            return _fail(actor)
        target = _target(store, args.ids)
        if isinstance(target, Refusal):
            return _fail(target)
        job_id, event_id = target
        events = store.job_events(job_id)
        job = store.job(job_id)
        if args.op_command == "undo":
            return _record(store, commands.undo(job, actor, events, event_id, args.reason))
        original = next((e for e in events if e.event_id == event_id), None)
        changes: dict[str, Any] = {}
        for item in args.set:
            name, sep, text = item.partition("=")
            if not sep or not name.strip():
                return _fail("bad_field", item)
            try:
                type_ = original.type if original is not None else ""
                changes[name.strip()] = _field_value(type_, name.strip(), text.strip())
            except ValueError:
                return _fail("bad_field", name.strip())
        return _record(store, commands.correct(job, actor, events, event_id, changes, args.reason))


# -- the command line -------------------------------------------------------------------


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("job", metavar="JOB", help="job number")
    p.add_argument("--lot", help="lot (full id, or L2; default: the only lot you can act on)")
    p.add_argument(
        "--op",
        dest="step",
        type=int,
        metavar="SEQ",
        help="step number on the route (default: the step offered for the lot)",
    )
    add_operator_options(p)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    op = sub.add_parser("op", help="record work on a lot: receive, start … hand off, correct")
    osub = op.add_subparsers(dest="op_command", metavar="ACTION", required=True)

    p = osub.add_parser("receive", help="receive a lot at your step")
    _common(p)
    p.add_argument("--count", type=int, required=True, help="parts counted in")
    p.add_argument(
        "--confirm-skip",
        action="store_true",
        help="receive although earlier steps have no records yet (the traveler is in hand)",
    )
    p = osub.add_parser("start", help="start the step")
    _common(p)
    p = osub.add_parser("pause", help="pause the step")
    _common(p)
    p.add_argument("--reason", required=True, help="pause reason code (BREAK, SETUP, TOOL …)")
    p = osub.add_parser("resume", help="resume a paused step")
    _common(p)
    p = osub.add_parser("finish", help="finish the step with its counts")
    _common(p)
    p.add_argument("--good", type=int, required=True)
    p.add_argument("--defect", type=int, default=0)
    p.add_argument("--scrap", type=int, default=0)
    p = osub.add_parser("defect", help="record defective parts")
    _common(p)
    p.add_argument("--code", required=True, help="defect code (DIM, SCRATCH, DENT, BURR …)")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--disposition", default="rework", help="rework, scrap, hold or accept")
    p.add_argument("--note", default="")
    p = osub.add_parser("measure", help="record a measurement against its tolerance")
    _common(p)
    p.add_argument("--characteristic", required=True, help="what was measured, e.g. Ø20")
    p.add_argument("--nominal", required=True)
    p.add_argument("--tol-minus", required=True)
    p.add_argument("--tol-plus", required=True)
    p.add_argument("--value", required=True)
    p.add_argument("--unit", default="mm")
    p.add_argument("--gauge", default="", help="gauge or instrument")
    p = osub.add_parser("handoff", help="hand the good parts on to the next step's firm")
    _common(p)
    p.add_argument("--count", type=int, required=True)
    p = osub.add_parser("split", help="split parts off under a new lot and traveler")
    _common(p)
    p.add_argument("--count", type=int, required=True, help="parts that go to the new lot")
    for name in BUILDERS:
        osub.choices[name].set_defaults(func=cmd_lot_action)

    p = osub.add_parser("correct", help="correct the numbers of one of your records")
    p.add_argument("ids", nargs="+", metavar="[JOB] EVENT_ID")
    p.add_argument(
        "--set", action="append", required=True, metavar="FIELD=VALUE", help="e.g. count=9"
    )
    p.add_argument("--reason", default="fix", help="why (kept with the correction)")
    add_operator_options(p)
    p.set_defaults(func=cmd_fix)
    p = osub.add_parser("undo", help="cancel one of your records")
    p.add_argument("ids", nargs="+", metavar="[JOB] EVENT_ID")
    p.add_argument("--reason", default="undo", help="why (kept with the correction)")
    add_operator_options(p)
    p.set_defaults(func=cmd_fix)
