"""Derived state: replay a job's events into where each lot is and how each op stands.

``fold`` is the one definition of state. It orders events by hybrid logical clock
(then terminal and sequence), so any interleaving of several terminals' streams,
each in its own order, gives the same state. An event that breaks a rule when
replayed (two terminals offline disagreed) is kept, never applied, and listed as an
anomaly for the owner to settle with a correction.

``check`` is the same rule set for a command about to become an event: it returns a
``Reason`` instead of raising.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.core import catalog, lots
from app.core.model import Route
from app.core.rules import Reason
from wire.events import (
    DISPOSITIONS,
    LEAD_TYPES,
    MACHINE_STATES,
    NO_JOB_TYPES,
    Event,
    WireError,
    check_approval_envelope,
    parse_decimal,
)

WAITING, RUNNING, PAUSED, DONE = "waiting", "running", "paused", "done"
# An operator's role: a machinist, the owner, or an inspector (who signs results off).
ROLES = ("operator", "owner", "inspector")

_DEFECTS = catalog.defects()
_PAUSES = catalog.pause_reasons()


@dataclass(slots=True)
class OpProgress:
    seq: int
    process: str
    firm: str
    status: str = WAITING
    received: int = 0
    receipt_gap: int = 0  # received minus what the previous firm said it sent
    good: int = 0
    defect: int = 0
    scrap: int = 0
    defects_recorded: int = 0
    # Parts recorded defective at this step, by disposition (rework, scrap, hold, accept).
    recorded_by: dict[str, int] = field(default_factory=dict)
    handed_off: int = 0
    split_off: int = 0  # finished good parts that left under a child lot's traveler
    working_s: float = 0.0
    started_at: str | None = None
    finished_at: str | None = None
    pause_reason: str | None = None
    run_since: str | None = None
    # Time spent paused, by pause reason (a pause ends at its resume or at the finish).
    paused_s: dict[str, float] = field(default_factory=dict)
    paused_since: str | None = None

    @property
    def finish_counts(self) -> tuple[int, int, int]:
        """The counts a finish starts from: (good, defect, scrap) as the defect records
        say. Rework and hold are defective until reworked; scrap is gone; accepted (特採)
        parts count as good."""
        scrap = self.recorded_by.get("scrap", 0)
        defect = self.recorded_by.get("rework", 0) + self.recorded_by.get("hold", 0)
        return max(0, self.received - defect - scrap), defect, scrap

    @property
    def available(self) -> int:
        """Good parts of this op not yet handed on (nor split off to a child lot)."""
        return self.good - self.handed_off - self.split_off


@dataclass(slots=True)
class LotState:
    lot_id: str
    qty: int
    parent: str | None = None
    holder: str | None = None
    in_transit_to: str | None = None
    ops: dict[int, OpProgress] = field(default_factory=dict)
    split_at: int | None = None  # the op of the parent where this lot was split off
    # The step the lot's size comes from: its first receipt's, or the split's. A receipt
    # recorded upstream of it (arriving later, say from an offline lead firm) sets the
    # size again: a downstream count never decides how big the lot is upstream.
    origin_op: int | None = None
    children: list[str] = field(default_factory=list)
    # Receipts recorded past steps that had no records (the paper was in hand), by op:
    # the steps skipped, as the receiving firm confirmed them.
    skipped: dict[int, tuple[int, ...]] = field(default_factory=dict)


@dataclass(slots=True)
class Measurement:
    event_id: str
    lot_id: str
    op: int | None
    characteristic: str
    nominal: Decimal
    tol_minus: Decimal
    tol_plus: Decimal
    value: Decimal
    unit: str
    gauge: str
    occurred_at: str

    @property
    def in_tolerance(self) -> bool:
        return within_tolerance(self.nominal, self.tol_minus, self.tol_plus, self.value)


def within_tolerance(
    nominal: Decimal, tol_minus: Decimal, tol_plus: Decimal, value: Decimal
) -> bool:
    """合格: the one test of a measured value against its nominal and tolerances (the
    dialog's verdict, the record list, the projection and the owner's summary use it)."""
    return nominal - tol_minus <= value <= nominal + tol_plus


def payload_in_tolerance(p: Mapping[str, Any]) -> bool | None:
    """The verdict of a ``MeasurementTaken`` payload; None when a number is missing."""
    nums = [
        parse_decimal(str(p.get(k) or "")) for k in ("nominal", "tol_minus", "tol_plus", "value")
    ]
    if any(n is None for n in nums):
        return None
    nominal, tol_minus, tol_plus, value = (n for n in nums if n is not None)
    return within_tolerance(nominal, tol_minus, tol_plus, value)


@dataclass(slots=True)
class DefectEntry:
    event_id: str
    lot_id: str
    op: int | None
    code: str
    count: int
    disposition: str
    note: str
    occurred_at: str
    photos: tuple[str, ...] = ()  # SHA-256 names of the photos taken with it


@dataclass(frozen=True, slots=True)
class DrawingEntry:
    """A drawing the lead firm attached to the job: the file (by its SHA-256) and the
    drawing number and revision it was attached as. ``hlc`` orders it among the job's
    travelers (a drawing revised after a traveler was printed is worth a warning)."""

    event_id: str
    sha256: str
    file_name: str
    content_type: str
    size: int
    drawing_no: str
    revision: str
    at: str
    hlc: int


@dataclass(slots=True)
class JobState:
    job_id: str
    part_no: str = ""
    drawing_no: str = ""
    qty: int = 0
    due: str = ""
    lead_firm: str = ""
    route: Route = field(default_factory=lambda: Route(()))
    customer: str = ""
    unit_price_yen: int | None = None
    note: str = ""
    part_name: str = ""
    material: str = ""
    revision: str = ""
    step_info: dict[str, dict[str, str]] = field(default_factory=dict)
    created_at: str = ""
    lots: dict[str, LotState] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)
    defects: list[DefectEntry] = field(default_factory=list)
    travelers: list[dict[str, Any]] = field(default_factory=list)
    # Lot sign-offs (``RecordsApproved`` of scope "lot"), in order: the events themselves.
    approvals: list[Event] = field(default_factory=list)
    drawings: list[DrawingEntry] = field(default_factory=list)
    anomalies: list[tuple[str, str]] = field(default_factory=list)
    # (terminal, event id) of each applied event -> its operator (ids are unique per
    # terminal only: another firm's event under the same id must not name our people)
    operators: dict[tuple[str, str], str] = field(default_factory=dict)
    last_key: tuple[int, str, int] = (0, "", 0)
    event_count: int = 0
    # The projection row last written for this job, so an event that leaves the summary
    # unchanged does not rewrite it (one page less per commit).
    written_row: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def status(self) -> str:
        if not self.lots:
            return "open"
        last = self.route.ops[-1].seq if self.route.ops else None
        return (
            "done"
            if all(self._lot_settled(lot, last) for lot in self.lots.values())
            else "in_progress"
        )

    @staticmethod
    def _lot_settled(lot: LotState, last: int | None) -> bool:
        """Finished at the last step, or every good part gone on under child lots."""
        if last is not None and lot.ops.get(last) is not None and lot.ops[last].status == DONE:
            return True
        if not lot.ops or not lot.children:
            return False
        latest = lot.ops[max(lot.ops)]
        return latest.status == DONE and latest.available == 0 and latest.handed_off == 0

    def new_progress(self, seq: int) -> OpProgress | None:
        op = self.route.op(seq)
        return OpProgress(seq, op.process, op.firm) if op else None

    def history(self, lot_id: str) -> dict[int, OpProgress]:
        """Every op with records for ``lot_id``, its parents' ops before the split included."""
        lot = self.lots.get(lot_id)
        if lot is None:
            return {}
        out: dict[int, OpProgress] = {}
        if lot.parent is not None and lot.split_at is not None:
            out.update({s: p for s, p in self.history(lot.parent).items() if s < lot.split_at})
        out.update(lot.ops)
        return out

    def missing_steps(self, lot_id: str, before: int | None = None) -> list[int]:
        """Steps of the route before ``before`` (default: the lot's latest receipt) with no
        record for this lot: a receipt that skipped them stays listed until they arrive."""
        hist = self.history(lot_id)
        received = [s for s, p in hist.items() if p.received]
        upto = before if before is not None else max(received, default=None)
        if upto is None:
            return []
        return [o.seq for o in self.route.ops if o.seq < upto and o.seq not in hist]

    def open_skips(self) -> list[tuple[str, int, list[int]]]:
        """(lot, receiving op, steps still without records) for receipts that skipped."""
        out = []
        for lot in self.lots.values():
            for seq in lot.skipped:
                missing = self.missing_steps(lot.lot_id, seq)
                if missing:
                    out.append((lot.lot_id, seq, missing))
        return out


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _elapsed(since: str | None, until: str) -> float:
    if since is None:
        return 0.0
    # A terminal whose clock jumped back must not subtract work already done.
    return max(0.0, (_ts(until) - _ts(since)).total_seconds())


def check(job: JobState | None, ev: Event) -> Reason | None:
    """The rule that ``ev`` breaks against ``job``, or None if it may be applied."""
    t, p = ev.type, ev.payload
    if t in NO_JOB_TYPES and (ev.job_id is not None or ev.op is not None):
        return Reason.NOT_A_JOB_EVENT  # a machine signal or an operator has no job
    if t == "RecordsApproved":
        return _check_approval(job, ev)
    if t == "MachineStateChanged":
        return None if p.get("state") in MACHINE_STATES else Reason.BAD_MACHINE_STATE
    if t == "OperatorSaved":
        if not str(p["operator_id"]).startswith(ev.firm_id + "-"):
            return Reason.NOT_YOUR_FIRM
        ok = p["role"] in ROLES and p["status"] in ("active", "retired")
        return None if ok else Reason.BAD_FIELD
    if t == "JobCreated":
        if ev.schema_version >= 2 and not owns_job_id(ev):
            return Reason.JOB_ID_NOT_OURS
        if job is not None and job.created_at:
            return Reason.JOB_ID_NOT_OURS if not owns_job_id(ev) else Reason.JOB_EXISTS
        if ev.firm_id != p["lead_firm"]:
            return Reason.NOT_LEAD_FIRM
        seqs = [s["seq"] for s in p["route"]]
        if seqs != sorted(set(seqs)):
            return Reason.BAD_ROUTE
        return None
    if job is None or not job.created_at:
        return Reason.UNKNOWN_JOB
    if t == "EventCorrected":
        return None  # checked by the caller against the job's events (see fold)
    if t in LEAD_TYPES and ev.firm_id != job.lead_firm:
        return Reason.NOT_LEAD_FIRM
    if t == "TravelerIssued":
        return None if p["lot_id"] else Reason.UNKNOWN_LOT
    if t == "DrawingAttached":
        return None if ev.op is None else Reason.BAD_FIELD

    if ev.op is None or job.route.op(ev.op) is None:
        return Reason.UNKNOWN_OP
    route_op = job.route.op(ev.op)
    assert route_op is not None
    if route_op.firm != ev.firm_id:
        return Reason.OP_NOT_FOR_THIS_FIRM
    lot = job.lots.get(p["lot_id"])

    if t == "LotReceived":
        # Release 0.1 (schema 1) named lots freely; its events keep their meaning.
        if ev.schema_version >= 2 and not lots.is_lot_of(job.job_id, p["lot_id"]):
            return Reason.BAD_LOT_ID
        if lot is None:
            return None
        prog = lot.ops.get(ev.op)
        if prog is not None and prog.received:
            return Reason.ALREADY_RECEIVED
        limit = job.qty if _upstream(lot, ev.op) else lot.qty
        return Reason.COUNT_EXCEEDS_LOT if p["count"] > limit else None
    if lot is None:
        return Reason.UNKNOWN_LOT
    prog = lot.ops.get(ev.op)
    if prog is None or not prog.received:
        return Reason.LOT_NOT_RECEIVED
    if t == "LotSplit":
        return _check_split(job, lot, prog, p, ev.schema_version)
    if t == "OpStarted":
        if prog.status == DONE:
            return Reason.OP_ALREADY_FINISHED
        return Reason.OP_ALREADY_STARTED if prog.status != WAITING else None
    if t == "OpPaused":
        if p["reason"] not in _PAUSES and not catalog.named_own(p["reason"], p):
            return Reason.UNKNOWN_PAUSE_REASON
        return None if prog.status == RUNNING else Reason.OP_NOT_RUNNING
    if t == "OpResumed":
        return None if prog.status == PAUSED else Reason.OP_NOT_PAUSED
    if t == "OpFinished":
        if prog.status == DONE:
            return Reason.OP_ALREADY_FINISHED
        if prog.status == WAITING:
            return Reason.OP_NOT_STARTED
        if p["good"] + p["defect"] + p["scrap"] > prog.received:
            return Reason.COUNTS_EXCEED_RECEIVED
        return None
    if t == "DefectRecorded":
        if p["code"] not in _DEFECTS and not catalog.named_own(p["code"], p):
            return Reason.UNKNOWN_DEFECT_CODE
        if p["disposition"] not in DISPOSITIONS:
            return Reason.BAD_DISPOSITION
        if prog.defects_recorded + p["count"] > prog.received:
            return Reason.DEFECTS_EXCEED_RECEIVED
        return None
    if t == "MeasurementTaken":
        tm, tp = parse_decimal(p["tol_minus"]), parse_decimal(p["tol_plus"])
        if tm is None or tp is None or tm < 0 or tp < 0:
            return Reason.BAD_TOLERANCE
        return None
    if t == "LotHandedOff":
        if p["to_firm"] == ev.firm_id:
            return Reason.HANDOFF_TO_SELF
        if prog.status != DONE:
            return Reason.OP_NOT_FINISHED
        return Reason.HANDOFF_EXCEEDS_GOOD if p["count"] > prog.available else None
    return Reason.UNKNOWN_EVENT


def _check_approval(job: JobState | None, ev: Event) -> Reason | None:
    """A day's sign-off is its firm's (no job); a lot's is by a firm of its job, of a lot
    the job has."""
    try:
        check_approval_envelope(ev.payload, ev.job_id, ev.op)
    except WireError:
        return Reason.BAD_FIELD
    if ev.job_id is None:
        return None
    if job is None or not job.created_at:
        return Reason.UNKNOWN_JOB
    if ev.firm_id != job.lead_firm and all(o.firm != ev.firm_id for o in job.route.ops):
        return Reason.NOT_ON_ROUTE
    return None if ev.payload["lot_id"] in job.lots else Reason.UNKNOWN_LOT


def _upstream(lot: LotState, op: int) -> bool:
    """A receipt at ``op`` comes before the step the lot's size was taken from (a lot
    first known from a downstream receipt); split-off lots keep their split's size."""
    return lot.parent is None and lot.origin_op is not None and op < lot.origin_op


def _check_split(
    job: JobState, lot: LotState, prog: OpProgress, p: Any, version: int
) -> Reason | None:
    """A lot splits at a step its firm holds: received and waiting (part of the parts go
    on under a new traveler before work starts), or finished and not all handed on (part
    of the good parts go ahead). Never while the step runs or is paused."""
    child = p["child_lot_id"]
    if version >= 2 and not lots.is_lot_of(job.job_id, child):
        return Reason.BAD_LOT_ID
    if child in job.lots:
        return Reason.LOT_EXISTS
    if prog.status in (RUNNING, PAUSED):
        return Reason.SPLIT_WHILE_RUNNING
    if prog.handed_off and prog.available <= 0:
        return Reason.NOT_AT_THIS_STEP
    if prog.status == WAITING:
        # The parent keeps at least one part, and never fewer than its recorded defects.
        keep = max(1, prog.defects_recorded)
        return Reason.SPLIT_EXCEEDS_LOT if p["count"] > prog.received - keep else None
    return Reason.SPLIT_EXCEEDS_LOT if p["count"] > prog.available else None


def owns_job_id(ev: Event) -> bool:
    """A job id belongs to the firm whose code leads it: ``F001-…`` is F001's."""
    return bool(ev.job_id) and str(ev.job_id).startswith(ev.firm_id + "-")


def apply(job: JobState | None, ev: Event) -> JobState:
    """Apply an event that ``check`` accepted. Returns the (possibly new) job state."""
    t, p = ev.type, ev.payload
    if t == "JobCreated":
        job = job or JobState(ev.job_id or "")
        job.part_no = p["part_no"]
        job.drawing_no = p.get("drawing_no") or ""
        job.qty = p["qty"]
        job.due = p["due"]
        job.lead_firm = p["lead_firm"]
        job.route = Route.from_dicts(p["route"])
        job.customer = p.get("customer") or ""
        job.unit_price_yen = p.get("unit_price_yen")
        job.note = p.get("note") or ""
        job.part_name = p.get("part_name") or ""
        job.material = p.get("material") or ""
        job.revision = p.get("revision") or ""
        job.step_info = {k: dict(v) for k, v in (p.get("step_info") or {}).items()}
        job.created_at = ev.occurred_at
        return job
    assert job is not None
    if ev.operator:
        job.operators[(ev.terminal_id, ev.event_id)] = ev.operator
    if t == "RecordsApproved":
        job.approvals.append(ev)
        return job
    if t == "TravelerIssued":
        job.travelers.append(
            {"lot_id": p["lot_id"], "key_id": p["key_id"], "at": ev.occurred_at, "hlc": ev.hlc}
        )
        return job
    if t == "DrawingAttached":
        job.drawings.append(
            DrawingEntry(
                ev.event_id,
                p["sha256"],
                p["file_name"],
                p["content_type"],
                p["size"],
                p.get("drawing_no") or "",
                p.get("revision") or "",
                ev.occurred_at,
                ev.hlc,
            )
        )
        return job
    assert ev.op is not None
    lot_id = p["lot_id"]
    if t == "LotReceived":
        lot = job.lots.get(lot_id)
        if lot is None:
            lot = job.lots[lot_id] = LotState(lot_id, p["count"], origin_op=ev.op)
        elif _upstream(lot, ev.op):
            taken = sum(job.lots[c].qty for c in lot.children if c in job.lots)
            lot.qty, lot.origin_op = max(0, p["count"] - taken), ev.op
        prog = lot.ops.get(ev.op) or job.new_progress(ev.op)
        assert prog is not None
        prog.received = p["count"]
        sent = _sent_to(lot, ev.op, ev.firm_id)
        prog.receipt_gap = p["count"] - sent if sent is not None else 0
        lot.ops[ev.op] = prog
        if ev.op >= max(lot.ops):  # the lot's furthest step: that is where it is now
            lot.holder, lot.in_transit_to = ev.firm_id, None
        if p.get("skipped"):
            lot.skipped[ev.op] = tuple(p["skipped"])
        return job
    lot = job.lots[lot_id]
    if t == "LotSplit":
        n = p["count"]
        parent_prog = lot.ops[ev.op]
        child = LotState(p["child_lot_id"], n, parent=lot_id, holder=lot.holder)
        child.split_at = child.origin_op = ev.op
        step_prog = job.new_progress(ev.op)
        assert step_prog is not None
        step_prog.received = n
        if parent_prog.status == DONE:
            # Finished good parts go ahead: the child is done at this step, ready to hand on.
            parent_prog.split_off += n
            step_prog.status, step_prog.good = DONE, n
            step_prog.started_at, step_prog.finished_at = ev.occurred_at, ev.occurred_at
        else:
            parent_prog.received -= n
        child.ops[ev.op] = step_prog
        lot.qty -= n
        lot.children.append(child.lot_id)
        job.lots[child.lot_id] = child
        return job
    prog = lot.ops[ev.op]
    if t == "OpStarted":
        prog.status, prog.started_at, prog.run_since = RUNNING, ev.occurred_at, ev.occurred_at
    elif t == "OpPaused":
        prog.working_s += _elapsed(prog.run_since, ev.occurred_at)
        prog.status, prog.run_since, prog.pause_reason = PAUSED, None, p["reason"]
        prog.paused_since = ev.occurred_at
    elif t == "OpResumed":
        _end_pause(prog, ev.occurred_at)
        prog.status, prog.run_since, prog.pause_reason = RUNNING, ev.occurred_at, None
    elif t == "OpFinished":
        _end_pause(prog, ev.occurred_at)
        prog.working_s += _elapsed(prog.run_since, ev.occurred_at)
        prog.status, prog.run_since, prog.finished_at = DONE, None, ev.occurred_at
        prog.good, prog.defect, prog.scrap = p["good"], p["defect"], p["scrap"]
    elif t == "DefectRecorded":
        prog.defects_recorded += p["count"]
        prog.recorded_by[p["disposition"]] = prog.recorded_by.get(p["disposition"], 0) + p["count"]
        job.defects.append(
            DefectEntry(
                ev.event_id,
                lot_id,
                ev.op,
                p["code"],
                p["count"],
                p["disposition"],
                p.get("note") or "",
                ev.occurred_at,
                tuple(p.get("photos") or ()),
            )
        )
    elif t == "MeasurementTaken":
        job.measurements.append(
            Measurement(
                ev.event_id,
                lot_id,
                ev.op,
                p["characteristic"],
                Decimal(p["nominal"]),
                Decimal(p["tol_minus"]),
                Decimal(p["tol_plus"]),
                Decimal(p["value"]),
                p["unit"],
                p.get("gauge") or "",
                ev.occurred_at,
            )
        )
    elif t == "LotHandedOff":
        prog.handed_off += p["count"]
        lot.holder, lot.in_transit_to = ev.firm_id, p["to_firm"]
    return job


def _end_pause(prog: OpProgress, at: str) -> None:
    if prog.status == PAUSED and prog.pause_reason is not None:
        reason = prog.pause_reason
        prog.paused_s[reason] = prog.paused_s.get(reason, 0.0) + _elapsed(prog.paused_since, at)
    prog.paused_since = None  # pause_reason stays as the projection has always shown it


def _sent_to(lot: LotState, seq: int, firm: str) -> int | None:
    """How many parts the previous op of this lot handed to ``firm``, if any was handed."""
    earlier = [s for s in lot.ops if s < seq and lot.ops[s].handed_off]
    if not earlier:
        return None
    return lot.ops[max(earlier)].handed_off


def step(job: JobState | None, ev: Event) -> JobState | None:
    """Check and apply one event in order; a refused event becomes an anomaly."""
    reason = check(job, ev)
    if reason is None:
        job = apply(job, ev)
    elif job is not None:
        job.anomalies.append((ev.event_id, reason.value))
    if job is not None:
        job.last_key = max(job.last_key, ev.order_key)
        job.event_count += 1
    return job


def correction_target(candidates: list[Event], correction: Event) -> Event | None:
    """The event a correction supersedes. Ids are unique per terminal, not across
    terminals (a firm that read another's id off a traveler may reuse it): the event of
    the correcting firm is meant, from the same terminal when there are several."""
    own = [e for e in candidates if e.firm_id == correction.firm_id]
    same = [e for e in own if e.terminal_id == correction.terminal_id]
    pick = same or own or candidates
    return pick[0] if pick else None


def _correction_problem(target: Event | None, e: Event) -> Reason | None:
    if target is None or target.type in ("EventCorrected", "JobCreated"):
        return Reason.CANNOT_CORRECT
    if target.firm_id != e.firm_id:
        return Reason.NOT_YOUR_EVENT
    if target.order_key > e.order_key:
        return Reason.CANNOT_CORRECT
    replacement = e.payload.get("replacement")
    if replacement and replacement.get("type") != target.type:
        return Reason.REPLACEMENT_TYPE
    if target.job_id != e.job_id:
        return Reason.JOB_MISMATCH
    return None


def fold(events: Iterable[Event]) -> JobState | None:
    """The state of one job from all of its events, in any order they arrive.

    Trust is enforced here as well as at the hub, because a feed, a traveler or an old
    hub may still carry a bad event: it is kept, refused in the state and listed as an
    anomaly. Only an event's own firm corrects it; a correction keeps the event's type;
    a ``JobCreated`` whose id is namespaced by its own (lead) firm wins over any other
    claim to that job id, whatever its clock stamp."""
    ordered = sorted(events, key=lambda e: e.order_key)
    by_id: dict[str, list[Event]] = {}
    for e in ordered:
        by_id.setdefault(e.event_id, []).append(e)
    rightful = next(
        (e for e in ordered if e.type == "JobCreated" and owns_job_id(e)),
        None,
    )
    winners: dict[tuple[str, str], Event] = {}  # (terminal, id) superseded -> last correction
    bad: dict[tuple[str, str], Reason] = {}
    for e in ordered:
        if e.type != "EventCorrected":
            continue
        target = correction_target(by_id.get(e.payload["supersedes"], []), e)
        problem = _correction_problem(target, e)
        if problem is not None or target is None:
            bad[(e.terminal_id, e.event_id)] = problem or Reason.CANNOT_CORRECT
            continue
        winners[(target.terminal_id, target.event_id)] = e
    job: JobState | None = None
    for e in ordered:
        if e.type == "EventCorrected":
            if job is not None:
                why = bad.get((e.terminal_id, e.event_id))
                if why is not None:
                    job.anomalies.append((e.event_id, why.value))
                elif e.operator:
                    job.operators[(e.terminal_id, e.event_id)] = e.operator
                job.last_key = max(job.last_key, e.order_key)
                job.event_count += 1
            continue
        if e.type == "JobCreated" and rightful is not None and e is not rightful:
            # Another firm's claim to this job id (or a second creation): never applied.
            if job is None:
                job = JobState(e.job_id or "")
            job.anomalies.append(
                (
                    e.event_id,
                    (Reason.JOB_ID_NOT_OURS if not owns_job_id(e) else Reason.JOB_EXISTS).value,
                )
            )
            job.last_key = max(job.last_key, e.order_key)
            job.event_count += 1
            continue
        correction = winners.get((e.terminal_id, e.event_id))
        if correction is not None:
            replacement = correction.payload.get("replacement")
            if not replacement:
                continue
            # The replacement takes the place of the event it corrects, in its order.
            e = Event(
                event_id=correction.event_id,
                terminal_id=e.terminal_id,
                seq=e.seq,
                hlc=e.hlc,
                occurred_at=e.occurred_at,
                firm_id=correction.firm_id,
                job_id=e.job_id,
                op=e.op,
                type=replacement["type"],
                payload=replacement["payload"],
                operator=correction.operator,
            )
            job = step(job, e)
            if job is not None:
                job.event_count -= 1  # counted with the correction itself
            continue
        job = step(job, e)
    return job


def needs_refold(job: JobState | None, ev: Event) -> bool:
    """True when ``ev`` cannot be applied on top of ``job`` and the job must be replayed."""
    if ev.type == "EventCorrected" or (ev.type == "JobCreated" and job is not None):
        return True
    return job is not None and ev.order_key < job.last_key


def working_seconds(prog: OpProgress, now_iso: str) -> float:
    """Working time so far, counting a running op up to ``now_iso``."""
    if prog.status == RUNNING:
        return prog.working_s + _elapsed(prog.run_since, now_iso)
    return prog.working_s


def paused_seconds(prog: OpProgress, now_iso: str) -> dict[str, float]:
    """Time paused so far by reason, counting a current pause up to ``now_iso``."""
    out = dict(prog.paused_s)
    if prog.status == PAUSED and prog.pause_reason is not None:
        extra = _elapsed(prog.paused_since, now_iso)
        out[prog.pause_reason] = out.get(prog.pause_reason, 0.0) + extra
    return out
