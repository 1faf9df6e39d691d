"""The push/pull fast path answers exactly as the FastAPI routes do.

Two applications over one hub database, one with the fast path and one without, get
the same requests; every status, body and ``Retry-After`` must match. (Pushes change
the database, so each is first made once, and the repeat is compared.)
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.clock import new_event_id, utc_now_iso
from hub import registry
from hub.api import create_app
from hub.db import HubDB


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[HubDB, dict[str, str]]]:
    db = HubDB(f"sqlite:///{tmp_path / 'hub.db'}")
    for f in ("FA01", "FB02"):
        registry.add_firm(db, f, f"{f} 製作所")
    tokens = {
        "a": registry.enroll(db, registry.make_enroll_code(db, "FA01"), "TA")["token"],
        "b": registry.enroll(db, registry.make_enroll_code(db, "FB02"), "TB")["token"],
        "office": registry.office_token(db),
    }
    yield db, tokens
    db.close()


_SEQ = itertools.count(1, 2)  # a terminal numbers its events once each


def job_events(firm: str = "FA01", terminal: str = "TA") -> list[dict[str, Any]]:
    base = {"terminal_id": terminal, "occurred_at": utc_now_iso(), "firm_id": firm}
    first = next(_SEQ)
    job = f"{firm}-" + new_event_id()[-12:]
    created = base | {
        "event_id": new_event_id(),
        "seq": first,
        "hlc": 1 << 16,
        "job_id": job,
        "op": None,
        "type": "JobCreated",
        "schema_version": 1,
        "payload": {
            "part_no": "P-1",
            "drawing_no": None,
            "qty": 5,
            "due": "2030-01-01",
            "lead_firm": firm,
            "route": [
                {"seq": 10, "process": "LATHE", "firm": firm},
                {"seq": 20, "process": "HEAT", "firm": "FB02"},
            ],
            "customer": "顧客",
            "unit_price_yen": 100,
            "note": "",
        },
    }
    started = base | {
        "event_id": new_event_id(),
        "seq": first + 1,
        "hlc": 2 << 16,
        "job_id": job,
        "op": 10,
        "type": "OpStarted",
        "payload": {"lot_id": "L1"},
    }
    return [created, started]


class Client:
    """A blocking client for an ASGI app, on its own event loop (no server, no socket)."""

    def __init__(self, app: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub"
        )

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.get(url, **kw))

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.post(url, **kw))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    for c in CLIENTS:
        c.close()
    CLIENTS.clear()


CLIENTS: list[Client] = []


def client(app: Any) -> Client:
    CLIENTS.append(Client(app))
    return CLIENTS[-1]


def both(db: HubDB, **kw: float) -> tuple[Client, Client]:
    return client(create_app(db, fast_path=True, **kw)), client(
        create_app(db, fast_path=False, **kw)
    )


def same(fast: Any, slow: Any) -> None:
    assert fast.status_code == slow.status_code, (fast.text, slow.text)
    assert fast.headers.get("retry-after") == slow.headers.get("retry-after")
    assert fast.headers.get("content-type") == slow.headers.get("content-type")
    assert fast.json() == slow.json()


def test_pushes_answer_the_same(hub: tuple[HubDB, dict[str, str]]) -> None:
    db, tok = hub
    fast, slow = both(db)
    a = {"Authorization": f"Bearer {tok['a']}"}
    evs = job_events()
    first = fast.post("/v1/events", json={"events": evs}, headers=a)
    assert [r["status"] for r in first.json()["results"]] == ["accepted", "accepted"]
    forged = json.loads(json.dumps(evs[1]))
    forged["payload"]["lot_id"] = "L2"
    bad = dict(evs[1], firm_id="FB02", event_id=new_event_id())
    cases: list[dict[str, Any]] = [
        {"json": {"events": evs}},  # duplicates
        {"json": {"events": [forged]}},  # id conflict (quarantined twice: same answer)
        {"json": {"events": [bad, {"x": 1}, 5]}},  # per-event rejections
        {"json": {"nope": []}},
        {"json": {"events": [{}] * 1001}},
        {"content": b"{not json"},
        {"content": b'{"events": ["\\u0000"]}'},
        {"content": b"garbage", "headers": {"Content-Encoding": "gzip"}},
        {
            "content": gzip.compress(json.dumps({"events": evs}).encode()),
            "headers": {"Content-Encoding": "gzip"},
        },
        {"content": b"{}", "headers": {"Content-Encoding": "br"}},
        {"content": b"x" * (5 * 1024 * 1024)},
    ]
    for case in cases:
        headers = a | case.pop("headers", {})
        same(
            fast.post("/v1/events", headers=headers, **case),
            slow.post("/v1/events", headers=headers, **case),
        )
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": f"Bearer {tok['office']}"},
    ):
        body = {"events": evs}
        same(
            fast.post("/v1/events", json=body, headers=headers),
            slow.post("/v1/events", json=body, headers=headers),
        )


def test_pulls_answer_the_same(hub: tuple[HubDB, dict[str, str]]) -> None:
    db, tok = hub
    fast, slow = both(db)
    a = {"Authorization": f"Bearer {tok['a']}"}
    b = {"Authorization": f"Bearer {tok['b']}"}
    for _ in range(3):
        fast.post("/v1/events", json={"events": job_events()}, headers=a)
    page = fast.get("/v1/feed?limit=2", headers=b).json()
    assert len(page["events"]) == 2 and page["more"]
    assert all("customer" not in e["payload"] for e in page["events"])  # lead firm's only
    cursor = page["cursor"]
    for query in (
        "",
        "?limit=2",
        f"?cursor={cursor}",
        f"?cursor={cursor}&limit=1",
        "?cursor=",
        "?cursor=v1.nothub.1.0",
        "?cursor=v1.x",
        "?cursor=" + "x" * 201,
        f"?cursor={cursor[:-3]}999999.0",
        "?limit=abc",
        "?limit=0",
        "?limit=-1",
        "?limit=1&limit=2",
        "?other=1",
    ):
        for h in (a, b, {}, {"Authorization": f"Bearer {tok['office']}"}):
            same(fast.get("/v1/feed" + query, headers=h), slow.get("/v1/feed" + query, headers=h))


def test_rate_limit_answers_the_same(hub: tuple[HubDB, dict[str, str]]) -> None:
    db, tok = hub
    a = {"Authorization": f"Bearer {tok['a']}"}
    for fast_path in (True, False):
        c = client(create_app(db, rate_per_s=0.5, burst=2, fast_path=fast_path))
        codes = [c.get("/v1/feed", headers=a).status_code for _ in range(3)]
        limited = c.get("/v1/feed", headers=a)
        assert codes == [200, 200, 429] and limited.status_code == 429
        assert limited.json() == {"error": "rate_limited", "detail": limited.headers["retry-after"]}
        registry.forget_tokens()
