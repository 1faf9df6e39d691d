"""The 日報 (daily report) of one shop and one local day, from the events of that day
through the core's state: no Qt, plain dataclasses for the printer and the tests.

Time within the day is a difference of two replays of the job: the state at the day's
end (or now, for today) minus the state at its start, each read with the core's
``working_seconds`` and ``paused_seconds``. A step that ran across midnight therefore
counts only its hours of this day, and a correction recorded later (an
``EventCorrected``) is applied in both replays, so a reprinted report shows the
corrected figures. Machine time comes from ``MachineStateChanged`` signals: the state a
machine was in when the day began, then each change, clipped to the day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.core.state import DONE, JobState, fold, paused_seconds, working_seconds
from app.store.approvals import ApprovalStatus, day_approval
from app.store.code_names import own_names
from app.store.firms import firm_names
from app.store.store import EVENT_COLUMNS, Store, row_to_event
from wire.events import MACHINE_STATES, Event

# The shop's time zone when none is given (the consortium's shops are in Ota ward).
SHOP_TZ = "Asia/Tokyo"
# The events that put a step on a day's report (what was done to it that day).
WORK_TYPES = frozenset(
    {"LotReceived", "OpStarted", "OpPaused", "OpResumed", "OpFinished", "DefectRecorded"}
)


@dataclass(frozen=True, slots=True)
class StepDay:
    """One job's step as worked on the day."""

    job_id: str
    part_no: str
    lot_id: str
    seq: int
    process: str
    operators: tuple[str, ...]  # operator ids, in the order they first acted that day
    worked_s: float
    paused_s: dict[str, float]  # pause reason code -> seconds paused that day
    received: int  # received at this step that day
    good: int  # the finish's counts, when the step was finished that day
    defect: int
    scrap: int
    status: str  # at the end of the day: waiting, running, paused, done
    finished: bool  # finished that day
    first_at: datetime | None = None  # the step's first and last record of the day
    last_at: datetime | None = None

    @property
    def paused_total_s(self) -> float:
        return sum(self.paused_s.values())


@dataclass(frozen=True, slots=True)
class MachineDay:
    machine: str
    seconds: dict[str, float]  # machine state (run, stop, alarm, off) -> seconds that day
    unknown_s: float  # before its first signal of the day, when no earlier signal says

    def of(self, state: str) -> float:
        return self.seconds.get(state, 0.0)


@dataclass(frozen=True, slots=True)
class DefectDay:
    code: str
    count: int
    parts: tuple[str, ...]


@dataclass(slots=True)
class DailyReport:
    day: date
    firm: str
    firm_name: str
    start: datetime  # the day's bounds in UTC; ``end`` is now for a day not over yet
    end: datetime
    steps: list[StepDay] = field(default_factory=list)
    machines: list[MachineDay] = field(default_factory=list)
    defects: list[DefectDay] = field(default_factory=list)
    operator_names: dict[str, str] = field(default_factory=dict)
    tz: Any = None  # the shop's time zone, for the times printed
    # The owner's (or inspector's) latest sign-off of the day, and what changed since.
    approval: ApprovalStatus | None = None
    # A firm's own defect codes and pause reasons by their names (code -> (ja, en)).
    defect_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    pause_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def worked_s(self) -> float:
        return sum(s.worked_s for s in self.steps)

    @property
    def paused_s(self) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for s in self.steps:
            for reason, secs in s.paused_s.items():
                out[reason] += secs
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def total(self, key: str) -> int:
        return sum(int(getattr(s, key)) for s in self.steps)

    def operator_name(self, operator_id: str) -> str:
        return self.operator_names.get(operator_id) or operator_id


def day_bounds(day: date, tz: Any = None) -> tuple[datetime, datetime]:
    """The UTC bounds of a local calendar day (the shop's day, not Greenwich's)."""
    from app.store.reports import utc_range  # one definition of the day

    lo, hi = utc_range(day, tz)
    return datetime.fromisoformat(lo), datetime.fromisoformat(hi)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="milliseconds")


def _until(events: list[Event], t: datetime) -> JobState | None:
    """The job's state at ``t``: its events that happened before ``t``, with every
    correction (a correction replaces its target in place, whenever it was made)."""
    return fold(e for e in events if e.type == "EventCorrected" or _at(e.occurred_at) < t)


def _candidate_jobs(store: Store, firm: str, lo: datetime, hi: datetime) -> list[str]:
    """Jobs with this firm's records that day, and jobs with a step of ours that was
    running or paused through it (started before the day, not finished before it)."""
    rows = store.rows(
        "SELECT DISTINCT job_id FROM events WHERE firm_id = ? AND job_id IS NOT NULL "
        "AND occurred_at >= ? AND occurred_at < ? "
        "UNION SELECT DISTINCT job_id FROM ops WHERE firm = ? AND started_at IS NOT NULL "
        "AND started_at < ? AND (finished_at IS NULL OR finished_at >= ?)",
        (firm, _iso(lo), _iso(hi), firm, _iso(hi), _iso(lo)),
    )
    return sorted(r["job_id"] for r in rows)


def _job_steps(
    events: list[Event],
    firm: str,
    lo: datetime,
    hi: datetime,
    now: datetime,
    states: dict[datetime, JobState | None] | None = None,
) -> tuple[list[StepDay], JobState | None]:
    """The firm's steps of one job worked in [lo, hi); time counted up to ``now`` (the
    day's end, or the present moment for a day not over yet). ``states``: the job's
    state at a moment, kept between the days of a week (a day's end is the next's start)."""
    states = {} if states is None else states
    for t in (lo, hi):
        if t not in states:
            states[t] = _until(events, t)
    end, start = states[hi], states[lo]
    if end is None:
        return [], None
    todays: dict[tuple[str, int], list[Event]] = defaultdict(list)
    before: dict[tuple[str, int], Event] = {}
    for e in sorted(events, key=lambda e: e.order_key):
        if e.firm_id != firm or e.op is None or e.type not in WORK_TYPES:
            continue
        key, at = (str(e.payload.get("lot_id")), e.op), _at(e.occurred_at)
        if lo <= at < hi:
            todays[key].append(e)
        elif at < lo:
            before[key] = e
    hi_iso, lo_iso = _iso(min(hi, now)), _iso(lo)
    out = []
    for lot_id, lot in end.lots.items():
        for seq, prog in sorted(lot.ops.items()):
            if prog.firm != firm:
                continue
            key = (lot_id, seq)
            was = start.lots[lot_id].ops.get(seq) if start and lot_id in start.lots else None
            worked = working_seconds(prog, hi_iso) - (working_seconds(was, lo_iso) if was else 0.0)
            paused = paused_seconds(prog, hi_iso)
            for reason, secs in (paused_seconds(was, lo_iso) if was else {}).items():
                paused[reason] = paused.get(reason, 0.0) - secs
            paused = {r: s for r, s in paused.items() if s > 0.5}
            day_events = todays.get(key, [])
            if not day_events and worked < 0.5 and not paused:
                continue
            types = {e.type for e in day_events}
            finished = "OpFinished" in types and prog.status == DONE
            who = [e.operator for e in day_events if e.operator]
            if not who and key in before and before[key].operator:
                who = [before[key].operator or ""]  # worked all day from an earlier start
            out.append(
                StepDay(
                    job_id=end.job_id,
                    part_no=end.part_no,
                    lot_id=lot_id,
                    seq=seq,
                    process=prog.process,
                    operators=tuple(dict.fromkeys(who)),
                    worked_s=max(0.0, worked),
                    paused_s=paused,
                    received=prog.received if "LotReceived" in types else 0,
                    good=prog.good if finished else 0,
                    defect=prog.defect if finished else 0,
                    scrap=prog.scrap if finished else 0,
                    status=prog.status,
                    finished=finished,
                    first_at=_at(day_events[0].occurred_at) if day_events else None,
                    last_at=_at(day_events[-1].occurred_at) if day_events else None,
                )
            )
    return out, end


@dataclass(frozen=True, slots=True)
class MachineSpan:
    """One stretch of a machine in one state; ``state`` None before its first signal."""

    machine: str
    state: str | None
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def machine_spans(
    store: Store, firm: str, lo: datetime, hi: datetime, now: datetime | None = None
) -> list[MachineSpan]:
    """Each machine's states over [lo, hi) (counted up to ``now``) from its
    ``MachineStateChanged`` signals: the state it was in at ``lo`` (its latest signal
    before), then each change, clipped. The 日報's machine time and the owner's machine
    timeline are both this one computation."""
    cols = EVENT_COLUMNS
    stop = min(hi, now) if now is not None else hi
    # The state each machine was in when the range began: its latest signal before it
    # (for each machine the firm has, walking its index back from the range's start).
    known = [
        r[0]
        for r in store.conn.execute(
            "SELECT DISTINCT json_extract(payload, '$.machine') FROM events "
            "WHERE type = 'MachineStateChanged' AND firm_id = ? AND occurred_at >= ? "
            "AND occurred_at < ? UNION SELECT machine FROM machines",
            (firm, _iso(lo), _iso(hi)),
        )
    ]
    prior = []
    for machine in known:
        row = store.conn.execute(
            f"SELECT {cols}, occurred_at FROM events WHERE type = 'MachineStateChanged' "
            "AND firm_id = ? AND occurred_at < ? AND json_extract(payload, '$.machine') = ? "
            "ORDER BY occurred_at DESC LIMIT 1",
            (firm, _iso(lo), machine),
        ).fetchone()
        if row is not None:
            prior.append(row)
    during = store.conn.execute(
        f"SELECT {cols} FROM events WHERE type = 'MachineStateChanged' "
        "AND firm_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, hlc",
        (firm, _iso(lo), _iso(hi)),
    ).fetchall()
    state: dict[str, tuple[str | None, datetime]] = {}
    for row in prior:
        ev = row_to_event(row[:-1])
        state[str(ev.payload["machine"])] = (str(ev.payload["state"]), lo)
    spans: list[MachineSpan] = []

    def spend(machine: str, until: datetime) -> None:
        st, since = state.get(machine, (None, lo))
        a, b = max(since, lo), min(until, stop)
        if b > a:
            spans.append(MachineSpan(machine, st if st in MACHINE_STATES else None, a, b))

    for row in during:
        ev = row_to_event(row)
        machine, at = str(ev.payload["machine"]), _at(ev.occurred_at)
        spend(machine, at)
        state[machine] = (str(ev.payload["state"]), at)
    for machine in state:
        spend(machine, hi)
    spans.sort(key=lambda s: (s.machine, s.start))
    return spans


def machine_totals(spans: list[MachineSpan]) -> list[MachineDay]:
    """Seconds per state per machine, from its spans."""
    seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    unknown: dict[str, float] = defaultdict(float)
    for s in spans:
        if s.state is None:
            unknown[s.machine] += s.seconds
        else:
            seconds[s.machine][s.state] += s.seconds
    return [
        MachineDay(m, dict(seconds[m]), unknown[m])
        for m in sorted({s.machine for s in spans})
        if seconds[m] or unknown[m]
    ]


def worked_steps(
    store: Store,
    firm: str,
    first: date,
    days: int,
    tz: Any = None,
    read: dict[str, list[Event]] | None = None,
) -> list[list[StepDay]]:
    """The steps worked on each of ``days`` local days from ``first`` (the 日報's steps,
    the same computation), reading each job's events once for the whole period (into
    ``read``, by job, when given)."""
    read = {} if read is None else read
    bounds = [day_bounds(first + timedelta(days=i), tz) for i in range(days)]
    now = _at(store.now())
    out: list[list[StepDay]] = [[] for _ in bounds]
    for job_id in _candidate_jobs(store, firm, bounds[0][0], bounds[-1][1]):
        read[job_id] = store.job_events(job_id)
        # Readings change no step's time or counts: the replays here leave them out.
        events = [e for e in read[job_id] if not _reading(e)]
        states: dict[datetime, JobState | None] = {}
        # The span this firm worked the job: its first record to its last (to now while
        # a step of ours is still open). A day outside it has nothing of the job.
        ours = [_at(e.occurred_at) for e in events if e.firm_id == firm and e.op is not None]
        if not ours:
            continue
        open_step = _open_steps(events, firm)
        span = (min(ours), now if open_step else max(ours))
        for i, (lo, hi) in enumerate(bounds):
            if span[1] < lo or span[0] >= hi:
                continue
            end = min(hi, now) if now > lo else hi
            if end != hi:
                states.pop(hi, None)  # a day not over: counted up to now, not its end
            out[i].extend(_job_steps(events, firm, lo, hi, end, states)[0])
    for i, (lo, _) in enumerate(bounds):
        out[i].sort(key=lambda s: (s.first_at or lo, s.job_id, s.lot_id, s.seq))
    return out


def _reading(e: Event) -> bool:
    """A measurement, or a correction of one."""
    if e.type == "EventCorrected":
        rep = e.payload.get("replacement")
        return isinstance(rep, dict) and rep.get("type") == "MeasurementTaken"
    return e.type == "MeasurementTaken"


def _open_steps(events: list[Event], firm: str) -> bool:
    """Whether a step of ``firm`` was started and not finished (by the events' types)."""
    started = {
        (e.payload.get("lot_id"), e.op)
        for e in events
        if e.firm_id == firm and e.type == "OpStarted"
    }
    finished = {
        (e.payload.get("lot_id"), e.op)
        for e in events
        if e.firm_id == firm and e.type == "OpFinished"
    }
    return bool(started - finished)


def daily_report(store: Store, day: date, firm: str | None = None, tz: Any = None) -> DailyReport:
    """The 日報 of ``firm`` (default: this terminal's) for the local ``day`` in ``tz``."""
    firm = firm or store.firm_id
    lo, hi = day_bounds(day, tz)
    now = _at(store.now())
    end = min(hi, now) if now > lo else hi
    report = DailyReport(day, firm, firm_names(store).get(firm, ""), lo, end, tz=tz)
    defects: dict[str, int] = defaultdict(int)
    parts: dict[str, list[str]] = defaultdict(list)
    for job_id in _candidate_jobs(store, firm, lo, hi):
        steps, job = _job_steps(store.job_events(job_id), firm, lo, hi, end)
        report.steps.extend(steps)
        if job is None:
            continue
        for d in job.defects:
            route_op = job.route.op(d.op) if d.op is not None else None
            if route_op is None or route_op.firm != firm or not lo <= _at(d.occurred_at) < hi:
                continue
            defects[d.code] += d.count
            if job.part_no not in parts[d.code]:
                parts[d.code].append(job.part_no)
    # In the order the work was done, as a paper 日報 is written (a step worked through
    # the day from an earlier start comes first).
    report.steps.sort(key=lambda s: (s.first_at or lo, s.job_id, s.lot_id, s.seq))
    report.defects = [
        DefectDay(code, n, tuple(parts[code]))
        for code, n in sorted(defects.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    report.machines = machine_totals(machine_spans(store, firm, lo, hi, end))
    report.operator_names = {oid: rec.name for oid, rec in store.operators().items()}
    report.approval = day_approval(store, day, firm, tz)
    report.defect_names = own_names(store, "defect", (d.code for d in report.defects))
    report.pause_names = own_names(store, "pause", report.paused_s)
    return report
