"""``python -m bench store``: durable append throughput against raw SQLite, and replay time.

Prints progress lines, then one JSON object as the last line:
``durable_appends_per_s`` (one event per transaction through ``Store.record``, projections
and outbox included), ``raw_sqlite_commits_per_s`` (a one-row INSERT + COMMIT with the
same pragmas, measured in the same run, interleaved in rounds so disk noise hits both),
``ratio``, ``append_p50_ms``/``append_p99_ms`` and ``replay_100k_s``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from app.core import commands, lots
from app.core.clock import hlc_pack, new_event_id
from app.core.model import JobSpec, Route
from app.store import Store
from wire.events import Event

ROUTE = [
    {"seq": 10, "process": "LATHE", "firm": "F001"},
    {"seq": 20, "process": "HEAT", "firm": "F007"},
    {"seq": 30, "process": "GRIND", "firm": "F012"},
    {"seq": 40, "process": "INSPECT", "firm": "F001"},
]


ACTOR = commands.Actor("F001", "F001-OP-BNCH", commands.OWNER)


def _job(store: Store, job: str) -> None:
    spec = JobSpec(job, "P", 10**6, date(2026, 12, 31), "F001", Route.from_dicts(ROUTE))
    lot = lots.first_lot(job)
    for decide in (
        lambda j: commands.create_job(j, ACTOR, spec),
        lambda j: commands.receive(j, ACTOR, lot, 10, 10**6),
        lambda j: commands.start(j, ACTOR, lot, 10),
    ):
        r = store.record(decide(store.job(job)))
        if not r.ok:
            raise RuntimeError(r.reason)


def _decide(store: Store, job: str, i: int) -> commands.Outcome:
    """The shop-floor mix, decided by the core commands against the job's cached state:
    mostly measurements, with pauses, resumes and defects."""
    k = i % 10
    lot = lots.first_lot(job)
    state = store.job(job)
    if k == 3:
        return commands.pause(state, ACTOR, lot, 10, "BREAK")
    if k == 4:
        return commands.resume(state, ACTOR, lot, 10)
    if k == 7:
        return commands.record_defect(state, ACTOR, lot, 10, "BURR", 1)
    return commands.measure(
        state,
        ACTOR,
        lot,
        10,
        characteristic="OD",
        nominal="10.000",
        tol_minus="0.010",
        tol_plus="0.010",
        value=f"10.{i % 20:03d}",
        gauge="sim://mitutoyo",
    )


def _record(store: Store, cmd: commands.Outcome) -> None:
    r = store.record(cmd)
    if not r.ok:
        raise RuntimeError(r.reason)


def _raw_setup(path: Path) -> sqlite3.Connection:
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    c.execute("PRAGMA foreign_keys=ON")
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, payload TEXT)")
    return c


def measure_appends(tmp: Path, rounds: int, per_round: int) -> dict[str, Any]:
    store = Store.open(tmp / "bench.db", firm_id="F001")
    raw = _raw_setup(tmp / "raw.db")
    _job(store, "F001-JB")
    latencies: list[float] = []
    store_rates, raw_rates, full_durations = [], [], []
    decide_s = 0.0
    n = 0
    payload = json.dumps({"lot_id": "JB", "value": "10.001", "unit": "mm"})
    for _ in range(rounds):
        # The store's durable append of a decided command (what the ratio compares with a
        # raw commit), timed apart from the core's decision, which is pure computation.
        elapsed = 0.0
        for _ in range(per_round):
            d = time.perf_counter()
            cmd = _decide(store, "F001-JB", n)
            s = time.perf_counter()
            _record(store, cmd)
            e = time.perf_counter()
            latencies.append(e - s)
            elapsed += e - s
            decide_s += s - d
            full_durations.append(e - d)
            n += 1
        store_rates.append(per_round / elapsed)
        t0 = time.perf_counter()
        for _ in range(per_round):
            raw.execute("BEGIN")
            raw.execute(
                "INSERT INTO t (event_id, payload) VALUES (?, ?)", (new_event_id(), payload)
            )
            raw.execute("COMMIT")
        raw_rates.append(per_round / (time.perf_counter() - t0))
    store.close()
    raw.close()
    latencies.sort()
    durable, rawr = statistics.median(store_rates), statistics.median(raw_rates)
    return {
        "durable_appends_per_s": round(durable, 1),
        "raw_sqlite_commits_per_s": round(rawr, 1),
        "ratio": round(durable / rawr, 3),
        "append_p50_ms": round(latencies[len(latencies) // 2] * 1000, 3),
        "append_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
        # The whole path a screen takes: the core command decides, the store records.
        "decide_mean_us": round(decide_s / n * 1e6, 1),
        "decided_appends_per_s": round(n / sum(full_durations), 1),
        "appends_measured": n,
    }


def synthetic_events(total: int, events_per_job: int = 200) -> list[Event]:
    """A realistic event log: jobs along a four-firm route, measurements dominating."""
    events: list[Event] = []
    ms = 1_700_000_000_000
    seq = 0
    firms = {10: "F001", 20: "F007", 30: "F012", 40: "F001"}

    def ev(type_: str, payload: dict[str, Any], job: str, op: int | None) -> None:
        nonlocal ms, seq
        ms += 1000
        seq += 1
        firm = firms[op] if op else "F001"
        events.append(
            Event(
                new_event_id(),
                f"T{firm}",
                seq,
                hlc_pack(ms, 0),
                time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime(ms / 1000)),
                firm,
                job,
                op,
                type_,
                payload,
            )
        )

    j = 0
    while len(events) < total:
        job = f"F001-J{j:06d}"
        j += 1
        lot = f"{job}-L1"
        ev(
            "JobCreated",
            {"part_no": "P", "qty": 100, "due": "2026-12-31", "lead_firm": "F001", "route": ROUTE},
            job,
            None,
        )
        per_op = (events_per_job - 1) // 4
        for op in (10, 20, 30, 40):
            ev("LotReceived", {"lot_id": lot, "count": 100}, job, op)
            ev("OpStarted", {"lot_id": lot}, job, op)
            for i in range(per_op - 5):
                ev(
                    "MeasurementTaken",
                    {
                        "lot_id": lot,
                        "characteristic": "OD",
                        "nominal": "10",
                        "tol_minus": "0.01",
                        "tol_plus": "0.01",
                        "value": f"10.{i % 15:03d}",
                        "unit": "mm",
                    },
                    job,
                    op,
                )
            ev(
                "DefectRecorded",
                {"lot_id": lot, "code": "BURR", "count": 1, "disposition": "scrap", "note": ""},
                job,
                op,
            )
            ev(
                "OpFinished",
                {"lot_id": lot, "good": 100 - (op // 10), "defect": 0, "scrap": op // 10},
                job,
                op,
            )
            if op != 40:
                ev(
                    "LotHandedOff",
                    {"lot_id": lot, "to_firm": firms[op + 10], "count": 100 - (op // 10) - 1},
                    job,
                    op,
                )
    return events[:total]


def measure_replay(tmp: Path, total: int) -> dict[str, Any]:
    store = Store.open(tmp / "replay.db", firm_id="F999")
    events = synthetic_events(total)
    for i in range(0, len(events), 5000):
        store.ingest(events[i : i + 5000])
    t0 = time.perf_counter()
    n = store.rebuild()
    elapsed = time.perf_counter() - t0
    jobs = store.rows("SELECT count(*) AS n FROM jobs")[0]["n"]
    anomalies = store.rows("SELECT count(*) AS n FROM anomalies")[0]["n"]
    store.close()
    return {
        "replay_events": n,
        "replay_100k_s": round(elapsed * 100_000 / n, 3),
        "replay_jobs": jobs,
        "replay_anomalies": anomalies,
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench store")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--per-round", type=int, default=200)
    ap.add_argument("--replay-events", type=int, default=100_000)
    ap.add_argument("--dir", help="where to put the databases (default: a temp dir)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        tmp = Path(d)
        result = measure_appends(tmp, args.rounds, args.per_round)
        print(json.dumps({"stage": "appends", **result}), flush=True)
        replay = measure_replay(tmp, args.replay_events)
        print(json.dumps({"stage": "replay", **replay}), flush=True)
    print(json.dumps({"bench": "store", **result, **replay}))
    return 0
