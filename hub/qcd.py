"""QCD records per firm: quality, cost (the lead's rating) and delivery, from the events.

For every step a firm did (the firm the route names, on a job the hub holds):

- **on time**: its hand-off (``LotHandedOff``; for the last step its ``OpFinished``) on
  or before the step's due date in Japan time: the date the firm promised when it
  volunteered for the step of a confirmed request, else the job's due date;
- **found downstream**: parts the next firm did not receive of those handed to it
  (``LotHandedOff`` count minus the next step's ``LotReceived`` count) plus the defects
  the next firm recorded at its step (``DefectRecorded``), traced back to this step;
- **lead time**: hours from the firm's first receipt (or start) at the step to its
  hand-off;
- **rating**: the lead firm's Q, C and D (1-5) and comment after delivery (the newest
  rating of a job and firm counts).

A firm reads its own record beside the network's median (the median over firms with at
least one step); the office reads every firm's; no firm reads another's.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, select

from hub import schema
from hub.db import HubDB
from hub.kpi import JST, jobs_from_events, parse_time
from hub.registry import Credential, RegistryError

STEP_EVENTS = ("LotReceived", "OpStarted", "OpFinished", "DefectRecorded", "LotHandedOff")


@dataclass
class StepFacts:
    received_at: datetime | None = None
    handed_at: datetime | None = None
    handed: int = 0
    received: int = 0
    defects: int = 0
    finished_at: datetime | None = None


@dataclass
class FirmRecord:
    steps: int = 0
    on_time: int = 0
    handed_parts: int = 0
    found_downstream: int = 0
    lead_hours: list[float] = field(default_factory=list)
    ratings: list[tuple[int, int, int, str]] = field(default_factory=list)

    def figures(self, *, comments: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "steps": self.steps,
            "on_time": self.on_time,
            "on_time_rate": round(self.on_time / self.steps, 4) if self.steps else None,
            "handed_parts": self.handed_parts,
            "found_downstream": self.found_downstream,
            "downstream_rate": (
                round(self.found_downstream / self.handed_parts, 4) if self.handed_parts else None
            ),
            "lead_time_hours_median": (
                round(statistics.median(self.lead_hours), 2) if self.lead_hours else None
            ),
            "ratings": len(self.ratings),
        }
        for i, key in enumerate(("q", "c", "d")):
            values = [int(r[i]) for r in self.ratings]
            out[f"rating_{key}"] = round(statistics.mean(values), 2) if values else None
        if comments:
            out["comments"] = [r[3] for r in self.ratings if r[3]]
        return out


MEDIAN_OF = (
    "on_time_rate",
    "downstream_rate",
    "lead_time_hours_median",
    "rating_q",
    "rating_c",
    "rating_d",
)


def _promised(c: Connection) -> dict[tuple[str, int, str], date]:
    """(job, op, firm) -> the hand-off date the firm offered when it volunteered."""
    r, lg = schema.requests, schema.request_log
    offers: dict[tuple[str, int, str], str] = {}
    chosen: list[tuple[str, str, int, str]] = []
    jobs = dict(c.execute(select(r.c.request_id, r.c.job_id).where(r.c.job_id.is_not(None))).all())
    q = select(lg.c.request_id, lg.c.kind, lg.c.firm_id, lg.c.step, lg.c.body).where(
        lg.c.request_id.in_(list(jobs)) if jobs else lg.c.id < 0,
        lg.c.kind.in_(("volunteered", "chosen")),
    )
    for rid, kind, firm, step, body in c.execute(q.order_by(lg.c.id)):
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


def records(c: Connection) -> dict[str, FirmRecord]:
    """Every firm's record, from the events, the confirmed requests and the ratings."""
    jobs = jobs_from_events(c)
    promised = _promised(c)
    e = schema.events
    facts: dict[tuple[str, int, str], StepFacts] = defaultdict(StepFacts)
    q = select(e.c.firm_id, e.c.job_id, e.c.type, e.c.body).where(e.c.type.in_(STEP_EVENTS))
    undone: set[str] = set()
    for (body,) in c.execute(select(e.c.body).where(e.c.type == "EventCorrected")):
        p = orjson.loads(body)["payload"]
        if p.get("replacement") is None:
            undone.add(p["supersedes"])
    for firm, job_id, type_, body in c.execute(q):
        job = jobs.get(job_id)
        if job is None or job.cancelled:
            continue
        ev = orjson.loads(body)
        op = ev.get("op")
        if ev["event_id"] in undone or dict(job.route).get(op) != firm:
            continue  # not the firm the route names: refused in every replay too
        moment = parse_time(ev["occurred_at"])
        f = facts[(job_id, op, firm)]
        p = ev["payload"]
        if type_ in ("LotReceived", "OpStarted") and moment is not None:
            f.received_at = moment if f.received_at is None else min(f.received_at, moment)
            if type_ == "LotReceived":
                f.received += int(p["count"])
        elif type_ == "LotHandedOff" and moment is not None:
            f.handed_at = moment if f.handed_at is None else min(f.handed_at, moment)
            f.handed += int(p["count"])
        elif type_ == "DefectRecorded":
            f.defects += int(p["count"])
        elif type_ == "OpFinished" and moment is not None:
            f.finished_at = moment if f.finished_at is None else min(f.finished_at, moment)
    out: dict[str, FirmRecord] = defaultdict(FirmRecord)
    for job_id, job in jobs.items():
        if job.cancelled:
            continue
        due = date.fromisoformat(job.payload["due"])
        for i, (op, firm) in enumerate(job.route):
            step = facts.get((job_id, op, firm))
            last = i == len(job.route) - 1
            done_at = None if step is None else (step.finished_at if last else step.handed_at)
            if step is None or done_at is None:
                continue
            rec = out[firm]
            rec.steps += 1
            if done_at.astimezone(JST).date() <= promised.get((job_id, op, firm), due):
                rec.on_time += 1
            if step.received_at is not None and done_at >= step.received_at:
                rec.lead_hours.append((done_at - step.received_at).total_seconds() / 3600)
            if last:
                continue
            nxt_op, nxt_firm = job.route[i + 1]
            if nxt_firm == firm:
                continue  # the firm's own next step: nothing was handed between firms
            rec.handed_parts += step.handed
            nxt = facts.get((job_id, nxt_op, nxt_firm))
            if nxt is not None:
                gap = step.handed - nxt.received if nxt.received else 0
                rec.found_downstream += max(0, gap) + nxt.defects
    rt = schema.ratings
    newest: dict[tuple[str, str], tuple[int, int, int, str]] = {}
    for row in c.execute(select(rt).order_by(rt.c.id)):
        newest[(row.job_id, row.firm_id)] = (row.q, row.c, row.d, row.comment)
    for (_job, firm), rating in newest.items():
        out[firm].ratings.append(rating)
    return out


def _median(figs: list[dict[str, Any]]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in MEDIAN_OF:
        values = [f[key] for f in figs if f[key] is not None]
        out[key] = round(statistics.median(values), 4) if values else None
    return out


def report(db: HubDB, cred: Credential) -> dict[str, Any]:
    """A firm's own record beside the network median; every firm's for the office."""
    with db.read() as c:
        recs = records(c)
    figs = {firm: rec.figures(comments=True) for firm, rec in recs.items() if firm != "OFFICE"}
    median = _median([f for f in figs.values() if f["steps"]])
    if cred.role == "office":
        return {"firms": [{"firm": k, **v} for k, v in sorted(figs.items())], "median": median}
    own = figs.get(cred.firm_id) or FirmRecord().figures(comments=True)
    return {"firm": cred.firm_id, "own": own, "median": median}


def rate(db: HubDB, cred: Credential, job_id: str, body: Any) -> dict[str, Any]:
    """The lead firm rates a firm's work on a delivered job: Q, C, D 1-5 and a comment."""
    if cred.role != "terminal" or len(job_id) > 200:
        raise RegistryError("not_found", 404)
    if not isinstance(body, dict) or set(body) - {"firm", "q", "c", "d", "comment"}:
        raise RegistryError("bad_request", 422)
    scores = [body.get(k) for k in ("q", "c", "d")]
    if any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5 for v in scores):
        raise RegistryError("bad_field", 422, "q,c,d")
    comment = body.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > 1000 or "\x00" in comment:
        raise RegistryError("bad_field", 422, "comment")
    firm = body.get("firm")

    def work(c: Connection) -> None:
        jobs = jobs_from_events(c)
        job = jobs.get(job_id)
        members = {f for _op, f in job.route} | {job.lead} if job else set()
        if job is None or cred.firm_id not in members:
            raise RegistryError("not_found", 404)
        if job.lead != cred.firm_id:
            raise RegistryError("not_lead_firm", 403)
        if not isinstance(firm, str) or firm not in members or firm == cred.firm_id:
            raise RegistryError("bad_field", 422, "firm")
        if job.delivered_at is None:
            raise RegistryError("not_delivered", 409)
        c.execute(
            schema.ratings.insert().values(
                job_id=job_id,
                firm_id=firm,
                q=scores[0],
                c=scores[1],
                d=scores[2],
                comment=comment,
                rated_at=time.time(),
                rated_by=cred.terminal_id,
            )
        )

    db.write(work, attempts=3)
    return {"job_id": job_id, "firm": firm, "q": scores[0], "c": scores[1], "d": scores[2]}
