"""The demo terminal as a newcomer starts it: demo jobs, simulated devices, an embedded
hub on loopback, and the background sync taking the demo's events to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core import commands
from app.settings import Settings
from app.store import Store
from app.ui.app import Terminal, make_application
from tests.factories import raw


def test_demo_terminal_syncs_with_its_embedded_hub(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr("app.ui.syncing.DEMO_HUB_PORT", 0)  # any free port in tests
    make_application("ja")
    store = Store.open(tmp_path / "nakama.db")
    t = Terminal(store, Settings(tmp_path / "settings.json"), demo_mode=True)
    qtbot.addWidget(t.window)
    t.window.show()
    try:
        assert store.meta("hub_token") and store.firm_id == "F001"
        qtbot.waitUntil(
            lambda: (
                t.syncing.status is not None
                and t.syncing.status.online
                and t.syncing.status.waiting == 0
            ),
            timeout=15_000,
        )
        assert "ハブ：接続中" in t.window.sync_label.text()
        assert store.meta("published_key_id")  # our travelers can be checked by the others
        # A new record goes out at once, not at the next timer tick.
        # The demo starts signed in (佐藤 花子), so a record can be made at once.
        assert t.session.operator is not None and t.session.operator.name == "佐藤 花子"
        assert t.window.operator_button.text() == "作業者：佐藤 花子"
        job_id = store.jobs()[0]["job_id"]
        job = store.job(job_id)
        lot = next(iter(job.lots))  # type: ignore[union-attr]
        cmd = commands.measure(
            job,
            t.session.actor,
            lot,
            10,
            characteristic="OD",
            nominal="1",
            tol_minus="0.1",
            tol_plus="0.1",
            value="1.0",
        )
        result = t.session.record(cmd)
        assert result.ok and result.event is not None
        assert result.event.operator == "F001-OP-0002"
        qtbot.waitUntil(lambda: store.outbox_stats()["pending"] == 0, timeout=10_000)
        qtbot.waitUntil(
            lambda: t.devices.links and all(s == "up" for s in t.devices.links.values()),
            timeout=10_000,
        )
        assert "機器 2/2" in t.window.device_label.text()
        t.window.grab().save("/tmp/nakama-shots/demo.png")
    finally:
        t.close()


def test_top_bar_shows_an_unreachable_hub(qtbot: Any, tmp_path: Path) -> None:
    from app.ui.main_window import MainWindow
    from app.ui.session import Session
    from app.ui.syncing import SyncBridge

    make_application("ja")
    store = Store.open(tmp_path / "n.db", firm_id="F001")
    store.set_meta(
        {
            "hub_url": "http://127.0.0.1:9",  # nothing listens there: the network is down
            "hub_token": "nkt_x",
            "sync_last_success": "2026-11-28T23:30:00.000+00:00",
        }
    )
    store.record(raw("MachineStateChanged", {"machine": "M1", "state": "run"}))
    session = Session(store)
    bridge = SyncBridge(session)
    w = MainWindow(session, None, bridge)
    qtbot.addWidget(w)
    bridge.start()
    try:
        qtbot.waitUntil(lambda: "オフライン" in w.sync_label.text(), timeout=10_000)
        text = w.sync_label.text()
        assert "送信待ち：1件" in text and "最終同期 11-2" in text
        assert store.outbox_stats()["pending"] == 1  # nothing lost, still waiting
    finally:
        bridge.stop()
        store.close()


def test_the_running_app_takes_the_daily_backup(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from app.store import backup as backups

    make_application("ja")
    settings = Settings(tmp_path / "settings.json")
    settings.set("backup_keep", "3")
    settings.set("backup_dir", str(tmp_path / "bk"))
    store = Store.open(tmp_path / "nakama.db", firm_id="F001")
    t = Terminal(store, settings, demo_mode=False)
    qtbot.addWidget(t.window)
    try:
        assert t.backup_timer.isActive()
        qtbot.waitUntil(lambda: len(backups.daily_backups(tmp_path / "bk", store.path)) == 1)
        t.daily_backup(settings).join()  # a second look the same day writes nothing
        (made,) = backups.daily_backups(tmp_path / "bk", store.path)
        assert backups.inspect(made).firm_id == "F001"
    finally:
        t.close()
