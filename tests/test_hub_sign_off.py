"""Sign-off at a real hub on loopback: a day's approval is its firm's own and stays in
its firm's feed; a lot's approval is accepted from a firm of the job's route and goes to
the job's members; an outsider's is held, as any outsider's event is; a malformed one
(a day with a job, a lot with a step) is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hub_support import Hub, Terminal, fresh_db_url, make_terminal, route_job, running_hub
from test_hub_trust_push import answers, forge, hub_feed, push, sync_all

from app.core import commands as C
from app.store.approvals import day_records

LEAD, HEAT, GRIND, OUTSIDER = "F001", "F007", "F012", "F099"
ROUTE = f"10:LATHE:{LEAD},20:HEAT:{HEAT},30:GRIND:{GRIND}"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url("sqlite", tmp_path), rate_per_s=1000, burst=1000) as h:
        for f in (LEAD, HEAT, GRIND, OUTSIDER):
            h.add_firm(f)
        yield h


@pytest.fixture
def ts(hub: Hub, tmp_path: Path) -> Iterator[dict[str, Terminal]]:
    made = {f: make_terminal(hub, tmp_path, f) for f in (LEAD, HEAT, OUTSIDER)}
    yield made
    for t in made.values():
        t.close()


def _ids(feed: list[dict[str, object]]) -> set[object]:
    return {e["event_id"] for e in feed}


def test_a_days_approval_stays_with_its_firm(hub: Hub, ts: dict[str, Terminal]) -> None:
    lead, heat = ts[LEAD], ts[HEAT]
    job = route_job(lead, ROUTE)
    lead.record("LotReceived", {"lot_id": f"{job}-L1", "count": 10}, job_id=job, op=10)
    day = date.today()
    records = day_records(lead.store, day, LEAD)
    boss = C.Actor(LEAD, f"{LEAD}-OP-1", C.OWNER)
    approved = lead.store.record(C.approve(None, boss, records, day=day.isoformat()))
    assert approved.ok and approved.event is not None
    sync_all(lead, heat)
    assert approved.event.event_id in _ids(hub_feed(hub, lead))
    assert approved.event.event_id not in _ids(hub_feed(hub, heat))
    # A day's approval carrying a job would reach the job's members: refused.
    bad = forge(
        lead,
        "RecordsApproved",
        {"scope": "day", "day": day.isoformat(), "records": ["x"], "digest": "d"},
        job_id=job,
    )
    assert answers(push(hub, lead, [bad])) == [("rejected", "bad_envelope")]


def test_a_lots_approval_by_a_firm_of_the_route(hub: Hub, ts: dict[str, Terminal]) -> None:
    lead, heat, out = ts[LEAD], ts[HEAT], ts[OUTSIDER]
    job = route_job(lead, ROUTE)
    lot = f"{job}-L1"
    lead.record("LotReceived", {"lot_id": lot, "count": 10}, job_id=job, op=10)
    sync_all(lead, heat, out)
    payload = {"scope": "lot", "lot_id": lot, "records": ["r1"], "digest": "d"}
    by_heat = forge(heat, "RecordsApproved", payload, job_id=job)
    by_outsider = forge(out, "RecordsApproved", payload, job_id=job)
    with_step = forge(heat, "RecordsApproved", payload, job_id=job, op=20)
    assert answers(push(hub, heat, [by_heat, with_step])) == [
        ("accepted", None),
        ("rejected", "bad_envelope"),
    ]
    # An outsider is answered as if the job did not exist, and its event is held.
    assert answers(push(hub, out, [by_outsider])) == [("accepted", None)]
    lead_feed = _ids(hub_feed(hub, lead))
    assert by_heat["event_id"] in lead_feed
    assert by_outsider["event_id"] not in lead_feed
    sync_all(lead)
    state = lead.store.job(job)
    assert state is not None
    assert [a.event_id for a in state.approvals] == [by_heat["event_id"]]
