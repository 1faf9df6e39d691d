"""Safe scans: a scan never acts behind an open dialog, whichever scanner it came from,
and every scan tells the machinist by sound and flash what happened.

The hand-off dialog is the real one (the job screen's own asker); the scans come in as
the shop's scanners send them: key bursts typed into the dialog (keyboard wedge), a
USB-COM scanner on a pseudo-terminal, and the simulated camera photographing a printed
traveler, through the real decoder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from test_ui import SATO, _dialogs_never_block, _tap, real_dialogs

from app import demo
from app.core import commands, lots
from app.store import Store
from app.store.travelers import PreparedTraveler, prepare
from app.ui.app import make_application
from app.ui.devices import DeviceHub
from app.ui.main_window import MainWindow
from app.ui.scan_feedback import ACCEPTED, FOREIGN, PATTERNS, REFUSED, ScanFlash
from app.ui.session import Session
from app.ui.sign_in import SignInDialog
from app.ui.widgets import CountDialog

__all__ = ["_dialogs_never_block", "real_dialogs"]  # no unscripted dialog may block

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("NAKAMA_SCAN_SHOTS", "/tmp/scan-shots"))


def _job(store: Store, part: str) -> str:
    return next(r["job_id"] for r in store.jobs() if r["part_no"] == part)


def _ready_to_hand_off(session: Session, job_id: str) -> int:
    """Finish the running turning of the demo job: its good parts can be handed off."""
    store = session.store
    lot = lots.first_lot(job_id)
    job = store.job(job_id)
    assert job is not None
    prog = job.lots[lot].ops[10]
    good = prog.received - prog.defects_recorded
    assert session.record(commands.finish(job, session.actor, lot, 10, good, 0, 0)).ok
    return good


def _traveler(store: Store, job_id: str) -> str:
    prepared = prepare(store, job_id)
    assert isinstance(prepared, PreparedTraveler)
    return prepared.text


def wedge(target: QWidget, text: str, t0: int = 500_000) -> None:
    """Type ``text`` + Enter into ``target`` as a keyboard-wedge scanner does (9 ms a key)."""
    for i, ch in enumerate(text + "\r"):
        key = Qt.Key.Key_Return if ch == "\r" else 0
        ev = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch)
        ev.setTimestamp(t0 + 9 * i)
        QCoreApplication.sendEvent(target, ev)


def _camera_url(store: Store, job_id: str, tmp_path: Path) -> str:
    """The simulated camera looking at the printed traveler of ``job_id``."""
    from app.ui.traveler_print import write_pdf

    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed")
    prepared = prepare(store, job_id)
    assert isinstance(prepared, PreparedTraveler)
    pdf = tmp_path / "b.pdf"
    write_pdf(prepared.traveler, prepared.text, pdf)
    shots = tmp_path / "camera"
    shots.mkdir()
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(pdf), str(shots / "b")], check=True)
    return f"sim://camera?images={shots}&fps=5"


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Session]:
    make_application("ja")
    store = Store.open(tmp_path / "shop.db", firm_id="F001")
    demo.seed(store)
    session = Session(store)
    assert session.sign_in_id(SATO)
    yield session
    store.close()


@pytest.mark.parametrize("source", ["wedge", "serial", "camera"])
def test_a_scan_during_the_hand_off_never_acts_behind_it(
    source: str, shop: Session, qtbot: Any, tmp_path: Path, real_dialogs: None
) -> None:
    store = shop.store
    a, b = _job(store, "FLANGE-88"), _job(store, "PIN-7")
    good = _ready_to_hand_off(shop, a)
    text_b = _traveler(store, b)
    urls = [f"sim://scanner?rate=4&codes={quote(text_b, safe='')}"] if source == "serial" else []
    camera = _camera_url(store, b, tmp_path) if source == "camera" else ""
    hub = DeviceHub(shop, urls, camera=camera)
    w = MainWindow(shop, hub)
    w.resize(1280, 800)
    qtbot.addWidget(w)
    w.show()
    w.open_job(a)
    b_events = len(store.job_events(b))
    seen: dict[str, Any] = {}

    def in_the_dialog() -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, CountDialog)
        try:
            seen["title"] = dlg.windowTitle()
            if source == "wedge":
                wedge(dlg, text_b)
            else:
                hub.start()
            qtbot.waitUntil(lambda: dlg.findChild(ScanFlash) is not None, timeout=15_000)
            hub.stop()
            qtbot.wait(300)  # scans already on their way arrive while the dialog is open
            notice = dlg.findChild(ScanFlash)
            assert notice is not None
            seen["notice"] = (notice.kind, notice.text(), notice.isVisible())
            seen["behind"] = (w.stack.currentWidget() is w.job, w.job.job_id)
            seen["held"] = w.held_bar.isVisibleTo(w)
            ok = dlg.findChild(QPushButton, "ok")
            assert ok is not None
            ok.click()  # the hand-off of every good part, confirmed in the dialog
        finally:
            hub.stop()
            if dlg.isVisible():
                dlg.reject()

    QTimer.singleShot(50, in_the_dialog)
    _tap(qtbot, w, "action_hand_off")
    assert seen["title"].endswith("へ引渡し")
    kind, notice, visible = seen["notice"]
    assert kind == REFUSED and visible
    assert "ダイアログを閉じてから読み取ってください" in notice
    assert "✖ 拒否" in notice and b in notice  # an icon and a word, not colour alone
    # Nothing moved behind the dialog: the job screen stayed on A.
    assert seen["behind"] == (True, a)
    # The hand-off confirmed there is recorded on A, and reported for A.
    job_a = store.job(a)
    assert job_a is not None and job_a.lots[lots.first_lot(a)].ops[10].handed_off == good
    assert len(store.job_events(b)) == b_events
    assert w.job.job_id == a
    said = w.job.feedback.text()
    assert "記録しました：引渡し" in said and a in said and "FLANGE-88" in said and b not in said
    assert REFUSED in w.sounded and ACCEPTED not in w.sounded
    # Once the dialog is closed, B is offered (not opened by itself) ...
    assert seen["held"] and w.held_bar.isVisible()
    assert b in w.held_label.text() and w.job.job_id == a
    # ... and a tap opens it at the scanned lot.
    qtbot.mouseClick(w.held_open, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is w.job and w.job.job_id == b
    assert w.job.scanned is not None and w.job.scanned[0] == lots.first_lot(b)
    assert not w.held_bar.isVisible()
    assert w.sounded[-1] == ACCEPTED


def test_a_forged_traveler_in_a_dialog_is_refused_and_not_kept(
    shop: Session, qtbot: Any, real_dialogs: None
) -> None:
    store = shop.store
    a, b = _job(store, "FLANGE-88"), _job(store, "PIN-7")
    _ready_to_hand_off(shop, a)
    text = _traveler(store, b)
    i = len(text) // 2
    forged = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1 :]
    w = MainWindow(shop)
    w.resize(1280, 800)
    qtbot.addWidget(w)
    w.show()
    w.open_job(a)
    seen: dict[str, Any] = {}

    def in_the_dialog() -> None:
        dlg = QApplication.activeModalWidget()
        assert dlg is not None
        try:
            seen["forged"] = w.scans.handle(forged)
            notice = dlg.findChild(ScanFlash)
            seen["notice"] = notice.text() if notice is not None else ""
            seen["plain"] = w.scans.handle("PN-4471-A03")
            seen["plain_kind"] = notice.kind if notice is not None else ""
        finally:
            dlg.reject()

    QTimer.singleShot(50, in_the_dialog)
    _tap(qtbot, w, "action_hand_off")
    assert seen["forged"] in {"bad_signature", "malformed"}
    assert "署名が一致しません" in seen["notice"] or "読み取りが不完全" in seen["notice"]
    assert "ダイアログを閉じてから" not in seen["notice"]  # no use scanning it again
    assert seen["plain"] == "not_nakama" and seen["plain_kind"] == FOREIGN
    assert w.sounded == [REFUSED, FOREIGN]
    assert not w.held_bar.isVisible()  # nothing worth offering
    assert w.job.job_id == a and w.job.feedback.text() == ""  # closed: nothing recorded


def test_the_sign_in_dialog_takes_badges_and_refuses_travelers(
    shop: Session, qtbot: Any, real_dialogs: None
) -> None:
    """The one dialog that takes scans: a badge signs in through it, from any scanner; a
    traveler read by the camera or the USB-COM scanner meanwhile opens nothing behind it,
    and is offered once the dialog is closed."""
    from app.core.operators import badge_text

    store = shop.store
    shop.sign_out()
    b = _job(store, "PIN-7")
    w = MainWindow(shop)
    w.resize(1280, 800)
    qtbot.addWidget(w)
    w.show()
    seen: dict[str, Any] = {}

    def in_the_dialog() -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, SignInDialog)
        try:
            seen["traveler"] = w.scans.handle(_traveler(store, b))  # as a device delivers it
            seen["feedback"] = dlg.feedback.text()
            seen["screen"] = w.stack.currentWidget() is w.jobs
            wedge(dlg, badge_text(store.operators()[SATO]))
        finally:
            if dlg.isVisible():
                dlg.reject()

    QTimer.singleShot(50, in_the_dialog)
    qtbot.mouseClick(w.operator_button, Qt.MouseButton.LeftButton)
    assert seen["traveler"] == "dialog_open" and "社員証ではありません" in seen["feedback"]
    assert seen["screen"] and w.stack.currentWidget() is w.jobs
    assert shop.operator is not None and shop.operator.operator_id == SATO
    assert w.sounded == [REFUSED, ACCEPTED]
    # The traveler is kept like any scanned in a dialog, and opens at a tap.
    assert w.held_bar.isVisible() and b in w.held_label.text()
    qtbot.mouseClick(w.held_open, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is w.job and w.job.job_id == b


def test_every_scan_sounds_and_flashes_its_kind(
    window: MainWindow, qtbot: Any, monkeypatch: Any
) -> None:
    w = window
    rings: list[int] = []
    monkeypatch.setattr(QApplication, "beep", lambda: rings.append(1))
    store = w.session.store
    good = _traveler(store, _job(store, "PIN-7"))
    i = len(good) // 2
    forged = good[:i] + ("A" if good[i] != "A" else "B") + good[i + 1 :]

    def scan(text: str, kind: str, word: str, t0: int) -> None:
        rings.clear()
        with qtbot.waitSignal(w.flash.flashed, timeout=3000) as blocker:
            wedge(w, text, t0)  # the keyboard-wedge scanner, into the window
        assert blocker.args[0] == kind
        assert w.flash.kind == kind and w.flash.property("kind") == kind
        assert w.flash.text().startswith(word)
        qtbot.waitUntil(lambda: len(rings) == {ACCEPTED: 1, FOREIGN: 2, REFUSED: 3}[kind])
        assert w.sounded[-1] == kind

    scan(forged, REFUSED, "✖ 拒否", 100_000)
    assert w.stack.currentWidget() is w.jobs
    scan("PN-4471-A03", FOREIGN, "？ 工程表以外", 200_000)
    scan("https://example.com/part/4471", FOREIGN, "？ 工程表以外", 300_000)
    scan(good, ACCEPTED, "✔ 受付", 400_000)
    assert w.stack.currentWidget() is w.job
    # The rhythm is a signal too: a refusal blinks (off, then on again), an acceptance
    # is one steady flash; and each flash goes away by itself.
    assert [v for v, _ in PATTERNS[ACCEPTED]] == [True]
    w.scans.handle(forged)
    qtbot.waitUntil(lambda: not w.flash.isVisible(), timeout=1000)
    qtbot.waitUntil(w.flash.isVisible, timeout=1000)
    qtbot.waitUntil(lambda: not w.flash.isVisible(), timeout=5000)


def render(lang: str, out_dir: Path, db: Path) -> dict[str, Any]:
    """The hand-off dialog refusing a traveler scan, at 1280 × 800, and the window with
    the scan offered after the dialog closed; returns what was clipped and shown."""
    from test_ui_shots import clipped

    make_application(lang)
    store = Store.open(db, firm_id="F001")
    demo.seed(store)
    session = Session(store)
    assert session.sign_in_id(SATO)
    a, b = _job(store, "FLANGE-88"), _job(store, "PIN-7")
    _ready_to_hand_off(session, a)
    w = MainWindow(session)
    w.resize(1280, 800)
    w.show()
    w.open_job(a)
    found: dict[str, Any] = {}

    def shoot() -> None:
        dlg = QApplication.activeModalWidget()
        assert dlg is not None
        dlg.resize(1280, 800)
        wedge(dlg, _traveler(store, b))
        for _ in range(5):
            QApplication.processEvents()
        found["dialog"] = clipped(dlg)
        dlg.grab().save(str(out_dir / f"hand-off-refused-{lang}.png"))
        ok = dlg.findChild(QPushButton, "ok")
        assert ok is not None
        ok.click()

    QTimer.singleShot(100, shoot)
    w.job.act(
        "hand_off",
        next(s for s in w.job.steps(store.job(a)) if "hand_off" in s.actions),  # type: ignore[arg-type]
    )
    for _ in range(5):
        QApplication.processEvents()
    found["window"] = clipped(w)
    found["feedback"] = w.job.feedback.text()
    w.grab().save(str(out_dir / f"hand-off-offered-{lang}.png"))
    w.close()
    store.close()
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_refusal_renders_unclipped(lang: str, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage
    from test_ui_shots import render_in_child

    found = render_in_child(__file__, lang, SHOTS, tmp_path / "shots.db")
    assert found["dialog"] == [] and found["window"] == []
    saved = "記録しました：引渡し" if lang == "ja" else "Saved: Hand off"
    assert saved in found["feedback"]
    img = QImage(str(SHOTS / f"hand-off-refused-{lang}.png"))
    assert (img.width(), img.height()) == (1280, 800)


if __name__ == "__main__":
    print(json.dumps(render(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
