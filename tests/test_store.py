"""The local store: durability, append-only, migrations, and refusing bad files."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store import Store, StoreError
from app.store import migrations as migs
from app.store.db import connect
from tests.factories import raw

ROOT = Path(__file__).resolve().parents[1]
ROUTE = [
    {"seq": 10, "process": "LATHE", "firm": "F001"},
    {"seq": 20, "process": "HEAT", "firm": "F007"},
]


def make_job(store: Store, job: str = "F001-J1", qty: int = 100) -> None:
    r = store.record(
        raw(
            "JobCreated",
            {
                "part_no": "P-1",
                "qty": qty,
                "due": "2026-12-20",
                "lead_firm": "F001",
                "route": ROUTE,
            },
            job_id=job,
        )
    )
    assert r.ok, r
    assert store.record(
        raw("LotReceived", {"lot_id": f"{job}-L1", "count": qty}, job_id=job, op=10)
    ).ok


def measure(store: Store, job: str = "F001-J1", value: str = "10.001") -> object:
    return store.record(
        raw(
            "MeasurementTaken",
            {
                "lot_id": f"{job}-L1",
                "characteristic": "OD",
                "nominal": "10",
                "tol_minus": "0.01",
                "tol_plus": "0.01",
                "value": value,
                "unit": "mm",
            },
            job_id=job,
            op=10,
        )
    )


def test_pragmas_and_identity(store: Store) -> None:
    c = store.conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA application_id").fetchone()[0] == migs.APPLICATION_ID
    assert c.execute("PRAGMA user_version").fetchone()[0] == migs.LATEST


def test_record_writes_event_projection_and_outbox_together(store: Store) -> None:
    make_job(store)
    r = store.record(raw("OpStarted", {"lot_id": "F001-J1-L1"}, job_id="F001-J1", op=10))
    assert r.ok and r.event is not None
    assert [e.seq for e in store.tail(3)] == [1, 2, 3]
    assert store.rows("SELECT status FROM ops WHERE lot_id = 'F001-J1-L1' AND seq = 10") == [
        {"status": "running"}
    ]
    assert [e.event_id for e in store.outbox_pending()][-1] == r.event.event_id


def test_refused_command_writes_nothing(store: Store) -> None:
    make_job(store)
    n = store.count_events()
    r = store.record(
        raw(
            "OpFinished",
            {"lot_id": "F001-J1-L1", "good": 1, "defect": 0, "scrap": 0},
            job_id="F001-J1",
            op=10,
        )
    )
    assert (r.ok, r.reason) == (False, "op_not_started")
    r = store.record(raw("OpStarted", {"lot_id": "F001-J1-L1", "oops": 1}, job_id="F001-J1", op=10))
    assert (r.ok, r.reason) == (False, "unknown_field")
    assert store.count_events() == n
    assert store.outbox_stats()["pending"] == n


def test_events_are_append_only(store: Store) -> None:
    make_job(store)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE events SET payload = '{}'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM events")


def test_seq_and_clock_survive_reopen(db_path: Path) -> None:
    with Store.open(db_path, firm_id="F001") as s:
        make_job(s)
        last = s.tail(1)[0]
        tid = s.terminal_id
    with Store.open(db_path) as s:
        assert s.terminal_id == tid and s.firm_id == "F001"
        r = s.record(raw("OpStarted", {"lot_id": "F001-J1-L1"}, job_id="F001-J1", op=10))
        assert r.event is not None
        assert r.event.seq == last.seq + 1 and r.event.hlc > last.hlc


def test_two_processes_share_one_database(db_path: Path) -> None:
    # The app and a CLI command may write at once; seq stays unique and state stays right.
    a = Store.open(db_path, firm_id="F001")
    b = Store.open(db_path)
    try:
        make_job(a)
        assert b.record(raw("OpStarted", {"lot_id": "F001-J1-L1"}, job_id="F001-J1", op=10)).ok
        r = a.record(raw("OpStarted", {"lot_id": "F001-J1-L1"}, job_id="F001-J1", op=10))
        assert r.reason == "op_already_started"  # a saw b's write
        assert a.record(
            raw(
                "OpFinished",
                {"lot_id": "F001-J1-L1", "good": 100, "defect": 0, "scrap": 0},
                job_id="F001-J1",
                op=10,
            )
        ).ok
        seqs = [e.seq for e in a.tail(10)]
        assert seqs == sorted(set(seqs))
    finally:
        a.close()
        b.close()


def test_ingest_is_idempotent_and_writes_cursor_with_data(store: Store, tmp_path: Path) -> None:
    with Store.open(tmp_path / "other.db", firm_id="F001") as other:
        make_job(other)
        events = other.tail(10)
    rep = store.ingest(events, meta={"feed_cursor": "2"})
    assert (rep.applied, rep.duplicates) == (2, 0)
    rep = store.ingest(events, meta={"feed_cursor": "2"})
    assert (rep.applied, rep.duplicates) == (0, 2)
    assert store.meta("feed_cursor") == "2"
    assert store.outbox_stats()["pending"] == 0  # events from elsewhere are not sent back
    job = store.job("F001-J1")
    assert job is not None and job.lots["F001-J1-L1"].qty == 100


def test_settle_outbox_parks_rejected(store: Store) -> None:
    make_job(store)
    ids = [e.event_id for e in store.outbox_pending()]
    store.settle_outbox([ids[0]], {ids[1]: "bad_field"})
    assert store.outbox_stats() == {"pending": 0, "oldest_pending_at": None, "rejected": 1}


# -- bad files ---------------------------------------------------------------------------


def test_garbage_file_is_refused_untouched(tmp_path: Path) -> None:
    p = tmp_path / "nakama.db"
    p.write_bytes(os.urandom(8192))
    before = p.read_bytes()
    with pytest.raises(StoreError) as err:
        Store.open(p)
    assert err.value.code == "not_a_database"
    assert p.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "accounts.db"
    c = sqlite3.connect(p)
    c.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
    c.execute("INSERT INTO invoices VALUES (1, 5000)")
    c.commit()
    c.close()
    with pytest.raises(StoreError) as err:
        Store.open(p)
    assert err.value.code == "foreign_database"
    c = sqlite3.connect(p)
    assert c.execute("SELECT total FROM invoices").fetchall() == [(5000,)]
    assert c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'events'").fetchone() == (0,)
    c.close()


def test_newer_schema_is_refused(db_path: Path) -> None:
    with Store.open(db_path, firm_id="F001") as s:
        make_job(s)
    c = sqlite3.connect(db_path)
    c.execute(f"PRAGMA user_version = {migs.LATEST + 1}")
    c.close()
    with pytest.raises(StoreError) as err:
        Store.open(db_path)
    assert err.value.code == "schema_too_new"
    c = sqlite3.connect(db_path)
    assert c.execute("SELECT count(*) FROM events").fetchone() == (2,)
    c.close()


def test_corrupt_pages_are_detected_and_not_written(db_path: Path) -> None:
    with Store.open(db_path, firm_id="F001") as s:
        make_job(s)
        for i in range(300):
            measure(s, value=f"10.{i:03d}")
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db_path.read_bytes())
    page = 4096
    for offset in range(3 * page, len(data) - page, 5 * page):
        data[offset + 100 : offset + 400] = os.urandom(300)
    db_path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as err:
        Store.open(db_path)
    assert err.value.code in {"integrity_failed", "not_a_database"}
    assert db_path.read_bytes() == bytes(data)


def test_full_disk_loses_nothing_already_stored(db_path: Path) -> None:
    s = Store.open(db_path, firm_id="F001")
    make_job(s)
    confirmed = []
    pages = s.conn.execute("PRAGMA page_count").fetchone()[0]
    s.conn.execute(f"PRAGMA max_page_count = {pages + 3}")  # a nearly full disk
    with pytest.raises(StoreError) as err:
        for i in range(10_000):
            r = measure(s, value=f"10.{i % 1000:03d}")
            assert r.ok and r.event is not None  # type: ignore[attr-defined]
            confirmed.append(r.event.event_id)  # type: ignore[attr-defined]
    assert err.value.code == "disk_full"
    assert confirmed  # some appends fit before the disk filled
    # The refused append left no trace; the store still answers, then works again with space.
    s.conn.execute("PRAGMA max_page_count = 1073741823")
    assert measure(s).ok  # type: ignore[attr-defined]
    s.close()
    with Store.open(db_path) as again:
        ids = {e.event_id for e in again.tail(100_000)}
        assert set(confirmed) <= ids
        assert again.check_integrity() == []


def test_migration_backs_up_first(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(db_path, firm_id="F001") as s:
        make_job(s)
    extra = (migs.LATEST + 1, "test column", ["CREATE TABLE test_extra (x INTEGER)"])
    monkeypatch.setattr(migs, "MIGRATIONS", [*migs.MIGRATIONS, extra])
    monkeypatch.setattr(migs, "LATEST", extra[0])
    from app.store import db as dbmod

    monkeypatch.setattr(dbmod, "MIGRATIONS", migs.MIGRATIONS)
    monkeypatch.setattr(dbmod, "LATEST", extra[0])
    conn = connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == extra[0]
    conn.close()
    before = extra[0] - 1
    backups = list(db_path.parent.glob(f"nakama.db.v{before}-*.bak"))
    assert len(backups) == 1
    b = sqlite3.connect(backups[0])
    assert b.execute("SELECT count(*) FROM events").fetchone() == (2,)
    assert b.execute("PRAGMA user_version").fetchone() == (before,)
    b.close()


# -- crash -------------------------------------------------------------------------------


@pytest.mark.slow
def test_sigkill_never_loses_a_confirmed_event(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    rng = random.Random(7)
    confirmed: list[str] = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(50):
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "appender.py"), str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        # Wait until the child is appending, then kill it at a random moment.
        first = child.stdout.readline().decode().strip()
        assert first, child.stderr.read().decode() if child.stderr else ""
        confirmed.append(first)
        time.sleep(rng.uniform(0.0, 0.15))
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate()
        # A line cut by the kill was never confirmed (the id was not fully written).
        confirmed += [x for x in rest.decode().split("\n") if len(x) == 36]
    with Store.open(db) as s:
        stored = {e.event_id for e in s.tail(10**7)}
        assert set(confirmed) <= stored
        assert s.check_integrity() == []
        for e in s.tail(10**7):  # nothing half-written: every payload is whole JSON
            assert e.payload
    assert len(confirmed) > 50
