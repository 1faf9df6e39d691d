"""Summary tables behind the ward's figures, the QCD records and the matching (0007).

The KPIs, the QCD records and a request's proposals used to read every event each time
(half a second per fiscal year at 24,000 events). These tables hold, per job, what those
figures need, and are kept in step inside the transaction that changes their inputs:

- ``summary_jobs``: a job's lead, month of creation, month of delivery (the last step's
  first ``OpFinished`` with good parts), whether it still stands (not cancelled), how
  many firms its route names and its order value, corrections of the ``JobCreated``
  applied;
- ``summary_steps``: each step of a job's route: the firm, the newest price when the
  lead recorded it for that firm, whether it is still open (no ``OpFinished``) and,
  once it was handed off (or finished, for the last), its QCD facts: on time, parts
  handed to another firm, parts found short or defective downstream, lead time;
- ``summary_firm_months``: the months (Japan time) in which a firm logged work on a
  job it is a member of (a fact that only grows);
- ``summary_firms``: per firm, the sums of its steps' facts, its open steps and its
  ratings (the newest of each job), updated by difference.

A push does not recompute: it marks the jobs it touched in ``summary_pending`` (one
statement in its transaction), and every reader of the figures first calls
``catch_up``, which recomputes the marked jobs in one write transaction. The figures
read are therefore never behind the events, and a herd of terminals syncing at once
pays one insert each, not a recomputation each. ``refresh`` recomputes the rows of some
jobs from their events (the same rules as
``hub.kpi.jobs_from_events`` and the QCD record), so a correction, a late receipt, a
promised date or a price is reflected; ``rebuild`` recomputes everything (migration
0007 backfills with it; the bench's bulk load uses it). On PostgreSQL the jobs' rows
are locked first, so two pushes for one job cannot write a summary that misses the
other's events; locks are taken in sorted order (feed counters, jobs, firms).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select, text

from hub import schema
from hub.kpi import JST, JobFacts, jobs_from_events, month_key, parse_time, stored

if TYPE_CHECKING:
    from hub.db import HubDB

STEP_EVENTS = ("LotReceived", "OpStarted", "OpFinished", "DefectRecorded", "LotHandedOff")
# The events that change a job's summary (its creation, a correction, a step's facts).
TOUCHING = frozenset({"JobCreated", "EventCorrected", *STEP_EVENTS})
FIRM_SUMS = ("steps", "on_time", "handed_parts", "found_downstream", "open_steps")
RATING_SUMS = ("rated", "q_sum", "c_sum", "d_sum")
_ADD = text(
    "UPDATE summary_firms SET "
    + ", ".join(f"{k} = {k} + :{k}" for k in FIRM_SUMS + RATING_SUMS)
    + " WHERE firm_id = :firm_id"
)
CHUNK = 400


@dataclass
class StepFacts:
    received_at: datetime | None = None
    handed_at: datetime | None = None
    handed: int = 0
    received: int = 0
    defects: int = 0
    finished_at: datetime | None = None


def _chunks(ids: Iterable[str]) -> list[list[str]]:
    items = sorted(set(ids))
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def promised(
    c: Connection, job_ids: Collection[str] | None = None
) -> dict[tuple[str, int, str], date]:
    """(job, op, firm) -> the hand-off date the firm offered when it volunteered for the
    step of a request that became the job."""
    r, lg = schema.requests, schema.request_log
    q = select(r.c.request_id, r.c.job_id).where(r.c.job_id.is_not(None))
    jobs: dict[str, str] = {}
    for part in [None] if job_ids is None else _chunks(job_ids):
        qq = q if part is None else q.where(r.c.job_id.in_(part))
        jobs.update({str(a): str(b) for a, b in c.execute(qq).all()})
    offers: dict[tuple[str, int, str], str] = {}
    chosen: list[tuple[str, str, int, str]] = []
    for part in _chunks(jobs):
        ql = select(lg.c.request_id, lg.c.kind, lg.c.firm_id, lg.c.step, lg.c.body).where(
            lg.c.request_id.in_(part), lg.c.kind.in_(("volunteered", "chosen"))
        )
        for rid, kind, firm, step, body in c.execute(ql.order_by(lg.c.id)):
            data = json.loads(body)
            if kind == "volunteered":
                offers[(rid, step, firm)] = data["date"]
            else:
                chosen.append((rid, firm, step, data["op"]))
    out: dict[tuple[str, int, str], date] = {}
    for rid, firm, step, op in chosen:
        offered = offers.get((rid, step, firm))
        if offered:
            out[(jobs[rid], int(op), firm)] = date.fromisoformat(offered)
    return out


def step_facts(
    c: Connection, jobs: dict[str, JobFacts], job_ids: Collection[str] | None
) -> tuple[dict[tuple[str, int, str], StepFacts], set[tuple[str, int, str]]]:
    """What the route's firms did at each step (events a correction undid left out), and
    every (job, op, firm) with an ``OpFinished`` at all (what ``open`` is judged by)."""
    e = schema.events
    parts: list[list[str] | None] = [None] if job_ids is None else list(_chunks(job_ids))
    undone: set[str] = set()
    for part in parts:
        qc = select(e.c.body).where(e.c.type == "EventCorrected")
        if part is not None:
            qc = qc.where(e.c.job_id.in_(part))
        for (body,) in c.execute(qc):
            ev = stored(body)
            if ev is None or "supersedes" not in ev["payload"]:
                continue
            p = ev["payload"]
            if p.get("replacement") is None:
                undone.add(p["supersedes"])
    facts: dict[tuple[str, int, str], StepFacts] = defaultdict(StepFacts)
    finished: set[tuple[str, int, str]] = set()
    for part in parts:
        q = select(e.c.firm_id, e.c.job_id, e.c.type, e.c.body).where(e.c.type.in_(STEP_EVENTS))
        if part is not None:
            q = q.where(e.c.job_id.in_(part))
        for firm, job_id, type_, body in c.execute(q.execution_options(yield_per=10_000)):
            job = jobs.get(job_id)
            if job is None:
                continue
            ev = stored(body)
            if ev is None:
                continue
            op: Any = ev.get("op")
            if type_ == "OpFinished":
                finished.add((job_id, op, firm))
            if job.cancelled or ev["event_id"] in undone or dict(job.route).get(op) != firm:
                continue  # not the firm the route names: refused in every replay too
            moment = parse_time(ev["occurred_at"])
            f = facts[(job_id, op, firm)]
            p = ev["payload"]
            if type_ in ("LotReceived", "OpStarted") and moment is not None:
                f.received_at = moment if f.received_at is None else min(f.received_at, moment)
                if type_ == "LotReceived":
                    f.received += int(p.get("count") or 0)
            elif type_ == "LotHandedOff" and moment is not None:
                f.handed_at = moment if f.handed_at is None else min(f.handed_at, moment)
                f.handed += int(p.get("count") or 0)
            elif type_ == "DefectRecorded":
                f.defects += int(p.get("count") or 0)
            elif type_ == "OpFinished" and moment is not None:
                f.finished_at = moment if f.finished_at is None else min(f.finished_at, moment)
    return facts, finished


def _newest_prices(
    c: Connection, job_ids: Collection[str] | None
) -> dict[tuple[str, int], tuple[str, int]]:
    sp = schema.step_prices
    out: dict[tuple[str, int], tuple[str, int]] = {}
    for part in [None] if job_ids is None else _chunks(job_ids):
        q = select(sp.c.job_id, sp.c.op, sp.c.firm_id, sp.c.yen)
        if part is not None:
            q = q.where(sp.c.job_id.in_(part))
        for job_id, op, firm, yen in c.execute(q.order_by(sp.c.id)):
            out[(job_id, int(op))] = (firm, int(yen))
    return out


def job_rows(
    c: Connection, job_ids: Collection[str] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``summary_jobs`` and ``summary_steps`` rows of ``job_ids`` (every job: None),
    computed from the events, the confirmed requests and the lead firms' prices."""
    jobs = jobs_from_events(c, job_ids)
    facts, finished = step_facts(c, jobs, job_ids)
    promises = promised(c, job_ids)
    prices = _newest_prices(c, job_ids)
    job_out: list[dict[str, Any]] = []
    step_out: list[dict[str, Any]] = []
    for job_id, job in jobs.items():
        live = not job.cancelled
        p = job.payload
        job_out.append(
            {
                "job_id": job_id,
                "lead_firm": job.lead,
                "created_month": month_key(job.created_at),
                "delivered_month": month_key(job.delivered_at) if job.delivered_at else None,
                "live": int(live),
                "route_firms": len({firm for _op, firm in job.route}),
                "order_value": int(p.get("unit_price_yen") or 0) * int(p["qty"]),
            }
        )
        due = date.fromisoformat(p["due"])
        for i, (op, firm) in enumerate(job.route):
            price = prices.get((job_id, op))
            row: dict[str, Any] = {
                "job_id": job_id,
                "op": op,
                "firm_id": firm,
                "lead_firm": job.lead,
                "created_month": month_key(job.created_at),
                "live": int(live),
                "yen": price[1] if price is not None and price[0] == firm else None,
                "open": int(live and (job_id, op, firm) not in finished),
                "done": 0,
                "on_time": 0,
                "handed_parts": 0,
                "found_downstream": 0,
                "lead_hours": None,
            }
            step_out.append(row)
            step = facts.get((job_id, op, firm)) if live else None
            last = i == len(job.route) - 1
            done_at = None if step is None else (step.finished_at if last else step.handed_at)
            if step is None or done_at is None:
                continue
            row["done"] = 1
            if done_at.astimezone(JST).date() <= promises.get((job_id, op, firm), due):
                row["on_time"] = 1
            if step.received_at is not None and done_at >= step.received_at:
                row["lead_hours"] = (done_at - step.received_at).total_seconds() / 3600
            if last:
                continue
            nxt_op, nxt_firm = job.route[i + 1]
            if nxt_firm == firm:
                continue  # the firm's own next step: nothing was handed between firms
            row["handed_parts"] = step.handed
            nxt = facts.get((job_id, nxt_op, nxt_firm))
            if nxt is not None:
                gap = step.handed - nxt.received if nxt.received else 0
                row["found_downstream"] = max(0, gap) + nxt.defects
    return job_out, step_out


def _firm_sums(rows: Iterable[Any]) -> dict[str, list[int]]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0] * len(FIRM_SUMS))
    for r in rows:
        s = sums[r["firm_id"]]
        s[0] += int(r["done"])
        s[1] += int(r["on_time"])
        s[2] += int(r["handed_parts"])
        s[3] += int(r["found_downstream"])
        s[4] += int(r["open"])
    return sums


def add_to_firms(
    c: Connection, deltas: dict[str, list[int]], ratings: dict[str, list[int]] | None = None
) -> None:
    """Add per-firm differences to ``summary_firms`` (rows made as needed), in sorted
    firm order (one lock order for every writer)."""
    from hub.db import insert_ignore_stmt

    sf = schema.summary_firms
    ratings = ratings or {}
    firms = sorted(set(deltas) | set(ratings))
    wanted = [f for f in firms if any(deltas.get(f, ())) or any(ratings.get(f, ()))]
    if not wanted:
        return
    have = {str(f) for (f,) in c.execute(select(sf.c.firm_id).where(sf.c.firm_id.in_(wanted)))}
    if set(wanted) - have:
        c.execute(insert_ignore_stmt(c, sf), [{"firm_id": f} for f in wanted if f not in have])
    rows = []
    for firm in wanted:
        d = deltas.get(firm, [0] * len(FIRM_SUMS))
        r = ratings.get(firm, [0, 0, 0, 0])
        rows.append({"firm_id": firm, **dict(zip(FIRM_SUMS + RATING_SUMS, [*d, *r], strict=True))})
    # One plain statement for every firm (building the expression per firm cost more
    # than the updates).
    c.execute(_ADD, rows)


def refresh(c: Connection, job_ids: Collection[str]) -> None:
    """Recompute the summary of these jobs from their events, inside the caller's write
    transaction (ids of jobs the hub does not hold are skipped)."""
    if not job_ids:
        return
    j, sj, ss = schema.jobs, schema.summary_jobs, schema.summary_steps
    held: list[str] = []
    for part in _chunks(job_ids):
        # Lock the jobs' rows (PostgreSQL; SQLite has one writer): a concurrent push for
        # the same job waits, then reads these events too.
        held += [
            str(r[0])
            for r in c.execute(
                select(j.c.job_id)
                .where(j.c.job_id.in_(part))
                .order_by(j.c.job_id)
                .with_for_update()
            )
        ]
    if not held:
        return
    old: list[Any] = []
    for part in _chunks(held):
        old += (
            c.execute(
                select(
                    ss.c.firm_id,
                    ss.c.done,
                    ss.c.on_time,
                    ss.c.handed_parts,
                    ss.c.found_downstream,
                    ss.c.open,
                ).where(ss.c.job_id.in_(part))
            )
            .mappings()
            .all()
        )
        c.execute(delete(ss).where(ss.c.job_id.in_(part)))
        c.execute(delete(sj).where(sj.c.job_id.in_(part)))
    new_jobs, new_steps = job_rows(c, held)
    if new_jobs:
        c.execute(sj.insert(), new_jobs)
    if new_steps:
        c.execute(ss.insert(), new_steps)
    before, after = _firm_sums(old), _firm_sums(new_steps)
    deltas = {
        f: [a - b for a, b in zip(after.get(f, [0] * 5), before.get(f, [0] * 5), strict=True)]
        for f in set(before) | set(after)
    }
    add_to_firms(c, deltas)


def mark(c: Connection, job_ids: Collection[str]) -> None:
    """Mark jobs whose summary is behind their events (a push's transaction)."""
    from hub.db import insert_ignore_stmt

    if job_ids:
        rows = [{"job_id": j} for j in sorted(job_ids)]
        c.execute(insert_ignore_stmt(c, schema.summary_pending), rows)


def catch_up(db: HubDB) -> int:
    """Bring the marked jobs' summaries up to date before figures are read; returns how
    many were recomputed. A read first: no write lock when nothing is marked."""
    sp = schema.summary_pending
    with db.read() as c:
        if c.execute(select(sp.c.job_id).limit(1)).first() is None:
            return 0
    return db.write(catch_up_in, attempts=3)


def catch_up_in(c: Connection) -> int:
    """``catch_up`` inside the caller's write transaction. The marks are deleted before
    the events are read: a push that commits meanwhile marks its job again (on
    PostgreSQL its insert waits for this delete), so no change is left unsummarised."""
    sp = schema.summary_pending
    ids = sorted(str(r[0]) for r in c.execute(delete(sp).returning(sp.c.job_id)))
    for i in range(0, len(ids), 2000):
        refresh(c, ids[i : i + 2000])
    return len(ids)


def add_work_months(c: Connection, pairs: Iterable[tuple[str, str]]) -> None:
    """Record that each ``(firm, month)`` logged work (a fact that never goes away)."""
    from hub.db import insert_ignore_stmt

    rows = [{"firm_id": f, "month": m} for f, m in sorted(set(pairs)) if f != "OFFICE"]
    if rows:
        c.execute(insert_ignore_stmt(c, schema.summary_firm_months), rows)


def month_of(occurred_at: str) -> str | None:
    """The month (Japan time) of a wire time. Times are cut to the minute and the
    results kept: a push's events share few minutes, and parsing each was a tenth of
    ingest's work."""
    tz = occurred_at[-6:] if occurred_at[-6:-5] in ("+", "-") else occurred_at[-1:]
    return _month_of_minute(occurred_at[:16], tz if tz in ("Z",) or len(tz) == 6 else "")


@lru_cache(maxsize=8192)
def _month_of_minute(minute: str, tz: str) -> str | None:
    moment = parse_time(minute + (":00" + tz if len(minute) == 16 else ""))
    return None if moment is None else month_key(moment)


def rebuild(c: Connection) -> None:
    """Recompute every summary table from the events (migration 0007; bulk loads)."""
    for t in (
        schema.summary_pending,
        schema.summary_jobs,
        schema.summary_steps,
        schema.summary_firm_months,
        schema.summary_firms,
    ):
        c.execute(delete(t))
    new_jobs, new_steps = job_rows(c, None)
    for i in range(0, len(new_jobs), 5000):
        c.execute(schema.summary_jobs.insert(), new_jobs[i : i + 5000])
    for i in range(0, len(new_steps), 5000):
        c.execute(schema.summary_steps.insert(), new_steps[i : i + 5000])
    e, jm = schema.events, schema.job_members
    members = {(job, firm) for job, firm in c.execute(select(jm.c.job_id, jm.c.firm_id))}
    months: set[tuple[str, str]] = set()
    # Only the time is needed: a body's ``occurred_at`` without parsing all of it.
    q = select(e.c.firm_id, e.c.job_id, e.c.body).where(e.c.job_id.is_not(None))
    for firm, job_id, body in c.execute(q.execution_options(yield_per=10_000)):
        if (job_id, firm) not in members or firm == "OFFICE":
            continue
        ev = stored(body)
        m = None if ev is None else month_of(str(ev["occurred_at"]))
        if m is not None:
            months.add((firm, m))
    add_work_months(c, months)
    rt = schema.ratings
    newest: dict[tuple[str, str], tuple[int, int, int]] = {}
    for row in c.execute(
        select(rt.c.job_id, rt.c.firm_id, rt.c.q, rt.c.c, rt.c.d).order_by(rt.c.id)
    ):
        newest[(row[0], row[1])] = (int(row[2]), int(row[3]), int(row[4]))
    ratings: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (_job, firm), (q_, c_, d_) in newest.items():
        r = ratings[firm]
        r[0] += 1
        r[1] += q_
        r[2] += c_
        r[3] += d_
    add_to_firms(c, _firm_sums(new_steps), ratings)


def rating_delta(c: Connection, job_id: str, firm: str, new: tuple[int, int, int]) -> None:
    """Before a new rating of (job, firm) is stored: move the firm's sums from the
    newest rating it had (if any) to ``new``."""
    rt = schema.ratings
    prev = c.execute(
        select(rt.c.q, rt.c.c, rt.c.d)
        .where(rt.c.job_id == job_id, rt.c.firm_id == firm)
        .order_by(rt.c.id.desc())
        .limit(1)
    ).first()
    delta = [1, *new] if prev is None else [0, new[0] - prev[0], new[1] - prev[1], new[2] - prev[2]]
    add_to_firms(c, {}, {firm: delta})


def count_rows(c: Connection) -> dict[str, int]:
    """How many rows each summary table holds (for the bench and tests)."""
    out = {}
    for t in (
        schema.summary_jobs,
        schema.summary_steps,
        schema.summary_firm_months,
        schema.summary_firms,
    ):
        out[t.name] = int(c.execute(select(func.count()).select_from(t)).scalar_one())
    return out
