"""Which firms could do each step of a request, ranked, with the reasons shown.

A firm is a candidate for a step when its profile has the process, a machine big enough
for the work (when both sizes are known) and the certification the request asks for.
Candidates are ranked by material fit, volunteering, distance to the lead firm (or
volume work for a regional firm), their current load (open steps from the events and
the load the firm declared privately) and their QCD record (``hub.qcd``). Load and
record move a firm up or down the list but are never named in an answer: a reason shown
to a lead firm must not tell it a competitor's load or record.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import Connection, select

from hub import profiles, qcd, schema

VOLUME_QTY = 1000  # from this quantity on, regional (volume) shops are favoured


def fits(step: dict[str, Any], request: dict[str, Any], profile: dict[str, Any]) -> str | None:
    """None when a firm with ``profile`` can do ``step``; else why not."""
    if step["process"] not in profile.get("processes", []):
        return "no_process"
    size = step.get("size_mm")
    sizes = [e["max_size_mm"] for e in profile.get("equipment", []) if e.get("max_size_mm")]
    if size and sizes and max(sizes) < size:
        return "too_small"
    cert = request.get("certification")
    if cert and cert not in profile.get("certifications", []):
        return "no_certification"
    return None


def open_steps(c: Connection) -> Counter[str]:
    """Per firm: steps of standing jobs on the hub that name it and that it has not
    finished (kept in ``summary_firms`` by ``hub.summary``)."""
    sf = schema.summary_firms
    return Counter({f: int(n) for f, n in c.execute(select(sf.c.firm_id, sf.c.open_steps)) if n})


def _volunteers(c: Connection, request_id: str | None) -> dict[tuple[int, str], dict[str, Any]]:
    if request_id is None:
        return {}
    lg = schema.request_log
    q = (
        select(lg.c.step, lg.c.firm_id, lg.c.body)
        .where(lg.c.request_id == request_id, lg.c.kind == "volunteered")
        .order_by(lg.c.id)
    )
    return {(step, firm): json.loads(body) for step, firm, body in c.execute(q)}


def propose(
    c: Connection, request: dict[str, Any], lead: str, request_id: str | None = None
) -> list[dict[str, Any]]:
    """For every step of ``request``: the candidates, best first, each with the reasons
    (codes) a lead firm may see, and the volunteers' offers. A step no firm can do says
    why in ``none``: ``no_process`` (no firm has the process), ``too_small`` (every
    firm with it has too small machines) or ``no_certification``."""
    all_profiles = profiles.load_all_shared(c)
    names = dict(c.execute(select(schema.firms.c.code, schema.firms.c.name)).all())
    lead_class = profiles.region_class(all_profiles.get(lead, ({}, {}))[0])
    records = qcd.ranking_figures(c)
    load = {f: r["open_steps"] for f, r in records.items()}
    offers = _volunteers(c, request_id)
    material = request.get("material") or ""
    out = []
    for step in request["steps"]:
        ranked: list[tuple[float, str, dict[str, Any]]] = []
        misses: Counter[str] = Counter()
        for firm, (public, private) in all_profiles.items():
            miss = fits(step, request, public)
            if miss is not None:
                misses[miss] += 1
                continue
            score = 0.0
            reasons = ["process"]
            sizes = [e["max_size_mm"] for e in public["equipment"] if e.get("max_size_mm")]
            if step.get("size_mm") and sizes:
                reasons.append("size_fits")
                score += 10
            elif step.get("size_mm"):
                reasons.append("size_unknown")
            if material and material in public.get("materials", []):
                reasons.append("material")
                score += 15
            elif material:
                reasons.append("material_unknown")
            if request.get("certification"):
                reasons.append("certification")
            cls = profiles.region_class(public)
            if request["qty"] >= VOLUME_QTY and cls == "regional":
                reasons.append("volume_regional")
                score += 12
            elif cls == lead_class:
                reasons.append("near")
                score += 10
            elif cls != "regional":
                reasons.append("tokyo_area")
                score += 5
            offer = offers.get((step["seq"], firm))
            if offer is not None:
                reasons.append("volunteered")
                score += 20
            # Load and the QCD record rank, never show: open steps from the events, the
            # firm's own private figure, and its record (no firm reads another's).
            score -= min(20, 2 * load.get(firm, 0))
            score -= float(private.get("load_pct") or 0) / 5
            rec = records.get(firm)
            if rec is not None and rec["steps"]:
                score += 10 * (rec["on_time_rate"] or 0) - 20 * (rec["downstream_rate"] or 0)
                score += 2 * ((rec["rating_q"] or 3) + (rec["rating_d"] or 3) - 6)
            cand: dict[str, Any] = {"firm": firm, "name": names.get(firm, firm), "reasons": reasons}
            if offer is not None:
                cand["offer"] = {"price_yen": offer["price_yen"], "date": offer["date"]}
            ranked.append((-score, firm, cand))
        ranked.sort(key=lambda t: (t[0], t[1]))
        candidates = [cand | {"rank": i + 1} for i, (_s, _f, cand) in enumerate(ranked)]
        entry: dict[str, Any] = {
            "seq": step["seq"],
            "process": step["process"],
            "candidates": candidates,
        }
        if not candidates:
            entry["none"] = (
                "no_process"
                if set(misses) <= {"no_process"}
                else ("too_small" if "too_small" in misses else "no_certification")
            )
        out.append(entry)
    return out
