"""The consortium office's figures: firms taking part, sales through the network, and
orders placed with firms outside Ota. Computed from the stored events on request."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from hub import schema
from hub.db import HubDB


def figures(db: HubDB) -> dict[str, Any]:
    f, e, jm = schema.firms, schema.events, schema.job_members
    with db.read() as c:
        regions: dict[str, int] = dict(
            c.execute(
                select(f.c.region, func.count()).where(f.c.code != "OFFICE").group_by(f.c.region)
            ).all()
        )
        outside = {r[0] for r in c.execute(select(f.c.code).where(f.c.region != "ota"))}
        sales = 0
        jobs = 0
        jobs_outside = 0
        for (body,) in c.execute(select(e.c.body).where(e.c.type == "JobCreated")):
            p = json.loads(body)["payload"]
            jobs += 1
            if p.get("unit_price_yen") is not None:
                sales += int(p["unit_price_yen"]) * int(p["qty"])
            if any(step["firm"] in outside for step in p["route"]):
                jobs_outside += 1
        active = c.execute(select(func.count(func.distinct(jm.c.firm_id)))).scalar() or 0
        events = c.execute(select(func.count()).select_from(e)).scalar() or 0
    return {
        "firms": sum(regions.values()),
        "firms_by_region": regions,
        "firms_on_jobs": int(active),
        "jobs": jobs,
        "jobs_with_firms_outside_ota": jobs_outside,
        "sales_yen": sales,
        "events": int(events),
    }
