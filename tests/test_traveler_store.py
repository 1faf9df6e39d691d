"""Keys in the store, issuing travelers, and a terminal taking in a job from paper alone."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.core.commands import OWNER, Actor
from app.core.job_input import job_spec
from app.core.traveler import Verdict, verify
from app.core.traveler_job import job_created_event
from app.store import Store
from app.store.keyring import (
    KeyImportError,
    key_directory,
    key_path,
    key_rows,
    own_public_key,
    signing_key,
    upsert_keys,
)
from app.store.travelers import Refusal, adopt, prepare, record_issued
from tests.factories import raw

ROUTE = "10:LATHE:F001,20:HEAT:F007,30:GRIND:F012"


def _job(store: Store, job_id: str = "F001-261129-AAAA") -> str:
    spec = job_spec(
        {"id": job_id, "part": "P-1", "qty": "50", "due": "2026-12-24", "route": ROUTE,
         "customer": "Secret Co.", "price": "900", "drawing": "D-1"},
        firm=store.firm_id, today=date(2026, 11, 29),
    )  # fmt: skip
    assert store.record(raw("JobCreated", spec.payload(), job_id=job_id)).ok
    return job_id


def test_private_key_file_is_0600_and_reused(store: Store) -> None:
    _, kid1 = signing_key(store)
    _, kid2 = signing_key(store)
    assert kid1 == kid2
    mode = stat.S_IMODE(key_path(store).stat().st_mode)
    assert mode == 0o600
    assert b"PRIVATE" not in store.path.read_bytes()
    own = own_public_key(store)
    assert own is not None and own["key_id"] == kid1 and own["firm_id"] == "F001"


def test_upsert_validates_all_rows_before_writing(store: Store) -> None:
    (
        _,
        _,
    ) = signing_key(store)
    good = dict(own_public_key(store) or {}, firm_id="F007", key_id=None)
    good.pop("source")
    try:
        upsert_keys(store, [good, {"firm_id": "F009", "public_key": "zz"}])
    except KeyImportError as exc:
        assert exc.index == 1
    else:
        raise AssertionError("bad row accepted")
    assert len(key_rows(store)) == 1


def test_revocation_is_sticky_and_replace_keeps_own_key(tmp_path: Path) -> None:
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    _, kid = signing_key(lead)
    row = {k: v for k, v in (own_public_key(lead) or {}).items() if k != "source"}
    lead.close()
    other = Store.open(tmp_path / "other.db", firm_id="F007")
    signing_key(other)
    revoked = dict(row, revoked_at="2026-11-01T00:00:00+00:00")
    upsert_keys(other, [revoked])
    upsert_keys(other, [row], replace=True)  # a stale copy without the revocation
    rows = {r["key_id"]: r for r in key_rows(other)}
    assert rows[kid]["revoked_at"] == "2026-11-01T00:00:00+00:00"
    assert any(r["source"] == "own" for r in rows.values())
    upsert_keys(other, [], replace=True)
    assert [r["source"] for r in key_rows(other)] == ["own"]
    other.close()


def test_issue_records_an_event_and_only_the_lead_may_issue(tmp_path: Path) -> None:
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    job_id = _job(lead)
    prepared = prepare(lead, job_id)
    assert not isinstance(prepared, Refusal)
    assert prepared.traveler.lot_id == f"{job_id}-L1" and prepared.traveler.qty == 50
    # Every event names who acted: a traveler printed by nobody is refused.
    assert record_issued(lead, prepared).reason == "no_operator"
    assert record_issued(lead, prepared, Actor("F001", "F001-OP-1", OWNER)).ok
    assert lead.job(job_id).travelers[0]["lot_id"] == f"{job_id}-L1"  # type: ignore[union-attr]
    assert isinstance(prepare(lead, "NOPE"), Refusal)
    lead.close()
    f007 = Store.open(tmp_path / "lead.db", firm_id="F007")
    refusal = prepare(f007, job_id)
    assert isinstance(refusal, Refusal) and refusal.reason == "not_lead_firm"
    f007.close()


def test_offline_terminal_adopts_the_job_and_records_on_it(tmp_path: Path) -> None:
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    job_id = _job(lead)
    original = lead.job_events(job_id)[0]
    prepared = prepare(lead, job_id)
    assert not isinstance(prepared, Refusal)
    lead_key = {k: v for k, v in (own_public_key(lead) or {}).items() if k != "source"}
    lead.close()

    heat = Store.open(tmp_path / "heat.db", firm_id="F007")
    upsert_keys(heat, [lead_key])
    v = verify(prepared.text, key_directory(heat), datetime.now(UTC))
    assert v.verdict is Verdict.VALID
    # Before adoption the store's rules refuse events on a job it has never seen.
    receipt = {"lot_id": f"{job_id}-L1", "count": 50}
    refused = heat.record(raw("LotReceived", receipt, job_id=job_id, op=20))
    assert not refused.ok and refused.reason == "unknown_job"
    assert adopt(heat, v) == "adopted"
    assert adopt(heat, v) == "known"
    rebuilt = heat.job_events(job_id)[0]
    # The same event as the lead's, minus what only the lead may see.
    expected = dict(original.to_wire())
    expected["payload"] = {
        k: v for k, v in original.payload.items() if k not in ("customer", "unit_price_yen")
    }
    assert rebuilt.to_wire() == expected
    assert heat.outbox_stats()["pending"] == 0  # never pushed back as ours
    ok = heat.record(raw("LotReceived", receipt, job_id=job_id, op=20))
    assert ok.ok
    # When the hub's copy arrives later it is a duplicate by id, not a second job.
    report = heat.ingest([original])
    assert report.duplicates == 1
    assert heat.check_integrity() == []
    heat.close()


def test_unverified_travelers_are_not_adopted(tmp_path: Path) -> None:
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    prepared = prepare(lead, _job(lead))
    lead.close()
    heat = Store.open(tmp_path / "heat.db", firm_id="F007")
    v = verify(prepared.text, key_directory(heat), datetime.now(UTC))  # key not synced
    assert v.verdict is Verdict.UNKNOWN_KEY
    assert adopt(heat, v) == "unknown_key"
    assert heat.jobs() == []
    heat.close()


def test_expired_directory_entry_gives_expired_key(tmp_path: Path) -> None:
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    prepared = prepare(lead, _job(lead))
    assert not isinstance(prepared, Refusal)
    directory = key_directory(lead)
    later = datetime.now(UTC) + timedelta(days=6 * 366)
    assert verify(prepared.text, directory, later).verdict is Verdict.EXPIRED_KEY
    assert job_created_event(prepared.traveler) is not None
    lead.close()


def test_a_split_lot_gets_its_own_traveler_naming_its_parent(tmp_path: Path) -> None:
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    job_id = _job(lead)
    lot = f"{job_id}-L1"
    assert lead.record(raw("LotReceived", {"lot_id": lot, "count": 50}, job_id=job_id, op=10)).ok
    split = {"lot_id": lot, "child_lot_id": f"{job_id}-L2", "count": 20}
    assert lead.record(raw("LotSplit", split, job_id=job_id, op=10)).ok
    child = prepare(lead, job_id, f"{job_id}-L2")
    parent = prepare(lead, job_id, lot)
    assert not isinstance(child, Refusal) and not isinstance(parent, Refusal)
    assert (child.traveler.qty, child.traveler.parent_lot) == (20, lot)
    assert (parent.traveler.qty, parent.traveler.order_qty) == (30, 50)
    v = verify(child.text, key_directory(lead), datetime.now(UTC))
    assert v.ok and v.traveler == child.traveler
    lead.close()


def test_migration_2_backs_up_an_existing_database_but_not_a_new_one(tmp_path: Path) -> None:
    import sqlite3

    from app.store.migrations import APPLICATION_ID, MIGRATIONS

    fresh = tmp_path / "fresh.db"
    Store.open(fresh, firm_id="F001").close()
    assert list(tmp_path.glob("fresh.db.*.bak")) == []
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    for sql in MIGRATIONS[0][2]:
        conn.execute(sql)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store.open(old, firm_id="F001") as s:
        assert s.rows("SELECT count(*) AS n FROM signing_keys") == [{"n": 0}]
    assert len(list(tmp_path.glob("old.db.v1-*.bak"))) == 1
