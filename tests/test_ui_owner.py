"""The owner's side of the terminal, on the real widgets: badge scans and PINs at the main
window, signing out an idle terminal, the owner's PIN in front of owner-only things, the
settings page (kept across a restart), a device's live read, printing, timed undo."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from test_ui import SATO, SUZUKI, YAMADA, _dialogs_never_block, _open, _tap, real_dialogs

from app.core import commands, lots
from app.core.operators import badge_text, hash_pin
from app.settings import Settings
from app.ui import printing
from app.ui.main_window import MainWindow
from app.ui.owner_gate import OwnerPinDialog
from app.ui.session import Session
from app.ui.widgets import CountDialog

__all__ = ["_dialogs_never_block", "real_dialogs"]

OWNER = commands.Actor("F001", YAMADA, commands.OWNER)


def _click(qtbot: Any, parent: QWidget, name: str) -> None:
    button = parent.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _wedge(target: QWidget, text: str, t0: int) -> None:
    """A keyboard-wedge scanner typing into ``target``, 9 ms a key, Enter at the end."""
    for i, ch in enumerate(text + "\r"):
        key = Qt.Key.Key_Return if ch == "\r" else 0
        ev = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch)
        ev.setTimestamp(t0 + 9 * i)
        QCoreApplication.sendEvent(target, ev)


def _set_owner_pin(w: MainWindow, pin: str) -> None:
    rec = w.session.store.operators()[YAMADA]
    cmd = commands.save_operator(
        w.session.store.operators(),
        OWNER,
        operator_id=YAMADA,
        name=rec.name,
        role=rec.role,
        badge=rec.badge,
        pin_hash=hash_pin(pin),
    )
    assert w.session.record(cmd).ok


# -- sign-in ------------------------------------------------------------------------------


def test_a_badge_scanned_at_the_window_signs_in_and_switches(
    window: MainWindow, qtbot: Any
) -> None:
    w = window
    assert w.session.operator is None
    sato = w.session.store.operators()[SATO]
    _wedge(w, badge_text(sato), 10_000)
    assert w.session.operator is not None and w.session.operator.operator_id == SATO
    assert w.operator_button.text() == "作業者：佐藤 花子"
    # Another badge while she is signed in: the switch is one scan.
    _wedge(w, badge_text(w.session.store.operators()[SUZUKI]), 20_000)
    assert w.session.operator.operator_id == SUZUKI
    assert w.sounded[-2:] == ["accepted", "accepted"]


def test_idle_terminal_signs_out_and_closes_an_open_dialog(
    window: MainWindow, qtbot: Any, real_dialogs: None
) -> None:
    w = window
    now = [1000.0]
    w.idle.clock = lambda: now[0]
    w.settings.values["idle_sign_out_minutes"] = 5
    _asker, _job_id = _open(w, "PIN-7")
    from app.ui.job_screen import Asker

    _tap(qtbot, w, "action_start")
    w.job.asker = Asker(w)  # the real count dialog
    w.idle.touch()
    n = w.session.store.count_events()
    seen: list[str] = []

    def walk_away() -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None:  # not open yet
            QTimer.singleShot(20, walk_away)
            return
        assert isinstance(dlg, CountDialog)
        try:
            seen.append(dlg.windowTitle())
            now[0] += 4 * 60
            assert not w.idle.check()  # four minutes: still signed in
            _click(qtbot, dlg, "key_7")  # a half-typed count …
            now[0] += 5 * 60 - 1
            assert not w.idle.check()  # (the tap counted as use)
            now[0] += 1
            assert w.idle.check()  # … five minutes after the last tap: signed out
            seen.append("signed out")
        finally:
            if dlg.isVisible():
                dlg.reject()

    QTimer.singleShot(50, walk_away)
    _tap(qtbot, w, "action_finish")
    assert seen == ["完了：数量を入力", "signed out"] and w.session.operator is None
    assert QApplication.activeModalWidget() is None
    assert w.session.store.count_events() == n  # the half-typed count was not recorded
    assert "5 分操作がなかったのでサインアウトしました" in w.job.feedback.text()
    # 0 means never.
    assert w.session.sign_in_id(SATO)
    w.settings.values["idle_sign_out_minutes"] = 0
    now[0] += 10 * 3600
    assert not w.idle.check() and w.session.operator is not None


def test_idle_counts_touches_keys_and_scans(window: MainWindow, qtbot: Any) -> None:
    w = window
    now = [0.0]
    w.idle.clock = lambda: now[0]
    w.settings.values["idle_sign_out_minutes"] = 1
    assert w.session.sign_in_id(SATO)
    now[0] = 59
    qtbot.mouseClick(w.nav_jobs, Qt.MouseButton.LeftButton)  # a tap
    now[0] = 118
    assert not w.idle.check()
    _wedge(w, "PN-4471-A03", 1000)  # a scan (not a traveler: still activity)
    now[0] = 177
    assert not w.idle.check()
    now[0] = 238.5
    assert w.idle.check() and w.session.operator is None
    # A real timer: with the clock past the limit, the window's own timer signs out.
    assert w.session.sign_in_id(SATO)
    now[0] += 61
    qtbot.waitUntil(lambda: w.session.operator is None, timeout=3000)


# -- the owner's PIN -----------------------------------------------------------------------


def test_owner_pin_gate_refuses_a_machinist_and_lets_the_owner_in(
    window: MainWindow, qtbot: Any, real_dialogs: None
) -> None:
    w = window
    _set_owner_pin(w, "2468")
    assert w.session.sign_in_id(SATO)
    seen: dict[str, Any] = {}

    def type_pin(pin: str) -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, OwnerPinDialog)
        seen.setdefault("titles", []).append(dlg.windowTitle())
        for d in pin:
            _click(qtbot, dlg, f"pin_{d}")
        _click(qtbot, dlg, "ownerOk")
        seen["feedback"] = dlg.feedback.text()
        if dlg.isVisible():
            _click(qtbot, dlg, "ownerClose")

    # Neither the settings nor the review are made before someone opens them.
    assert w._settings_page is None and w._review is None
    QTimer.singleShot(50, lambda: type_pin("1111"))
    assert w.open_settings() is False
    assert seen["feedback"] == "暗証番号が違います。もう一度入力してください。"
    assert w._settings_page is None  # refused: still not made
    assert w.stack.currentWidget() is not w.settings_page
    assert w.session.operator.operator_id == SATO
    QTimer.singleShot(50, lambda: type_pin("1111"))
    qtbot.mouseClick(w.nav_review, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is not w.review
    # The owner's PIN opens it, and the machinist is still the one signed in.
    QTimer.singleShot(50, lambda: type_pin("2468"))
    assert w.open_settings() is True
    assert w.stack.currentWidget() is w.settings_page
    assert w.session.operator.operator_id == SATO
    # What the page records is the approving owner's doing, not the machinist's.
    w.settings_page.new_name.setText("田中 美咲")
    _click(qtbot, w.settings_page, "addOperator")
    saved = w.session.store.tail(1)[0]
    assert saved.type == "OperatorSaved" and saved.operator == YAMADA
    _click(qtbot, w.settings_page, "settingsDone")
    assert w.settings_page.approved_by is None and w.stack.currentWidget() is w.jobs
    assert seen["titles"] == ["社長の承認"] * 3
    # The signed-in owner is not asked again.
    assert w.session.sign_in_id(YAMADA)
    qtbot.mouseClick(w.nav_review, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is w.review
    w.open_jobs()
    _click(qtbot, w.jobs, "navSettings")  # ⚙ 設定 on the first screen
    assert w.stack.currentWidget() is w.settings_page


def test_review_approval_offers_owner_and_inspector_by_name(window: MainWindow, qtbot: Any) -> None:
    """Two who may approve (the review: an owner or an inspector): the names first, then
    the chosen one's PIN pad; ◀ goes back to the names; a machinist is never offered."""
    w = window
    _set_owner_pin(w, "2468")
    inspector = "F001-OP-0007"
    cmd = commands.save_operator(
        w.session.store.operators(), OWNER, operator_id=inspector, name="高橋 検査",
        role=commands.INSPECTOR, pin_hash=hash_pin("1357"),
    )  # fmt: skip
    assert w.session.record(cmd).ok
    dlg = OwnerPinDialog(w.session, "今日のまとめは社長が見る画面です。", w, commands.APPROVERS)
    qtbot.addWidget(dlg)
    dlg.show()
    names = sorted(
        b.objectName() for b in dlg.findChildren(QPushButton) if b.objectName().startswith("owner_")
    )
    assert names == [f"owner_{YAMADA}", f"owner_{inspector}"]
    assert dlg.pages.currentIndex() == 0
    _click(qtbot, dlg, f"owner_{YAMADA}")
    assert dlg.pages.currentIndex() == 1 and "山田 太郎" in dlg.pin_title.text()
    _click(qtbot, dlg, "ownerBack")
    assert dlg.pages.currentIndex() == 0 and dlg.chosen is None
    _click(qtbot, dlg, f"owner_{inspector}")
    for d in "2468":  # the owner's PIN is not the inspector's
        _click(qtbot, dlg, f"pin_{d}")
    _click(qtbot, dlg, "ownerOk")
    assert dlg.feedback.text() == "暗証番号が違います。もう一度入力してください。"
    assert dlg.approved is None and dlg.pad.pin == "" and dlg.isVisible()
    for d in "1357":
        _click(qtbot, dlg, f"pin_{d}")
    _click(qtbot, dlg, "ownerOk")
    assert dlg.approved is not None and dlg.approved.operator_id == inspector
    assert dlg.result() == OwnerPinDialog.DialogCode.Accepted and not dlg.isVisible()


def test_owner_approves_fixing_a_machinists_record(
    window: MainWindow, qtbot: Any, real_dialogs: None
) -> None:
    w = window
    _set_owner_pin(w, "2468")
    asker, job_id = _open(w, "PIN-7")
    _tap(qtbot, w, "action_start")
    started = w.session.store.job_events(job_id)[-1]
    assert w.session.sign_in_id(SUZUKI)  # someone else's record

    def approve() -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, OwnerPinDialog)
        for d in "2468":
            _click(qtbot, dlg, f"pin_{d}")
        _click(qtbot, dlg, "ownerOk")

    QTimer.singleShot(50, approve)
    asker.answers = ["undo", True]
    result = w.job.history.correct(started)
    assert result is not None and result.ok and result.event is not None
    assert result.event.type == "EventCorrected" and result.event.operator == YAMADA
    assert w.session.operator.operator_id == SUZUKI  # still signed in


# -- settings ------------------------------------------------------------------------------


def test_settings_persist_across_a_restart(window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    w = window
    assert w.session.sign_in_id(YAMADA)
    assert w.open_settings()
    page = w.settings_page
    _click(qtbot, page, "idle_30")
    _click(qtbot, page, "undo_120")
    _click(qtbot, page, "printer_pdf")
    page.new_name.setText("田中 美咲")
    _click(qtbot, page, "addOperator")
    tanaka = next(r for r in w.session.roster().values() if r.name == "田中 美咲")
    assert tanaka.badge == "1004" and tanaka.role == "operator"
    _click(qtbot, page, f"pin_{tanaka.operator_id}")
    for d in "12":
        _click(qtbot, page.pin_box, f"pin_{d}")
    _click(qtbot, page, "savePin")
    assert "4〜8" in page.feedback.text()  # two digits are not a PIN
    for d in "34":
        _click(qtbot, page.pin_box, f"pin_{d}")
    _click(qtbot, page, "savePin")
    _click(qtbot, page, f"retire_{SUZUKI}")
    page.code_field.setText("chip")
    page.name_ja.setText("欠け")
    page.name_en.setText("Chipped edge")
    _click(qtbot, page, "add_defect_codes")
    page.code_field.setText("BURR")  # a built-in code is not redefined
    page.name_ja.setText("ばり")
    _click(qtbot, page, "add_defect_codes")
    assert "標準" in page.feedback.text()
    page.device_url.setText("sim://mitutoyo?rate=0")
    _click(qtbot, page, "addDevice")
    _wedge(w, "NKEN:http://127.0.0.1:9/ AB12-CD34", 50_000)  # an enrolment QR, scanned
    assert (page.hub_url.text(), page.enrol_code.text()) == ("http://127.0.0.1:9/", "AB12-CD34")
    _click(qtbot, page, "enrol")  # nothing listens there: said, not raised
    assert page.hub_state.property("level") == "error" and page.hub_state.text()
    page.print_badges()
    assert "バッジ 3 枚" in page.feedback.text()

    # A new window on the same store and settings file (as after a restart).
    path = w.settings.path
    again = MainWindow(Session(w.session.store), settings=Settings(path))
    qtbot.addWidget(again)
    again.resize(1280, 800)
    again.show()
    s = again.settings
    assert (s["idle_sign_out_minutes"], s["undo_seconds"], s["printer"]) == (30, 120, "pdf")
    assert s["defect_codes"] == ["CHIP=欠け/Chipped edge"]
    assert s["devices"] == ["sim://mitutoyo?rate=0"]
    roster = again.session.roster()
    assert SUZUKI not in roster and roster[tanaka.operator_id].has_pin
    assert again.session.sign_in_pin(roster[tanaka.operator_id], "1234") is None
    again.settings_page.refresh()
    assert again.settings_page.idle_buttons[30].isChecked()
    assert again.settings_page.printer_buttons["pdf"].isChecked()
    # The defect dialog offers the firm's own code by its name.
    assert again.session.sign_in_id(SATO)
    asker, job_id = _open(again, "PIN-7")
    asker.answers = ["CHIP", {"count": 2}, "rework"]
    _tap(qtbot, again, "action_defect")
    assert ("CHIP", "欠け") in asker.choices or ("rework", "手直し") in asker.choices
    ev = again.session.store.job_events(job_id)[-1]
    assert ev.type == "DefectRecorded" and ev.payload["code"] == "CHIP"
    assert ev.payload["name_ja"] == "欠け" and ev.payload["name_en"] == "Chipped edge"
    job = again.session.store.job(job_id)
    assert job is not None and not job.anomalies
    again.settings_page.stop()


def test_device_live_read_from_a_simulated_caliper(window: MainWindow, qtbot: Any) -> None:
    """The simulated Mitutoyo caliper writes to a real pseudo-terminal; the page's test
    read opens it through the drivers and shows its value, live."""
    w = window
    page = w.settings_page
    url = "sim://mitutoyo?rate=5&value=12.004&decimals=3&unit=mm"
    w.settings.values["devices"] = [url]
    page.refresh()
    _click(qtbot, page, "testDevice_0")
    try:
        qtbot.waitUntil(lambda: page.device_value.text() == "12.004 mm", timeout=6000)
        ports = [b.text() for b in page.findChildren(QPushButton, "port")]
        assert any("0FE7:4001" in p for p in ports)  # its port is listed, by USB id
    finally:
        page.stop()
    _click(qtbot, page, "removeDevice_0")
    assert w.settings["devices"] == []


def test_camera_live_picture(window: MainWindow, qtbot: Any) -> None:
    page = window.settings_page
    try:
        _click(qtbot, page, "camera_sim://camera?fps=10")
        qtbot.waitUntil(lambda: page.camera_preview.frames >= 2, timeout=8000)
        assert not page.camera_preview.pixmap().isNull()
        assert Settings(window.settings.path)["camera"] == "sim://camera?fps=10"
    finally:
        page.stop()


def test_language_applies_at_once(window: MainWindow, qtbot: Any) -> None:
    from app.ui.text import lang, tr

    assert window.session.sign_in_id(YAMADA)
    assert window.open_settings()
    _click(qtbot, window.settings_page, "lang_en")
    new = window.replaced_by
    assert new is not None
    qtbot.addWidget(new)
    try:
        assert lang() == "en" and Settings(window.settings.path)["lang"] == "en"
        # Every screen is in English now, the settings page still in front.
        assert new.stack.currentWidget() is new.settings_page and new.isVisible()
        assert new.nav_jobs.text() == "Jobs" and new.operator_button.text() == "Operator: 山田 太郎"
        assert new.settings_page.findChild(QPushButton, "settingsDone").text() == "◀ Back"
        assert new.session.operator is not None  # still signed in
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=1000)
    finally:
        _click(qtbot, new.settings_page, "lang_ja")
    newer = new.replaced_by
    assert newer is not None
    qtbot.addWidget(newer)
    assert lang() == "ja" and tr("Jobs") == "案件一覧" and newer.nav_jobs.text() == "案件一覧"


# -- printing ------------------------------------------------------------------------------


def _pdf_printer(path: Path) -> QPrinter:
    p = QPrinter(QPrinter.PrinterMode.HighResolution)
    p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    p.setOutputFileName(str(path))
    return p


def _pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_traveler_goes_to_the_default_printer(
    window: MainWindow, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    w = window
    w.job.traveler_dir = tmp_path / "pdf"
    paper = tmp_path / "paper.pdf"
    monkeypatch.setattr(printing, "available_printers", lambda: ["Office-Brother"])
    monkeypatch.setattr(printing, "named_printer", lambda name: _pdf_printer(paper))
    Settings_ = Settings()
    Settings_.values["printer"] = "Office-Brother"
    Settings_.save()
    _asker, job_id = _open(w, "PIN-7")
    out = w.job.ask_traveler()
    assert out is not None and out.exists()  # the PDF is kept too
    text = _pdf_text(paper)
    assert "PIN-7" in text and lots.first_lot(job_id) in text

    # The same page on paper as in the PDF (the PDF's text layer maps CJK radicals back
    # to their ideographs; the printer's does not, hence NFKC; the issue minute may tick).
    def same(t: str) -> list[str]:
        t = unicodedata.normalize("NFKC", t).replace("\u2027", "・")
        lines = [" ".join(x.split()) for x in t.splitlines()]
        return [x for x in lines if "F001)" not in x]

    assert same(text) == same(_pdf_text(out))
    assert "印刷しました" in w.job.feedback.text()
    issued = [e for e in w.session.store.job_events(job_id) if e.type == "TravelerIssued"]
    assert len(issued) == 1
    # A default printer that is gone: the PDF is written and the page says so.
    monkeypatch.setattr(printing, "available_printers", lambda: [])
    assert w.job.ask_traveler() is not None
    assert "つながっていません" in w.job.feedback.text()


def test_traveler_print_dialog_and_pdf_only(
    window: MainWindow, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    w = window
    w.job.traveler_dir = tmp_path / "pdf"
    monkeypatch.setattr(printing, "available_printers", lambda: ["Office-Brother"])
    answers: list[QPrinter | None] = [None, _pdf_printer(tmp_path / "chosen.pdf")]
    asked: list[int] = []

    def dialog(parent: Any) -> QPrinter | None:
        asked.append(1)
        return answers.pop(0)

    monkeypatch.setattr(printing, "ask_printer", dialog)
    _asker, _job_id = _open(w, "PIN-7")
    n = w.session.store.count_events()
    assert w.job.ask_traveler() is None  # the print dialog was closed: nothing issued
    assert w.session.store.count_events() == n
    assert w.job.ask_traveler() is not None
    assert (tmp_path / "chosen.pdf").stat().st_size > 1000
    # PDF only: no dialog, the PDF is written.
    s = Settings()
    s.values["printer"] = "pdf"
    s.save()
    out = w.job.ask_traveler()
    assert out is not None and out.exists() and len(asked) == 2


# -- timed undo ------------------------------------------------------------------------------


def test_timed_undo_of_the_last_record(window: MainWindow, qtbot: Any, real_dialogs: None) -> None:
    w = window
    _asker, job_id = _open(w, "PIN-7")
    _tap(qtbot, w, "action_start")
    started = w.session.store.job_events(job_id)[-1]
    assert w.undo_bar.isVisible() and w.undo_bar.button.text() == "記録を取り消す"
    assert "着手" in w.undo_bar.label.text()
    from app.ui.job_screen import Asker

    w.job.asker = Asker(w)  # the real confirmation
    seen: list[str] = []

    def answer(button: str) -> None:
        dlg = QApplication.activeModalWidget()
        assert dlg is not None
        seen.extend(b.text() for b in dlg.findChildren(QPushButton))
        _click(qtbot, dlg, button)

    QTimer.singleShot(50, lambda: answer("confirmNo"))
    _click(qtbot, w, "undoLast")
    assert sorted(seen) == ["記録を取り消す", "閉じる"]  # never two words alike
    assert w.session.store.job_events(job_id)[-1].event_id == started.event_id
    QTimer.singleShot(50, lambda: answer("confirmYes"))
    _click(qtbot, w, "undoLast")
    last = w.session.store.job_events(job_id)[-1]
    assert last.type == "EventCorrected" and last.payload["supersedes"] == started.event_id
    assert last.payload["replacement"] is None and last.operator == SATO
    assert not w.undo_bar.isVisible()
    assert w.session.store.count_events() > 0  # nothing was deleted: the start is still there
    assert any(e.event_id == started.event_id for e in w.session.store.job_events(job_id))


def test_undo_button_goes_after_its_time_and_on_sign_out(window: MainWindow, qtbot: Any) -> None:
    w = window
    w.settings.values["undo_seconds"] = 1
    asker, _job_id = _open(w, "PIN-7")
    _tap(qtbot, w, "action_start")
    assert w.undo_bar.isVisible()
    qtbot.waitUntil(lambda: not w.undo_bar.isVisible(), timeout=3000)
    w.settings.values["undo_seconds"] = 60
    asker.answers = ["BREAK"]
    _tap(qtbot, w, "action_pause")
    assert w.undo_bar.isVisible()
    w.session.sign_out()  # the next person never sees the last one's undo
    assert not w.undo_bar.isVisible()


def test_own_codes_as_the_settings_keep_them() -> None:
    from app.core import catalog
    from app.core.catalog import CatalogueEntry

    names = {"name_ja": "欠け", "name_en": "Chipped edge"}
    assert commands._names(CatalogueEntry("CHIP", "欠け", "Chipped edge")) == names
    payload = {"lot_id": "L", "code": "CHIP", "count": 1, "disposition": "rework", "note": ""}
    assert not catalog.named_own("CHIP", payload)  # a firm's own code travels with its name
    assert catalog.named_own("CHIP", {**payload, **names})
    assert not catalog.named_own("chip", {**payload, **names})
    own = catalog.parse_own("MEETING=朝礼/Morning meeting")
    assert own == CatalogueEntry("MEETING", "朝礼", "Morning meeting")
    assert catalog.parse_own("bad line") is None and catalog.parse_own("X=/") is None
    merged = catalog.with_own(
        catalog.pause_reasons(), ["MEETING=朝礼/Morning meeting", "BREAK=x/y"]
    )
    assert merged.get("MEETING") == own and merged.get("BREAK").ja == "休憩"  # type: ignore[union-attr]
