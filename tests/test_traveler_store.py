"""Keys in the store, issuing travelers, and a terminal taking in a job from paper alone."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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

ROUTE = "10:LATHE:F001,20:HEAT:F007,30:GRIND:F012"


def _job(store: Store, job_id: str = "F001-261129-AAAA") -> str:
    spec = job_spec(
        {"id": job_id, "part": "P-1", "qty": "50", "due": "2026-12-24", "route": ROUTE,
         "customer": "Secret Co.", "price": "900", "drawing": "D-1"},
        firm=store.firm_id, today=date(2026, 11, 29),
    )  # fmt: skip
    assert store.record("JobCreated", spec.payload(), job_id=job_id).ok
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
    assert prepared.traveler.lot_id == f"{job_id}-1" and prepared.traveler.qty == 50
    assert record_issued(lead, prepared).ok
    assert lead.job(job_id).travelers[0]["lot_id"] == f"{job_id}-1"  # type: ignore[union-attr]
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
    receipt = {"lot_id": f"{job_id}-1", "count": 50}
    refused = heat.record("LotReceived", receipt, job_id=job_id, op=20)
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
    ok = heat.record("LotReceived", receipt, job_id=job_id, op=20)
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
