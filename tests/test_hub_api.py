"""The hub's contract, spoken to over HTTP: idempotent pushes, quarantined conflicts,
credentials that decide the firm, what each firm may see, limits and clean errors."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hub_support import Hub, Terminal, fresh_db_url, make_terminal, route_job, running_hub

from app.sync.syncer import sync_until_idle
from hub import registry
from hub.db import HubDB
from tests.factories import raw


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url("sqlite", tmp_path), rate_per_s=1000, burst=1000) as h:
        for f in ("FA01", "FB02", "FD04"):
            h.add_firm(f)
        yield h


@pytest.fixture
def a(hub: Hub, tmp_path: Path) -> Iterator[Terminal]:
    t = make_terminal(hub, tmp_path, "FA01")
    yield t
    t.close()


def auth(t: Terminal) -> dict[str, str]:
    return {"Authorization": f"Bearer {t.token}"}


def push(hub: Hub, t: Terminal, events: list[dict]) -> httpx.Response:  # type: ignore[type-arg]
    return httpx.post(f"{hub.url}/v1/events", json={"events": events}, headers=auth(t))


def test_push_is_idempotent_and_conflicts_are_quarantined(hub: Hub, a: Terminal) -> None:
    job = route_job(a, "10:LATHE:FA01,20:HEAT:FB02")
    ev = a.store.outbox_pending(1)[0].to_wire()
    first = push(hub, a, [ev]).json()["results"]
    again = push(hub, a, [ev, ev]).json()["results"]
    assert [r["status"] for r in first] == ["accepted"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    forged = json.loads(json.dumps(ev))
    forged["payload"]["qty"] = 999
    r = push(hub, a, [forged]).json()["results"][0]
    assert r == {"event_id": ev["event_id"], "status": "rejected", "reason": "id_conflict"}
    assert hub.count("events") == 1 and hub.count("quarantine") == 1
    view = httpx.get(f"{hub.url}/v1/jobs/{job}", headers=auth(a)).json()
    assert view["events"][0]["payload"]["qty"] == 10  # never overwritten


def test_firm_and_terminal_come_from_the_credential(hub: Hub, a: Terminal, tmp_path) -> None:  # type: ignore[no-untyped-def]
    b = make_terminal(hub, tmp_path, "FB02")
    try:
        route_job(a, "10:LATHE:FA01,20:HEAT:FB02")
        ev = a.store.outbox_pending(1)[0].to_wire()
        # B's token with A's event: the firm in the payload is not believed.
        r = push(hub, b, [ev]).json()["results"][0]
        assert r["status"] == "rejected" and r["reason"] == "firm_mismatch"
        forged = dict(ev, firm_id="FB02", payload=dict(ev["payload"], lead_firm="FB02"))
        r = push(hub, b, [forged]).json()["results"][0]
        assert r["reason"] == "terminal_mismatch"
        assert hub.count("events") == 0
    finally:
        b.close()


def test_guessed_job_ids_and_foreign_jobs(hub: Hub, a: Terminal, tmp_path) -> None:  # type: ignore[no-untyped-def]
    d = make_terminal(hub, tmp_path, "FD04")
    try:
        job = route_job(a, "10:LATHE:FA01,20:HEAT:FB02")
        sync_until_idle(a.syncer)
        # A job that exists but is not D's business answers like one that does not exist.
        r1 = httpx.get(f"{hub.url}/v1/jobs/{job}", headers=auth(d))
        r2 = httpx.get(f"{hub.url}/v1/jobs/JNOSUCHJOB", headers=auth(d))
        assert r1.status_code == r2.status_code == 404 and r1.json() == r2.json()
        # D cannot write into it either, and its feed stays empty.
        r = d.store.record(raw("MachineStateChanged", {"machine": "M1", "state": "run"}))
        assert r.ok
        wire = r.event.to_wire()  # type: ignore[union-attr]
        intruder = dict(
            wire,
            job_id=job,
            op=10,
            type="LotReceived",
            seq=99,
            event_id=wire["event_id"][:-4] + "ffff",
            payload={"lot_id": "X", "count": 1},
        )
        # Its write is answered as one to a job that does not exist (the event is held
        # and reaches nobody else), so a push cannot tell D that the job exists either.
        nowhere = dict(
            intruder, job_id="FA01-NOSUCHJOB", seq=100, event_id=wire["event_id"][:-4] + "eeee"
        )
        res = push(hub, d, [intruder, nowhere]).json()["results"]
        assert [{k: v for k, v in r.items() if k != "event_id"} for r in res] == [
            {"status": "accepted"}
        ] * 2
        sync_until_idle(d.syncer)
        sync_until_idle(a.syncer)
        assert d.store.job(job) is None
        page = httpx.get(f"{hub.url}/v1/feed", headers=auth(d)).json()
        assert page["events"] == []
        view = httpx.get(f"{hub.url}/v1/jobs/{job}", headers=auth(a)).json()
        assert [e["firm_id"] for e in view["events"]] == ["FA01"]
        assert a.store.count_events() == 1
    finally:
        d.close()


def test_tokens_revoked_unknown_and_enroll_codes_once(hub: Hub, a: Terminal) -> None:
    assert httpx.get(f"{hub.url}/v1/me", headers=auth(a)).status_code == 200
    for bad in ({}, {"Authorization": "Bearer nkt_guess"}, {"Authorization": "Basic eDp5"}):
        r = httpx.get(f"{hub.url}/v1/feed", headers=bad)
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert registry.revoke(hub.admin, a.store.terminal_id)
    r = httpx.get(f"{hub.url}/v1/feed", headers=auth(a))
    assert r.status_code == 401
    code = hub.code("FB02")
    ok = httpx.post(f"{hub.url}/v1/enroll", json={"code": code, "terminal_id": "TNEW1"})
    assert ok.status_code == 200 and ok.json()["firm_id"] == "FB02"
    again = httpx.post(f"{hub.url}/v1/enroll", json={"code": code, "terminal_id": "TNEW2"})
    assert again.status_code == 403 and again.json()["error"] == "bad_enroll_code"
    # An office token reads the figures and nothing else; a terminal cannot read them.
    office = registry.office_token(hub.admin)
    assert httpx.get(f"{hub.url}/v1/stats", headers=auth(a)).status_code == 401
    st = httpx.get(f"{hub.url}/v1/stats", headers={"Authorization": f"Bearer {office}"})
    assert st.status_code == 200 and st.json()["firms"] == 3
    feed = httpx.get(f"{hub.url}/v1/feed", headers={"Authorization": f"Bearer {office}"})
    assert feed.status_code == 403


def test_oversized_malformed_and_bomb_bodies(hub: Hub, a: Terminal) -> None:
    url = f"{hub.url}/v1/events"
    h = auth(a) | {"Content-Type": "application/json"}
    r = httpx.post(url, content=b"{not json", headers=h)
    assert r.status_code == 400 and r.json() == {"error": "malformed_json"}
    r = httpx.post(url, content=b"[1,2]", headers=h)
    assert r.status_code == 422
    r = httpx.post(url, content=b"x" * (5 * 1024 * 1024), headers=h)
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"
    bomb = gzip.compress(b'{"events":[' + b" " * (40 * 1024 * 1024) + b"]}")
    r = httpx.post(url, content=bomb, headers=h | {"Content-Encoding": "gzip"})
    assert r.status_code == 413
    r = httpx.post(url, content=b"garbage", headers=h | {"Content-Encoding": "gzip"})
    assert r.status_code == 400
    r = httpx.post(url, json={"events": [{"event_id": "x\u0000"}]}, headers=auth(a))
    assert r.status_code == 400 and r.json()["error"] == "bad_unicode"
    r = httpx.post(url, json={"events": [{}] * 1001}, headers=auth(a))
    assert r.status_code == 413
    r = httpx.post(url, json={"events": [{"type": "Nope"}, 5]}, headers=auth(a))
    assert [x["status"] for x in r.json()["results"]] == ["rejected", "rejected"]
    r = httpx.get(f"{hub.url}/v1/feed", params={"cursor": "garbage"}, headers=auth(a))
    assert r.status_code == 400 and r.json()["error"] == "bad_cursor"
    assert hub.count("events") == 0


def test_a_malformed_correction_is_refused_not_a_server_error(hub: Hub, a: Terminal) -> None:
    job = route_job(a, "10:LATHE:FA01,20:HEAT:FB02")
    ev = a.store.outbox_pending(1)[0].to_wire()
    bad = ev | {
        "event_id": ev["event_id"][:-4] + "ffff",
        "seq": ev["seq"] + 100,
        "job_id": job,
        "type": "EventCorrected",
        "payload": {
            "supersedes": ev["event_id"],
            "reason": "typo",
            "replacement": {"type": ["JobCreated"], "payload": {}},  # a list, not a name
        },
    }
    r = push(hub, a, [bad])
    assert r.status_code == 200
    assert r.json()["results"][0]["reason"] == "unknown_event_type"
    assert hub.count("events") == 0


def test_rate_limit_per_terminal(tmp_path: Path) -> None:
    with running_hub(fresh_db_url("sqlite", tmp_path), rate_per_s=1, burst=3) as h:
        h.add_firm("FA01")
        t = make_terminal(h, tmp_path, "FA01")
        statuses = [httpx.get(f"{h.url}/v1/me", headers=auth(t)).status_code for _ in range(6)]
        assert statuses[:3] == [200, 200, 200] and 429 in statuses
        r = httpx.get(f"{h.url}/v1/me", headers=auth(t))
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        t.close()


def test_cursor_survives_migration_but_not_another_hub(hub: Hub, a: Terminal) -> None:
    route_job(a, "10:LATHE:FA01,20:HEAT:FB02")
    sync_until_idle(a.syncer)
    cursor = a.store.meta("feed_cursor")
    again = HubDB(hub.db_url)  # opening runs the migrations again: same hub id
    assert again.hub_id == hub.admin.hub_id
    again.close()
    r = httpx.get(f"{hub.url}/v1/feed", params={"cursor": cursor}, headers=auth(a))
    assert r.status_code == 200
    other = cursor.replace(hub.admin.hub_id, "0" * 16)  # type: ignore[union-attr]
    r = httpx.get(f"{hub.url}/v1/feed", params={"cursor": other}, headers=auth(a))
    assert r.status_code == 410 and r.json()["resnapshot"] is True
    ahead = cursor.rsplit(".", 2)[0] + ".999999.0"  # type: ignore[union-attr]
    r = httpx.get(f"{hub.url}/v1/feed", params={"cursor": ahead}, headers=auth(a))
    assert r.status_code == 410
    # The terminal re-snapshots by itself and ends up with the same data.
    a.store.set_meta({"feed_cursor": other})
    report = a.syncer.sync_once()
    assert report.resnapshots == 1 and a.store.meta("feed_cursor") != other


def test_key_directory_comes_down_the_feed(hub: Hub, a: Terminal, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A's key went up at enrolment; B gets it from the feed and then trusts A's
    travelers offline; a revocation follows the same way and is never undone."""
    from datetime import UTC, datetime

    from app.core.traveler import verify
    from app.store.keyring import key_directory
    from app.sync.keys import hub_key

    b = make_terminal(hub, tmp_path, "FB02")
    try:
        mine = hub_key(a.store)
        sync_until_idle(a.syncer)  # the key goes up with A's next sync round
        assert a.store.meta("published_key_id") == mine["key_id"]
        sync_until_idle(b.syncer)
        found = key_directory(b.store).find("FA01", mine["key_id"])
        assert found is not None and found.revoked_at is None
        assert found.public_key.hex() == mine["public_key"]
        a.syncer.client.publish_key(mine | {"revoked_at": "2026-06-01T00:00:00+00:00"})
        sync_until_idle(b.syncer)
        found = key_directory(b.store).find("FA01", mine["key_id"])
        assert found is not None and found.revoked_at is not None
        a.syncer.client.publish_key(mine | {"revoked_at": None})  # a stale copy
        sync_until_idle(b.syncer)
        found = key_directory(b.store).find("FA01", mine["key_id"])
        assert found is not None and found.revoked_at is not None
        r = httpx.post(f"{hub.url}/v1/keys", json=mine | {"public_key": "B" * 64}, headers=auth(a))
        assert r.status_code == 409  # a key id names one key forever
        assert verify("NK1:garbage", key_directory(b.store), datetime.now(UTC)).verdict.value
    finally:
        b.close()


def test_healthz_and_openapi(hub: Hub) -> None:
    assert httpx.get(f"{hub.url}/healthz").json()["ok"] is True
    doc = httpx.get(f"{hub.url}/openapi.json").json()
    assert "/v1/events" in doc["paths"] and "/v1/feed" in doc["paths"]
    r = httpx.get(f"{hub.url}/v1/nothing")
    assert r.status_code == 404 and r.json() == {"error": "not_found"}
