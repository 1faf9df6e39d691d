"""Backups and restore: one backup function, daily pruning, a checked restore that keeps
the old store aside, a refused downgrade, and, over a real hub on loopback, a restore of
an old backup that takes this terminal's own events back before numbering new ones."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from hub_support import Hub, do_op, fresh_db_url, make_terminal, route_job, running_hub

from app.cli import main
from app.store import Store, StoreError
from app.store import backup as backups
from app.store.migrations import LATEST, MIGRATIONS
from app.sync import HubClient, Syncer
from app.sync.syncer import sync_until_idle
from tests.factories import raw


@pytest.fixture(autouse=True)
def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAKAMA_SETTINGS", str(tmp_path / "settings.json"))


def machine(store: Store, counter: int) -> None:
    r = store.record(
        raw("MachineStateChanged", {"machine": "M1", "state": "run", "counter": counter})
    )
    assert r.ok, r.reason


def make_store(path: Path, events: int = 3) -> None:
    with Store.open(path, firm_id="F001") as s:
        for n in range(events):
            machine(s, n)


def test_daily_backup_once_a_day_keeping_the_newest(tmp_path: Path) -> None:
    db = tmp_path / "nakama.db"
    make_store(db)
    folder = tmp_path / "bk"
    # Yesterday's and older daily backups, as earlier days left them.
    folder.mkdir()
    for day in ("20260101", "20260102", "20260103"):
        (folder / f"nakama.daily-{day}T010000.bak").write_bytes(b"old")
    manual = folder / "nakama.20260101T010000.bak"
    manual.write_bytes(b"kept")
    made = backups.daily_backup_file(db, keep=2, folder=folder)
    assert made is not None and made.name.startswith(f"nakama.daily-{datetime.now(UTC):%Y%m%d}")
    assert backups.daily_backup_file(db, keep=2, folder=folder) is None  # once a day
    daily = [p.name for p in backups.daily_backups(folder, db)]
    assert daily == ["nakama.daily-20260103T010000.bak", made.name]
    assert manual.exists()  # only daily ones are pruned
    info = backups.inspect(made)
    assert info.events == 3 and info.schema_version == LATEST
    assert backups.daily_backup_file(db, keep=0, folder=folder) is None


def test_backup_command_to_a_folder_and_restore_keeps_the_old_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nakama.db"
    make_store(db, 2)
    usb = tmp_path / "usb"
    assert main(["--db", str(db), "backup", "--to", str(usb)]) == 0
    out = json.loads(capsys.readouterr().out)
    bak = Path(out["backup"])
    assert bak.parent == usb and out["events"] == 2
    with Store.open(db) as s:
        machine(s, 10)
    assert main(["--db", str(db), "restore", str(bak)]) == 0
    report = json.loads(capsys.readouterr().out)
    aside = Path(report["set_aside"])
    assert aside.exists() and report["must_recover"] is False
    assert report["replaced_own_max_seq"] == 3
    with Store.open(db) as s:
        assert s.count_events() == 2
        # Numbered after the replaced store's last event: seq 3 stays that event's.
        machine(s, 11)
        assert s.tail(1)[0].seq == 4
    with Store.open(aside) as old:
        assert old.count_events() == 3
    # Without --to: the backup_dir setting, else backups/ beside the database.
    assert main(["--db", str(db), "backup"]) == 0
    assert Path(json.loads(capsys.readouterr().out)["backup"]).parent == tmp_path / "backups"
    assert main(["settings", "set", "backup_dir", str(tmp_path / "nas")]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "backup"]) == 0
    assert Path(json.loads(capsys.readouterr().out)["backup"]).parent == tmp_path / "nas"


def _damaged(src: Path, dest: Path) -> Path:
    data = bytearray(src.read_bytes())
    page = 4096
    for at in range(2 * page, len(data) - 64, page):  # overwrite every page after the first
        data[at + 8 : at + 64] = b"\xa5" * 56
    dest.write_bytes(bytes(data))
    return dest


@pytest.mark.parametrize("kind", ["zip", "foreign", "damaged", "newer"])
def test_restore_checks_the_file_first_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    db = tmp_path / "nakama.db"
    make_store(db, 40)
    with Store.open(db) as s:
        bak = s.backup(tmp_path / "bk")
    bad = tmp_path / f"{kind}.bak"
    if kind == "zip":
        bad.write_bytes(b"PK\x03\x04" + b"x" * 100)
    elif kind == "foreign":
        c = sqlite3.connect(bad)
        c.execute("CREATE TABLE t (x)")
        c.commit()
        c.close()
    elif kind == "damaged":
        _damaged(bak, bad)
    else:
        bad.write_bytes(bak.read_bytes())
        c = sqlite3.connect(bad)
        c.execute(f"PRAGMA user_version = {LATEST + 1}")
        c.close()
    before = db.read_bytes()
    assert main(["--db", str(db), "restore", str(bad)]) == 3
    err = capsys.readouterr().err
    code = {
        "zip": "not_a_database",
        "foreign": "foreign_database",
        "damaged": "integrity_failed",
        "newer": "schema_too_new",
    }[kind]
    assert f"[{code}]" in err
    if kind == "newer":
        assert "ダウングレード" in err and "downgrade" in err
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("nakama.db.before-restore-*"))


def _back_to_schema_5(path: Path) -> None:
    """Make a store of schema 5, as the release before the refused-events table wrote it:
    what migrations 6 and later made is taken out again."""
    c = sqlite3.connect(path)
    c.execute("DROP TABLE refused_events")
    for number, _name, statements in MIGRATIONS:
        for sql in statements if number > 6 else ():
            made = re.match(r"CREATE INDEX (\w+)", sql)
            if made:
                c.execute(f"DROP INDEX {made.group(1)}")
    c.execute("PRAGMA user_version = 5")
    c.commit()
    c.close()


def test_restore_of_an_older_schema_is_migrated_with_a_backup_beside_it(tmp_path: Path) -> None:
    db = tmp_path / "nakama.db"
    make_store(db)
    old = tmp_path / "v5.bak"
    # A store of schema 5 (before the refused-events table), as the previous release wrote.
    c = sqlite3.connect(db)
    c.execute("VACUUM INTO ?", (str(old),))
    c.close()
    _back_to_schema_5(old)
    report = backups.restore(old, db)
    assert report.restored.schema_version == 5
    with Store.open(db) as s:
        assert s.count_events() == 3
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert list(tmp_path.glob("nakama.db.v5-*.bak"))


def test_migration_backup_uses_the_one_backup_function(tmp_path: Path) -> None:
    db = tmp_path / "nakama.db"
    make_store(db)
    _back_to_schema_5(db)
    Store.open(db).close()
    (bak,) = tmp_path.glob("nakama.db.v5-*.bak")
    assert not list(tmp_path.glob("*.part"))
    assert backups.inspect(bak).schema_version == 5


# -- over a real hub ----------------------------------------------------------------------


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url("sqlite", tmp_path)) as h:
        for f in ("FA01", "FB02"):
            h.add_firm(f)
        yield h


def _hub_events(hub: Hub, terminal_id: str) -> dict[int, str]:
    with hub.admin.read() as c:
        rows = c.exec_driver_sql(
            "SELECT seq, event_id FROM events WHERE terminal_id = ?", (terminal_id,)
        ).all()
    return {int(s): e for s, e in rows}


def _hub_rejections(hub: Hub) -> int:
    with hub.admin.read() as c:
        return int(c.exec_driver_sql("SELECT count(*) FROM quarantine").scalar_one())


def test_restore_an_old_backup_takes_own_events_back_before_new_ones(
    hub: Hub, tmp_path: Path
) -> None:
    a = make_terminal(hub, tmp_path, "FA01")
    b = make_terminal(hub, tmp_path, "FB02")
    job = route_job(a, "10:LATHE:FA01,20:HEAT:FB02")
    lot = f"{job}-L1"
    a.record("LotReceived", {"lot_id": lot, "count": 10}, job_id=job, op=10)
    sync_until_idle(a.syncer)
    old = a.store.backup(tmp_path / "usb")
    a.record("OpStarted", {"lot_id": lot}, job_id=job, op=10)
    a.record("OpFinished", {"lot_id": lot, "good": 10, "defect": 0, "scrap": 0}, job_id=job, op=10)
    sync_until_idle(a.syncer)
    before = {e.event_id for e in a.store.events()}
    state_before = a.store.job(job)
    path, terminal_id, token = a.store.path, a.store.terminal_id, a.token
    a.close()

    report = backups.restore(old, path)
    assert report.must_recover and report.restored.own_max_seq < report.replaced_own_max_seq
    store = Store.open(path)
    # Before the hub has given the events back, nothing is numbered: seq 3 and 4 are the
    # hub's (OpStarted, OpFinished) and would be answered seq_conflict.
    refused = store.record(raw("OpStarted", {"lot_id": lot}, job_id=job, op=10))
    assert not refused.ok and refused.reason == "restore_recovering"
    http = httpx.Client(timeout=10)
    syncer = Syncer(store, HubClient(hub.url, token, client=http))
    report_sync = sync_until_idle(syncer)
    assert report_sync.recovered == 2
    assert {e.event_id for e in store.events()} == before
    assert store.job(job) == state_before
    assert not store.meta(backups.RECOVER)

    # Record again and sync: nothing refused, numbered after what the hub held.
    r = store.record(
        raw("LotHandedOff", {"lot_id": lot, "to_firm": "FB02", "count": 10}, job_id=job, op=10)
    )
    assert r.ok and r.event is not None
    sync_until_idle(syncer)
    assert store.outbox_stats() == {"pending": 0, "oldest_pending_at": None, "rejected": 0}
    assert _hub_rejections(hub) == 0
    on_hub = _hub_events(hub, terminal_id)
    assert sorted(on_hub) == [1, 2, 3, 4, 5] and on_hub[5] == r.event.event_id
    mine = {e.seq: e.event_id for e in store.events() if e.terminal_id == terminal_id}
    assert mine == on_hub

    # The next firm sees the whole story and carries on.
    sync_until_idle(b.syncer)
    jb = b.store.job(job)
    assert jb is not None and jb.lots[lot].in_transit_to == "FB02"
    do_op(b, job, lot, 20, 10, None)
    sync_until_idle(b.syncer)
    sync_until_idle(syncer)
    ja, jb = store.job(job), b.store.job(job)
    assert ja is not None and jb is not None and ja.lots == jb.lots
    assert jb.lots[lot].holder == "FB02"
    syncer.close()
    http.close()
    store.close()
    b.close()


def test_restore_while_the_hub_is_away_recovers_at_the_first_sync(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = make_terminal(hub, tmp_path, "FA01")
    for n in range(3):
        a.record(
            "MachineStateChanged", {"machine": "M1", "state": "run", "counter": n}, job_id=None
        )
    sync_until_idle(a.syncer)
    old = a.store.backup(tmp_path / "usb")
    a.record("MachineStateChanged", {"machine": "M1", "state": "stop", "counter": 9}, job_id=None)
    sync_until_idle(a.syncer)
    path, token = a.store.path, a.token
    a.close()
    assert main(["settings", "set", "hub_url", "http://127.0.0.1:9"]) == 0  # no one there
    capsys.readouterr()
    assert main(["--db", str(path), "restore", str(old)]) == 0
    out = capsys.readouterr()
    result = json.loads(out.out)
    assert result["recovered_from_hub"] is None and result["recover_error"] == "offline"
    assert "ハブから自端末の記録を取り戻すまで" in out.err
    with Store.open(path) as s:
        assert s.count_events() == 3
        syncer = Syncer(s, HubClient(hub.url, token))
        sync_until_idle(syncer)
        syncer.close()
        assert s.count_events() == 4
        machine(s, 20)
        assert s.tail(1)[0].seq == 5


def test_own_events_endpoint_answers_only_the_callers_own(hub: Hub, tmp_path: Path) -> None:
    a = make_terminal(hub, tmp_path, "FA01")
    a2 = make_terminal(hub, tmp_path, "FA01")
    for t in (a, a2):
        for n in range(3):
            t.record(
                "MachineStateChanged", {"machine": "M", "state": "run", "counter": n}, job_id=None
            )
        sync_until_idle(t.syncer)
    client = HubClient(hub.url, a.token)
    page = client.own_events(1)
    client.close()
    assert [e["seq"] for e in page["events"]] == [2, 3]
    assert {e["terminal_id"] for e in page["events"]} == {a.store.terminal_id}
    assert httpx.get(hub.url + "/v1/terminal/events").status_code == 401
    for t in (a, a2):
        t.close()


def test_damaged_store_restored_from_an_old_backup_gets_every_event_back(
    hub: Hub, tmp_path: Path
) -> None:
    a = make_terminal(hub, tmp_path, "FA01")
    run = {"machine": "M1", "state": "run"}
    for n in range(30):
        a.record("MachineStateChanged", {**run, "counter": n}, job_id=None)
        if n == 9:
            sync_until_idle(a.syncer)
            old = a.store.backup(tmp_path / "usb")
    sync_until_idle(a.syncer)
    everything = {e.event_id for e in a.store.events()}
    path, token = a.store.path, a.token
    a.close()
    _damaged(path, path)  # the disk went bad
    with pytest.raises(StoreError) as bad:
        Store.open(path)
    assert bad.value.code == "integrity_failed"
    report = backups.restore(old, path)
    assert report.must_recover
    with Store.open(path) as s:
        assert s.count_events() == 10
        http = httpx.Client(timeout=10)
        syncer = Syncer(s, HubClient(hub.url, token, client=http))
        assert sync_until_idle(syncer).recovered == 20
        assert {e.event_id for e in s.events()} == everything
        machine(s, 99)
        sync_until_idle(syncer)
        assert s.outbox_stats()["rejected"] == 0 and _hub_rejections(hub) == 0
        assert max(_hub_events(hub, s.terminal_id)) == 31
        syncer.close()
        http.close()
