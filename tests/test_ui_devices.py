"""Devices in the app: a simulated gauge over a real pseudo-terminal feeds the measure
dialog, and a simulated machine's run/stop becomes events in the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.store import Store
from app.ui.app import make_application
from app.ui.devices import DeviceHub
from app.ui.measure_dialog import MeasureDialog
from app.ui.session import Session


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    make_application("ja")
    store = Store.open(tmp_path / "d.db", firm_id="F001")
    yield Session(store)
    store.close()


def test_gauge_reading_reaches_the_measure_dialog(session: Session, qtbot: Any) -> None:
    hub = DeviceHub(session, ["sim://mitutoyo?rate=10&value=12.004&decimals=3&unit=mm"])
    hub.start()
    try:
        qtbot.waitUntil(lambda: hub.links.get(hub.urls[0]) == "up", timeout=5000)
        spec = {
            "OD": {"nominal": "12.000", "tol_minus": "0.010", "tol_plus": "0.010", "unit": "mm"}
        }
        dlg = MeasureDialog("測定", spec, devices=hub)
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.source == "live", timeout=5000)
        assert dlg.payload() is None  # a streaming gauge is shown live; 取得 takes it
        dlg.take()
        p = dlg.payload()
        assert p is not None and p["value"] == "12.004" and p["gauge"].startswith("sim://mitutoyo")
        assert "ゲージ" in dlg.live.text() and dlg.verdict.property("level") == "ok"
        dlg.reject()
    finally:
        hub.stop()


def test_machine_states_are_recorded(session: Session, qtbot: Any) -> None:
    hub = DeviceHub(session, ["sim://machine?cycle=0.2&counter_start=65534"])
    hub.start()
    try:
        qtbot.waitUntil(
            lambda: session.store.rows("SELECT count(*) AS n FROM machines")[0]["n"] == 1,
            timeout=8000,
        )
        events = [e for e in session.store.tail(10) if e.type == "MachineStateChanged"]
        assert events and events[0].payload["state"] in ("run", "stop", "alarm", "off")
    finally:
        hub.stop()


def test_bad_device_url_is_reported_not_raised(session: Session, qtbot: Any) -> None:
    hub = DeviceHub(session, ["serial-usb://nonsense"])
    with qtbot.waitSignal(hub.failed, timeout=1000):
        hub.start()
    assert hub.links["serial-usb://nonsense"] == "failed"
    hub.stop()


def test_only_measuring_devices_count_as_gauges(session: Session) -> None:
    hub = DeviceHub(
        session,
        [
            "sim://mitutoyo?rate=0",
            "sim://scanner?rate=0",
            "sim://machine?cycle=5",
            "sim://and?rate=0",
        ],
    )
    hub.start()
    try:
        assert sorted(hub.gauges()) == ["sim://and?rate=0", "sim://mitutoyo?rate=0"]
    finally:
        hub.stop()


def test_which_gauges_stream_and_how_often(session: Session) -> None:
    """A streaming gauge is shown live and called silent after its period; one that sends
    only on its DATA button (a Mitutoyo USB-ITN) has no period."""
    hub = DeviceHub(session, [])
    assert hub.stream_period("sim://mitutoyo") == 0.5  # the simulator's default 2/s
    assert hub.stream_period("sim://mitutoyo?rate=4") == 0.25
    assert hub.stream_period("sim://mitutoyo?rate=0") is None
    assert hub.stream_period("serial-usb://0FE7:4001/A1?codec=mitutoyo") is None
    assert hub.stream_period("serial:///dev/ttyUSB0?codec=and&stream=0.5") == 0.5
    assert hub.gauge_health("sim://mitutoyo") == "waiting"  # never opened
