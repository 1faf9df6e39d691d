"""Drawings and defect photos between firms, through the real hub on loopback (SQLite and
PostgreSQL): only the lead firm attaches a drawing (its terminal's core and the hub both
refuse anyone else), the file reaches every firm on the route and resumes after a cut
connection, a photo taken offline goes up later, and a firm off the job reads nothing."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_support import (
    FaultProxy,
    Hub,
    Terminal,
    fresh_db_url,
    make_terminal,
    route_job,
    running_hub,
)
from test_hub_trust_push import forge, push

from app.core import commands
from app.core.commands import Actor, Refusal
from app.store import files
from app.sync import photos
from app.sync.errors import Offline
from app.sync.syncer import sync_until_idle

FIRMS = ("FA01", "FB02", "FD04")
ROUTE = "10:LATHE:FA01,20:HEAT:FB02"


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url(request.param, tmp_path)) as h:
        for f in FIRMS:
            h.add_firm(f)
        yield h


@pytest.fixture
def terminals(hub: Hub, tmp_path: Path) -> Iterator[dict[str, Terminal]]:
    ts = {f: make_terminal(hub, tmp_path, f) for f in FIRMS}
    yield ts
    for t in ts.values():
        t.close()


def pdf_bytes(size: int) -> bytes:
    """A file that is a PDF by its first bytes (the transfer never looks further)."""
    return b"%PDF-1.7\n" + secrets.token_bytes(size - 9)


def attach(t: Terminal, job: str, data: bytes, name: str = "D-2041_revC.pdf") -> Any:
    stored = files.put_bytes(t.store, data)
    cmd = commands.attach_drawing(
        t.store.job(job),
        Actor(t.firm, "OP-TEST"),
        sha256=stored.sha256,
        file_name=name,
        content_type=stored.content_type,
        size=stored.size,
    )
    assert not isinstance(cmd, Refusal), cmd
    result = t.store.record(cmd)
    assert result.ok, result.reason
    return result.event


def sync(*ts: Terminal) -> None:
    for _ in range(2):
        for t in ts:
            sync_until_idle(t.syncer)


def test_drawing_reaches_the_route_and_nobody_else(
    hub: Hub, terminals: dict[str, Terminal]
) -> None:
    a, b, d = (terminals[f] for f in FIRMS)
    job = route_job(a, ROUTE)
    data = pdf_bytes(300_000)
    ev = attach(a, job, data)
    assert ev.payload["revision"] == "C" and ev.payload["drawing_no"] == "D-2041-C"
    sync(a, b, d)

    got = files.path_of(b.store, ev.payload["sha256"])
    assert got is not None and got.read_bytes() == data
    jb = b.store.job(job)
    assert jb is not None and [x.sha256 for x in jb.drawings] == [ev.payload["sha256"]]
    # The firm off the route hears nothing and reads nothing (as if the file did not exist).
    assert d.store.job(job) is None
    r = httpx.get(
        f"{hub.url}/v1/photos/{ev.payload['sha256']}/content",
        headers={"Authorization": f"Bearer {d.token}"},
    )
    assert r.status_code == 404 and r.json()["error"] == "unknown_photo"
    # Nor can it learn the upload's progress.
    r = httpx.get(
        f"{hub.url}/v1/photos/{ev.payload['sha256']}",
        headers={"Authorization": f"Bearer {b.token}"},
    )
    assert r.status_code == 404


def test_only_the_lead_attaches_a_drawing(hub: Hub, terminals: dict[str, Terminal]) -> None:
    a, b, _d = (terminals[f] for f in FIRMS)
    job = route_job(a, ROUTE)
    sync(a, b)
    jb = b.store.job(job)
    stored = files.put_bytes(b.store, pdf_bytes(2000))
    # The member's own core refuses it ...
    cmd = commands.attach_drawing(
        jb,
        Actor(b.firm, "OP-TEST"),
        sha256=stored.sha256,
        file_name="fake.pdf",
        content_type="application/pdf",
        size=stored.size,
    )
    assert isinstance(cmd, Refusal) and cmd.reason == "not_lead_firm"
    # ... and the hub refuses it from the member's real terminal, sent past its core.
    payload = {
        "sha256": stored.sha256,
        "file_name": "fake.pdf",
        "content_type": "application/pdf",
        "size": stored.size,
        "drawing_no": "D-2041",
        "revision": "Z",
    }
    results = push(hub, b, [forge(b, "DrawingAttached", payload, job_id=job)])
    assert [(r["status"], r.get("reason")) for r in results] == [("rejected", "not_lead_firm")]
    # The lead's own is accepted.
    ok = forge(a, "DrawingAttached", payload | {"revision": "C"}, job_id=job)
    assert push(hub, a, [ok])[0]["status"] == "accepted"


def test_interrupted_download_resumes(
    hub: Hub, terminals: dict[str, Terminal], tmp_path: Path
) -> None:
    a = terminals["FA01"]
    job = route_job(a, ROUTE)
    data = pdf_bytes(2_600_000)  # three pieces of 1 MiB
    sha = attach(a, job, data).payload["sha256"]
    sync(a)
    proxy = FaultProxy(hub.url)
    b = make_terminal(hub, tmp_path, "FB02", via=proxy.url, keepalive=False)
    try:
        for _ in range(2):
            b.syncer.sync_once(photos_too=False)  # the events, not the file
        assert b.store.job(job) is not None and files.path_of(b.store, sha) is None
        proxy.plan = ["pass", "cut"]  # the first piece arrives, the second is cut off
        with pytest.raises(Offline):
            photos.download_wanted(b.store, b.syncer.client)
        part = files.files_dir(b.store) / (sha + files.PART)
        assert part.stat().st_size == 1024 * 1024 and files.path_of(b.store, sha) is None
        asked_before = len(proxy.seen)
        assert photos.download_wanted(b.store, b.syncer.client) == 1
        assert len(proxy.seen) - asked_before == 2  # resumed: two pieces, not three
        got = files.path_of(b.store, sha)
        assert got is not None and got.read_bytes() == data and not part.exists()
    finally:
        b.close()
        proxy.close()


def test_photo_taken_offline_goes_up_later_and_the_next_firm_sees_it(
    hub: Hub, terminals: dict[str, Terminal]
) -> None:
    a, b, d = (terminals[f] for f in FIRMS)
    job = route_job(a, ROUTE)
    lot = f"{job}-L1"
    a.record("LotReceived", {"lot_id": lot, "count": 10}, job_id=job, op=10)
    a.record("OpStarted", {"lot_id": lot}, job_id=job, op=10)
    jpeg = b"\xff\xd8\xff\xe0" + secrets.token_bytes(40_000)
    # Offline: the photo is kept and the record names it; nothing has gone anywhere.
    stored = files.put_photo(a.store, jpeg)
    cmd = commands.record_defect(
        a.store.job(job),
        Actor("FA01", "OP-TEST"),
        lot,
        10,
        "BURR",
        2,
        "rework",
        "",
        photos=[stored.sha256],
    )
    ev = a.store.record(cmd).event
    assert ev is not None and ev.payload["photos"] == [stored.sha256]
    assert photos.queue_own(a.store) == 1
    assert photos.stats(a.store) == {"pending": 1}
    # Later, online: events first, then the photo, then the neighbour fetches it.
    sync(a, b, d)
    assert photos.stats(a.store) == {"done": 1}
    got = files.path_of(b.store, stored.sha256)
    assert got is not None and got.read_bytes() == jpeg
    jb = b.store.job(job)
    assert jb is not None and jb.defects[0].photos == (stored.sha256,)
    assert files.path_of(d.store, stored.sha256) is None
