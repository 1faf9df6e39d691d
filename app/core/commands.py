"""Core commands: one function per thing a person can do, the one place that decides.

Each takes the job's state (``None`` for a job this terminal has not heard of), who is
acting (``Actor``) and the answers, and returns a ``Command`` to record or a
``Refusal`` with a reason code (``app/core/rules.py``) that every screen and the CLI
word the same way. ``Store.record`` records a ``Command`` and nothing else writes.

What a screen offers comes from the same functions: ``possible`` asks each command
with harmless answers and keeps those that would be recorded.

The rules themselves live in ``app/core/state.py`` (``check``), the same code that
replays every event, so a command can never record what a replay would refuse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core import drawings, lots
from app.core.catalog import CatalogueEntry
from app.core.model import JobSpec, Operation
from app.core.rules import Reason
from app.core.state import DONE, WAITING, JobState, LotState, check
from wire.events import STEP_TYPES, Event, WireError, check_payload

OPERATOR, OWNER, INSPECTOR = "operator", "owner", "inspector"
ANY_OPERATOR = "~anyone"  # a stand-in for asking what could be done; never recorded
ROLES = (OPERATOR, OWNER, INSPECTOR)
APPROVERS = (OWNER, INSPECTOR)  # who signs a day's records or a lot's results off

RECEIVE, START, PAUSE, RESUME, FINISH, DEFECT, MEASURE, HAND_OFF, SPLIT = (
    "receive",
    "start",
    "pause",
    "resume",
    "finish",
    "defect",
    "measure",
    "hand_off",
    "split",
)
ACTIONS = (RECEIVE, START, PAUSE, RESUME, FINISH, DEFECT, MEASURE, HAND_OFF, SPLIT)

# Which fields of an event a correction may change; which events may be undone.
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "LotReceived": ("count",),
    "OpFinished": ("good", "defect", "scrap"),
    "DefectRecorded": ("count",),
    "LotHandedOff": ("count",),
    "MeasurementTaken": ("value",),
}
UNDOABLE = STEP_TYPES | {"TravelerIssued"}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: the terminal's firm, and the signed-in operator (``None`` only for
    what the terminal records by itself, such as machine signals)."""

    firm: str
    operator: str | None = None
    role: str = OPERATOR

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER


@dataclass(frozen=True, slots=True)
class Command:
    """An event to record, decided by the core: type, payload, job, op and operator."""

    type: str
    payload: Mapping[str, Any]
    job_id: str | None = None
    op: int | None = None
    operator: str | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a command is refused. ``reason`` is a ``Reason`` code (or a wire code);
    ``detail`` carries what the sentence needs (e.g. the steps a receipt would skip)."""

    reason: str
    detail: str = ""
    missing: tuple[int, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return False


Outcome = Command | Refusal


def _probe(job: JobState | None, actor: Actor, cmd: Command) -> Outcome:
    """Check the payload's shape and the domain rules as the store will on recording."""
    try:
        check_payload(cmd.type, cmd.payload)
    except WireError as exc:
        return Refusal(exc.code, exc.detail)
    ev = Event(
        event_id="probe",
        terminal_id="probe",
        seq=0,
        hlc=(job.last_key[0] + 1) if job is not None else 1,
        occurred_at="2000-01-01T00:00:00+00:00",
        firm_id=actor.firm,
        job_id=cmd.job_id,
        op=cmd.op,
        type=cmd.type,
        payload=dict(cmd.payload),
        operator=cmd.operator,
    )
    reason = check(job, ev)
    return Refusal(reason.value) if reason is not None else cmd


def _who(actor: Actor) -> Refusal | None:
    if not actor.firm:
        return Refusal("no_firm")
    if not actor.operator:
        return Refusal(Reason.NO_OPERATOR.value)
    return None


def _lot_step(job: JobState | None, actor: Actor, lot_id: str, op: int) -> Refusal | None:
    """Common refusals for acting on one lot at one step, before the rule check."""
    if job is None or not job.created_at:
        return Refusal(Reason.UNKNOWN_JOB.value)
    route_op = job.route.op(op)
    if route_op is None:
        return Refusal(Reason.UNKNOWN_OP.value, str(op))
    if route_op.firm != actor.firm:
        return Refusal(Reason.OP_NOT_FOR_THIS_FIRM.value, route_op.firm)
    if not lots.is_lot_of(job.job_id, lot_id):
        return Refusal(Reason.BAD_LOT_ID.value, lot_id)
    return None


def _act(
    job: JobState | None, actor: Actor, type_: str, lot_id: str, op: int, payload: dict[str, Any]
) -> Outcome:
    refusal = _who(actor) or _lot_step(job, actor, lot_id, op)
    if refusal is not None:
        return refusal
    assert job is not None
    cmd = Command(type_, {"lot_id": lot_id, **payload}, job.job_id, op, actor.operator)
    return _probe(job, actor, cmd)


# -- jobs -------------------------------------------------------------------------------


def create_job(existing: JobState | None, actor: Actor, spec: JobSpec) -> Outcome:
    """The lead firm creates a job; its id is namespaced by the firm (``F001-…``)."""
    refusal = _who(actor)
    if refusal is not None:
        return refusal
    if spec.lead_firm != actor.firm:
        return Refusal(Reason.NOT_LEAD_FIRM.value, spec.lead_firm)
    if not spec.job_id.startswith(actor.firm + "-"):
        return Refusal(Reason.JOB_ID_NOT_OURS.value, spec.job_id)
    if existing is not None and existing.created_at:
        return Refusal(Reason.JOB_EXISTS.value, spec.job_id)
    cmd = Command("JobCreated", spec.payload(), spec.job_id, None, actor.operator)
    return _probe(None, actor, cmd)


# -- a lot at a step --------------------------------------------------------------------


def receive(
    job: JobState | None,
    actor: Actor,
    lot_id: str,
    op: int,
    count: int,
    *,
    confirm_skip: bool = False,
) -> Outcome:
    """Receive a lot at a step of this firm. A receipt past steps that have no records
    for the lot (their firms may simply be offline; the paper in hand is evidence) is
    refused with ``skips_steps`` naming them, unless the receiver confirms; then the
    skipped steps are recorded with the receipt and listed until their records arrive."""
    refusal = _who(actor) or _lot_step(job, actor, lot_id, op)
    if refusal is not None:
        return refusal
    assert job is not None
    payload: dict[str, Any] = {"lot_id": lot_id, "count": count}
    prev = _previous(job, op)
    if prev is not None and prev.firm != actor.firm:
        payload["from_firm"] = prev.firm
    first = job.route.ops[0].seq
    missing = tuple(job.missing_steps(lot_id, op)) if lot_id in job.lots else ()
    if lot_id not in job.lots and op != first:
        missing = tuple(o.seq for o in job.route.ops if o.seq < op)
    if missing:
        if not confirm_skip:
            return Refusal(Reason.SKIPS_STEPS.value, ",".join(map(str, missing)), missing)
        payload["skipped"] = list(missing)
    return _probe(job, actor, Command("LotReceived", payload, job.job_id, op, actor.operator))


def _previous(job: JobState, op: int) -> Operation | None:
    earlier = [o for o in job.route.ops if o.seq < op]
    return earlier[-1] if earlier else None


def start(job: JobState | None, actor: Actor, lot_id: str, op: int) -> Outcome:
    return _act(job, actor, "OpStarted", lot_id, op, {})


def _names(own: CatalogueEntry | None) -> dict[str, str]:
    """A firm's own code travels with its names (other firms do not know it)."""
    return {"name_ja": own.ja, "name_en": own.en} if own is not None else {}


def pause(
    job: JobState | None,
    actor: Actor,
    lot_id: str,
    op: int,
    reason: str,
    own: CatalogueEntry | None = None,
) -> Outcome:
    """``own``: the firm's own reason, when ``reason`` is not a built-in one."""
    return _act(job, actor, "OpPaused", lot_id, op, {"reason": reason, **_names(own)})


def resume(job: JobState | None, actor: Actor, lot_id: str, op: int) -> Outcome:
    return _act(job, actor, "OpResumed", lot_id, op, {})


def finish(
    job: JobState | None, actor: Actor, lot_id: str, op: int, good: int, defect: int, scrap: int
) -> Outcome:
    """Finish a step with its counts. A reworked part may come back good, so the defect
    count may be below the defect records; scrapped parts do not come back, so the scrap
    count may not be below the parts recorded as scrap at this step."""
    out = _act(
        job, actor, "OpFinished", lot_id, op, {"good": good, "defect": defect, "scrap": scrap}
    )
    if isinstance(out, Command) and job is not None:
        recorded = job.lots[lot_id].ops[op].recorded_by.get("scrap", 0)
        if scrap < recorded:
            return Refusal(Reason.SCRAP_BELOW_RECORDED.value, f"{scrap} < {recorded}")
    return out


def record_defect(
    job: JobState | None,
    actor: Actor,
    lot_id: str,
    op: int,
    code: str,
    count: int,
    disposition: str = "rework",
    note: str = "",
    photos: Sequence[str] = (),
    own: CatalogueEntry | None = None,
) -> Outcome:
    """Record defective parts; ``photos`` names (SHA-256) the photos taken of them, whose
    files travel to the hub apart from the event; ``own``: the firm's own defect code,
    when ``code`` is not a built-in one."""
    payload: dict[str, Any] = {
        "code": code,
        "count": count,
        "disposition": disposition,
        "note": note,
        **_names(own),
    }
    if photos:  # absent rather than empty: a record without photos reads as before
        payload["photos"] = list(dict.fromkeys(photos))
    return _act(job, actor, "DefectRecorded", lot_id, op, payload)


def measure(
    job: JobState | None,
    actor: Actor,
    lot_id: str,
    op: int,
    *,
    characteristic: str,
    nominal: str,
    tol_minus: str,
    tol_plus: str,
    value: str,
    unit: str = "mm",
    gauge: str = "",
) -> Outcome:
    payload = {
        "characteristic": characteristic,
        "nominal": nominal,
        "tol_minus": tol_minus,
        "tol_plus": tol_plus,
        "value": value,
        "unit": unit,
        "gauge": gauge,
    }
    return _act(job, actor, "MeasurementTaken", lot_id, op, payload)


def hand_off(
    job: JobState | None,
    actor: Actor,
    lot_id: str,
    op: int,
    count: int,
    to_firm: str | None = None,
) -> Outcome:
    """Hand a lot's good parts on to the next step's firm (the route names it)."""
    if job is not None and job.created_at and to_firm is None:
        nxt = job.route.next_op(op)
        if nxt is None:
            return Refusal(Reason.UNKNOWN_OP.value, "last step")
        to_firm = nxt.firm
    return _act(job, actor, "LotHandedOff", lot_id, op, {"to_firm": to_firm or "", "count": count})


def split(job: JobState | None, actor: Actor, lot_id: str, op: int, count: int) -> Outcome:
    """Split ``count`` parts off a lot at a step this firm holds; the new lot gets the
    job's next lot number (``lots.next_lot``) and a traveler of its own."""
    refusal = _who(actor) or _lot_step(job, actor, lot_id, op)
    if refusal is not None:
        return refusal
    assert job is not None
    child = lots.next_lot(job.job_id, job.lots)
    payload = {"lot_id": lot_id, "child_lot_id": child, "count": count}
    return _probe(job, actor, Command("LotSplit", payload, job.job_id, op, actor.operator))


def issue_traveler(
    job: JobState | None, actor: Actor, lot_id: str, key_id: str, format_version: int, digest: str
) -> Outcome:
    """Record that the lead firm printed a lot's traveler (after the sheet is written)."""
    refusal = _who(actor)
    if refusal is not None:
        return refusal
    if job is None or not job.created_at:
        return Refusal(Reason.UNKNOWN_JOB.value)
    if actor.firm != job.lead_firm:
        return Refusal(Reason.NOT_LEAD_FIRM.value, job.lead_firm)
    if not lots.is_lot_of(job.job_id, lot_id):
        return Refusal(Reason.BAD_LOT_ID.value, lot_id)
    payload = {
        "lot_id": lot_id,
        "key_id": key_id,
        "format_version": format_version,
        "digest": digest,
    }
    return _probe(job, actor, Command("TravelerIssued", payload, job.job_id, None, actor.operator))


def attach_drawing(
    job: JobState | None,
    actor: Actor,
    *,
    sha256: str,
    file_name: str,
    content_type: str,
    size: int,
    drawing_no: str = "",
    revision: str = "",
) -> Outcome:
    """The lead firm attaches the job's drawing (again for a new revision). The drawing
    number defaults to the job's; the revision to the one the file's name states."""
    refusal = _who(actor)
    if refusal is not None:
        return refusal
    if job is None or not job.created_at:
        return Refusal(Reason.UNKNOWN_JOB.value)
    if actor.firm != job.lead_firm:
        return Refusal(Reason.NOT_LEAD_FIRM.value, job.lead_firm)
    job_no, job_rev = drawings.split_revision(job.drawing_no)
    payload = {
        "sha256": sha256,
        "file_name": file_name,
        "content_type": content_type,
        "size": size,
        "drawing_no": drawing_no.strip() or job_no,
        "revision": revision.strip() or drawings.revision_in_name(file_name) or job_rev,
    }
    cmd = Command("DrawingAttached", payload, job.job_id, None, actor.operator)
    return _probe(job, actor, cmd)


def traveler_lot(job: JobState | None, job_id: str, lot_id: str | None) -> str | Refusal:
    """Which lot a traveler about to be printed names: the one asked for, or the job's
    first lot, which is what the first receipt records (before or after printing)."""
    lot = lots.canonical(job_id, lot_id) if lot_id else lots.first_lot(job_id)
    if not lots.is_lot_of(job_id, lot):
        return Refusal(Reason.BAD_LOT_ID.value, lot)
    if job is not None and job.lots and lot not in job.lots and lot != lots.first_lot(job_id):
        return Refusal(Reason.UNKNOWN_LOT.value, lot)
    return lot


# -- corrections ------------------------------------------------------------------------


def _correctable(
    job: JobState | None, actor: Actor, events: Sequence[Event], target_id: str
) -> Event | Refusal:
    """The actor's own event ``target_id`` if they may correct or undo it now."""
    refusal = _who(actor)
    if refusal is not None:
        return refusal
    if job is None or not job.created_at:
        return Refusal(Reason.UNKNOWN_JOB.value)
    own = [e for e in events if e.event_id == target_id and e.firm_id == actor.firm]
    if not own:
        anyone = any(e.event_id == target_id for e in events)
        return Refusal((Reason.NOT_YOUR_EVENT if anyone else Reason.UNKNOWN_EVENT).value)
    target = own[0]
    if target_id in _corrected_ids(job, actor.firm, events):
        return Refusal(Reason.ALREADY_CORRECTED.value)
    if target.operator and target.operator != actor.operator and not actor.is_owner:
        # A machinist corrects their own records; the owner corrects anyone's.
        return Refusal(Reason.NOT_OWNER.value)
    return target


def _corrected_ids(job: JobState, firm: str, events: Sequence[Event]) -> set[str]:
    """Ids the firm has already corrected (by a correction the replay applied)."""
    refused = {e for e, _ in job.anomalies}
    return {
        str(e.payload.get("supersedes"))
        for e in events
        if e.type == "EventCorrected" and e.firm_id == firm and e.event_id not in refused
    }


def correct(
    job: JobState | None,
    actor: Actor,
    events: Sequence[Event],
    target_id: str,
    changes: Mapping[str, Any],
    reason: str = "fix",
) -> Outcome:
    """Correct the numbers of one of this firm's events: a new event supersedes it."""
    target = _correctable(job, actor, events, target_id)
    if isinstance(target, Refusal):
        return target
    allowed = CORRECTABLE.get(target.type, ())
    if not allowed or not changes or set(changes) - set(allowed):
        return Refusal(Reason.CANNOT_CORRECT.value, ",".join(sorted(set(changes) - set(allowed))))
    replacement = {"type": target.type, "payload": {**target.payload, **changes}}
    payload = {"supersedes": target_id, "reason": reason, "replacement": replacement}
    return _replay_check(job, events, actor, target, payload)


def undo(
    job: JobState | None,
    actor: Actor,
    events: Sequence[Event],
    target_id: str,
    reason: str = "undo",
) -> Outcome:
    """Cancel one of this firm's events: a correction with no replacement."""
    target = _correctable(job, actor, events, target_id)
    if isinstance(target, Refusal):
        return target
    if target.type not in UNDOABLE:
        return Refusal(Reason.CANNOT_CORRECT.value, target.type)
    payload = {"supersedes": target_id, "reason": reason, "replacement": None}
    return _replay_check(job, events, actor, target, payload)


def _replay_check(
    job: JobState | None,
    events: Sequence[Event],
    actor: Actor,
    target: Event,
    payload: dict[str, Any],
) -> Outcome:
    """A correction is refused when the job replayed with it would gain anomalies: undoing a
    receipt that later work rests on must undo that work first."""
    from app.core.state import fold

    cmd = Command("EventCorrected", payload, target.job_id, target.op, actor.operator)
    try:
        check_payload(cmd.type, cmd.payload)
    except WireError as exc:
        return Refusal(exc.code, exc.detail)
    before = {e for e, _ in job.anomalies} if job is not None else set()
    last = max((e.order_key for e in events), default=(0, "", 0))
    probe = Event(
        event_id="probe-correction",
        terminal_id="~probe",
        seq=0,
        hlc=last[0] + 1,
        occurred_at="2999-01-01T00:00:00+00:00",
        firm_id=actor.firm,
        job_id=target.job_id,
        op=target.op,
        type=cmd.type,
        payload=payload,
        operator=actor.operator,
    )
    after = fold([*events, probe])
    fresh = [r for e, r in (after.anomalies if after else []) if e not in before]
    if fresh:
        return Refusal(fresh[0])
    return cmd


def correctable_events(job: JobState | None, actor: Actor, events: Sequence[Event]) -> set[str]:
    """Ids of the events this actor may correct or undo (what the record list offers),
    in one pass over the job's events (the record list asks on every refresh)."""
    if _who(actor) is not None or job is None or not job.created_at:
        return set()
    corrected = _corrected_ids(job, actor.firm, events)
    return {
        e.event_id
        for e in events
        if e.firm_id == actor.firm
        and (e.type in CORRECTABLE or e.type in UNDOABLE)
        and e.event_id not in corrected
        and (not e.operator or e.operator == actor.operator or actor.is_owner)
    }


# -- sign-off ---------------------------------------------------------------------------


def records_digest(records: Sequence[Event]) -> str:
    """sha256 of the records' canonical texts in the order given: what was approved, to
    the byte (a later correction is a new event; the approved texts never change)."""
    h = hashlib.sha256()
    for e in records:
        h.update(e.content_digest().encode())
        h.update(b"\n")
    return h.hexdigest()


def approve(
    job: JobState | None,
    actor: Actor,
    records: Sequence[Event],
    *,
    day: str | None = None,
    lot_id: str | None = None,
) -> Outcome:
    """The owner or an inspector approves ``records``: a day's records of this firm
    (``day``, no job) or a lot's inspection results (``lot_id`` of ``job``). The records
    are named by id, in order, with the digest of their texts."""
    refusal = _who(actor)
    if refusal is not None:
        return refusal
    if actor.role not in APPROVERS:
        return Refusal(Reason.NOT_APPROVER.value)
    if not records:
        return Refusal(Reason.NOTHING_TO_APPROVE.value)
    if lot_id is None:
        if any(e.firm_id != actor.firm for e in records):
            return Refusal(Reason.NOT_YOUR_FIRM.value)
        payload: dict[str, Any] = {"scope": "day", "day": day}
        job_id = None
    else:
        if job is None or not job.created_at:
            return Refusal(Reason.UNKNOWN_JOB.value)
        payload, job_id = {"scope": "lot", "lot_id": lot_id}, job.job_id
    payload["records"] = [e.event_id for e in records]
    payload["digest"] = records_digest(records)
    return _probe(job, actor, Command("RecordsApproved", payload, job_id, None, actor.operator))


# -- what a screen offers ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """A step this firm can take on a lot now: the op, its status and the actions that
    the commands would record with harmless answers."""

    lot_id: str
    op: Operation
    status: str
    actions: tuple[str, ...]
    expected_count: int
    hand_to: Operation | None
    missing: tuple[int, ...] = ()  # steps a receipt here would skip


def possible(
    job: JobState | None, actor: Actor, scanned: tuple[str, int] | None = None
) -> list[Step]:
    """Every lot of the job with the step ``actor``'s firm can take on it now.

    ``scanned`` is a lot (and its quantity) whose traveler was just scanned here: the
    sheet is evidence the parts are at the door even before the previous firm's records
    arrive, so its receipt is offered (with the steps it would skip named)."""
    if job is None or not job.created_at:
        return []
    if not actor.operator:
        # Nobody signed in yet: what any operator of the firm could do (each command is
        # decided again, with the real operator, when it is recorded).
        actor = Actor(actor.firm, ANY_OPERATOR, actor.role)
    out: list[Step] = []
    candidates = list(job.lots)
    if not job.lots:
        candidates.append(lots.first_lot(job.job_id))
    if scanned is not None and scanned[0] not in candidates:
        candidates.append(scanned[0])
    for lot_id in candidates:
        step = _step_for(job, actor, lot_id, scanned)
        if step is not None:
            out.append(step)
    return out


def _step_for(
    job: JobState, actor: Actor, lot_id: str, scanned: tuple[str, int] | None
) -> Step | None:
    lot = job.lots.get(lot_id)
    was_scanned = scanned is not None and scanned[0] == lot_id
    for op in job.route.ops:
        if op.firm != actor.firm:
            continue
        prog = lot.ops.get(op.seq) if lot is not None else None
        nxt = job.route.next_op(op.seq)
        if prog is None or not prog.received:
            first = op.seq == job.route.ops[0].seq
            if lot is None and first and lots.number(job.job_id, lot_id) != 1:
                continue  # a split-off lot never starts at the first step
            if not (_arrived(job, lot, op) or was_scanned):
                continue
            expected = _expected(job, lot, op, scanned[1] if was_scanned and scanned else None)
            probe = receive(job, actor, lot_id, op.seq, max(1, expected), confirm_skip=True)
            if isinstance(probe, Refusal):
                continue
            missing = tuple(probe.payload.get("skipped") or ())
            return Step(lot_id, op, WAITING, (RECEIVE,), expected, nxt, missing)
        if prog.status == DONE and (nxt is None or prog.available <= 0 or nxt.firm == op.firm):
            continue  # nothing to hand on (an own next step receives the parts itself)
        probes = _probes(job, actor, lot_id, op.seq, prog.received, prog.available)
        actions = tuple(a for a, cmd in probes.items() if isinstance(cmd, Command))
        if actions:
            count = prog.available if prog.status == DONE else prog.received
            return Step(lot_id, op, prog.status, actions, count, nxt)
    return None


def _probes(
    job: JobState, actor: Actor, lot_id: str, op: int, received: int, available: int
) -> dict[str, Outcome]:
    return {
        START: start(job, actor, lot_id, op),
        PAUSE: pause(job, actor, lot_id, op, "BREAK"),
        RESUME: resume(job, actor, lot_id, op),
        FINISH: finish(job, actor, lot_id, op, 0, 0, 0),
        DEFECT: record_defect(job, actor, lot_id, op, "OTHER", 1),
        MEASURE: measure(
            job,
            actor,
            lot_id,
            op,
            characteristic="x",
            nominal="0",
            tol_minus="0",
            tol_plus="0",
            value="0",
        ),
        HAND_OFF: hand_off(job, actor, lot_id, op, max(1, available)),
        SPLIT: split(job, actor, lot_id, op, 1),
    }


def _arrived(job: JobState, lot: LotState | None, op: Operation) -> bool:
    """The lot is at this op's door: first op of the route, or handed to this firm."""
    if op.seq == job.route.ops[0].seq:
        # A lot not known here starts at the first step only if it is a first lot: a
        # higher number was split off somewhere along the route.
        return lot.parent is None if lot is not None else True
    if lot is None:
        return False
    prev = max((s for s in lot.ops if s < op.seq), default=None)
    if prev is None:
        return False
    before = _previous(job, op.seq)
    if before is not None and before.seq == prev and before.firm == op.firm:
        # The firm's own step before this one is done: the parts are already here.
        return lot.ops[prev].status == DONE
    return lot.ops[prev].handed_off > 0 and lot.in_transit_to == op.firm


def _expected(job: JobState, lot: LotState | None, op: Operation, scanned_qty: int | None) -> int:
    if lot is not None:
        prev = max((s for s in lot.ops if s < op.seq), default=None)
        if prev is not None and lot.ops[prev].handed_off:
            return lot.ops[prev].handed_off
        return lot.qty
    return scanned_qty if scanned_qty is not None else job.qty


# -- the shop itself --------------------------------------------------------------------


def machine_state(actor: Actor, machine: str, state: str, counter: int | None) -> Outcome:
    """A machine signal the terminal records by itself (no operator needed)."""
    if not actor.firm:
        return Refusal("no_firm")
    payload = {"machine": machine, "state": state, "counter": counter}
    return _probe(None, actor, Command("MachineStateChanged", payload, None, None, actor.operator))


def save_operator(
    roster: Mapping[str, Any],
    actor: Actor,
    *,
    operator_id: str,
    name: str,
    role: str = OPERATOR,
    badge: str = "",
    pin_hash: str = "",
    active: bool = True,
) -> Outcome:
    """Add or change one of the firm's operators. Only an owner may, except that the
    first person entered on a new terminal (the roster is empty) must be an owner."""
    if not actor.firm:
        return Refusal("no_firm")
    if roster and not actor.is_owner:
        return Refusal(Reason.NOT_OWNER.value)
    if not roster and role != OWNER:
        return Refusal(Reason.NOT_OWNER.value, "the first operator is the owner")
    if role not in ROLES:
        return Refusal("bad_field", "role")
    if not operator_id.startswith(actor.firm + "-"):
        return Refusal(Reason.NOT_YOUR_FIRM.value, operator_id)
    taken = [o for o, rec in roster.items() if badge and rec.badge == badge and o != operator_id]
    if taken:
        return Refusal("badge_taken", badge)
    payload = {
        "operator_id": operator_id,
        "name": name.strip(),
        "badge": badge,
        "pin_hash": pin_hash,
        "role": role,
        "status": "active" if active else "retired",
    }
    return _probe(None, actor, Command("OperatorSaved", payload, None, None, actor.operator))
