"""``python -m bench sync``: hub ingest rate, a week's backlog drained, a herd of 500.

- ``hub_ingest_events_per_s``: batches of 500 events (jobs on three-firm routes, so each
  event lands in three feeds) pushed gzip over loopback HTTP to a hub in its own process
  (SQLite; PostgreSQL too when it is installed), two terminals pushing at once.
- ``backlog_7d_drain_s``: one terminal offline for a week with 20,000 events waiting,
  then ``sync`` until its outbox is empty and its feed pulled.
- ``herd_500_p99_ms`` / ``herd_500_errors``: 500 terminals start a sync at the same
  moment (push 4 events, pull the feed); the 99th percentile of their sync times and
  how many got anything but a success.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from app.core.clock import new_event_id, utc_now_iso
from hub import registry, throwaway_pg
from hub.db import HubDB

ROUTE_FIRMS = ("FA01", "FB02", "FC03")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubProcess:
    """``nakama-hub serve`` in a child process, so the load generator does not share
    its interpreter."""

    def __init__(self, db_url: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            sys.executable,
            "-m",
            "hub",
            "--db",
            db_url,
            "serve",
            "--port",
            str(self.port),
            "--rate",
            "100000",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("hub did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _setup(db_url: str, terminals: dict[str, str]) -> dict[str, str]:
    """Register firms and enrol ``terminal_id -> firm``; returns ``terminal_id -> token``."""
    db = HubDB(db_url)
    for f in sorted({*terminals.values(), *ROUTE_FIRMS}):
        if registry.firm(db, f) is None:
            registry.add_firm(db, f, f"{f} 製作所")
    tokens = {}
    for tid, firm in terminals.items():
        tokens[tid] = registry.enroll(db, registry.make_enroll_code(db, firm), tid)["token"]
    db.close()
    return tokens


def _events(firm: str, terminal: str, n: int, start_seq: int = 1) -> list[dict[str, Any]]:
    """``n`` wire events of jobs led by ``firm`` on a three-firm route."""
    out: list[dict[str, Any]] = []
    hlc = time.time_ns() // 1_000_000 << 16
    job = ""
    for i in range(n):
        seq = start_seq + i
        base = {
            "event_id": new_event_id(),
            "terminal_id": terminal,
            "seq": seq,
            "hlc": hlc + seq,
            "occurred_at": utc_now_iso(),
            "firm_id": firm,
            "schema_version": 1,
        }
        if i % 100 == 0:
            job = f"{firm}-" + new_event_id().replace("-", "")[-12:]
            route = [
                {"seq": 10 * (k + 1), "process": "LATHE", "firm": f}
                for k, f in enumerate((firm, *[x for x in ROUTE_FIRMS if x != firm][:2]))
            ]
            out.append(
                base
                | {
                    "job_id": job,
                    "op": None,
                    "type": "JobCreated",
                    "payload": {
                        "part_no": "SHAFT-2041",
                        "drawing_no": "D-1",
                        "qty": 100,
                        "due": (date.today() + timedelta(days=9)).isoformat(),
                        "lead_firm": firm,
                        "route": route,
                        "customer": "顧客",
                        "unit_price_yen": 1200,
                        "note": "",
                    },
                }
            )
            continue
        out.append(
            base
            | {
                "job_id": job,
                "op": 10,
                "type": "MeasurementTaken",
                "payload": {
                    "lot_id": f"{job}-L1",
                    "characteristic": "OD",
                    "nominal": "12.000",
                    "tol_minus": "0.010",
                    "tol_plus": "0.010",
                    "value": f"12.00{i % 10}",
                    "unit": "mm",
                    "gauge": "M1",
                },
            }
        )
    return out


def ingest_rate(db_url: str, events_total: int = 20_000, batch: int = 500) -> float:
    terminals = {"TBENCH1": "FA01", "TBENCH2": "FB02"}
    tokens = _setup(db_url, terminals)
    bodies: dict[str, list[bytes]] = {}
    per = events_total // len(terminals)
    for tid, firm in terminals.items():
        evs = _events(firm, tid, per)
        bodies[tid] = [
            gzip.compress(json.dumps({"events": evs[i : i + batch]}).encode(), 5)
            for i in range(0, per, batch)
        ]
    hub = HubProcess(db_url)
    accepted = [0]
    lock = threading.Lock()

    def pusher(tid: str) -> None:
        h = {
            "Authorization": f"Bearer {tokens[tid]}",
            "Content-Encoding": "gzip",
            "Content-Type": "application/json",
        }
        with httpx.Client(timeout=60) as c:
            for body in bodies[tid]:
                r = c.post(hub.url + "/v1/events", content=body, headers=h)
                r.raise_for_status()
                with lock:
                    accepted[0] += r.json()["accepted"]

    try:
        t0 = time.perf_counter()
        threads = [threading.Thread(target=pusher, args=(t,)) for t in terminals]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
    finally:
        hub.stop()
    assert accepted[0] == events_total, accepted[0]
    return events_total / elapsed


def backlog_drain(tmp: Path, n: int = 20_000) -> tuple[float, int]:
    from app.core import commands
    from app.store import Store
    from app.sync import Syncer, enroll
    from app.sync.syncer import sync_until_idle

    db_url = f"sqlite:///{tmp / 'backlog-hub.db'}"
    HubDB(db_url).close()
    admin = HubDB(db_url)
    registry.add_firm(admin, "FA01", "山田精機")
    code = registry.make_enroll_code(admin, "FA01")
    admin.close()
    hub = HubProcess(db_url)
    try:
        store = Store.open(tmp / "backlog-terminal.db")
        enroll(store, hub.url, code)
        # A week of shop-floor events written offline (set-up only: not durable writes).
        store.conn.execute("PRAGMA synchronous = OFF")
        for i in range(n):
            r = store.record(
                commands.machine_state(
                    store.actor, f"M{i % 12}", "run" if i % 3 else "stop", i % 65536
                )
            )
            assert r.ok
        store.conn.execute("PRAGMA synchronous = FULL")
        assert store.outbox_stats()["pending"] == n
        syncer = Syncer(store)
        t0 = time.perf_counter()
        sync_until_idle(syncer)
        elapsed = time.perf_counter() - t0
        left = store.outbox_stats()["pending"]
        syncer.close()
        store.close()
        with httpx.Client() as c:
            c.get(hub.url + "/healthz")
    finally:
        hub.stop()
    check = HubDB(db_url)
    with check.read() as c:
        on_hub = int(c.exec_driver_sql("SELECT count(*) FROM events").scalar_one())
    check.close()
    assert left == 0 and on_hub == n, (left, on_hub)
    return elapsed, on_hub


def herd(tmp: Path, n: int = 500, events_each: int = 4) -> tuple[float, int, float]:
    db_url = f"sqlite:///{tmp / 'herd-hub.db'}"
    firms = [f"FH{i % 50:02d}" for i in range(n)]
    terminals = {f"TH{i:04d}": firms[i] for i in range(n)}
    tokens = _setup(db_url, terminals)
    payloads = {
        tid: json.dumps({"events": _events(firm, tid, events_each)}).encode()
        for tid, firm in terminals.items()
    }
    hub = HubProcess(db_url)

    host, port = "127.0.0.1", hub.port

    async def call(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: str, body: bytes = b""
    ) -> int:
        writer.write(head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        await writer.drain()
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        return int(status_line.split()[1])

    async def one(tid: str, start: asyncio.Event) -> float | None:
        # A bare HTTP/1.1 client: 500 httpx clients in one process measure httpx's
        # connection pool, not the hub.
        auth = f"Authorization: Bearer {tokens[tid]}\r\nHost: {host}\r\n"
        await start.wait()
        t0 = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(host, port)
            try:
                push = f"POST /v1/events HTTP/1.1\r\n{auth}Content-Type: application/json\r\n"
                if await call(reader, writer, push, payloads[tid]) != 200:
                    return None
                if await call(reader, writer, f"GET /v1/feed HTTP/1.1\r\n{auth}") != 200:
                    return None
            finally:
                writer.close()
        except (OSError, ValueError, asyncio.IncompleteReadError):
            return None
        return (time.perf_counter() - t0) * 1000

    async def main() -> list[float | None]:
        start = asyncio.Event()
        tasks = [asyncio.create_task(one(tid, start)) for tid in terminals]
        await asyncio.sleep(0.2)
        start.set()
        return list(await asyncio.gather(*tasks))

    try:
        results = asyncio.run(main())
    finally:
        hub.stop()
    ok = sorted(r for r in results if r is not None)
    errors = len(results) - len(ok)
    p99 = ok[min(len(ok) - 1, int(len(ok) * 0.99))] if ok else float("inf")
    return p99, errors, statistics.median(ok) if ok else float("inf")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench sync")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--herd", type=int, default=500)
    p.add_argument("--runs", type=int, default=5, help="ingest runs per database (median)")
    args = p.parse_args(argv)
    result: dict[str, Any] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        # Each run is about a second of fsyncs, whose speed on this machine's disk varies
        # from one second to the next: the median of several fresh hubs is the figure.
        runs: dict[str, list[int]] = {"sqlite": []}
        for n in range(args.runs):
            url = f"sqlite:///{tmp / f'ingest{n}.db'}"
            runs["sqlite"].append(round(ingest_rate(url)))
            print(json.dumps({"stage": "ingest", "sqlite": runs["sqlite"][-1]}), flush=True)
        if not args.no_postgres:
            try:
                runs["postgresql"] = []
                for _ in range(args.runs):
                    runs["postgresql"].append(round(ingest_rate(throwaway_pg.fresh_database())))
                    print(
                        json.dumps({"stage": "ingest", "postgresql": runs["postgresql"][-1]}),
                        flush=True,
                    )
            except throwaway_pg.PostgresUnavailable as exc:
                del runs["postgresql"]
                result["postgresql_note"] = str(exc)[:200]
        rates: dict[str, int | None] = {k: round(statistics.median(v)) for k, v in runs.items()}
        rates.setdefault("postgresql", None)
        result["hub_ingest_events_per_s"] = rates
        result["hub_ingest_runs"] = runs
        drain, events = backlog_drain(tmp)
        result["backlog_7d_drain_s"] = round(drain, 2)
        result["backlog_events"] = events
        print(json.dumps({"stage": "backlog", "s": result["backlog_7d_drain_s"]}), flush=True)
        p99, errors, median = herd(tmp, args.herd)
        result["herd_500_p99_ms"] = round(p99, 1)
        result["herd_500_median_ms"] = round(median, 1)
        result["herd_500_errors"] = errors
        result["herd_terminals"] = args.herd
    print(json.dumps(result))
    return 0
