"""One lot identity across firms, and stores written by release 0.1 brought forward.

The flow that went wrong in 0.1: the lead firm creates a 10-part job and prints its
traveler at once, receives the material and works op 10, hands off; the next firm
scans the traveler and receives. Both firms must see one lot of 10 parts."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.core import commands as C
from app.core import lots
from app.core.commands import Actor
from app.core.model import JobSpec, Route
from app.core.state import fold
from app.core.traveler import Verdict, verify
from app.store import Store
from app.store.keyring import key_directory
from app.store.travelers import adopt, prepare, record_issued
from app.sync.syncer import sync_until_idle
from tests.hub_support import fresh_db_url, make_terminal, running_hub

FIXTURES = Path(__file__).parent / "fixtures" / "release_0_1"
LEAD = Actor("FA01", "FA01-OP-1", C.OWNER)
HEAT = Actor("FB02", "FB02-OP-1")


def _issue(store: Store, job_id: str) -> str:
    prepared = prepare(store, job_id)
    assert not hasattr(prepared, "reason"), prepared
    assert record_issued(store, prepared, LEAD).ok  # type: ignore[arg-type]
    return prepared.text  # type: ignore[union-attr]


@pytest.mark.parametrize("print_first", [True, False], ids=["printed-first", "printed-after"])
def test_one_lot_from_traveler_to_hand_off_to_receipt(tmp_path: Path, print_first: bool) -> None:
    with running_hub(fresh_db_url("sqlite", tmp_path)) as hub:
        hub.add_firm("FA01")
        hub.add_firm("FB02")
        lead = make_terminal(hub, tmp_path, "FA01")
        heat = make_terminal(hub, tmp_path, "FB02")
        try:
            job_id = "FA01-261202-TEST"
            spec = JobSpec(
                job_id,
                "SHAFT",
                10,
                date(2026, 12, 24),
                "FA01",
                Route.parse("10:LATHE:FA01,20:HEAT:FB02"),
            )
            store = lead.store
            assert store.record(C.create_job(None, LEAD, spec)).ok
            text = _issue(store, job_id) if print_first else ""
            lot = lots.first_lot(job_id)
            for decide in (
                lambda j: C.receive(j, LEAD, lot, 10, 10),
                lambda j: C.start(j, LEAD, lot, 10),
                lambda j: C.finish(j, LEAD, lot, 10, 10, 0, 0),
            ):
                assert store.record(decide(store.job(job_id))).ok
            if not print_first:
                text = _issue(store, job_id)
            assert store.record(C.hand_off(store.job(job_id), LEAD, lot, 10, 10)).ok
            # Keys travel through the hub; the lead's hand-off has not reached the heat
            # treater yet (it syncs keys only): the paper arrives first.
            sync_until_idle(lead.syncer)
            heat.syncer.sync_once()
            v = verify(text, key_directory(heat.store), datetime.now(UTC))
            assert v.verdict is Verdict.VALID and v.traveler is not None
            assert v.traveler.lot_id == lot
            adopt(heat.store, v)
            job = heat.store.job(job_id)
            steps = C.possible(job, HEAT, scanned=(v.traveler.lot_id, v.traveler.qty))
            assert [(s.lot_id, s.op.seq, s.actions) for s in steps] == [(lot, 20, (C.RECEIVE,))]
            assert heat.store.record(C.receive(job, HEAT, lot, 20, 10)).ok
            sync_until_idle(heat.syncer)
            sync_until_idle(lead.syncer)
            sync_until_idle(heat.syncer)
            for t in (lead, heat):
                j = t.store.job(job_id)
                assert j is not None
                assert list(j.lots) == [lot], t.firm
                assert j.lots[lot].qty == 10 and j.lots[lot].ops[20].received == 10
                assert j.anomalies == [] and j.open_skips() == []
        finally:
            lead.close()
            heat.close()


# -- release 0.1 stores -----------------------------------------------------------------


def _copy(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copy(FIXTURES / name, dst)
    return dst


def _v01_events(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as c:
        return c.execute(
            "SELECT event_id, terminal_id, seq, hlc, payload FROM events ORDER BY pos"
        ).fetchall()


def test_a_release_0_1_terminal_opens_migrates_with_a_backup_and_repairs_its_lots(
    tmp_path: Path,
) -> None:
    heat_db = _copy("heat.db", tmp_path)
    before = _v01_events(heat_db)
    job = "F001-261201-AB12"
    with Store.open(heat_db) as heat:
        assert heat.firm_id == "F007"
        backups = sorted(tmp_path.glob("heat.db.v4-*.bak"))
        assert len(backups) == 1
        # Every 0.1 event is still there with its id, clock and payload.
        after = [
            (e.event_id, e.terminal_id, e.seq, e.hlc, e.payload_json(), e.schema_version)
            for e in heat.events()
        ]
        assert [a[:5] for a in after[: len(before)]] == before
        assert {a[5] for a in after[: len(before)]} == {1}
        # Its own J-1 receipt and start were corrected onto J-L1 (by new events).
        fixes = [e for e in heat.events() if e.type == "EventCorrected"]
        assert len(fixes) == 2 and all(e.firm_id == "F007" for e in fixes)
        state = heat.job(job)
        assert state is not None
        assert list(state.lots) == [f"{job}-L1"]
        assert state.lots[f"{job}-L1"].ops[20].status == "running"
        assert heat.outbox_stats()["pending"] == 2  # the corrections go to the hub
        assert heat.check_integrity() == []
    # Opening again repairs nothing more.
    with Store.open(heat_db) as heat:
        assert len([e for e in heat.events() if e.type == "EventCorrected"]) == 2


def test_a_release_0_1_lead_terminal_replays_to_the_same_state(tmp_path: Path) -> None:
    lead_db = _copy("lead.db", tmp_path)
    with sqlite3.connect(lead_db) as c:
        old_jobs = c.execute("SELECT job_id, status, qty FROM jobs ORDER BY job_id").fetchall()
    with Store.open(lead_db) as lead:
        assert lead.firm_id == "F001"
        new_jobs = [
            (r["job_id"], r["status"], r["qty"])
            for r in lead.rows("SELECT job_id, status, qty FROM jobs ORDER BY job_id")
        ]
        assert new_jobs == old_jobs
        assert lead.check_integrity() == []
        # The legacy demo job ids (J…) stay readable: their JobCreated is schema 1.
        legacy = [j for j, *_ in old_jobs if not j.startswith("F001-")]
        assert legacy and all(lead.job(j) is not None for j in legacy)
        # The lead's own records were already -L1; F007's -1 records are F007's to fix.
        assert not [e for e in lead.events() if e.type == "EventCorrected"]
        job = lead.job("F001-261201-AB12")
        assert job is not None and set(job.lots) == {
            "F001-261201-AB12-L1",
            "F001-261201-AB12-1",
        }
        # When F007's corrections arrive (as the upgraded heat terminal sends them) the
        # job has one lot on the lead's screen too.
        heat_db = _copy("heat.db", tmp_path)
        with Store.open(heat_db) as heat:
            fixes = [e for e in heat.events() if e.type == "EventCorrected"]
        lead.ingest(fixes)
        job = lead.job("F001-261201-AB12")
        assert job is not None and list(job.lots) == ["F001-261201-AB12-L1"]
        assert fold(lead.job_events("F001-261201-AB12")) is not None


def test_an_ambiguous_store_is_left_for_the_owner(tmp_path: Path) -> None:
    """Both spellings received at the same step (two receipts of one lot): merging would
    make one of them a second receipt, and which one is true is the owner's call. The
    upgrade records nothing for that job and lists it."""
    path = _copy("lead.db", tmp_path)
    job = "F001-261201-AB12"
    with sqlite3.connect(path) as c:
        row = c.execute(
            "SELECT terminal_id, max(seq), max(hlc) FROM events WHERE origin = 'local'"
        ).fetchone()
        c.execute(
            "INSERT INTO events (event_id, terminal_id, seq, hlc, occurred_at, firm_id, job_id,"
            " op, type, schema_version, payload, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                "0193a0b0-0000-7000-8000-000000000001",
                row[0],
                row[1] + 1,
                row[2] + 1,
                "2026-12-01T10:00:00.000+00:00",
                "F001",
                job,
                10,
                "LotReceived",
                1,
                '{"count":10,"lot_id":"' + job + '-1"}',
                "local",
            ),
        )
    with Store.open(path) as lead:
        assert lead.meta("lot_repair_open") == job
        assert not [e for e in lead.job_events(job) if e.type == "EventCorrected"]
