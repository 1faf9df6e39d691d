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

import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from hub import schema, summary
from hub.db import HubDB
from hub.kpi import jobs_from_events
from hub.registry import Credential, RegistryError

STEP_EVENTS = summary.STEP_EVENTS


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


def records(c: Connection) -> dict[str, FirmRecord]:
    """Every firm's record, from the summary tables ``hub.summary`` keeps in step with
    the events, the confirmed requests and the ratings."""
    sf, ss, rt = schema.summary_firms, schema.summary_steps, schema.ratings
    out: dict[str, FirmRecord] = defaultdict(FirmRecord)
    for row in c.execute(select(sf)):
        if row.steps:
            rec = out[row.firm_id]
            rec.steps, rec.on_time = int(row.steps), int(row.on_time)
            rec.handed_parts, rec.found_downstream = (
                int(row.handed_parts),
                int(row.found_downstream),
            )
    q = select(ss.c.firm_id, ss.c.lead_hours).where(ss.c.done == 1, ss.c.lead_hours.is_not(None))
    for firm, hours in c.execute(q):
        out[firm].lead_hours.append(float(hours))
    newest: dict[tuple[str, str], tuple[int, int, int, str]] = {}
    for row in c.execute(select(rt).order_by(rt.c.id)):
        newest[(row.job_id, row.firm_id)] = (row.q, row.c, row.d, row.comment)
    for (_job, firm), rating in newest.items():
        out[firm].ratings.append(rating)
    return out


def ranking_figures(c: Connection) -> dict[str, dict[str, Any]]:
    """What the matching ranks by, per firm, from ``summary_firms`` alone (no per-step
    rows, no comments): on-time and downstream rates, mean Q and D, open steps."""
    sf = schema.summary_firms
    out: dict[str, dict[str, Any]] = {}
    for r in c.execute(select(sf)):
        out[r.firm_id] = {
            "steps": int(r.steps),
            "on_time_rate": round(r.on_time / r.steps, 4) if r.steps else None,
            "downstream_rate": (
                round(r.found_downstream / r.handed_parts, 4) if r.handed_parts else None
            ),
            "rating_q": round(r.q_sum / r.rated, 2) if r.rated else None,
            "rating_d": round(r.d_sum / r.rated, 2) if r.rated else None,
            "open_steps": int(r.open_steps),
        }
    return out


def _median(figs: list[dict[str, Any]]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in MEDIAN_OF:
        values = [f[key] for f in figs if f[key] is not None]
        out[key] = round(statistics.median(values), 4) if values else None
    return out


def report(db: HubDB, cred: Credential) -> dict[str, Any]:
    """A firm's own record beside the network median; every firm's for the office."""
    summary.catch_up(db)
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
        jobs = jobs_from_events(c, [job_id])
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
        summary.rating_delta(
            c, job_id, firm, (int(scores[0] or 0), int(scores[1] or 0), int(scores[2] or 0))
        )
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
