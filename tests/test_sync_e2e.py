"""End to end: the real hub on loopback, three firms passing one lot A → B → C → A,
a fourth firm that must see nothing; on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_support import Hub, Terminal, do_op, fresh_db_url, make_terminal, route_job, running_hub

from app.core.clock import HybridClock
from app.store.firms import firm_directory, firm_names
from app.sync.syncer import sync_until_idle
from hub import registry

FIRMS = ("FA01", "FB02", "FC03", "FD04")


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url(request.param, tmp_path)) as h:
        for f in FIRMS:
            h.add_firm(f, "kawasaki" if f == "FC03" else "ota")
        yield h


@pytest.fixture
def terminals(hub: Hub, tmp_path: Path) -> Iterator[dict[str, Terminal]]:
    ts = {f: make_terminal(hub, tmp_path, f) for f in FIRMS}
    yield ts
    for t in ts.values():
        t.close()


def sync_all(ts: dict[str, Terminal]) -> None:
    for _ in range(2):  # a second pass brings down what the others pushed in the first
        for t in ts.values():
            sync_until_idle(t.syncer)


def test_one_lot_travels_a_b_c_a(hub: Hub, terminals: dict[str, Terminal]) -> None:
    a, b, c, d = (terminals[f] for f in FIRMS)
    job = route_job(a, "10:LATHE:FA01,20:HEAT:FB02,30:GRIND:FC03,40:INSPECT:FA01")
    lot = f"{job}-L1"
    do_op(a, job, lot, 10, 10, "FB02")
    sync_all(terminals)

    # B sees the job and that the lot is coming, but not the customer or the price.
    jb = b.store.job(job)
    assert jb is not None and jb.lots[lot].in_transit_to == "FB02"
    assert jb.customer == "" and jb.unit_price_yen is None
    do_op(b, job, lot, 20, 10, "FC03")
    sync_all(terminals)
    do_op(c, job, lot, 30, 10, "FA01")
    sync_all(terminals)
    do_op(a, job, lot, 40, 10, None)
    sync_all(terminals)

    for t in (a, b, c):
        state = t.store.job(job)
        assert state is not None, t.firm
        assert state.status == "done", t.firm
        assert [state.lots[lot].ops[s].status for s in (10, 20, 30, 40)] == ["done"] * 4
        assert not state.anomalies, (t.firm, state.anomalies)
        assert t.store.count_events() == 16
        assert t.store.outbox_stats()["pending"] == 0
        assert t.store.check_integrity() == []
    assert a.store.job(job).customer == "トヨタ紡織"  # type: ignore[union-attr]
    assert a.store.job(job).unit_price_yen == 1800  # type: ignore[union-attr]
    for t in (b, c):
        rows = t.store.rows("SELECT payload FROM events WHERE type = 'JobCreated'")
        assert "トヨタ紡織" not in rows[0]["payload"] and "1800" not in rows[0]["payload"]

    # The fourth firm sees nothing of it, on its terminal or by asking the hub.
    assert d.store.job(job) is None and d.store.count_events() == 0
    assert (
        d.syncer.client.http.get(
            f"{hub.url}/v1/jobs/{job}", headers={"Authorization": f"Bearer {d.token}"}
        ).status_code
        == 404
    )
    # The hub holds every event exactly once.
    assert hub.count("events") == 16
    assert hub.count("quarantine") == 0


def test_a_firms_terminals_see_each_other(hub: Hub, tmp_path: Path) -> None:
    a1 = make_terminal(hub, tmp_path, "FA01")
    a2 = make_terminal(hub, tmp_path, "FA01")
    try:
        job = route_job(a1, "10:LATHE:FA01,20:HEAT:FB02")
        sync_until_idle(a1.syncer)
        sync_until_idle(a2.syncer)
        got = a2.store.job(job)
        assert got is not None and got.customer == "トヨタ紡織"  # same firm: everything
        a2.record("LotReceived", {"lot_id": f"{job}-L1", "count": 10}, job_id=job, op=10)
        sync_until_idle(a2.syncer)
        sync_until_idle(a1.syncer)
        assert a1.store.job(job).lots[f"{job}-L1"].ops[10].received == 10  # type: ignore[union-attr]
    finally:
        a1.close()
        a2.close()


@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
def test_clock_skew_still_orders_a_job(hub: Hub, terminals: dict[str, Terminal]) -> None:
    """A's clock is a day fast, B's a day slow and C's jumps back an hour mid-job: each
    terminal's hybrid clock observes what it pulls, so every step sorts after the one
    that caused it and the job replays the same everywhere."""
    import time

    day = 86_400_000
    real = lambda: time.time_ns() // 1_000_000  # noqa: E731
    a, b, c, _ = (terminals[f] for f in FIRMS)
    a.store.clock = HybridClock(a.store.clock.last, now_ms=lambda: real() + day)
    b.store.clock = HybridClock(b.store.clock.last, now_ms=lambda: real() - day)
    jump = {"back": 0}
    c.store.clock = HybridClock(c.store.clock.last, now_ms=lambda: real() - jump["back"])
    job = route_job(a, "10:LATHE:FA01,20:HEAT:FB02,30:GRIND:FC03,40:INSPECT:FA01")
    lot = f"{job}-L1"
    do_op(a, job, lot, 10, 10, "FB02")
    sync_all(terminals)
    do_op(b, job, lot, 20, 10, "FC03")
    sync_all(terminals)
    c.record("LotReceived", {"lot_id": lot, "count": 10}, job_id=job, op=30)
    jump["back"] = 3_600_000
    c.record("OpStarted", {"lot_id": lot}, job_id=job, op=30)
    c.record("OpFinished", {"lot_id": lot, "good": 10, "defect": 0, "scrap": 0}, job_id=job, op=30)
    c.record("LotHandedOff", {"lot_id": lot, "to_firm": "FA01", "count": 10}, job_id=job, op=30)
    sync_all(terminals)
    do_op(a, job, lot, 40, 10, None)
    sync_all(terminals)
    for t in (a, b, c):
        events = t.store.job_events(job)
        hlcs = [e.hlc for e in events]
        assert hlcs == sorted(hlcs)
        ops = [e.op for e in events if e.type != "JobCreated"]
        assert ops == sorted(ops), (t.firm, ops)  # causal order = route order
        state = t.store.job(job)
        assert state is not None and state.status == "done" and not state.anomalies


@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
def test_events_before_their_job_reach_the_members(hub: Hub, tmp_path: Path) -> None:
    """B scanned the paper traveler and received the lot while the lead firm A was still
    offline: B's receipt reaches the hub before the job. When the job arrives, the other
    members get the receipt too, and B's second terminal replays it with the job."""
    import httpx

    from app.core.clock import new_event_id, utc_now_iso
    from wire.events import Event

    a = make_terminal(hub, tmp_path, "FA01")
    b1 = make_terminal(hub, tmp_path, "FB02")
    b2 = make_terminal(hub, tmp_path, "FB02")
    c = make_terminal(hub, tmp_path, "FC03")
    try:
        job = route_job(a, "10:LATHE:FA01,20:HEAT:FB02,30:GRIND:FC03")
        receipt = Event(
            event_id=new_event_id(),
            terminal_id=b1.store.terminal_id,
            seq=1,
            hlc=a.store.clock.last + 5,
            occurred_at=utc_now_iso(),
            firm_id="FB02",
            job_id=job,
            op=20,
            type="LotReceived",
            payload={"lot_id": f"{job}-L1", "count": 10},
        )
        r = httpx.post(
            f"{hub.url}/v1/events",
            json={"events": [receipt.to_wire()]},
            headers={"Authorization": f"Bearer {b1.token}"},
        )
        assert r.json()["results"][0]["status"] == "accepted"
        sync_until_idle(b2.syncer)  # B2 gets the orphan receipt first
        assert b2.store.job(job) is None
        sync_until_idle(a.syncer)  # now the job reaches the hub
        for t in (b2, c):
            sync_until_idle(t.syncer)
            state = t.store.job(job)
            assert state is not None and state.lots[f"{job}-L1"].ops[20].received == 10, t.firm
            assert t.store.check_integrity() == []
    finally:
        for t in (a, b1, b2, c):
            t.close()


def test_the_firm_directory_comes_down_the_feed(hub: Hub, terminals: dict[str, Terminal]) -> None:
    a = terminals["FA01"]
    sync_until_idle(a.syncer)
    directory = {f["code"]: f for f in firm_directory(a.store)}
    assert set(directory) == set(FIRMS)
    assert directory["FC03"]["name"] == "FC03 製作所" and directory["FC03"]["region"] == "kawasaki"
    assert directory["FA01"]["source"] == "hub"
    # Once it is here, a round does not bring it again; a firm that joins later does.
    assert a.syncer.sync_once().directory == 0
    registry.add_firm(hub.admin, "FE05", "蒲田ばね工業", "ota")
    assert a.syncer.sync_once().directory == 1
    assert firm_names(a.store)["FE05"] == "蒲田ばね工業"
