"""The owner's review of a day or a week, and a lot's history across its route: Qt-free
figures the review screen shows and the tests recompute from the raw events.

- **Steps worked**: the 日報's steps (``daily.daily_report``, one computation of working
  and paused time), summed over the period's days, with each step's times: when the
  parts reached this shop (the previous firm's hand-off, our own previous step's finish,
  or the receipt when no hand-off is known), received, started, finished, handed on;
  the wait before (arrival → start) and after (finish → hand-off).
- **Late and at risk** (the jobs as they stand now): late when the due date has passed
  and the job is not done; at risk when not late but the steps still to do, at every
  firm on the route, times the typical days a step takes (``typical_step_days``) come to
  more than the days left.
- **At the door**: lots handed to this firm and not received yet; lots received and
  not started.
- **Lot history**: every step of a lot's route (its parent's before a split) with who
  did what and when, and how long each firm held it.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.store.daily import StepDay, worked_steps
from app.store.firms import firm_names
from app.store.store import EVENT_COLUMNS, Store, row_to_event
from wire.events import Event

# A step's typical lead time comes from steps finished in this many days before the
# review (door to door: from the previous step's finish, or the job's creation).
HISTORY_DAYS = 120
HISTORY_STEPS = 1000  # and at most this many, the latest (a busy shop's year stays quick)
DEFAULT_STEP_DAYS = 2.0  # when nothing has been finished yet
MIN_SAMPLES = 10  # per process; below this, the median over all processes


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _secs(a: str | None, b: str | None) -> float | None:
    ta, tb = _at(a), _at(b)
    return None if ta is None or tb is None else max(0.0, (tb - ta).total_seconds())


@dataclass(frozen=True, slots=True)
class StepTimes:
    """When a lot reached a step, and what happened to it there (UTC ISO, None: not yet)."""

    arrived_at: str | None  # handed to this firm (or our previous step finished)
    received_at: str | None
    started_at: str | None
    finished_at: str | None
    handed_off_at: str | None  # to the next firm (or our next step received it)

    @property
    def wait_before_s(self) -> float | None:
        return _secs(self.arrived_at or self.received_at, self.started_at)

    @property
    def wait_after_s(self) -> float | None:
        return _secs(self.finished_at, self.handed_off_at)


@dataclass(frozen=True, slots=True)
class StepReview:
    """One step of this shop worked in the period: the 日報's figures summed over its
    days, and the step's times."""

    job_id: str
    part_no: str
    lot_id: str
    seq: int
    process: str
    operators: tuple[str, ...]
    worked_s: float
    paused_s: float
    received: int
    good: int
    defect: int
    scrap: int
    status: str
    finished: bool
    times: StepTimes


@dataclass(frozen=True, slots=True)
class JobRisk:
    job_id: str
    part_no: str
    due: str
    days_left: int  # negative: days late
    remaining: tuple[tuple[int, str, str], ...]  # (op, process, firm) still to do
    needed_days: float  # remaining steps × typical days per step
    late: bool


@dataclass(frozen=True, slots=True)
class DoorLot:
    job_id: str
    part_no: str
    lot_id: str
    seq: int | None  # our step it waits for (None: still on the way)
    state: str  # "in_transit" (handed to us, not received) or "received" (not started)
    count: int
    since: str | None  # hand-off or receipt time
    due: str
    from_firm: str


@dataclass(slots=True)
class PeriodReview:
    firm: str
    first: date
    days: int
    steps: list[StepReview] = field(default_factory=list)
    late: list[JobRisk] = field(default_factory=list)
    at_risk: list[JobRisk] = field(default_factory=list)
    door: list[DoorLot] = field(default_factory=list)
    typical_step_days: dict[str, float] = field(default_factory=dict)  # process ("*": all)
    operator_names: dict[str, str] = field(default_factory=dict)

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)

    @property
    def jobs_moved(self) -> list[str]:
        return sorted({s.job_id for s in self.steps})

    @property
    def worked_s(self) -> float:
        return sum(s.worked_s for s in self.steps)

    def total(self, key: str) -> int:
        return sum(int(getattr(s, key)) for s in self.steps)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="milliseconds")


def applied_events(events: list[Event]) -> list[Event]:
    """The job's events as the state applies them: an undone event dropped, a corrected
    one replaced by its correction's numbers (at the original's place and time)."""
    fixes: dict[tuple[str, str], Event] = {}
    for e in events:
        if e.type == "EventCorrected":
            fixes[(e.firm_id, str(e.payload["supersedes"]))] = e
    out = []
    for e in events:
        if e.type == "EventCorrected":
            continue
        fix = fixes.get((e.firm_id, e.event_id))
        if fix is None:
            out.append(e)
            continue
        rep = fix.payload.get("replacement")
        if rep:
            out.append(
                Event(
                    e.event_id, e.terminal_id, e.seq, e.hlc, e.occurred_at, e.firm_id,
                    e.job_id, e.op, str(rep["type"]), dict(rep["payload"]), e.schema_version,
                    e.operator,
                )
            )  # fmt: skip
    return out


def step_times(
    events: list[Event], route: list[dict[str, Any]]
) -> dict[tuple[str, int], StepTimes]:
    """(lot, op) -> its times, from the job's applied events (first of each kind)."""
    seen: dict[tuple[str, int, str], str] = {}
    for e in sorted(events, key=lambda e: e.order_key):
        if e.op is None or "lot_id" not in e.payload:
            continue
        key = (str(e.payload["lot_id"]), e.op, e.type)
        seen.setdefault(key, e.occurred_at)
    seqs = [int(s["seq"]) for s in route]
    firms = {int(s["seq"]): s["firm"] for s in route}
    lots_ = {lot for lot, _, _ in seen}
    out: dict[tuple[str, int], StepTimes] = {}
    for lot in lots_:
        for i, seq in enumerate(seqs):
            got = {t: seen.get((lot, seq, t)) for t in ("LotReceived", "OpStarted", "OpFinished")}
            if not any(got.values()):
                continue
            prev = seqs[i - 1] if i > 0 else None
            nxt = seqs[i + 1] if i + 1 < len(seqs) else None
            arrived = None
            if prev is not None:
                same = firms[prev] == firms[seq]
                arrived = seen.get((lot, prev, "OpFinished" if same else "LotHandedOff"))
            after = seen.get((lot, seq, "LotHandedOff"))
            if after is None and nxt is not None and firms[nxt] == firms[seq]:
                after = seen.get((lot, nxt, "LotReceived"))
            out[(lot, seq)] = StepTimes(
                arrived, got["LotReceived"], got["OpStarted"], got["OpFinished"], after
            )
    return out


def _merge(days: list[list[StepDay]]) -> dict[tuple[str, str, int], list[StepDay]]:
    by: dict[tuple[str, str, int], list[StepDay]] = defaultdict(list)
    for steps in days:
        for s in steps:
            by[(s.job_id, s.lot_id, s.seq)].append(s)
    return by


def typical_step_days(store: Store, today: date) -> dict[str, float]:
    """Median days a step takes, door to door (from the lot's previous step's finish, or
    the job's creation for its first step), over the latest ``HISTORY_STEPS`` steps
    finished, no further back than ``HISTORY_DAYS`` before ``today``: per process with at
    least ``MIN_SAMPLES``, and ``"*"`` over all."""
    since = _iso(datetime.combine(today - timedelta(days=HISTORY_DAYS), datetime.min.time(), UTC))
    rows = store.conn.execute(
        "SELECT o.process, julianday(o.finished_at) - julianday(coalesce("
        "(SELECT p.finished_at FROM ops p WHERE p.lot_id = o.lot_id AND p.seq < o.seq "
        "ORDER BY p.seq DESC LIMIT 1), j.created_at)) FROM ops o JOIN jobs j USING (job_id) "
        "WHERE o.status = 'done' AND o.finished_at >= ? ORDER BY o.finished_at DESC LIMIT ?",
        (since, HISTORY_STEPS),
    ).fetchall()
    samples: dict[str, list[float]] = defaultdict(list)
    for process, days in rows:
        if days is not None:
            samples[process].append(max(0.0, days))
            samples["*"].append(max(0.0, days))
    out = {"*": statistics.median(samples["*"]) if samples["*"] else DEFAULT_STEP_DAYS}
    for process, xs in samples.items():
        if process != "*" and len(xs) >= MIN_SAMPLES:
            out[process] = statistics.median(xs)
    return out


def risks(
    store: Store, firm: str, today: date
) -> tuple[list[JobRisk], list[JobRisk], dict[str, float]]:
    """(late, at risk, typical days per step) among the firm's jobs not done."""
    typical = typical_step_days(store, today)
    jobs = store.rows(
        "SELECT job_id, part_no, due, route, lead_firm FROM jobs WHERE status != 'done'"
    )
    mine = [
        j
        for j in jobs
        if j["lead_firm"] == firm or any(s["firm"] == firm for s in json.loads(j["route"]))
    ]
    done_at: dict[str, dict[str, int]] = defaultdict(dict)  # job -> lot -> furthest done op
    ids = [j["job_id"] for j in mine]
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for job_id, lot_id in store.conn.execute(
            f"SELECT job_id, lot_id FROM lots WHERE job_id IN ({marks})", chunk
        ):
            done_at[job_id].setdefault(lot_id, 0)
        for job_id, lot_id, seq in store.conn.execute(
            f"SELECT job_id, lot_id, max(seq) FROM ops WHERE job_id IN ({marks}) "
            "AND status = 'done' GROUP BY job_id, lot_id",
            chunk,
        ):
            done_at[job_id][lot_id] = seq
    late, at_risk = [], []
    for j in mine:
        route = json.loads(j["route"])
        lots_ = done_at.get(j["job_id"]) or {"": 0}
        behind = min(lots_.values())  # the least advanced lot decides
        remaining = tuple(
            (int(s["seq"]), s["process"], s["firm"]) for s in route if s["seq"] > behind
        )
        if not remaining:
            continue
        needed = sum(typical.get(p, typical["*"]) for _, p, _ in remaining)
        left = (date.fromisoformat(j["due"]) - today).days
        risk = JobRisk(
            j["job_id"], j["part_no"], j["due"], left, remaining, round(needed, 1), left < 0
        )
        if risk.late:
            late.append(risk)
        elif needed > left:
            at_risk.append(risk)
    late.sort(key=lambda r: (r.due, r.job_id))
    at_risk.sort(key=lambda r: (r.days_left - r.needed_days, r.job_id))
    return late, at_risk, typical


def at_the_door(store: Store, firm: str) -> list[DoorLot]:
    """Lots handed to ``firm`` and not received, then lots received and not started."""
    out: list[DoorLot] = []
    for r in store.rows(
        "SELECT l.job_id, l.lot_id, l.holder, j.part_no, j.due FROM lots l "
        "JOIN jobs j USING (job_id) WHERE l.in_transit_to = ? ORDER BY j.due, l.lot_id",
        (firm,),
    ):
        ev = _last_of(store, r["job_id"], "LotHandedOff", r["lot_id"])
        count = int(ev.payload["count"]) if ev else 0
        out.append(
            DoorLot(r["job_id"], r["part_no"], r["lot_id"], None, "in_transit", count,
                    ev.occurred_at if ev else None, r["due"], r["holder"] or "")
        )  # fmt: skip
    for r in store.rows(
        "SELECT o.job_id, o.lot_id, o.seq, o.received, j.part_no, j.due FROM ops o "
        "JOIN jobs j USING (job_id) WHERE o.firm = ? AND o.status = 'waiting' AND o.received > 0 "
        "ORDER BY j.due, o.lot_id",
        (firm,),
    ):
        ev = _last_of(store, r["job_id"], "LotReceived", r["lot_id"], r["seq"])
        out.append(
            DoorLot(r["job_id"], r["part_no"], r["lot_id"], r["seq"], "received", r["received"],
                    ev.occurred_at if ev else None, r["due"],
                    str(ev.payload.get("from_firm") or "") if ev else "")
        )  # fmt: skip
    return out


def _last_of(
    store: Store, job_id: str, type_: str, lot_id: str, op: int | None = None
) -> Event | None:
    rows = store.conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE job_id = ? AND type = ? "
        "AND json_extract(payload, '$.lot_id') = ? AND (? IS NULL OR op = ?) ORDER BY hlc DESC",
        (job_id, type_, lot_id, op, op),
    ).fetchall()
    return row_to_event(rows[0]) if rows else None


def period_review(
    store: Store, first: date, days: int = 1, firm: str | None = None, tz: Any = None,
    today: date | None = None,
) -> PeriodReview:  # fmt: skip
    """The review of ``days`` local days from ``first`` (1: a day, 7: a week)."""
    firm = firm or store.firm_id
    review = PeriodReview(firm, first, days)
    review.operator_names = {oid: rec.name for oid, rec in store.operators().items()}
    read: dict[str, list[Event]] = {}
    merged = _merge(worked_steps(store, firm, first, days, tz, read))
    times: dict[str, dict[tuple[str, int], StepTimes]] = {}
    jobs: dict[str, Any] = {}
    for job_id in sorted({k[0] for k in merged}):
        job = store.job(job_id)
        jobs[job_id] = job
        events = applied_events(read[job_id] if job_id in read else store.job_events(job_id))
        times[job_id] = step_times(events, job.route.to_dicts() if job else [])
    for (job_id, lot_id, seq), parts in sorted(
        merged.items(), key=lambda kv: kv[1][0].first_at or datetime.min.replace(tzinfo=UTC)
    ):
        last = parts[-1]
        fin = any(p.finished for p in parts)
        review.steps.append(
            StepReview(
                job_id, last.part_no, lot_id, seq, last.process,
                tuple(dict.fromkeys(o for p in parts for o in p.operators)),
                sum(p.worked_s for p in parts), sum(p.paused_total_s for p in parts),
                sum(p.received for p in parts), sum(p.good for p in parts),
                sum(p.defect for p in parts), sum(p.scrap for p in parts),
                last.status, fin,
                times[job_id].get((lot_id, seq), StepTimes(None, None, None, None, None)),
            )
        )  # fmt: skip
    review.late, review.at_risk, review.typical_step_days = risks(
        store, firm, today or _today(store, tz)
    )
    review.door = at_the_door(store, firm)
    return review


def _today(store: Store, tz: Any) -> date:
    from app.store.daily import SHOP_TZ

    zone: Any = tz
    if zone is None:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(SHOP_TZ)
    return datetime.fromisoformat(store.now()).astimezone(zone).date()


# -- a lot's history ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LotEntry:
    """One record of the lot: when, which firm, who, what."""

    at: str
    firm: str
    operator: str
    type: str
    op: int | None
    summary: dict[str, Any]
    corrected: bool  # a correction changed or cancelled it


@dataclass(frozen=True, slots=True)
class FirmHold:
    firm: str
    firm_name: str
    steps: tuple[tuple[int, str], ...]  # (op, process)
    received_at: str | None
    left_at: str | None  # handed on (None: still there, or the last firm)
    held_s: float  # up to now while it is still there


@dataclass(frozen=True, slots=True)
class LotHistory:
    job_id: str
    part_no: str
    lot_id: str
    lineage: tuple[str, ...]  # the lot, then its parents
    holds: tuple[FirmHold, ...]
    steps: tuple[tuple[int, str, str, StepTimes], ...]  # (op, process, firm, times)
    entries: tuple[LotEntry, ...]


def lot_history(store: Store, job_id: str, lot_id: str) -> LotHistory:
    """Every firm's records of the lot (and of its parents before the split), in order."""
    from app.store.inspection import NoSuchLot

    job = store.job(job_id)
    if job is None or not job.created_at or lot_id not in job.lots:
        raise NoSuchLot("unknown_lot", lot_id)
    lineage = [lot_id]
    while (parent := job.lots[lineage[-1]].parent) is not None and parent in job.lots:
        lineage.append(parent)
    raw = store.job_events(job_id)
    corrected = {
        (e.firm_id, str(e.payload["supersedes"])) for e in raw if e.type == "EventCorrected"
    }
    applied = applied_events(raw)
    split_at = {
        lot: job.lots[lot].split_at for lot in lineage if job.lots[lot].split_at is not None
    }

    # Which lot's records count at each step: the lot's own, and a parent's before the
    # step the child was split off at.
    def belongs(e: Event) -> bool:
        lot = str(e.payload.get("lot_id", ""))
        if lot == lot_id:
            return True
        if lot not in lineage or e.op is None:
            return False
        child = lineage[lineage.index(lot) - 1]
        return split_at.get(child) is not None and e.op <= int(split_at[child] or 0)

    mine = [e for e in applied if e.op is not None and "lot_id" in e.payload and belongs(e)]
    route: list[dict[str, Any]] = job.route.to_dicts()
    times = _nearest(step_times(mine, route), lineage)
    names = firm_names(store)
    steps = tuple((o.seq, o.process, o.firm, times[o.seq]) for o in job.route.ops if o.seq in times)
    holds: list[FirmHold] = []
    now = store.now()
    for op, process, firm, t in steps:
        if holds and holds[-1].firm == firm:
            h = holds[-1]
            holds[-1] = FirmHold(firm, h.firm_name, (*h.steps, (op, process)), h.received_at,
                                 t.handed_off_at, 0.0)  # fmt: skip
        else:
            holds.append(FirmHold(firm, names.get(firm, ""), ((op, process),), t.received_at,
                                  t.handed_off_at, 0.0))  # fmt: skip
    last_seq = job.route.ops[-1].seq if job.route.ops else None
    done_last = last_seq is not None and last_seq in times and times[last_seq].finished_at
    final: list[FirmHold] = []
    for i, h in enumerate(holds):
        end = h.left_at
        if end is None and i == len(holds) - 1 and done_last:
            end = times[h.steps[-1][0]].finished_at
        held = _secs(h.received_at, end or now) or 0.0
        final.append(FirmHold(h.firm, h.firm_name, h.steps, h.received_at, h.left_at, held))
    roster = store.operators()
    entries = tuple(
        LotEntry(
            e.occurred_at,
            e.firm_id,
            roster[e.operator].name
            if e.operator in roster and e.firm_id == store.firm_id
            else (e.operator or ""),
            e.type,
            e.op,
            {
                k: v
                for k, v in e.payload.items()
                if k not in ("lot_id", "from_firm", "skipped", "operator")
            },
            (e.firm_id, e.event_id) in corrected,
        )
        for e in sorted(
            [x for x in raw if x.type != "EventCorrected" and x.op is not None and belongs(x)]
            + [x for x in raw if x.type == "RecordsApproved" and x.payload.get("lot_id") == lot_id],
            key=lambda e: e.order_key,
        )
    )
    return LotHistory(job_id, job.part_no, lot_id, tuple(lineage), tuple(final), steps, entries)


def _nearest(times: dict[tuple[str, int], StepTimes], lineage: list[str]) -> dict[int, StepTimes]:
    """One StepTimes per op: the lot's own where it has one, else the nearest parent's."""
    best: dict[int, tuple[int, StepTimes]] = {}
    for (lot, seq), t in times.items():
        rank = lineage.index(lot) if lot in lineage else len(lineage)
        if seq not in best or rank < best[seq][0]:
            best[seq] = (rank, t)
    return {seq: t for seq, (_, t) in sorted(best.items())}
