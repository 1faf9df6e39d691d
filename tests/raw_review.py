"""The review's, the 日報's and the 検査成績書's figures computed again, for the tests,
straight from the rows of the ``events`` table: JSON payloads read here, corrections
applied here, time summed here. Nothing from ``app.core.state`` or ``app.store``'s
figures is used, so a mistake in the fold or the figures cannot hide in both."""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

WORK = {"LotReceived", "OpStarted", "OpPaused", "OpResumed", "OpFinished", "DefectRecorded"}


@dataclass
class Raw:
    id: str
    terminal: str
    hlc: int
    seq: int
    at: datetime
    firm: str
    job: str | None
    op: int | None
    type: str
    p: dict[str, Any]
    operator: str | None

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.hlc, self.terminal, self.seq)

    @property
    def lot(self) -> str:
        return str(self.p.get("lot_id", ""))


def load(path: str) -> list[Raw]:
    """Every event, with each corrected one replaced by its correction's payload (an
    undone one dropped); corrections themselves kept apart as ``EventCorrected``."""
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT event_id, terminal_id, hlc, seq, occurred_at, firm_id, job_id, op, type, "
        "payload, operator FROM events ORDER BY hlc, terminal_id, seq"
    ).fetchall()
    conn.close()
    evs = [
        Raw(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4]), r[5], r[6], r[7], r[8],
            json.loads(r[9]), r[10])
        for r in rows
    ]  # fmt: skip
    fixes = {(e.firm, e.p["supersedes"]): e for e in evs if e.type == "EventCorrected"}
    out = []
    for e in evs:
        fix = fixes.get((e.firm, e.id))
        if fix is not None and e.type != "EventCorrected":
            rep = fix.p.get("replacement")
            if not rep:
                continue
            e = Raw(e.id, e.terminal, e.hlc, e.seq, e.at, e.firm, e.job, e.op, rep["type"],
                    rep["payload"], e.operator)  # fmt: skip
        out.append(e)
    return out


def bounds(day: date, tz: Any) -> tuple[datetime, datetime]:
    lo = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    return lo, lo + timedelta(days=1)


def _clip(a: datetime, b: datetime, lo: datetime, hi: datetime) -> float:
    return max(0.0, (min(b, hi) - max(a, lo)).total_seconds())


@dataclass
class RawStep:
    worked: float = 0.0
    paused: float = 0.0
    received: int = 0
    good: int = 0
    defect: int = 0
    scrap: int = 0
    operators: list[str] = field(default_factory=list)
    touched: bool = False


def day_steps(
    evs: list[Raw], firm: str, day: date, tz: Any, now: datetime
) -> dict[tuple[str, str, int], RawStep]:
    """(job, lot, op) -> the step's figures on ``day``, for the steps worked that day."""
    lo, hi = bounds(day, tz)
    end = min(hi, now)
    by: dict[tuple[str, str, int], list[Raw]] = defaultdict(list)
    for e in evs:
        if e.firm == firm and e.op is not None and e.job and e.type in WORK:
            by[(e.job, e.lot, e.op)].append(e)
    out: dict[tuple[str, str, int], RawStep] = {}
    for key, es in by.items():
        es.sort(key=lambda e: e.key)
        s = RawStep()
        run_since: datetime | None = None
        pause_since: datetime | None = None
        for e in es:
            if e.type == "OpStarted" or e.type == "OpResumed":
                if pause_since is not None:
                    s.paused += _clip(pause_since, e.at, lo, end)
                    pause_since = None
                run_since = e.at
            elif e.type == "OpPaused":
                if run_since is not None:
                    s.worked += _clip(run_since, e.at, lo, end)
                run_since, pause_since = None, e.at
            elif e.type == "OpFinished":
                if run_since is not None:
                    s.worked += _clip(run_since, e.at, lo, end)
                if pause_since is not None:
                    s.paused += _clip(pause_since, e.at, lo, end)
                run_since = pause_since = None
                if lo <= e.at < hi:
                    s.good, s.defect, s.scrap = e.p["good"], e.p["defect"], e.p["scrap"]
            elif e.type == "LotReceived" and lo <= e.at < hi:
                s.received = e.p["count"]
        if run_since is not None:
            s.worked += _clip(run_since, now, lo, end)
        if pause_since is not None:
            s.paused += _clip(pause_since, now, lo, end)
        today = [e for e in es if lo <= e.at < hi]
        s.operators = list(dict.fromkeys(e.operator for e in today if e.operator))
        if not s.operators:
            before = [e for e in es if e.at < lo and e.operator]
            if before:
                s.operators = [before[-1].operator or ""]
        s.touched = bool(today) or s.worked >= 0.5 or s.paused > 0.5
        if s.touched:
            out[key] = s
    return out


def step_times(
    evs: list[Raw], job: str, lot: str, op: int, route: list[dict[str, Any]]
) -> dict[str, datetime | None]:
    """received/started/finished/handed (first of each) and arrived (previous firm's
    hand-off, or our own previous step's finish) of one step."""
    mine = sorted(
        (e for e in evs if e.job == job and e.lot == lot and e.op is not None), key=lambda e: e.key
    )

    def first(o: int, t: str) -> datetime | None:
        return next((e.at for e in mine if e.op == o and e.type == t), None)

    seqs = [s["seq"] for s in route]
    firms = {s["seq"]: s["firm"] for s in route}
    i = seqs.index(op)
    prev = seqs[i - 1] if i else None
    nxt = seqs[i + 1] if i + 1 < len(seqs) else None
    arrived = None
    if prev is not None:
        arrived = first(prev, "OpFinished" if firms[prev] == firms[op] else "LotHandedOff")
    handed = first(op, "LotHandedOff")
    if handed is None and nxt is not None and firms[nxt] == firms[op]:
        handed = first(nxt, "LotReceived")
    return {
        "arrived": arrived,
        "received": first(op, "LotReceived"),
        "started": first(op, "OpStarted"),
        "finished": first(op, "OpFinished"),
        "handed": handed,
    }


def jobs(evs: list[Raw]) -> dict[str, dict[str, Any]]:
    return {e.job: {**e.p, "created": e.at} for e in evs if e.type == "JobCreated" and e.job}


def risks(
    evs: list[Raw],
    firm: str,
    today: date,
    history_days: int = 120,
    min_samples: int = 10,
    history_steps: int = 1000,
) -> tuple[set[str], set[str], dict[str, float]]:
    """(late job ids, at-risk job ids, typical days per step) as the README states the rule."""
    js = jobs(evs)
    finished: dict[tuple[str, int], datetime] = {}
    lots_of: dict[str, set[str]] = defaultdict(set)
    for e in evs:
        if e.job and e.type == "LotReceived":
            lots_of[e.job].add(e.lot)
        if e.type == "OpFinished" and e.op is not None:
            finished.setdefault((e.lot, e.op), e.at)
    since = datetime.combine(today - timedelta(days=history_days), time.min, UTC)
    samples: dict[str, list[float]] = defaultdict(list)
    latest = sorted(((at, k) for k, at in finished.items() if at >= since), reverse=True)
    for at, (lot, op) in latest[:history_steps]:
        job = lot.rsplit("-", 1)[0]
        route = js[job]["route"]
        earlier = [s["seq"] for s in route if s["seq"] < op and (lot, s["seq"]) in finished]
        start = finished[(lot, max(earlier))] if earlier else js[job]["created"]
        process = next(s["process"] for s in route if s["seq"] == op)
        d = max(0.0, (at - start).total_seconds() / 86400)
        samples[process].append(d)
        samples["*"].append(d)
    typical = {"*": statistics.median(samples["*"])}
    typical |= {
        p: statistics.median(x) for p, x in samples.items() if p != "*" and len(x) >= min_samples
    }
    late, at_risk = set(), set()
    for job, j in js.items():
        route = j["route"]
        if j["lead_firm"] != firm and all(s["firm"] != firm for s in route):
            continue
        lots = lots_of.get(job) or {""}
        done = {
            lot: max((s["seq"] for s in route if (lot, s["seq"]) in finished), default=0)
            for lot in lots
        }
        if all(done[lot] == route[-1]["seq"] for lot in lots) and lots != {""}:
            continue  # done
        behind = min(done.values())
        remaining = [s for s in route if s["seq"] > behind]
        needed = sum(typical.get(s["process"], typical["*"]) for s in remaining)
        left = (date.fromisoformat(j["due"]) - today).days
        if left < 0:
            late.add(job)
        elif needed > left:
            at_risk.add(job)
    return late, at_risk, typical


def waiting_here(evs: list[Raw], firm: str) -> set[tuple[str, int]]:
    """(lot, op) received by ``firm`` and not started."""
    got = {(e.lot, e.op) for e in evs if e.firm == firm and e.type == "LotReceived"}
    started = {(e.lot, e.op) for e in evs if e.firm == firm and e.type == "OpStarted"}
    return got - started


def defects(evs: list[Raw], firm: str, day: date, tz: Any) -> dict[str, int]:
    lo, hi = bounds(day, tz)
    out: dict[str, int] = defaultdict(int)
    for e in evs:
        if e.firm == firm and e.type == "DefectRecorded" and lo <= e.at < hi:
            out[e.p["code"]] += e.p["count"]
    return dict(out)


def machine_seconds(
    evs: list[Raw], firm: str, day: date, tz: Any, now: datetime
) -> dict[str, dict[str, float]]:
    lo, hi = bounds(day, tz)
    end = min(hi, now)
    state: dict[str, tuple[str | None, datetime]] = {}
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for e in sorted(
        (e for e in evs if e.type == "MachineStateChanged" and e.firm == firm),
        key=lambda e: (e.at, e.hlc),
    ):
        m = e.p["machine"]
        if e.at >= hi:
            break
        if e.at >= lo:
            st, since = state.get(m, (None, lo))
            if st is not None:
                out[m][st] += _clip(since, e.at, lo, end)
        state[m] = (e.p["state"], max(e.at, lo))
    for m, (st, since) in state.items():
        if st is not None:
            out[m][st] += _clip(since, hi, lo, end)
    return {m: {k: v for k, v in d.items() if v > 0} for m, d in out.items()}


def readings(evs: list[Raw], job: str, lot: str) -> dict[str, list[Decimal]]:
    """characteristic -> values measured on the lot (every firm), in event order."""
    out: dict[str, list[Decimal]] = defaultdict(list)
    for e in sorted(evs, key=lambda e: e.key):
        if e.job == job and e.type == "MeasurementTaken" and e.lot == lot:
            out[e.p["characteristic"]].append(Decimal(e.p["value"]))
    return dict(out)
