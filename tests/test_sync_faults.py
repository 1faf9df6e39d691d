"""A hostile network and crashing terminals: after healing, every terminal converges,
the hub holds every event once, and no queue is stuck."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hub_support import (
    FaultProxy,
    Hub,
    Terminal,
    do_op,
    fresh_db_url,
    make_terminal,
    route_job,
    running_hub,
)

from app.store import Store
from app.sync import HubClient, Syncer, SyncError, SyncLoop
from app.sync.photos import queue_photo
from app.sync.syncer import sync_until_idle
from tests.factories import raw

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url("sqlite", tmp_path), rate_per_s=1000, burst=1000) as h:
        for f in ("FA01", "FB02"):
            h.add_firm(f)
        yield h


@pytest.fixture
def proxy(hub: Hub) -> Iterator[FaultProxy]:
    p = FaultProxy(hub.url)
    yield p
    p.close()


def local_ids(t: Terminal) -> set[str]:
    return {r["event_id"] for r in t.store.rows("SELECT event_id FROM events")}


def hub_ids(hub: Hub) -> list[str]:
    with hub.admin.read() as c:
        return [r[0] for r in c.exec_driver_sql("SELECT event_id FROM events")]


def test_every_fault_then_convergence(hub: Hub, proxy: FaultProxy, tmp_path: Path) -> None:
    a = make_terminal(hub, tmp_path, "FA01", via=proxy.url, keepalive=False, timeout=0.5)
    b = make_terminal(hub, tmp_path, "FB02", via=proxy.url, keepalive=False, timeout=0.5)
    proxy.delay_s = 0.8  # longer than the client's timeout
    faults = ["drop", "cut", "reset", "http500", "delay", "http429", "pass", "cut", "pass"]
    proxy.plan = faults * 2
    a.syncer.batch = b.syncer.batch = 4
    try:
        job = route_job(a, "10:LATHE:FA01,20:HEAT:FB02")
        for n in range(3):
            do_op(a, job, f"{job}-L{n + 1}", 10, 5, "FB02")
        errors: list[str] = []
        for _ in range(40):
            for t in (a, b):
                try:
                    t.syncer.sync_once()
                except SyncError as exc:
                    errors.append(exc.code)
            if not proxy.plan:
                break
        assert {"offline", "injected"} <= set(errors)
        proxy.mode = "pass"  # the network heals
        for t in (a, b, a, b):
            sync_until_idle(t.syncer)
        ids = hub_ids(hub)
        assert len(ids) == len(set(ids)) == a.store.count_events() == 13
        assert local_ids(a) == local_ids(b) == set(ids)
        assert hub.count("quarantine") == 0
        for t in (a, b):
            assert t.store.outbox_stats() == {
                "pending": 0,
                "oldest_pending_at": None,
                "rejected": 0,
            }
        assert b.store.job(job).lots[f"{job}-L3"].in_transit_to == "FB02"  # type: ignore[union-attr]
        assert "cut" in proxy.seen  # the hub committed and the answer was lost: duplicates
    finally:
        a.close()
        b.close()


def test_retries_on_a_timer_without_new_writes(hub: Hub, proxy: FaultProxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One failed upload, then nothing written locally: the queue still drains."""
    a = make_terminal(hub, tmp_path, "FA01", via=proxy.url, keepalive=False)
    route_job(a, "10:LATHE:FA01,20:HEAT:FB02")
    proxy.plan = ["http500", "reset", "http429"]
    seen = []
    loop = SyncLoop(a.store, a.syncer, interval_s=30, base_backoff_s=0.05, on_change=seen.append)
    loop.start()
    try:
        deadline = time.monotonic() + 20
        while a.store.outbox_stats()["pending"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert a.store.outbox_stats()["pending"] == 0
        assert loop.rounds >= 3 and len(hub_ids(hub)) == 1
        assert seen[0].waiting == 1 and seen[0].state in ("busy", "offline")
        assert not seen[0].online or seen[0].state == "busy"
        deadline = time.monotonic() + 5
        while not (seen and seen[-1].state == "idle") and time.monotonic() < deadline:
            time.sleep(0.05)
        last = seen[-1]
        assert last.state == "idle" and last.waiting == 0 and last.last_success
    finally:
        loop.stop()
        a.close()


def test_backoff_grows_with_jitter_and_honours_retry_after(tmp_path: Path) -> None:
    import random

    from app.sync.errors import HubBusy, Offline

    store = Store.open(tmp_path / "t.db", firm_id="FA01")
    loop = SyncLoop(store, Syncer(store, HubClient("http://127.0.0.1:9")), rng=random.Random(1))
    delays = []
    for n in range(1, 8):
        loop.failures = n
        delays.append(loop.next_delay(Offline("offline")))
    assert delays == sorted(delays) and delays[-1] <= 300 and len(set(delays)) == 7
    loop.failures = 1
    assert loop.next_delay(HubBusy("rate_limited", retry_after=42)) >= 42
    assert loop.next_delay(None) == loop.interval_s
    store.close()


def test_4xx_parks_only_the_bad_event(tmp_path: Path) -> None:
    """The hub refuses any batch holding one poisoned event (413): the batch is split
    until that one is parked, visible, and everything else goes through."""
    store = Store.open(tmp_path / "t.db", firm_id="FA01")
    for n in range(9):
        store.record(raw("MachineStateChanged", {"machine": f"M{n}", "state": "run"}))
    poison = store.outbox_pending(10)[4].event_id
    stored: list[str] = []

    def hub(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/feed":
            return httpx.Response(200, json={"cursor": "c", "more": False, "events": []})
        if request.url.path == "/v1/keys":
            return httpx.Response(200, json={"firm": "FA01"})
        import gzip

        events = json.loads(gzip.decompress(request.content))["events"]
        ids = [e["event_id"] for e in events]
        if poison in ids:
            return httpx.Response(413, json={"error": "body_too_large"})
        stored.extend(ids)
        return httpx.Response(
            200, json={"results": [{"event_id": i, "status": "accepted"} for i in ids]}
        )

    client = HubClient("http://hub", "tok", client=httpx.Client(transport=httpx.MockTransport(hub)))
    report = Syncer(store, client).sync_once()
    assert report.pushed == 8 and report.rejected == 1 and poison not in stored
    st = store.outbox_stats()
    assert st["pending"] == 0 and st["rejected"] == 1
    row = store.rows(
        "SELECT o.last_error FROM outbox o JOIN events e USING (pos) WHERE e.event_id = ?",
        (poison,),
    )[0]
    assert row["last_error"].startswith("body_too_large")
    # A later round does not retry the parked event, and the queue keeps moving.
    store.record(raw("MachineStateChanged", {"machine": "M9", "state": "stop"}))
    assert Syncer(store, client).sync_once().pushed == 1
    store.close()


def test_timeout_halves_the_batch(hub: Hub, proxy: FaultProxy, tmp_path: Path) -> None:
    a = make_terminal(hub, tmp_path, "FA01", via=proxy.url, keepalive=False, timeout=0.5)
    for n in range(6):
        a.record("MachineStateChanged", {"machine": f"M{n}", "state": "run"})
    proxy.delay_s = 1.0
    proxy.plan = ["delay", "delay", "delay"]
    with pytest.raises(SyncError):
        a.syncer.sync_once()
    assert a.syncer.batch == 500 // 8
    sync_until_idle(a.syncer)
    assert a.store.outbox_stats()["pending"] == 0 and len(hub_ids(hub)) == 6
    a.close()


def test_photos_resume_and_never_block_events(hub: Hub, proxy: FaultProxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = make_terminal(hub, tmp_path, "FA01", via=proxy.url, keepalive=False)
    photo = tmp_path / "defect.jpg"
    photo.write_bytes(os.urandom(700 * 1024))  # three chunks
    ev = a.record("MachineStateChanged", {"machine": "M1", "state": "alarm"})
    pid = queue_photo(a.store, photo, ev.event_id)
    # events: push, pull; the signing key; photos: announce, chunk 1, then the line dies
    proxy.plan = ["pass", "pass", "pass", "pass", "pass", "reset"]
    report = a.syncer.sync_once()
    assert report.photo_error == "offline" and a.store.outbox_stats()["pending"] == 0
    sent = a.store.rows("SELECT sent FROM sync_photos")[0]["sent"]
    assert sent == 256 * 1024
    a.syncer.sync_once()  # resumes at 256 KiB, not at zero
    st = a.syncer.client.request("GET", f"/v1/photos/{pid}")
    assert st == {"photo_id": pid, "size": 700 * 1024, "received": 700 * 1024, "complete": True}
    assert a.store.rows("SELECT state FROM sync_photos")[0]["state"] == "done"
    with hub.admin.read() as c:
        chunks = c.exec_driver_sql("SELECT count(*) FROM photo_chunks").scalar_one()
    assert chunks == 3
    a.close()


def test_sigkill_mid_sync_then_convergence(hub: Hub, proxy: FaultProxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "killed.db"
    store = Store.open(db)
    from app.sync import enroll

    enroll(store, proxy.url, hub.code("FA01"))
    store.conn.execute("PRAGMA synchronous = OFF")  # set-up speed only
    for n in range(1500):
        store.record(
            raw("MachineStateChanged", {"machine": f"M{n % 7}", "state": "run", "counter": n})
        )
    store.close()
    # Every answer takes a second: the hub commits a batch, then the terminal dies
    # before hearing so (the "upload repeated" case), or while sending the next one.
    proxy.mode, proxy.delay_s = "slow", 1.0
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--db", str(db), "sync", "--once"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not hub_ids(hub) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    on_hub = len(hub_ids(hub))
    assert 0 < on_hub < 1500, on_hub  # killed in the middle
    proxy.mode = "pass"
    store = Store.open(db)
    try:
        assert store.check_integrity() == []
        assert store.outbox_stats()["pending"] == 1500  # it never heard the hub's answer
        syncer = Syncer(store)
        report = sync_until_idle(syncer)
        syncer.close()
        assert report.duplicates == on_hub  # sent again, stored once
        ids = hub_ids(hub)
        assert len(ids) == len(set(ids)) == 1500
        assert store.outbox_stats()["pending"] == 0
    finally:
        store.close()
