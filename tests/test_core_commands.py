"""The core commands: every refusal, table-driven; one lot identity; the split rules as
properties; trust enforced in the replay; receipts that skip steps."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import commands as C
from app.core import lots
from app.core.commands import Actor, Command, Refusal
from app.core.model import JobSpec, Route
from app.core.rules import Reason
from app.core.state import DONE, JobState, fold
from app.store import Store
from tests.factories import ROUTE, Terminal, job_created
from wire.events import Event

JOB = "F001-J1"
L1, L2 = lots.first_lot(JOB), lots.lot_id(JOB, 2)
LEAD = Actor("F001", "F001-OP-1", C.OPERATOR)
BOSS = Actor("F001", "F001-OP-9", C.OWNER)
HEAT = Actor("F007", "F007-OP-1")
GRIND = Actor("F012", "F012-OP-1")
OUTSIDER = Actor("F099", "F099-OP-1")


class Shop:
    """Events of one job made through the core commands, with a clock per firm."""

    def __init__(self) -> None:
        self.terms = {f: Terminal(f"T{f}", f) for f in ("F001", "F007", "F012", "F099")}
        self.events: list[Event] = [job_created(self.terms["F001"], qty=100, route=ROUTE)]

    @property
    def job(self) -> JobState | None:
        return fold(self.events)

    def do(self, actor: Actor, decide: Any) -> Command | Refusal:
        out = decide(self.job)
        if isinstance(out, Command):
            t = self.terms[actor.firm]
            t.ms = max(t.ms, max(e.hlc >> 16 for e in self.events))
            ev = t.event(out.type, dict(out.payload), job_id=out.job_id, op=out.op)
            self.events.append(Event(**{**ev.to_wire(), "operator": out.operator}))  # type: ignore[arg-type]
        return out

    def put(self, actor: Actor, out: Command | Refusal) -> None:
        self.do(actor, lambda _j: out)

    def ok(self, actor: Actor, decide: Any) -> Command:
        out = self.do(actor, decide)
        assert isinstance(out, Command), out
        return out


def walked(*upto: str) -> Shop:
    """A job walked by the commands up to a named point."""
    s = Shop()
    steps = {
        "received": (LEAD, lambda j: C.receive(j, LEAD, L1, 10, 100)),
        "started": (LEAD, lambda j: C.start(j, LEAD, L1, 10)),
        "paused": (LEAD, lambda j: C.pause(j, LEAD, L1, 10, "BREAK")),
        "resumed": (LEAD, lambda j: C.resume(j, LEAD, L1, 10)),
        "defect": (LEAD, lambda j: C.record_defect(j, LEAD, L1, 10, "BURR", 2)),
        "scrapped": (LEAD, lambda j: C.record_defect(j, LEAD, L1, 10, "DIM", 2, "scrap")),
        "finished": (LEAD, lambda j: C.finish(j, LEAD, L1, 10, 95, 3, 2)),
        "handed": (LEAD, lambda j: C.hand_off(j, LEAD, L1, 10, 95)),
        "heat_received": (HEAT, lambda j: C.receive(j, HEAT, L1, 20, 95)),
    }
    for name in upto:
        s.ok(*steps[name])
    return s


def _measure(j: JobState | None, actor: Actor, **kw: str) -> Command | Refusal:
    args = {"characteristic": "OD", "nominal": "10", "tol_minus": "0.01", "tol_plus": "0.01"}
    return C.measure(j, actor, L1, 10, **{**args, "value": "10.001", **kw})


NO_OP = Actor("F001", None)
REFUSALS = [
    # (walked up to, actor, command, reason)
    ((), NO_OP, lambda j: C.receive(j, NO_OP, L1, 10, 1), "no_operator"),
    ((), Actor("", "X"), lambda j: C.start(j, Actor("", "X"), L1, 10), "no_firm"),
    ((), LEAD, lambda j: C.receive(None, LEAD, L1, 10, 1), "unknown_job"),
    ((), LEAD, lambda j: C.receive(j, LEAD, L1, 99, 1), "unknown_op"),
    ((), HEAT, lambda j: C.receive(j, HEAT, L1, 10, 1), "op_not_for_this_firm"),
    ((), OUTSIDER, lambda j: C.start(j, OUTSIDER, L1, 10), "op_not_for_this_firm"),
    ((), LEAD, lambda j: C.receive(j, LEAD, f"{JOB}-1", 10, 1), "bad_lot_id"),
    ((), LEAD, lambda j: C.receive(j, LEAD, L1, 10, 0), "bad_field"),
    ((), LEAD, lambda j: C.start(j, LEAD, L1, 10), "unknown_lot"),
    (("received",), HEAT, lambda j: C.start(j, HEAT, L1, 20), "lot_not_received"),
    ((), LEAD, lambda j: C.receive(j, LEAD, L1, 40, 1), "skips_steps"),
    (("received",), LEAD, lambda j: C.receive(j, LEAD, L1, 10, 5), "already_received"),
    (("received",), LEAD, lambda j: C.pause(j, LEAD, L1, 10, "BREAK"), "op_not_running"),
    (("received",), LEAD, lambda j: C.finish(j, LEAD, L1, 10, 1, 0, 0), "op_not_started"),
    (("received",), LEAD, lambda j: C.resume(j, LEAD, L1, 10), "op_not_paused"),
    (("received",), LEAD, lambda j: C.hand_off(j, LEAD, L1, 10, 1), "op_not_finished"),
    (("received", "started"), LEAD, lambda j: C.start(j, LEAD, L1, 10), "op_already_started"),
    (
        ("received", "started"),
        LEAD,
        lambda j: C.pause(j, LEAD, L1, 10, "NAPTIME"),
        "unknown_pause_reason",
    ),
    (
        ("received", "started"),
        LEAD,
        lambda j: C.finish(j, LEAD, L1, 10, 100, 1, 0),
        "counts_exceed_received",
    ),
    (
        ("received", "started", "scrapped"),
        LEAD,
        lambda j: C.finish(j, LEAD, L1, 10, 99, 0, 1),
        "scrap_below_recorded",
    ),
    (
        ("received", "started"),
        LEAD,
        lambda j: C.record_defect(j, LEAD, L1, 10, "SMUDGE", 1),
        "unknown_defect_code",
    ),
    (
        ("received", "started"),
        LEAD,
        lambda j: C.record_defect(j, LEAD, L1, 10, "BURR", 1, "sell"),
        "bad_disposition",
    ),
    (
        ("received", "started"),
        LEAD,
        lambda j: C.record_defect(j, LEAD, L1, 10, "BURR", 101),
        "defects_exceed_received",
    ),
    (("received", "started"), LEAD, lambda j: _measure(j, LEAD, tol_minus="-1"), "bad_tolerance"),
    (("received", "started"), LEAD, lambda j: _measure(j, LEAD, value="abc"), "bad_field"),
    (("received", "started"), LEAD, lambda j: C.split(j, LEAD, L1, 10, 5), "split_while_running"),
    (("received",), LEAD, lambda j: C.split(j, LEAD, L1, 10, 100), "split_exceeds_lot"),
    (
        ("received", "started", "finished"),
        LEAD,
        lambda j: C.finish(j, LEAD, L1, 10, 1, 0, 0),
        "op_already_finished",
    ),
    (
        ("received", "started", "finished"),
        LEAD,
        lambda j: C.hand_off(j, LEAD, L1, 10, 96),
        "handoff_exceeds_good",
    ),
    (
        ("received", "started", "finished"),
        LEAD,
        lambda j: C.hand_off(j, LEAD, L1, 10, 5, to_firm="F001"),
        "handoff_to_self",
    ),
    (
        ("received", "started", "finished"),
        LEAD,
        lambda j: C.split(j, LEAD, L1, 10, 96),
        "split_exceeds_lot",
    ),
    (
        ("received", "started", "finished", "handed"),
        LEAD,
        lambda j: C.split(j, LEAD, L1, 10, 1),
        "not_at_this_step",
    ),
    (
        ("received", "started", "finished", "handed", "heat_received"),
        HEAT,
        lambda j: C.receive(j, HEAT, L1, 20, 95),
        "already_received",
    ),
    ((), HEAT, lambda j: C.issue_traveler(j, HEAT, L1, "k", 1, "d"), "not_lead_firm"),
    ((), LEAD, lambda j: C.issue_traveler(j, LEAD, "L1", "k", 1, "d"), "bad_lot_id"),
    # Sign-off: the owner or an inspector, of records there are, by a firm of the job.
    (("received",), LEAD, lambda j: C.approve(j, LEAD, _records(j), lot_id=L1), "not_approver"),
    ((), BOSS, lambda j: C.approve(j, BOSS, [], lot_id=L1), "nothing_to_approve"),
    (
        ("received",),
        Actor("F099", "F099-OP-9", C.INSPECTOR),
        lambda j: C.approve(j, Actor("F099", "F099-OP-9", C.INSPECTOR), _records(j), lot_id=L1),
        "not_on_route",
    ),
    (("received",), BOSS, lambda j: C.approve(j, BOSS, _records(j), lot_id=L2), "unknown_lot"),
]


def _records(job: JobState) -> list[Event]:
    """Something to approve (the commands look at the records' firm and number only)."""
    t = Terminal("TF001", "F001")
    return [t.event("MeasurementTaken", {"lot_id": L1}, job_id=job.job_id, op=10)]


@pytest.mark.parametrize(("upto", "actor", "decide", "reason"), REFUSALS)
def test_every_command_refuses_with_its_reason(
    upto: tuple[str, ...], actor: Actor, decide: Any, reason: str
) -> None:
    s = walked(*upto)
    job = s.job
    assert job is not None and not job.anomalies
    out = decide(job)
    assert isinstance(out, Refusal), out
    assert out.reason == reason


def test_every_reason_code_has_a_refusal_test_or_is_replay_only() -> None:
    tested = {r for *_, r in REFUSALS} | {
        # exercised below, through corrections, job creation and operators
        "job_exists",
        "not_lead_firm",
        "job_id_not_yours",
        "not_your_event",
        "already_corrected",
        "cannot_correct",
        "not_owner",
        "unknown_event",
        "not_your_firm",
        "replacement_type",
        "lot_exists",
        "count_exceeds_lot",
    }
    replay_only = {
        "unknown_process",
        "bad_route",
        "job_mismatch",
        "bad_machine_state",
        "not_a_job_event",
    }
    cli_only = {"unknown_operator", "bad_pin", "bad_count"}
    assert {r.value for r in Reason} - tested - replay_only - cli_only == set()


def spec(job_id: str = JOB, firm: str = "F001") -> JobSpec:
    return JobSpec(job_id, "SHAFT", 10, date(2026, 12, 24), firm, Route.from_dicts(ROUTE))


def test_job_creation_refusals() -> None:
    assert isinstance(C.create_job(None, LEAD, spec()), Command)
    assert C.create_job(None, NO_OP, spec()).reason == "no_operator"  # type: ignore[union-attr]
    assert C.create_job(None, HEAT, spec()).reason == "not_lead_firm"  # type: ignore[union-attr]
    theft = C.create_job(None, HEAT, spec("F001-J2", "F007"))
    assert isinstance(theft, Refusal) and theft.reason == "job_id_not_yours"
    assert C.create_job(walked().job, LEAD, spec()).reason == "job_exists"  # type: ignore[union-attr]


def test_corrections_and_undo() -> None:
    s = walked("received", "started", "finished")
    fin = s.events[-1]
    # Another firm can never correct or undo the lead's records.
    assert C.undo(s.job, HEAT, s.events, fin.event_id).reason == "not_your_event"  # type: ignore[union-attr]
    assert C.undo(s.job, LEAD, s.events, "nope").reason == "unknown_event"  # type: ignore[union-attr]
    # A machinist corrects their own records; another operator of the firm may not.
    other = Actor("F001", "F001-OP-2")
    assert C.correct(s.job, other, s.events, fin.event_id, {"good": 90}).reason == "not_owner"  # type: ignore[union-attr]
    bad_field = C.correct(s.job, LEAD, s.events, fin.event_id, {"lot_id": L2})
    assert isinstance(bad_field, Refusal) and bad_field.reason == "cannot_correct"
    # The owner may, and the record then shows the new numbers.
    s.ok(BOSS, lambda j: C.correct(j, BOSS, s.events, fin.event_id, {"good": 94, "defect": 4}))
    assert s.job is not None and s.job.lots[L1].ops[10].good == 94
    again = C.correct(s.job, BOSS, s.events, fin.event_id, {"good": 93})
    assert isinstance(again, Refusal) and again.reason == "already_corrected"
    # Undoing the start would leave a finish without a start: refused, nothing recorded.
    start = s.events[2]
    assert start.type == "OpStarted"
    refused = C.undo(s.job, LEAD, s.events, start.event_id)
    assert isinstance(refused, Refusal) and refused.reason == "op_not_started"
    # The JobCreated is never corrected.
    created = s.events[0]
    assert C.undo(s.job, BOSS, s.events, created.event_id).reason == "cannot_correct"  # type: ignore[union-attr]


def test_undo_of_the_last_step_puts_the_lot_back() -> None:
    s = walked("received", "started")
    s.ok(LEAD, lambda j: C.undo(j, LEAD, s.events, s.events[-1].event_id))
    job = s.job
    assert job is not None and job.lots[L1].ops[10].status == "waiting"
    assert C.possible(job, LEAD)[0].actions[0] == C.START


def test_operators_only_owners_add_and_ids_stay_in_the_firm() -> None:
    first = C.save_operator({}, LEAD, operator_id="F001-OP-1", name="佐藤", role=C.OPERATOR)
    assert isinstance(first, Refusal) and first.reason == "not_owner"  # the first is the owner
    boss = C.save_operator({}, BOSS, operator_id="F001-OP-9", name="山田", role=C.OWNER)
    assert isinstance(boss, Command)
    roster: dict[str, Any] = {"F001-OP-9": object()}
    by_worker = C.save_operator(roster, LEAD, operator_id="F001-OP-2", name="鈴木")
    assert isinstance(by_worker, Refusal) and by_worker.reason == "not_owner"
    foreign = C.save_operator(roster, BOSS, operator_id="F007-OP-2", name="鈴木")
    assert isinstance(foreign, Refusal) and foreign.reason == "not_your_firm"


def test_what_the_screen_offers_is_what_the_commands_record() -> None:
    s = walked()
    steps = C.possible(s.job, LEAD)
    assert [(x.lot_id, x.op.seq, x.actions) for x in steps] == [(L1, 10, (C.RECEIVE,))]
    assert C.possible(s.job, HEAT) == []
    s = walked("received", "started")
    (step,) = C.possible(s.job, LEAD)
    assert set(step.actions) == {C.PAUSE, C.FINISH, C.DEFECT, C.MEASURE}
    s = walked("received")
    (step,) = C.possible(s.job, LEAD)
    assert set(step.actions) == {C.START, C.DEFECT, C.MEASURE, C.SPLIT}
    s = walked("received", "started", "finished", "handed")
    (step,) = C.possible(s.job, HEAT)
    assert (step.op.seq, step.actions, step.expected_count) == (20, (C.RECEIVE,), 95)


def test_a_receipt_that_skips_steps_needs_a_confirmation_and_stays_listed() -> None:
    s = walked("received", "started", "finished", "handed")
    # The grinder (op 30) has the paper in hand; the heat treater's records are missing.
    refused = C.receive(s.job, GRIND, L1, 30, 95)
    assert isinstance(refused, Refusal) and refused.reason == "skips_steps"
    assert refused.missing == (20,)
    s.ok(GRIND, lambda j: C.receive(j, GRIND, L1, 30, 95, confirm_skip=True))
    assert s.events[-1].payload["skipped"] == [20]
    job = s.job
    assert job is not None and job.open_skips() == [(L1, 30, [20])]
    # The heat treater's records arrive (offline until now): the listing clears.
    t = s.terms["F007"]
    t.ms = s.terms["F001"].ms + 10  # stamped before the grinder's receipt
    for type_, payload in (
        ("LotReceived", {"lot_id": L1, "count": 95}),
        ("OpStarted", {"lot_id": L1}),
        ("OpFinished", {"lot_id": L1, "good": 95, "defect": 0, "scrap": 0}),
        ("LotHandedOff", {"lot_id": L1, "to_firm": "F012", "count": 95}),
    ):
        s.events.append(t.event(type_, payload, job_id=JOB, op=20, advance_ms=1))
    job = s.job
    assert job is not None and job.open_skips() == []


# -- splits ---------------------------------------------------------------------------


def test_split_before_work_and_after_finishing() -> None:
    s = walked("received")
    s.ok(LEAD, lambda j: C.split(j, LEAD, L1, 10, 30))
    job = s.job
    assert job is not None
    assert (job.lots[L1].qty, job.lots[L1].ops[10].received) == (70, 70)
    child = job.lots[L2]
    assert (child.qty, child.parent, child.split_at, child.ops[10].received) == (30, L1, 10, 30)
    # Each lot is worked and handed on by itself.
    for lot, n in ((L1, 70), (L2, 30)):
        s.ok(LEAD, lambda j, lot=lot: C.start(j, LEAD, lot, 10))
        s.ok(LEAD, lambda j, lot=lot, n=n: C.finish(j, LEAD, lot, 10, n, 0, 0))
    s.ok(LEAD, lambda j: C.hand_off(j, LEAD, L2, 10, 30))
    # After finishing: 20 of L1's good parts go ahead under L3, the rest wait.
    s.ok(LEAD, lambda j: C.split(j, LEAD, L1, 10, 20))
    job = s.job
    assert job is not None
    l3 = lots.lot_id(JOB, 3)
    assert job.lots[L1].ops[10].available == 50 and job.lots[l3].ops[10].status == DONE
    assert C.hand_off(job, LEAD, L1, 10, 51).reason == "handoff_exceeds_good"  # type: ignore[union-attr]
    s.ok(LEAD, lambda j: C.hand_off(j, LEAD, l3, 10, 20))
    s.ok(HEAT, lambda j: C.receive(j, HEAT, l3, 20, 20))
    # The child's history before the split is its parent's: nothing is "skipped".
    job = s.job
    assert job is not None and job.missing_steps(l3) == [] and not job.anomalies
    assert C.receive(job, HEAT, L2, 20, 31).reason == "count_exceeds_lot"  # type: ignore[union-attr]


@st.composite
def split_plan(draw: Any) -> list[tuple[str, Any]]:
    """A random walk of commands on one job by three firms, with splits at both stages."""
    return draw(st.lists(st.sampled_from(PLAN_STEPS), min_size=5, max_size=40))


PLAN_STEPS = ["receive", "start", "finish", "split", "hand_off", "defect", "undo"]


def _try(s: Shop, name: str, pick: int) -> None:
    job = s.job
    assert job is not None
    if name == "undo":
        mine = [e for e in s.events[1:] if e.type != "EventCorrected"]
        if mine:
            target = mine[pick % len(mine)]
            boss = Actor(target.firm_id, target.operator, C.OWNER)
            s.put(boss, C.undo(job, boss, s.events, target.event_id))
        return
    for actor in (LEAD, HEAT, GRIND):
        for step in C.possible(job, actor):
            lot, op = step.lot_id, step.op.seq
            if name == "receive" and C.RECEIVE in step.actions:
                s.put(actor, C.receive(job, actor, lot, op, step.expected_count))
                return
            if name not in step.actions:
                continue
            prog = job.lots[lot].ops[op]
            if name == "start":
                out = C.start(job, actor, lot, op)
            elif name == "finish":
                g = max(0, prog.received - prog.defects_recorded - pick % 2)
                out = C.finish(job, actor, lot, op, g, prog.received - g, 0)
            elif name == "split":
                out = C.split(job, actor, lot, op, 1 + pick % max(1, prog.received - 1))
            elif name == "hand_off":
                out = C.hand_off(job, actor, lot, op, max(1, prog.available))
            else:
                out = C.record_defect(job, actor, lot, op, "BURR", 1)
            s.put(actor, out)
            return


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=split_plan(),
    picks=st.lists(st.integers(0, 1000), min_size=40, max_size=40),
    data=st.data(),
)
def test_commands_with_splits_never_record_what_replay_refuses(
    plan: list[str], picks: list[int], data: Any
) -> None:
    s = Shop()
    for name, pick in zip(plan, picks, strict=False):
        _try(s, name, pick)
    job = s.job
    assert job is not None and job.created_at
    # Nothing the commands decided is refused by the replay.
    assert job.anomalies == []
    # What the record list offers (one pass) is what each correction would decide.
    for who in (LEAD, BOSS, HEAT):
        each = {
            e.event_id
            for e in s.events
            if (e.type in C.CORRECTABLE or e.type in C.UNDOABLE)
            and isinstance(C._correctable(job, who, s.events, e.event_id), Event)
        }
        assert C.correctable_events(job, who, s.events) == each
    # Parts are conserved: every lot's quantity adds up to the job's.
    assert sum(lot.qty for lot in job.lots.values()) in (0, 100)
    # Any interleaving that keeps each terminal's own order gives the same state.
    streams: dict[str, list[Event]] = {}
    for e in s.events:
        streams.setdefault(e.terminal_id, []).append(e)
    order: list[Event] = []
    queues = [list(v) for v in streams.values()]
    while any(queues):
        q = data.draw(st.sampled_from([q for q in queues if q]))
        order.append(q.pop(0))
    assert _state(fold(order)) == _state(job)


def _state(job: JobState | None) -> Any:
    assert job is not None
    return (
        {
            k: (
                v.qty,
                v.parent,
                sorted((s, p.status, p.received, p.good, p.available) for s, p in v.ops.items()),
            )
            for k, v in job.lots.items()
        },
        sorted(job.anomalies),
    )


# -- trust in the replay ------------------------------------------------------------------


def test_a_store_fed_bad_events_shows_the_victims_true_state(tmp_path: Any) -> None:
    """Events an old hub might have delivered: another firm's corrections of the lead's
    records, a stolen JobCreated and an event reusing the JobCreated's id. The store
    keeps them, refuses them in the state and lists them as anomalies."""
    s = walked("received", "started")
    created, received, started = s.events[:3]
    thief = Terminal("TX", "F099", start_ms=500)  # an earlier clock
    evil = [
        thief.event(
            "JobCreated",
            {
                **created.payload,
                "lead_firm": "F099",
                "route": [{"seq": 10, "process": "LATHE", "firm": "F099"}],
            },
            job_id=JOB,
        ),
    ]
    heat = Terminal("TH", "F007", start_ms=10**8)
    evil.append(
        heat.event(
            "EventCorrected",
            {"supersedes": started.event_id, "reason": "x", "replacement": None},
            job_id=JOB,
            op=10,
        )
    )
    evil.append(
        heat.event(
            "EventCorrected",
            {
                "supersedes": received.event_id,
                "reason": "x",
                "replacement": {"type": "LotReceived", "payload": {"lot_id": L1, "count": 1}},
            },
            job_id=JOB,
            op=10,
        )
    )
    squat = heat.event("OpStarted", {"lot_id": L1}, job_id=JOB, op=20)
    evil.append(Event(**{**squat.to_wire(), "event_id": created.event_id}))  # type: ignore[arg-type]
    job = fold([*evil, *s.events])
    assert job is not None
    assert job.lead_firm == "F001"
    assert job.lots[L1].qty == 100 and job.lots[L1].ops[10].status == "running"
    reasons = {r for _, r in job.anomalies}
    assert {"job_id_not_yours", "not_your_event"} <= reasons
    assert len(job.anomalies) >= 3
    # The lead's own store, fed the bad events first (as an old hub might have), then
    # its own: the screen's tables show the true state and list every bad event.
    with Store.open(tmp_path / "lead.db", firm_id="F001") as store:
        store.ingest(evil)
        store.ingest(s.events)
        rows = store.rows("SELECT lead_firm, status FROM jobs WHERE job_id = ?", (JOB,))
        assert rows == [{"lead_firm": "F001", "status": "in_progress"}]
        op10 = store.rows("SELECT status, received FROM ops WHERE lot_id = ? AND seq = 10", (L1,))
        assert op10 == [{"status": "running", "received": 100}]
        listed = {r["event_id"] for r in store.rows("SELECT event_id FROM anomalies")}
        assert {e.event_id for e in evil[:3]} <= listed
        assert store.check_integrity() == []


def test_the_store_keeps_both_events_that_share_an_id(tmp_path: Any) -> None:
    """An id read off a traveler and reused by another terminal neither blocks nor replaces
    the real event in a terminal's store."""
    s = walked("received")
    created = s.events[0]
    heat = Terminal("TH", "F007", start_ms=10)
    squat = heat.event("OpStarted", {"lot_id": L1}, job_id=JOB, op=20)
    squat = Event(**{**squat.to_wire(), "event_id": created.event_id})  # type: ignore[arg-type]
    with Store.open(tmp_path / "t.db", firm_id="F012") as store:
        report = store.ingest([squat, *s.events])
        assert report.applied == 3 and report.duplicates == 0
        job = store.job(JOB)
        assert job is not None and job.lead_firm == "F001" and job.lots[L1].qty == 100
        assert store.check_integrity() == []


def test_a_correction_keeps_the_type_and_a_split_cannot_reuse_a_lot_number() -> None:
    s = walked("received", "started")
    started = s.events[-1]
    lead = s.terms["F001"]
    lead.ms += 10**6
    sneaky = lead.event(
        "EventCorrected",
        {
            "supersedes": started.event_id,
            "reason": "x",
            "replacement": {
                "type": "LotHandedOff",
                "payload": {"lot_id": L1, "to_firm": "F007", "count": 100},
            },
        },
        job_id=JOB,
        op=10,
    )
    job = fold([*s.events, sneaky])
    assert job is not None and (sneaky.event_id, "replacement_type") in job.anomalies
    assert job.lots[L1].ops[10].handed_off == 0
    # Two terminals of one firm split the same lot offline: both pick L2.
    s = walked("received")
    a2 = Terminal("TF001b", "F001", start_ms=s.terms["F001"].ms)
    first = s.ok(LEAD, lambda j: C.split(j, LEAD, L1, 10, 10))
    twin = a2.event("LotSplit", dict(first.payload), job_id=JOB, op=10, advance_ms=5000)
    job = fold([*s.events, twin])
    assert job is not None and (twin.event_id, "lot_exists") in job.anomalies
    assert job.lots[L1].qty == 90 and job.lots[L2].qty == 10


def test_consecutive_steps_of_one_firm_need_no_hand_off() -> None:
    route = [
        {"seq": 10, "process": "LATHE", "firm": "F001"},
        {"seq": 20, "process": "MILL", "firm": "F001"},
        {"seq": 30, "process": "HEAT", "firm": "F007"},
    ]
    s = Shop()
    s.events = [job_created(s.terms["F001"], qty=10, route=route)]
    for decide in (
        lambda j: C.receive(j, LEAD, L1, 10, 10),
        lambda j: C.start(j, LEAD, L1, 10),
        lambda j: C.finish(j, LEAD, L1, 10, 9, 1, 0),
    ):
        s.ok(LEAD, decide)
    # The parts are in the shop already: the next step is offered for receipt at once.
    (step,) = C.possible(s.job, LEAD)
    assert (step.op.seq, step.actions, step.expected_count) == (20, (C.RECEIVE,), 10)
    refused = C.hand_off(s.job, LEAD, L1, 10, 9, to_firm="F001")
    assert isinstance(refused, Refusal) and refused.reason == "handoff_to_self"
    s.ok(LEAD, lambda j: C.receive(j, LEAD, L1, 20, 9))
    assert s.job is not None and s.job.open_skips() == [] and not s.job.anomalies


def test_a_scanned_split_lot_is_never_offered_the_first_step() -> None:
    s = walked()
    offered = C.possible(s.job, LEAD, scanned=(L2, 5))
    assert not [x for x in offered if x.lot_id == L2 and x.op.seq == 10]
    # The paper in hand may still be received at the firm's later step, naming the gap.
    (late,) = [x for x in offered if x.lot_id == L2]
    assert (late.op.seq, late.missing) == (40, (10, 20, 30))


def test_a_finish_starts_from_the_defect_records_and_keeps_the_scrap() -> None:
    """The owner's figures agree with the records: a finish is offered the counts the
    defect records imply, and may not un-scrap a part recorded as scrap."""
    s = walked("received", "started")
    s.ok(LEAD, lambda j: C.record_defect(j, LEAD, L1, 10, "BURR", 3, "rework"))
    s.ok(LEAD, lambda j: C.record_defect(j, LEAD, L1, 10, "DIM", 2, "scrap"))
    s.ok(LEAD, lambda j: C.record_defect(j, LEAD, L1, 10, "SCRATCH", 1, "accept"))
    job = s.job
    assert job is not None
    prog = job.lots[L1].ops[10]
    assert prog.finish_counts == (95, 3, 2)  # the accepted (特採) part counts as good
    refused = s.do(LEAD, lambda j: C.finish(j, LEAD, L1, 10, 97, 2, 1))
    assert isinstance(refused, Refusal) and refused.reason == "scrap_below_recorded"
    # The burrs were reworked and came back good: fewer defects than recorded is fine.
    s.ok(LEAD, lambda j: C.finish(j, LEAD, L1, 10, 98, 0, 2))
    assert s.job is not None and s.job.lots[L1].ops[10].scrap == 2
