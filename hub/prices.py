"""What a lead firm pays each firm for its step of a job.

Recorded by the lead firm only, append-only: the newest row of a step is its price and
the older ones are its corrections. The lead firm reads every step's price and history;
a firm on the route reads only the prices of its own steps; anyone else gets 404, as for
a job that does not exist. The office sees them only as totals (``hub.kpi``).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from hub import inquiries, schema, summary
from hub.db import HubDB
from hub.registry import Credential, RegistryError


def _job(c: Connection, cred: Credential, job_id: str) -> tuple[str, dict[int, str]]:
    """The job's lead firm and route, or 404 when the caller is not on it."""
    if cred.role != "terminal" or len(job_id) > 200:
        raise RegistryError("not_found", 404)
    j = schema.jobs
    row = c.execute(select(j).where(j.c.job_id == job_id)).first()
    if row is None:
        raise RegistryError("not_found", 404)
    route = {int(op): str(firm) for op, firm in json.loads(row.route or "[]")}
    if cred.firm_id != row.lead_firm and cred.firm_id not in route.values():
        raise RegistryError("not_found", 404)
    return str(row.lead_firm), route


def record(db: HubDB, cred: Credential, job_id: str, body: Any) -> dict[str, Any]:
    """The lead firm records (or corrects) the price of one step: ``{"op", "yen"}``."""
    if not isinstance(body, dict) or set(body) != {"op", "yen"}:
        raise RegistryError("bad_request", 422)
    op, yen = body["op"], body["yen"]
    if isinstance(op, bool) or not isinstance(op, int):
        raise RegistryError("bad_field", 422, "op")
    if isinstance(yen, bool) or not isinstance(yen, int) or not 0 <= yen < 10**12:
        raise RegistryError("bad_field", 422, "yen")

    def work(c: Connection) -> None:
        lead, route = _job(c, cred, job_id)
        if lead != cred.firm_id:
            raise RegistryError("not_lead_firm", 403)
        if op not in route:
            raise RegistryError("bad_field", 422, "op")
        inquiries.record_price(c, cred, job_id, op, route[op], yen)
        summary.refresh(c, [job_id])  # a correction counts in the figures at once

    db.write(work, attempts=3)
    return view(db, cred, job_id)


def view(db: HubDB, cred: Credential, job_id: str) -> dict[str, Any]:
    """The prices the caller may see: every step for the lead, its own steps for a firm
    on the route. Each step: the price now and its history, oldest first."""
    sp = schema.step_prices
    with db.read() as c:
        lead, route = _job(c, cred, job_id)
        rows = c.execute(select(sp).where(sp.c.job_id == job_id).order_by(sp.c.id)).all()
    steps: dict[int, dict[str, Any]] = {}
    for r in rows:
        if cred.firm_id != lead and r.firm_id != cred.firm_id:
            continue
        s = steps.setdefault(r.op, {"op": r.op, "firm": r.firm_id, "history": []})
        s["history"].append({"yen": int(r.yen), "at": r.recorded_at})
        s["firm"], s["yen"] = r.firm_id, int(r.yen)
    mine = [op for op, firm in route.items() if cred.firm_id in (lead, firm)]
    return {
        "job_id": job_id,
        "steps": [
            steps.get(op, {"op": op, "firm": route[op], "yen": None, "history": []})
            for op in sorted(mine)
        ],
    }
