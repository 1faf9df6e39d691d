"""Kiosk mode: full screen and frameless, a close refused until an owner's PIN is given,
the screen kept awake where the platform allows, one app per database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtDBus import QDBusConnection

from app import demo
from app.core import commands
from app.core.operators import hash_pin, kiosk_leavable, owner_unlock
from app.store import Store
from app.ui.app import make_application
from app.ui.kiosk import Kiosk, LeaveKioskDialog, ScreenAwake, SingleInstance, instance_name
from app.ui.main_window import MainWindow
from app.ui.session import Session

ROOT = Path(__file__).resolve().parents[1]
BOSS = "F001-OP-0009"


def add_owner_with_pin(store: Store, pin: str = "2468") -> None:
    cmd = commands.save_operator(
        store.operators(),
        demo.DEMO_OWNER,
        operator_id=BOSS,
        name="高橋 社長",
        role=commands.OWNER,
        pin_hash=hash_pin(pin),
    )
    assert store.record(cmd).ok


@pytest.fixture
def shop(qtbot: Any, tmp_path: Path) -> Iterator[tuple[MainWindow, Kiosk]]:
    make_application("ja")
    store = Store.open(tmp_path / "kiosk.db", firm_id="F001")
    demo.seed(store)
    add_owner_with_pin(store)
    w = MainWindow(Session(store))
    w.resize(1280, 800)
    qtbot.addWidget(w)
    kiosk = Kiosk(w, w.session)
    kiosk.awake = ScreenAwake(QDBusConnection.connectToBus("unix:path=/nonexistent", "none"))
    kiosk.show()
    yield w, kiosk
    store.close()


def test_core_lets_only_an_owner_with_the_right_pin_leave(store: Store) -> None:
    demo.seed(store)
    roster = store.operators()
    assert not kiosk_leavable(roster)  # the demo owner has no PIN: no kiosk for it
    assert owner_unlock(roster, "F001-OP-0001", "") == "owner_pin_required"
    assert owner_unlock(roster, "F001-OP-0002", "") == "not_owner"
    add_owner_with_pin(store)
    roster = store.operators()
    assert kiosk_leavable(roster)
    assert owner_unlock(roster, BOSS, "1357") == "bad_pin"
    assert owner_unlock(roster, BOSS, "2468") is None
    assert owner_unlock(roster, "F001-OP-NONE", "2468") == "unknown_operator"


def test_kiosk_is_full_screen_frameless_and_refuses_to_close(
    qtbot: Any, shop: tuple[MainWindow, Kiosk]
) -> None:
    w, kiosk = shop
    qtbot.waitUntil(w.isVisible)
    assert w.windowState() & Qt.WindowState.WindowFullScreen
    assert w.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert kiosk.leave_button.isVisible() and kiosk.leave_button.text() == "終了"
    assert w.close() is False and w.isVisible()  # Alt+F4, the window manager: refused
    w.showNormal()
    qtbot.waitUntil(lambda: bool(w.windowState() & Qt.WindowState.WindowFullScreen))


def test_leaving_needs_an_owners_pin(qtbot: Any, shop: tuple[MainWindow, Kiosk]) -> None:
    w, kiosk = shop
    qtbot.mouseClick(kiosk.leave_button, Qt.MouseButton.LeftButton)
    dialog = w.findChild(LeaveKioskDialog)
    assert dialog is not None and dialog.isVisible()
    # Only owners are offered: the machinists are not on it.
    names = {b.objectName() for b in dialog.findChildren(type(kiosk.leave_button))}
    assert "owner_F001-OP-0009" in names and "owner_F001-OP-0002" not in names
    assert "owner_F001-OP-0001" not in names  # an owner without a PIN could not leave
    qtbot.mouseClick(
        dialog.findChild(type(kiosk.leave_button), f"owner_{BOSS}"), Qt.MouseButton.LeftButton
    )
    for k in "1357":
        qtbot.mouseClick(
            dialog.pad.findChild(type(kiosk.leave_button), f"pin_{k}"), Qt.MouseButton.LeftButton
        )
    qtbot.mouseClick(
        dialog.findChild(type(kiosk.leave_button), "leaveOk"), Qt.MouseButton.LeftButton
    )
    assert "暗証番号が違います" in dialog.feedback.text()
    assert dialog.pad.pin == "" and w.isVisible() and not kiosk.unlocked
    for k in "2468":
        qtbot.mouseClick(
            dialog.pad.findChild(type(kiosk.leave_button), f"pin_{k}"), Qt.MouseButton.LeftButton
        )
    qtbot.mouseClick(
        dialog.findChild(type(kiosk.leave_button), "leaveOk"), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: not w.isVisible())
    assert kiosk.unlocked


def test_leave_dialog_in_both_languages(
    qtbot: Any, shop: tuple[MainWindow, Kiosk], tmp_path: Path
) -> None:
    out = Path(os.environ.get("NAKAMA_SHOTS", tmp_path))
    w, kiosk = shop
    dialog = kiosk.ask_to_leave()
    qtbot.waitUntil(dialog.isVisible)
    dialog.grab().save(str(out / "kiosk_leave_ja.png"))
    w.grab().save(str(out / "kiosk_main_ja.png"))
    assert dialog.windowTitle() == "全画面モードの終了"
    dialog.reject()


class FakeKernel32:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def SetThreadExecutionState(self, flags: int) -> int:
        self.calls.append(flags)
        return 0x80000000


def test_screen_awake_on_windows_asks_for_display_and_system() -> None:
    k = FakeKernel32()
    assert ScreenAwake(kernel32=k).inhibit() == "windows"
    assert k.calls == [0x80000003]  # ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED


def test_screen_awake_says_when_there_is_no_session_bus(qtbot: Any) -> None:
    make_application("ja")
    bus = QDBusConnection.connectToBus("unix:path=/nonexistent/bus", "nakama-test-none")
    assert ScreenAwake(bus).inhibit() == "none: no D-Bus session bus"


FAKE_SCREENSAVER = """
import sys
from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection

@ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})
class ScreenSaver(QObject):
    @Slot(str, str, result="uint")
    def Inhibit(self, app, reason):
        with open(sys.argv[1], "a") as f:
            f.write(f"{app}|{reason}\\n")
        return 7

app = QCoreApplication([])
bus = QDBusConnection.sessionBus()
saver = ScreenSaver()
ALL_SLOTS = QDBusConnection.RegisterOption.ExportAllSlots
bus.registerObject("/org/freedesktop/ScreenSaver", saver, ALL_SLOTS)
bus.registerService("org.freedesktop.ScreenSaver")
print("ready", flush=True)
app.exec()
"""


@pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="no dbus-daemon (package dbus)")
def test_screen_awake_inhibits_the_freedesktop_screensaver(qtbot: Any, tmp_path: Path) -> None:
    make_application("ja")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    if daemon.stdout is None:
        pytest.fail("no dbus-daemon output")
    address = daemon.stdout.readline().strip()
    log = tmp_path / "calls.txt"
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "QT_QPA_PLATFORM": "offscreen"}
    (tmp_path / "saver.py").write_text(FAKE_SCREENSAVER, encoding="utf-8")
    saver = subprocess.Popen(
        [sys.executable, str(tmp_path / "saver.py"), str(log)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert saver.stdout is not None and saver.stdout.readline().strip() == "ready"
        bus = QDBusConnection.connectToBus(address, "nakama-test-bus")
        awake = ScreenAwake(bus)
        assert awake.inhibit() == "dbus" and awake.cookie == 7
        assert log.read_text(encoding="utf-8") == "Nakama|shop-floor kiosk\n"
        bare = QDBusConnection.connectToBus(address, "nakama-test-bus-2")
        saver.terminate()
        saver.wait(10)
        deadline = time.monotonic() + 5
        how = ScreenAwake(bare).inhibit()
        while how == "dbus" and time.monotonic() < deadline:
            how = ScreenAwake(bare).inhibit()
        assert how.startswith("none:")
    finally:
        saver.kill()
        daemon.kill()
        saver.communicate(timeout=10)
        daemon.communicate(timeout=10)
        QDBusConnection.disconnectFromBus("nakama-test-bus")
        QDBusConnection.disconnectFromBus("nakama-test-bus-2")


def test_one_instance_per_database(qtbot: Any, tmp_path: Path) -> None:
    make_application("ja")
    a = tmp_path / "a.db"
    first = SingleInstance(a)
    assert first.claim()
    assert instance_name(a) == instance_name(tmp_path / "." / "a.db")
    other = SingleInstance(tmp_path / "b.db")
    assert other.claim()  # another database: its own app
    with qtbot.waitSignal(first.raise_requested, timeout=5000):
        assert SingleInstance(a).claim() is False
    first.release()
    other.release()
    again = SingleInstance(a)
    assert again.claim()  # released: the next start is the first again
    again.release()


def _nakama(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "NAKAMA_SETTINGS": str(tmp_path / "settings.json"),
        "NAKAMA_LOG_DIR": str(tmp_path / "log"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app", "--db", str(tmp_path / "shop.db"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_start_brings_the_first_to_the_front_and_exits_0(tmp_path: Path) -> None:
    with Store.open(tmp_path / "shop.db", firm_id="F001") as s:
        demo.seed(s)
        add_owner_with_pin(s)
    (tmp_path / "settings.json").write_text('{"demo": false}', encoding="utf-8")
    first = _nakama(tmp_path, "run", "--kiosk")
    try:
        log = tmp_path / "log" / "nakama.log"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "screen" not in (
            log.read_text(encoding="utf-8") if log.exists() else ""
        ):
            assert first.poll() is None, first.communicate()
            time.sleep(0.2)
        second = _nakama(tmp_path, "run", "--kiosk")
        _out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert "起動中" in err and "already running" in err
        assert first.poll() is None  # the first goes on
    finally:
        first.terminate()
        first.communicate(timeout=30)


def test_kiosk_refuses_to_start_when_no_owner_could_leave_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "shop.db", firm_id="F001") as s:
        demo.seed(s)  # the demo owner has no PIN
    (tmp_path / "settings.json").write_text('{"demo": false}', encoding="utf-8")
    p = _nakama(tmp_path, "run", "--kiosk")
    _out, err = p.communicate(timeout=60)
    assert p.returncode == 2
    assert "社長の暗証番号" in err and "owner's PIN" in err
