"""Issue 10, push side: what a member firm with a valid terminal token can and cannot do
to other firms' records at a real hub on loopback (SQLite and PostgreSQL).

Each attack is made with hand-built wire events (a compromised terminal sends what it
likes), then the victim's terminals sync and must hold every one of their events
exactly once, with the job as the lead firm made it."""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_support import Hub, Terminal, do_op, fresh_db_url, make_terminal, route_job, running_hub

from app.core.clock import new_event_id, utc_now_iso
from app.sync.syncer import sync_until_idle
from hub import registry
from hub.db import HubDB
from hub.feed import pull
from hub.ingest import namespace_owner
from hub.registry import Credential

LEAD, HEAT, GRIND, OUTSIDER = "F001", "F007", "F012", "F099"
ROUTE = f"10:LATHE:{LEAD},20:HEAT:{HEAT},30:GRIND:{GRIND}"
FIXTURE = Path(__file__).parent / "fixtures" / "release_0_1" / "hub.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url(request.param, tmp_path), rate_per_s=1000, burst=1000) as h:
        for f in (LEAD, HEAT, GRIND, OUTSIDER):
            h.add_firm(f)
        yield h


@pytest.fixture
def ts(hub: Hub, tmp_path: Path) -> Iterator[dict[str, Terminal]]:
    """Two lead terminals, one per other firm on the route, and one outsider."""
    made = {
        "lead": make_terminal(hub, tmp_path, LEAD),
        "lead2": make_terminal(hub, tmp_path, LEAD),
        "heat": make_terminal(hub, tmp_path, HEAT),
        "grind": make_terminal(hub, tmp_path, GRIND),
        "out": make_terminal(hub, tmp_path, OUTSIDER),
    }
    yield made
    for t in made.values():
        t.close()


def forge(t: Terminal, type_: str, payload: dict[str, Any], **env: Any) -> dict[str, Any]:
    """A wire event as ``t``'s terminal may send it (its own firm and terminal id: the
    hub checks those against the token), with anything else the attacker chooses."""
    return {
        "event_id": new_event_id(),
        "terminal_id": t.store.terminal_id,
        "seq": 10_000 + secrets.randbelow(10**6),
        "hlc": t.store.clock.tick(),
        "occurred_at": utc_now_iso(),
        "firm_id": t.firm,
        "job_id": None,
        "op": None,
        "type": type_,
        "schema_version": 2,
        "operator": None,
        "payload": payload,
    } | env


def push(hub: Hub, t: Terminal, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = httpx.post(
        f"{hub.url}/v1/events",
        json={"events": events},
        headers={"Authorization": f"Bearer {t.token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()["results"]  # type: ignore[no-any-return]


def answers(results: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(r["status"], r.get("reason")) for r in results]


def sync_all(*terminals: Terminal) -> None:
    for _ in range(2):
        for t in terminals:
            sync_until_idle(t.syncer)


def stored(t: Terminal) -> list[tuple[str, str]]:
    """(terminal, event id) of every event in a terminal's store."""
    rows = t.store.rows("SELECT terminal_id, event_id FROM events ORDER BY pos")
    return [(r["terminal_id"], r["event_id"]) for r in rows]


def own_events(t: Terminal) -> list[tuple[str, str]]:
    return [k for k in stored(t) if k[0] == t.store.terminal_id]


def assert_holds_exactly_once(victims: list[Terminal], events: list[tuple[str, str]]) -> None:
    for v in victims:
        held = stored(v)
        for key in events:
            assert held.count(key) == 1, (v.firm, key)


def job_picture(t: Terminal, job: str) -> tuple[Any, ...]:
    """What a firm's terminal knows of a job: lead, route, each lot's ops."""
    state = t.store.job(job)
    assert state is not None, t.firm
    lots = {
        lot_id: {seq: (p.status, p.received, p.good) for seq, p in lot.ops.items()}
        for lot_id, lot in state.lots.items()
    }
    route = [(op.seq, op.firm) for op in state.route.ops]
    return state.lead_firm, route, lots, state.customer


def hub_feed(hub: Hub, t: Terminal) -> list[dict[str, Any]]:
    """Every event of ``t``'s firm feed (as a second terminal of that firm pulls it)."""
    cred = Credential("TPROBE", t.firm, "terminal")
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = json.loads(pull(hub.admin, cred, cursor))
        out += page["events"]
        cursor = page["cursor"]
        if not page["more"]:
            return out


# -- 1. rewriting another firm's records --------------------------------------------


def test_a_firm_cannot_correct_another_firms_events(hub: Hub, ts: dict[str, Terminal]) -> None:
    lead, lead2, heat = ts["lead"], ts["lead2"], ts["heat"]
    job = route_job(lead, ROUTE)
    lot = f"{job}-L1"
    lead.record("LotReceived", {"lot_id": lot, "count": 10}, job_id=job, op=10)
    started = lead.record("OpStarted", {"lot_id": lot}, job_id=job, op=10)
    sync_all(lead, heat)

    erase = {"supersedes": started.event_id, "reason": "mistake", "replacement": None}
    attack = forge(heat, "EventCorrected", erase, job_id=job)
    assert answers(push(hub, heat, [attack])) == [("rejected", "cannot_correct")]

    # Its own events the firm may correct; and a correction of an event the hub does not
    # hold yet is taken (another of the firm's terminals may deliver it later).
    own = forge(heat, "OpPaused", {"lot_id": lot, "reason": "BREAK"}, job_id=job, op=20)
    fix = forge(heat, "EventCorrected", erase | {"supersedes": own["event_id"]}, job_id=job)
    later = forge(heat, "EventCorrected", erase | {"supersedes": new_event_id()}, job_id=job)
    assert answers(push(hub, heat, [own, fix, later])) == [("accepted", None)] * 3

    sync_all(lead, lead2, heat)
    lead_events = own_events(lead)
    assert_holds_exactly_once([lead, lead2, heat], lead_events)
    assert attack["event_id"] not in {e["event_id"] for e in hub_feed(hub, lead)}
    picture = job_picture(lead, job)
    assert picture[2][lot][10][0] == "running"  # the start was not erased
    assert job_picture(lead2, job) == picture


# -- 2. taking over a job --------------------------------------------------------------


def test_a_job_id_belongs_to_its_lead_firm(hub: Hub, ts: dict[str, Terminal]) -> None:
    lead, lead2, heat, out = ts["lead"], ts["lead2"], ts["heat"], ts["out"]
    job = route_job(lead, ROUTE)  # printed on the traveler; the lead firm is still offline
    assert job.startswith(f"{LEAD}-")
    real = lead.store.job_events(job)[0].to_wire()

    def claim(t: Terminal, job_id: str, route: list[dict[str, Any]] | None = None) -> Any:
        payload = dict(real["payload"], lead_firm=t.firm, customer="Squatter")
        if route is not None:
            payload["route"] = route
        return forge(t, "JobCreated", payload, job_id=job_id)

    mine = [{"seq": 10, "process": "LATHE", "firm": OUTSIDER}]
    attempts = [
        claim(out, job),  # the lead's id, before the lead synced
        claim(heat, job),  # a member of the route cannot either
        claim(out, "J83370061B1"),  # release 0.1's id style: in nobody's namespace
        claim(out, f"{OUTSIDER}X-261201-AAAA"),  # a prefix is not a namespace
        claim(out, f"{OUTSIDER}-261201-AAAA", [*mine, {"seq": 20, "process": "X", "firm": "F404"}]),
    ]
    assert answers(push(hub, out, [attempts[0]]))[0] == ("rejected", "job_id_not_yours")
    assert answers(push(hub, heat, [attempts[1]]))[0] == ("rejected", "job_id_not_yours")
    assert answers(push(hub, out, attempts[2:])) == [
        ("rejected", "job_id_not_yours"),
        ("rejected", "job_id_not_yours"),
        ("rejected", "unknown_firm"),  # routes invite registered firms only
    ]
    # Its own namespace, registered firms: fine.
    assert answers(push(hub, out, [claim(out, f"{OUTSIDER}-261201-AAAA", mine)])) == [
        ("accepted", None)
    ]
    assert hub.count("jobs") == 1

    sync_all(lead, lead2, heat, out)
    assert_holds_exactly_once([lead, lead2, heat], own_events(lead))
    picture = job_picture(lead, job)
    assert picture[0] == LEAD and picture[3] == "トヨタ紡織"
    assert job_picture(lead2, job) == picture
    assert job_picture(heat, job)[:3] == picture[:3]
    assert out.store.job(job) is None


def test_namespace_owner_is_the_longest_registered_firm_code() -> None:
    firms = {"F0", "F0-1", "F001"}
    assert namespace_owner("F0-1-261129-7K3Q", firms) == "F0-1"
    assert namespace_owner("F0-261129-7K3Q", firms) == "F0"
    assert namespace_owner("F001-261129-7K3Q", firms) == "F001"
    assert namespace_owner("F0011-261129-7K3Q", firms) is None
    assert namespace_owner("J83370061B1", firms) is None
    assert namespace_owner("-F001-x", firms) is None


def test_a_new_firm_code_cannot_reach_into_another_namespace(hub: Hub) -> None:
    """Codes registered from now on carry no "-", so none can be a prefix of another
    firm's job ids (``namespace_owner`` still decides for codes registered earlier)."""
    with pytest.raises(registry.RegistryError) as exc:
        registry.add_firm(hub.admin, "F0-1", "ハイフン製作所")
    assert exc.value.code == "bad_firm_code"


# -- 3. blocking a job by its event id -------------------------------------------------


def test_an_event_id_read_off_a_traveler_blocks_nothing(hub: Hub, ts: dict[str, Terminal]) -> None:
    lead, lead2, heat, grind, out = (ts[k] for k in ("lead", "lead2", "heat", "grind", "out"))
    job = route_job(lead, ROUTE)
    created = lead.store.job_events(job)[0].to_wire()
    eid = created["event_id"]  # printed on the traveler
    # An outsider and a member of the route push their own events under that id first.
    squat_out = forge(out, "MachineStateChanged", {"machine": "M1", "state": "run"}, event_id=eid)
    squat_job = dict(
        forge(out, "LotReceived", {"lot_id": "X", "count": 1}, job_id=job, op=10), event_id=eid
    )
    squat_heat = forge(  # the heat firm's own (valid) step, under the lead's id
        heat, "OpStarted", {"lot_id": f"{job}-L1"}, job_id=job, op=20, event_id=eid
    )
    assert answers(push(hub, out, [squat_out])) == [("accepted", None)]
    assert answers(push(hub, out, [squat_job])) == [("rejected", "id_conflict")]  # itself
    assert answers(push(hub, heat, [squat_heat])) == [("accepted", None)]

    do_op(lead, job, f"{job}-L1", 10, 10, HEAT)
    sync_until_idle(lead.syncer)
    assert lead.store.outbox_stats()["pending"] == 0
    assert not lead.store.rows("SELECT 1 FROM outbox WHERE last_error IS NOT NULL")
    with hub.admin.read() as c:
        holders = c.exec_driver_sql(
            "SELECT firm_id FROM events WHERE event_id = %s ORDER BY firm_id"
            if not hub.admin.is_sqlite
            else "SELECT firm_id FROM events WHERE event_id = ? ORDER BY firm_id",
            (eid,),
        ).all()
    assert [h[0] for h in holders] == [LEAD, HEAT, OUTSIDER]  # three events, one id
    # The same terminal sending other content under its own id still conflicts.
    forged = dict(created, payload=dict(created["payload"], qty=999))
    assert answers(push(hub, lead, [created, forged])) == [
        ("duplicate", None),
        ("rejected", "id_conflict"),
    ]

    sync_all(lead, lead2, heat, grind, out)
    assert_holds_exactly_once([lead, lead2, heat, grind], own_events(lead))
    picture = job_picture(lead, job)
    assert picture[0] == LEAD and picture[2][f"{job}-L1"][10][0] == "done"
    for t in (lead2, heat, grind):
        assert job_picture(t, job)[:2] == picture[:2], t.firm
        state = t.store.job(job)
        assert state is not None and state.lots[f"{job}-L1"].in_transit_to == HEAT, t.firm
    # The lead firm's job, as the hub shows it, starts with the lead's JobCreated.
    view = httpx.get(
        f"{hub.url}/v1/jobs/{job}", headers={"Authorization": f"Bearer {lead2.token}"}
    ).json()
    assert view["events"][0] == created and view["lead_firm"] == LEAD
    assert out.store.job(job) is None


# -- 4. learning what exists -------------------------------------------------------------


def test_non_members_get_one_answer_whether_the_job_exists_or_not(
    hub: Hub, ts: dict[str, Terminal]
) -> None:
    lead, lead2, heat, out = ts["lead"], ts["lead2"], ts["heat"], ts["out"]
    job = route_job(lead, ROUTE)
    lot = f"{job}-L1"
    do_op(lead, job, lot, 10, 10, HEAT)
    sync_all(lead, heat)
    first = lead.store.job_events(job)[1].event_id
    missing = f"{LEAD}-261201-ZZZZ"  # not (yet) a job at the hub

    def probes(job_id: str) -> list[dict[str, Any]]:
        return [
            forge(out, "LotReceived", {"lot_id": lot, "count": 10}, job_id=job_id, op=20),
            forge(out, "OpStarted", {"lot_id": lot}, job_id=job_id, op=10),
            forge(out, "OpStarted", {"lot_id": lot}, job_id=job_id, op=99),
            forge(
                out,
                "TravelerIssued",
                {"lot_id": lot, "key_id": "k", "format_version": 1, "digest": "d"},
                job_id=job_id,
            ),
            forge(
                out,
                "EventCorrected",
                {"supersedes": first, "reason": "x", "replacement": None},
                job_id=job_id,
            ),
        ]

    on_existing = push(hub, out, probes(job))
    on_missing = push(hub, out, probes(missing))
    assert answers(on_existing) == answers(on_missing) == [("accepted", None)] * 5
    again = push(hub, out, probes(job)[:1] * 2)  # and a repeat is a repeat either way
    assert answers(again) == [("accepted", None), ("duplicate", None)]

    # Later the lead firm creates a job under the id the outsider wrote to: the held
    # events stay held there too.
    lead.record(
        "JobCreated",
        dict(lead.store.job_events(job)[0].payload),
        job_id=missing,
    )
    sync_all(lead, lead2, heat, out)
    outsiders = {e["event_id"] for e in on_existing + on_missing}
    for t in (lead, heat):
        assert not outsiders & {e["event_id"] for e in hub_feed(hub, t)}, t.firm
    assert_holds_exactly_once([lead, lead2, heat], own_events(lead))
    for t in (lead, lead2, heat):
        assert not outsiders & {k[1] for k in stored(t)}, t.firm
        state = t.store.job(job)
        assert state is not None and not state.anomalies, (t.firm, state.anomalies)
        assert state.lots[lot].in_transit_to == HEAT
        assert t.store.job(missing) is not None
    assert job_picture(lead2, job) == job_picture(lead, job)
    # The outsider's own feed holds its events (its other terminals may see its work),
    # never the jobs.
    assert outsiders <= {e["event_id"] for e in hub_feed(hub, out)}
    assert out.store.job(job) is None and out.store.job(missing) is None


# -- steps, travelers and corrections within a job --------------------------------------


def test_members_act_only_on_their_own_steps(hub: Hub, ts: dict[str, Terminal]) -> None:
    lead, lead2, heat, grind = ts["lead"], ts["lead2"], ts["heat"], ts["grind"]
    job = route_job(lead, ROUTE)
    lot = f"{job}-L1"
    # Before the job reaches the hub, the heat treater sends a receipt for its own step
    # (fine: the offline case) and one for the lead's step (held back). It has read the
    # job off the paper traveler, so its clock has seen the job's (as adoption does).
    heat.store.clock.observe(lead.store.clock.last)
    early_ok = forge(heat, "LotReceived", {"lot_id": lot, "count": 10}, job_id=job, op=20)
    early_bad = forge(heat, "OpStarted", {"lot_id": lot}, job_id=job, op=10)
    assert answers(push(hub, heat, [early_ok, early_bad])) == [("accepted", None)] * 2
    do_op(lead, job, lot, 10, 10, HEAT)
    sync_all(lead, heat)

    traveler = {"lot_id": lot, "key_id": "k", "format_version": 1, "digest": "d"}
    results = push(
        hub,
        heat,
        [
            forge(heat, "OpStarted", {"lot_id": lot}, job_id=job, op=10),
            forge(heat, "OpStarted", {"lot_id": lot}, job_id=job, op=99),
            forge(heat, "OpStarted", {"lot_id": lot}, job_id=job),
            forge(heat, "TravelerIssued", traveler, job_id=job),
            forge(heat, "OpStarted", {"lot_id": lot}, job_id=job, op=20),
        ],
    )
    assert answers(results) == [
        ("rejected", "op_not_for_this_firm"),
        ("rejected", "op_not_for_this_firm"),
        ("rejected", "op_not_for_this_firm"),
        ("rejected", "not_lead_firm"),
        ("accepted", None),
    ]
    lead_traveler = forge(lead, "TravelerIssued", traveler, job_id=job)
    assert answers(push(hub, lead, [lead_traveler])) == [("accepted", None)]

    sync_all(lead, lead2, heat, grind)
    seen = {e["event_id"] for e in hub_feed(hub, lead)}
    assert early_ok["event_id"] in seen and early_bad["event_id"] not in seen
    assert early_bad["event_id"] not in {k[1] for k in stored(grind)}
    assert_holds_exactly_once([lead, lead2, heat, grind], own_events(lead))
    for t in (lead, lead2, grind):
        state = t.store.job(job)
        assert state is not None
        assert state.lots[lot].ops[10].status == "done", t.firm
        assert (
            state.lots[lot].ops[20].received == 10 and state.lots[lot].ops[20].status == "running"
        )


# -- upgrading a release 0.1 hub -------------------------------------------------------


def test_a_release_0_1_hub_upgrades_with_every_event(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as c:
        before = sorted(c.execute("SELECT event_id, terminal_id, body FROM events"))
        feeds = {
            firm: [
                tuple(r)
                for r in c.execute(
                    "SELECT terminal_id, event_id FROM feed WHERE firm_id = ? ORDER BY feed_seq",
                    (firm,),
                )
            ]
            for firm in ("F001", "F007")
        }
        (hub_id,) = c.execute("SELECT value FROM hub_meta WHERE key = 'hub_id'").fetchone()
        (version,) = c.execute("SELECT version_num FROM alembic_version").fetchone()
        legacy = c.execute(
            "SELECT j.job_id, e.terminal_id, e.body FROM jobs j JOIN events e "
            "ON e.event_id = j.created_event WHERE j.job_id LIKE 'J%' ORDER BY j.job_id"
        ).fetchall()
    c.close()
    assert version == "0002" and len(before) == 17 and len(legacy) == 3

    url = f"sqlite:///{path}"
    db = HubDB(url)  # migrates, after a copy of the file as it was
    try:
        (backup,) = tmp_path.glob("hub.db.v0002-*.bak")
        with sqlite3.connect(backup) as b:
            assert sorted(b.execute("SELECT event_id, terminal_id, body FROM events")) == before
        b.close()
        assert db.hub_id == hub_id
        with db.read() as c2:
            after = sorted(
                tuple(r)
                for r in c2.exec_driver_sql("SELECT event_id, terminal_id, body FROM events")
            )
            routes = dict(c2.exec_driver_sql("SELECT job_id, route FROM jobs").all())
        assert after == before  # every event, byte for byte
        assert all(routes.values()) and json.loads(routes["F001-261201-AB12"]) == [
            [10, "F001"],
            [20, "F007"],
        ]
        for firm, rows in feeds.items():  # the feed pulls as before, in the same order
            got: list[tuple[str, str]] = []
            cursor = None
            while True:
                page = json.loads(pull(db, Credential("TNEW", firm, "terminal"), cursor, 5))
                got += [(e["terminal_id"], e["event_id"]) for e in page["events"]]
                cursor = page["cursor"]
                if not page["more"]:
                    break
            assert got == rows, firm
            assert cursor.split(".")[1] == hub_id
    finally:
        db.close()

    with running_hub(url, rate_per_s=1000, burst=1000) as hub:
        # Release 0.1's lead terminal (its token is only a hash here: give it a new one)
        # pushes its old JobCreated again: a duplicate, as before the upgrade.
        old_tid = legacy[0][1]
        token = "nkt_" + secrets.token_hex(16)
        with hub.admin.engine.begin() as c3:
            c3.exec_driver_sql(
                "UPDATE terminals SET token_hash = ? WHERE terminal_id = ?",
                (hashlib.sha256(token.encode()).hexdigest(), old_tid),
            )
        registry.forget_tokens()
        old_events = [json.loads(body) for _, _, body in legacy]
        r = httpx.post(
            f"{hub.url}/v1/events",
            json={"events": old_events},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert [x["status"] for x in r.json()["results"]] == ["duplicate"] * 3
        # A new JobCreated for a legacy id is refused, whoever sends it.
        reuse = dict(old_events[0], event_id=new_event_id(), seq=9999)
        r = httpx.post(
            f"{hub.url}/v1/events",
            json={"events": [reuse]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.json()["results"][0]["reason"] == "job_id_not_yours"

        lead = make_terminal(hub, tmp_path, "F001")
        heat = make_terminal(hub, tmp_path, "F007")
        try:
            sync_all(lead, heat)
            assert len(stored(lead)) == len(feeds["F001"])
            assert len(stored(heat)) == len(feeds["F007"])
            old_job = "F001-261201-AB12"
            for t in (lead, heat):
                state = t.store.job(old_job)
                assert state is not None and state.lead_firm == "F001", t.firm
            # The legacy route still decides who acts on which step.
            shaft = next(j for j, _, b in legacy if '"SHAFT-2041"' in b)
            wrong = forge(heat, "OpStarted", {"lot_id": f"{shaft}-L1"}, job_id=shaft, op=10)
            right = forge(
                heat, "OpPaused", {"lot_id": f"{shaft}-L1", "reason": "X"}, job_id=shaft, op=20
            )
            assert answers(push(hub, heat, [wrong, right])) == [
                ("rejected", "op_not_for_this_firm"),
                ("accepted", None),
            ]
            # And new work flows as always.
            job = route_job(lead, "10:LATHE:F001,20:HEAT:F007")
            do_op(lead, job, f"{job}-L1", 10, 10, "F007")
            sync_all(lead, heat)
            state = heat.store.job(job)
            assert state is not None and state.lots[f"{job}-L1"].in_transit_to == "F007"
            assert lead.store.outbox_stats()["pending"] == 0
        finally:
            lead.close()
            heat.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migration_0003_keeps_data_on_both_databases(kind: str, tmp_path: Path) -> None:
    """A hub at revision 0002 holding a job, its events and feed rows: after 0003 two
    terminals may use one event id, and the job knows its route."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from hub.db import MIGRATIONS, normalise_url

    url = fresh_db_url(kind, tmp_path)
    engine = create_engine(normalise_url(url))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    route = [
        {"seq": 10, "process": "LATHE", "firm": LEAD},
        {"seq": 20, "process": "H", "firm": HEAT},
    ]
    body = json.dumps({"type": "JobCreated", "payload": {"route": route}}, sort_keys=True)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(text("INSERT INTO hub_meta VALUES ('hub_id', '0123456789abcdef')"))
        conn.execute(text("INSERT INTO hub_meta VALUES ('key_rev', '0')"))
        conn.execute(
            text("INSERT INTO events VALUES ('E1', :f, 'T1', 1, 1, 'J1', 'JobCreated', :b, 0)"),
            {"f": LEAD, "b": body},
        )
        conn.execute(text("INSERT INTO jobs VALUES ('J1', :f, 'E1')"), {"f": LEAD})
        conn.execute(text("INSERT INTO feed VALUES (:f, 1, 'E1', 'T1')"), {"f": LEAD})
    engine.dispose()

    db = HubDB(url)
    try:
        assert db.hub_id == "0123456789abcdef"
        with db.engine.begin() as c:
            job = c.execute(text("SELECT created_terminal, route FROM jobs")).one()
            assert job[0] == "T1" and json.loads(job[1]) == [[10, LEAD], [20, HEAT]]
            assert c.execute(text("SELECT body FROM events")).scalar_one() == body
            c.execute(
                text("INSERT INTO events VALUES ('E1', :f, 'T2', 1, 2, NULL, 'X', '{}', 0)"),
                {"f": HEAT},
            )
            c.execute(text("INSERT INTO feed VALUES (:f, 2, 'E1', 'T2')"), {"f": LEAD})
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"), db.engine.begin() as c:
            c.execute(
                text("INSERT INTO events VALUES ('E1', :f, 'T2', 2, 3, NULL, 'X', '{}', 0)"),
                {"f": HEAT},
            )
    finally:
        db.close()
