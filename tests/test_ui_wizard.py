"""The first-run wizard on the real widgets, tapped in the order a shop owner sets up a
new terminal on a Saturday: language, firm, owner and operators, a gauge on a
pseudo-terminal read live through the real driver, no camera, then the enrolment QR
that ``nakama-hub enroll-code --qr`` printed, scanned against a real hub on loopback;
then the normal sign-in with the new owner and a traveler scan that opens its job.
Also: a wizard closed half-way opens again where it was, with nothing lost; a finished
one never opens again; a store set up before the wizard existed is left alone."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hub_support import fresh_db_url, running_hub
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QWidget
from test_ui import _dialogs_never_block

from app import texts
from app.core import commands, lots, setup
from app.core.job_input import new_job_id
from app.core.model import JobSpec, Route
from app.settings import Settings
from app.store import Store
from app.store.firms import firm_names
from app.store.travelers import PreparedTraveler, prepare
from app.ui.app import make_application
from app.ui.main_window import MainWindow
from app.ui.session import Session
from app.ui.setup_devices import CameraPage, DevicesPage, HubPage
from app.ui.setup_pages import FirmPage, PeoplePage
from app.ui.setup_wizard import SetupWizard, wizard_needed
from app.ui.sign_in import SignInDialog
from drivers.sim import frames
from drivers.sim.pty import SimUsbPort
from wire.enrolment import parse_qr, qr_text

__all__ = ["_dialogs_never_block"]  # no unscripted dialog may block these tests


def _click(qtbot: Any, parent: QWidget, name: str) -> None:
    button = parent.findChild(QPushButton, name)
    assert button is not None, name
    # A button just added to a shown page is shown when Qt next runs its queue.
    qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=2_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


_clock = [100_000]


def _wedge(target: QWidget, text: str) -> None:
    """A keyboard-wedge scanner typing into ``target``, 9 ms a key, Enter at the end."""
    _clock[0] += 10_000
    for i, ch in enumerate(text + "\r"):
        key = Qt.Key.Key_Return if ch == "\r" else 0
        ev = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch)
        ev.setTimestamp(_clock[0] + 9 * i)
        QCoreApplication.sendEvent(target, ev)


def _pin(qtbot: Any, pad: QWidget, digits: str) -> None:
    for d in digits:
        _click(qtbot, pad, f"pin_{d}")


def _feedback(w: SetupWizard) -> str:
    return w.feedback.text()


@pytest.fixture
def fresh(tmp_path: Path) -> Any:
    """A fresh install: an empty store and a settings file with demo mode off."""
    make_application("ja")
    store = Store.open(tmp_path / "shop.db")
    settings = Settings(tmp_path / "settings.json")
    settings.values["demo"] = False
    settings.save()
    yield store, settings
    store.close()
    make_application("ja")


def _wizard(qtbot: Any, store: Store, settings: Settings) -> SetupWizard:
    w = SetupWizard(Session(store), settings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    return w


def _firm_and_owner(qtbot: Any, w: SetupWizard, code: str = "F012") -> None:
    _click(qtbot, w, "lang_ja")
    _click(qtbot, w, "wizardNext")
    firm = w.page
    assert isinstance(firm, FirmPage)
    firm.name.setText("蒲田研削")
    firm.code.setText(code.lower() + " ")
    _click(qtbot, w, "wizardNext")
    people = w.page
    assert isinstance(people, PeoplePage)
    people.name.setText("田中 一郎")
    _pin(qtbot, people.pad, "2580")
    _click(qtbot, w, "addPerson")
    _pin(qtbot, people.pad, "2580")
    _click(qtbot, w, "addPerson")


def test_a_saturday_set_up_from_fresh_store_to_a_job_scan(
    fresh: tuple[Store, Settings], qtbot: Any, tmp_path: Path, capsys: Any
) -> None:
    store, settings = fresh
    assert wizard_needed(Session(store))
    with running_hub(fresh_db_url("postgresql", tmp_path)) as hub:
        hub.add_firm("F012")
        # The office prints the enrolment QR for the shop (the hub's own command).
        from hub import cli as hub_cli

        png = tmp_path / "enrol.png"
        argv = ["--db", hub.db_url, "enroll-code", "--firm", "F012", "--qr", "--url", hub.url]
        assert hub_cli.main([*argv, "--png", str(png)]) == 0
        printed = capsys.readouterr().out.splitlines()
        code, qr = printed[0], next(line for line in printed if line.startswith("NKEN:"))
        assert parse_qr(qr) == (hub.url, code) and png.stat().st_size > 0
        assert "█" in "".join(printed)  # the QR itself, drawn in the terminal window

        w = _wizard(qtbot, store, settings)
        # 1. Language: English applies at once, and Japanese again.
        assert w.back.isEnabled() is False
        _click(qtbot, w, "lang_en")
        assert "First set-up" in w.title.text() and w.next.text() == "Next ▶"
        _click(qtbot, w, "lang_ja")
        assert "はじめの設定" in w.title.text() and Settings(settings.path)["lang"] == "ja"
        _click(qtbot, w, "wizardNext")

        # 2. The firm: nothing typed is refused in words; then name and code.
        _click(qtbot, w, "wizardNext")
        assert _feedback(w) == texts.sentence("setup_firm_name", "ja")
        firm = w.page
        assert isinstance(firm, FirmPage)
        firm.name.setText("蒲田研削")
        firm.code.setText("f-012!")
        _click(qtbot, w, "wizardNext")
        assert _feedback(w) == texts.sentence("setup_firm_code", "ja")
        firm.code.setText("f012")
        _click(qtbot, w, "wizardNext")
        assert store.firm_id == "F012" and Settings(settings.path)["firm"] == "F012"
        assert firm_names(store)["F012"] == "蒲田研削"

        # 3. The owner: the PIN twice (a slip is caught), then operators.
        people = w.page
        assert isinstance(people, PeoplePage)
        _click(qtbot, w, "wizardNext")
        assert _feedback(w) == texts.sentence("setup_owner_missing", "ja")
        people.name.setText("田中 一郎")
        _pin(qtbot, people.pad, "2580")
        _click(qtbot, w, "addPerson")
        _pin(qtbot, people.pad, "2589")
        _click(qtbot, w, "addPerson")
        assert _feedback(w) == texts.sentence("setup_pin_differs", "ja")
        assert not store.operators()
        _pin(qtbot, people.pad, "2580")
        _click(qtbot, w, "addPerson")
        _pin(qtbot, people.pad, "2580")
        _click(qtbot, w, "addPerson")
        (owner,) = store.operators().values()
        assert (owner.name, owner.role, owner.badge) == ("田中 一郎", "owner", "1001")
        people.name.setText("高橋 二郎")
        people.badge.setFocus()
        _wedge(people.badge, "7788")  # his card, scanned: its number becomes his badge
        assert people.badge.text() == "7788"
        _click(qtbot, w, "addPerson")  # no PIN: badge or name only
        people.name.setText("伊藤 三郎")
        _pin(qtbot, people.pad, "12")
        _click(qtbot, w, "addPerson")
        assert _feedback(w) == texts.sentence("setup_pin_length", "ja")
        _pin(qtbot, people.pad, "1234")
        _wedge(w, "NKOP:F099-OP-AB12:5150")  # a Nakama badge from before: its number
        assert people.badge.text() == "5150"
        _click(qtbot, w, "addPerson")
        roster = {r.name: r for r in store.operators().values()}
        assert set(roster) == {"田中 一郎", "高橋 二郎", "伊藤 三郎"}
        assert roster["高橋 二郎"].badge == "7788" and not roster["高橋 二郎"].has_pin
        assert roster["伊藤 三郎"].has_pin and roster["伊藤 三郎"].role == "operator"
        _click(qtbot, w, "wizardNext")

        # 4. Devices: a gauge plugged in now, read live through the real driver.
        page = w.page
        assert isinstance(page, DevicesPage) and w.next.text() == "飛ばす ▶"
        port = SimUsbPort(0x0FE7, 0x4001, "WIZ1")
        try:
            path = port.plug()
            _click(qtbot, w, "rescanPorts")
            _click(qtbot, w, f"port_{path.name}")
            _click(qtbot, w, "kind_mitutoyo")

            def reads() -> bool:
                port.write(frames.mitutoyo(12.345))
                time.sleep(0.02)
                return "12.345" in page.value.text()

            qtbot.waitUntil(reads, timeout=10_000)
            _click(qtbot, w, "keepDevice")
        finally:
            page.stop()
            port.close()
        assert settings["devices"] == ["serial-usb://0FE7:4001/WIZ1?codec=mitutoyo"]
        assert w.next.text() == "次へ ▶"
        _click(qtbot, w, "wizardNext")

        # 5. Camera: none in this shop (skipped).
        _click(qtbot, w, "camera_")
        assert w.next.text() == "飛ばす ▶"
        _click(qtbot, w, "wizardNext")

        # 6. The hub: a traveler's code and a spent-looking code are refused in words,
        # nothing entered so far lost; the office's QR joins.
        hub_page = w.page
        assert isinstance(hub_page, HubPage) and w.next.text() == "後で (オフライン) ▶"
        _wedge(w, "PN-4471-A03")
        assert hub_page.state.text() == texts.sentence("bad_enrol_qr", "ja")
        _wedge(w, qr_text(hub.url, "AAAA-BBBB-CCCC"))
        assert hub_page.state.text() == texts.sentence("bad_enroll_code", "ja")
        assert not store.meta("hub_token") and len(store.operators()) == 3
        assert store.firm_id == "F012" and settings["devices"]
        hub_page.url.setFocus()  # the cursor in the address field: the scan still joins
        _wedge(hub_page.url, qr)
        assert store.meta("hub_token") and "F012" in hub_page.state.text()
        assert Settings(settings.path)["hub_url"] == hub.url
        assert w.next.text() == "完了 ▶"
        with qtbot.waitSignal(w.completed, timeout=5_000):
            _click(qtbot, w, "wizardNext")
        assert not wizard_needed(Session(store))

        # What the wizard recorded goes up to the hub like any other record.
        from app.sync import Syncer
        from app.sync.syncer import sync_until_idle

        syncer = Syncer(store)
        try:
            assert sync_until_idle(syncer).pushed >= 3
        finally:
            syncer.close()
        assert hub.count("events") >= 3

    # The normal sign-in, with the new owner on it: his name, then his PIN.
    window = MainWindow(Session(store), settings=Settings(settings.path))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    dlg = SignInDialog(window.session, window)
    qtbot.addWidget(dlg)
    dlg.show()
    _click(qtbot, dlg, f"operator_{owner.operator_id}")
    _pin(qtbot, dlg.pad, "2580")
    _click(qtbot, dlg, "pinOk")
    assert window.session.operator is not None
    assert window.session.operator.operator_id == owner.operator_id

    # A job of this firm, its traveler scanned: the job opens.
    actor = commands.Actor("F012", owner.operator_id, commands.OWNER)
    job_id = new_job_id("F012", date.today())
    spec = JobSpec(job_id, "PIN-9", 30, date.today(), "F012", Route.parse("10:GRIND:F012"))
    assert window.session.record(commands.create_job(None, actor, spec)).ok
    assert window.session.record(
        commands.receive(store.job(job_id), actor, lots.first_lot(job_id), 10, 30)
    ).ok
    prepared = prepare(store, job_id)
    assert isinstance(prepared, PreparedTraveler)
    _wedge(window, prepared.text)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.job, timeout=5_000)
    assert window.job.job_id == job_id


def test_a_wizard_closed_half_way_opens_where_it_was(
    fresh: tuple[Store, Settings], qtbot: Any
) -> None:
    store, settings = fresh
    w = _wizard(qtbot, store, settings)
    _firm_and_owner(qtbot, w)
    _click(qtbot, w, "wizardNext")
    assert w.page.key == "devices"
    w.close()  # the power button

    again = _wizard(qtbot, store, Settings(settings.path))
    assert wizard_needed(again.session)
    assert again.page.key == "devices"
    _click(qtbot, again, "wizardBack")
    people = again.page
    assert isinstance(people, PeoplePage)
    assert [r.name for r in store.operators().values()] == ["田中 一郎"]
    assert people.owner() is not None and people.add.text() == "作業者を追加"
    _click(qtbot, again, "wizardBack")
    firm = again.page
    assert isinstance(firm, FirmPage)
    assert (firm.name.text(), firm.code.text()) == ("蒲田研削", "F012")
    # The firm's code is fixed once people are recorded under it.
    assert firm.code.isReadOnly()
    firm.code.setText("F099")
    _click(qtbot, again, "wizardNext")
    assert _feedback(again) == texts.sentence("firm_differs", "ja")
    firm.code.setText("F012")
    _click(qtbot, again, "wizardNext")
    assert again.page.key == "people"


def test_a_finished_wizard_never_opens_again(fresh: tuple[Store, Settings], qtbot: Any) -> None:
    store, settings = fresh
    w = _wizard(qtbot, store, settings)
    _firm_and_owner(qtbot, w)
    for _ in range(3):  # devices and camera skipped, the hub later (offline)
        _click(qtbot, w, "wizardNext")
    assert w.page.key == "hub" and w.next.text() == "後で (オフライン) ▶"
    with qtbot.waitSignal(w.completed, timeout=5_000):
        _click(qtbot, w, "wizardNext")
    assert not store.meta("hub_token")
    assert not wizard_needed(Session(store))
    assert store.meta(setup.DONE_META) == "1"


def test_every_page_is_in_the_catalogue() -> None:
    """So the layout test checks each at four panel sizes in both languages."""
    from app.ui import catalogue

    assert {f"wizard_{key}" for key in setup.PAGES} <= set(catalogue.ENTRIES)


def test_when_the_wizard_opens() -> None:
    """Fresh, or started and not finished: yes. Finished, or a store with people from
    before the wizard existed: no."""
    from app.core.operators import OperatorRecord

    someone = {"F001-OP-1": OperatorRecord("F001-OP-1", "F001", "山田", "owner")}
    assert setup.needed({}, {})
    assert setup.needed({setup.PAGE_META: "devices"}, someone)
    assert not setup.needed({}, someone)
    assert not setup.needed({setup.DONE_META: "1", setup.PAGE_META: "hub"}, {})
    assert setup.resume_at({setup.PAGE_META: "camera"}) == setup.PAGES.index("camera")
    assert setup.resume_at({setup.PAGE_META: "gone"}) == 0


@pytest.mark.parametrize(
    ("scanned", "badge"),
    [("NKOP:F001-OP-7K3Q:1004", "1004"), (" 00123 \r", "00123"), ("カード", "")],
)
def test_badge_from_a_scan(scanned: str, badge: str) -> None:
    assert setup.badge_from_scan(scanned) == badge


def test_enrolment_qr_text() -> None:
    assert qr_text("https://hub.example.jp/", " K7QM-2XPA-9RTB ") == (
        "NKEN:https://hub.example.jp K7QM-2XPA-9RTB"
    )
    assert parse_qr("NKEN:https://hub.example.jp K7QM-2XPA-9RTB\r") == (
        "https://hub.example.jp",
        "K7QM-2XPA-9RTB",
    )
    for bad in ("NKEN:K7QM", "NKEN:https://hub.example.jp", "NKOP:F001-OP-1:1001", ""):
        assert parse_qr(bad) is None


def test_the_enrolment_qr_held_up_to_the_camera_joins(
    fresh: tuple[Store, Settings], qtbot: Any, tmp_path: Path, capsys: Any
) -> None:
    """The PNG ``enroll-code --qr --png`` wrote, seen by the camera the shop chose: the
    real decoder reads it and the terminal joins, once (the camera sees it many times)."""
    from hub import cli as hub_cli

    store, settings = fresh
    with running_hub(fresh_db_url("sqlite", tmp_path)) as hub:
        hub.add_firm("F012")
        shots = tmp_path / "camera"
        shots.mkdir()
        argv = ["--db", hub.db_url, "enroll-code", "--firm", "F012", "--qr", "--url", hub.url]
        assert hub_cli.main([*argv, "--png", str(shots / "enrol.png")]) == 0
        capsys.readouterr()
        w = _wizard(qtbot, store, settings)
        _firm_and_owner(qtbot, w)
        _click(qtbot, w, "wizardNext")
        _click(qtbot, w, "wizardNext")  # no devices
        camera = w.page
        assert isinstance(camera, CameraPage)
        camera.choose(f"sim://camera?images={shots}&fps=5")
        _click(qtbot, w, "wizardNext")
        hub_page = w.page
        assert isinstance(hub_page, HubPage)
        try:
            qtbot.waitUntil(lambda: bool(store.meta("hub_token")), timeout=15_000)
            view = hub_page.view
            assert view is not None
            # The live picture is painted by its own timer, apart from the reading thread.
            qtbot.waitUntil(lambda: view.picture.image is not None, timeout=5_000)
            assert "F012" in hub_page.state.text() and w.next.text() == "完了 ▶"
            token = store.meta("hub_token")
            qtbot.wait(600)  # more frames of the same QR: no second enrolment
            assert store.meta("hub_token") == token
        finally:
            w.stop()
        with hub.admin.read() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM terminals").scalar_one() == 1


def _shown_wizard() -> SetupWizard:
    from PySide6.QtWidgets import QApplication

    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, SetupWizard)]
    shown = [w for w in found if w.isVisible()]
    assert len(shown) == 1, found
    return shown[0]


def test_nakama_run_on_a_fresh_store_opens_the_wizard_full_screen(
    tmp_path: Path, monkeypatch: Any, qtbot: Any
) -> None:
    """``nakama run --no-demo`` on a fresh store: the wizard, over the whole screen; closed
    half-way, the app ends without opening the main window and the page is kept."""
    import argparse

    from PySide6.QtCore import QTimer

    from app.ui import app as ui_app

    monkeypatch.setenv("NAKAMA_SETTINGS", str(tmp_path / "settings.json"))
    seen: list[tuple[bool, str]] = []

    def close_half_way() -> None:
        w = _shown_wizard()
        _firm_and_owner(qtbot, w)
        seen.append((w.isFullScreen(), w.page.key))
        w.close()

    QTimer.singleShot(300, close_half_way)
    db = tmp_path / "shop.db"
    args = argparse.Namespace(
        db=str(db), firm=None, lang=None, no_demo=True, screenshot=None, kiosk=False
    )
    assert ui_app.run(args) == 0
    assert seen == [(True, "people")]
    store = Store.open(db)
    try:
        assert store.meta(setup.PAGE_META) == "people" and store.firm_id == "F012"
        assert not store.meta(setup.DONE_META)
        # To the end this time (devices, camera skipped; the hub later).
        settings = Settings(tmp_path / "settings.json")

        def finish() -> None:
            w = _shown_wizard()
            assert w.page.key == "people"
            for _ in range(4):
                _click(qtbot, w, "wizardNext")

        QTimer.singleShot(300, finish)
        assert ui_app.run_wizard(store, settings) is True
        assert not wizard_needed(Session(store))
    finally:
        store.close()
