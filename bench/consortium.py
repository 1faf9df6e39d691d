"""``python -m bench consortium``: the ward's figures and a request's proposals for a
consortium of 500 firms and one year of their events (5 million and more).

The year comes from ``bench.consortium_gen`` (firms with profiles, a quarter regional;
jobs over 2-6 firms with receipts, starts, measurements, finishes, hand-offs, defects
found downstream, late steps, corrections, prices and ratings). It is loaded quarter by
quarter through the bulk path (``COPY`` on PostgreSQL, many-row ``INSERT`` on SQLite;
each quarter's summaries kept by ``hub.summary.refresh`` as ingest keeps them), and
after each quarter the fiscal year's KPIs are timed (``hub.kpi.figures``), so the line
shows how ``kpi_year_ms`` grows from a quarter to half to the whole year. Then requests
are entered through the hub (``hub.inquiries.create``) and their proposals timed
(``hub.inquiries.proposals``: capability, load, QCD record), and the QCD report.

The last line is a JSON object: per backend ``kpi_year_ms`` (median of 5),
``kpi_growth_ms`` (quarter, half, year), ``match_request_ms_p95``, ``qcd_report_ms`` and
the load time; at the top level the worst backend's figures. ``--small`` runs a small
consortium end to end (for the test).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import consortium_gen as gen
from hub import inquiries, kpi, qcd, summary, throwaway_pg
from hub.db import HubDB
from hub.registry import Credential

OFFICE = Credential("T-OFFICE", "OFFICE", "office")


def _ms(fn: Any, *args: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t) * 1000, out


def run_backend(url: str, spec: gen.Spec, samples: int, log: Any) -> dict[str, Any]:
    db = HubDB(url)
    try:
        p = gen.plan(spec)
        t0 = time.perf_counter()
        creds = gen.setup_firms(db, p)
        makers = gen.makers_for(p)
        events = 0
        growth: dict[str, float] = {}
        load_s = 0.0
        for i, jobs in enumerate(gen.quarters(p)):
            t = time.perf_counter()
            events += gen.write_bulk(db, p, jobs, makers)
            load_s += time.perf_counter() - t
            times = [_ms(kpi.figures, db, spec.fiscal_year)[0] for _ in range(3)]
            label = ("quarter", "half", "three_quarters", "year")[i]
            growth[label] = round(statistics.median(times), 1)
            log(f"  {label}: {events:,} events loaded in {load_s:.0f} s; kpi {growth[label]} ms")
        setup_s = time.perf_counter() - t0
        kpi_times = [_ms(kpi.figures, db, spec.fiscal_year)[0] for _ in range(5)]
        fig = kpi.figures(db, spec.fiscal_year)
        qcd_ms, report = _ms(qcd.report, db, OFFICE)
        # Requests entered as lead firms do (the hub ranks them once on entry), then the
        # proposals a lead firm asks for, each timed.
        rng = random.Random(spec.seed + 1)
        rids: list[tuple[str, Credential]] = []
        for k in range(samples):
            r = p.requests[rng.randrange(len(p.requests))]
            cred = creds[r.lead]
            body = {**r.body, "part": f"BENCH-{k}"}
            rids.append((inquiries.create(db, cred, body)["request_id"], cred))
        match_ms = []
        for rid, cred in rids:
            ms, _out = _ms(inquiries.proposals, db, cred, rid)
            match_ms.append(ms)
        match_ms.sort()
        with db.read() as c:
            rows = summary.count_rows(c)
        return {
            "events": events,
            "jobs": len(p.jobs),
            "load_s": round(load_s, 1),
            "setup_s": round(setup_s, 1),
            "kpi_year_ms": round(statistics.median(kpi_times), 1),
            "kpi_growth_ms": growth,
            "match_request_ms_p95": round(match_ms[int(0.95 * (len(match_ms) - 1))], 1),
            "match_request_ms_median": round(statistics.median(match_ms), 1),
            "qcd_report_ms": round(qcd_ms, 1),
            "qcd_firms": len(report["firms"]),
            "year": fig["year"],
            "summary_rows": rows,
        }
    finally:
        db.close()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench consortium")
    ap.add_argument("--firms", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=40_000)
    ap.add_argument("--requests", type=int, default=48_000)
    ap.add_argument("--measurements", type=int, default=30, help="per step")
    ap.add_argument("--samples", type=int, default=100, help="requests matched")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--small", action="store_true", help="a small consortium, quickly")
    args = ap.parse_args(argv)
    if args.small:
        args.firms, args.jobs, args.requests, args.measurements, args.samples = 40, 300, 400, 2, 20
    spec = gen.Spec(
        firms=args.firms,
        requests=args.requests,
        jobs=args.jobs,
        measurements=args.measurements,
    )

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    out: dict[str, Any] = {
        "firms": args.firms,
        "jobs": args.jobs,
        "fiscal_year": spec.fiscal_year,
    }
    with tempfile.TemporaryDirectory(prefix="nakama-consbench-") as tmp:
        for backend in args.backends.split(","):
            log(f"{backend}:")
            if backend == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'hub.db'}"
            else:
                try:
                    url = throwaway_pg.fresh_database()
                except throwaway_pg.PostgresUnavailable as exc:
                    out[backend] = {"skipped": str(exc)}
                    continue
            out[backend] = run_backend(url, spec, args.samples, log)
    ran = [v for v in out.values() if isinstance(v, dict) and "kpi_year_ms" in v]
    if ran:
        out["events"] = ran[0]["events"]
        out["kpi_year_ms"] = max(r["kpi_year_ms"] for r in ran)
        out["match_request_ms_p95"] = max(r["match_request_ms_p95"] for r in ran)
        q = max(ran, key=lambda r: r["kpi_year_ms"])["kpi_growth_ms"]
        out["kpi_growth"] = {
            "half_over_quarter": round(q["half"] / q["quarter"], 2),
            "year_over_quarter": round(q["year"] / q["quarter"], 2),
        }
    print(json.dumps(out, ensure_ascii=False))
    return 0
