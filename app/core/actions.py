"""What a firm can do next with a lot: the buttons a machinist sees, decided in the core.

The UI shows these and never works out domain state itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.model import Operation
from app.core.state import DONE, PAUSED, RUNNING, WAITING, JobState, LotState

RECEIVE, START, PAUSE, RESUME, FINISH, DEFECT, MEASURE, HAND_OFF = (
    "receive",
    "start",
    "pause",
    "resume",
    "finish",
    "defect",
    "measure",
    "hand_off",
)


@dataclass(frozen=True, slots=True)
class NextStep:
    """The op of ``firm`` that a lot is at (or coming to), and the actions open on it."""

    op: Operation
    status: str
    actions: tuple[str, ...]
    expected_count: int  # parts the previous firm sent, or the lot size
    hand_to: Operation | None  # the next op, for a hand-off


def next_step(job: JobState, lot: LotState, firm: str) -> NextStep | None:
    """The step ``firm`` should take on ``lot``, or None when nothing is theirs now."""
    for op in job.route.ops:
        if op.firm != firm:
            continue
        prog = lot.ops.get(op.seq)
        nxt = job.route.next_op(op.seq)
        if prog is None or not prog.received:
            if not _arrived(job, lot, op):
                continue
            return NextStep(op, WAITING, (RECEIVE,), _expected(job, lot, op), nxt)
        if prog.status == WAITING:
            return NextStep(op, WAITING, (START, MEASURE), prog.received, nxt)
        if prog.status == RUNNING:
            return NextStep(op, RUNNING, (PAUSE, FINISH, DEFECT, MEASURE), prog.received, nxt)
        if prog.status == PAUSED:
            return NextStep(op, PAUSED, (RESUME, FINISH, DEFECT), prog.received, nxt)
        if prog.status == DONE and nxt is not None and prog.available > 0:
            return NextStep(op, DONE, (HAND_OFF, MEASURE), prog.available, nxt)
    return None


def _arrived(job: JobState, lot: LotState, op: Operation) -> bool:
    """The lot is at this op's door: first op of the route, or handed to this firm."""
    first = job.route.ops[0]
    if op.seq == first.seq:
        return True
    prev = max((s for s in lot.ops if s < op.seq), default=None)
    return prev is not None and lot.ops[prev].handed_off > 0 and lot.in_transit_to == op.firm


def _expected(job: JobState, lot: LotState, op: Operation) -> int:
    prev = max((s for s in lot.ops if s < op.seq), default=None)
    if prev is not None and lot.ops[prev].handed_off:
        return lot.ops[prev].handed_off
    return lot.qty


def first_receipt(job: JobState, firm: str) -> NextStep | None:
    """A job with no lot yet: the first op's firm receives the material as lot 1."""
    if job.lots or not job.route.ops or job.route.ops[0].firm != firm:
        return None
    op = job.route.ops[0]
    return NextStep(op, WAITING, (RECEIVE,), job.qty, job.route.next_op(op.seq))


def steps_for(job: JobState, firm: str) -> list[tuple[str, NextStep]]:
    """Every lot of the job with the step ``firm`` can take on it, lot id first."""
    out = [(lot.lot_id, s) for lot in job.lots.values() if (s := next_step(job, lot, firm))]
    start = first_receipt(job, firm)
    if start is not None:
        out.append((f"{job.job_id}-L1", start))
    return out


def scanned_step(job: JobState, lot_id: str, lot_qty: int, firm: str) -> NextStep | None:
    """The step for a lot whose traveler was just scanned here.

    The sheet in the machinist's hand is proof the parts are here, even when the previous
    firm's hand-off has not synced yet (both offline): then the firm may still receive the
    lot at its next op not yet received, expecting the traveler's quantity."""
    lot = job.lots.get(lot_id)
    if lot is not None:
        step = next_step(job, lot, firm)
        if step is not None:
            return step
    for op in job.route.ops:
        if op.firm != firm:
            continue
        prog = lot.ops.get(op.seq) if lot is not None else None
        if prog is None or not prog.received:
            expected = _expected(job, lot, op) if lot is not None else lot_qty
            return NextStep(op, WAITING, (RECEIVE,), expected, job.route.next_op(op.seq))
    return None
