"""Who did it: signing in (PIN, badge), the operator on every record, and the flows that
need a person's decision: splitting a lot, receiving past steps with no records, undo."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from test_ui import (
    SATO,
    SUZUKI,
    YAMADA,
    ScriptedAsker,
    _dialogs_never_block,
    _op10,
    _open,
    _tap,
    real_dialogs,
)

from app import texts
from app.core import commands, lots
from app.core.model import JobSpec, Route
from app.core.operators import badge_text, hash_pin
from app.ui.job_screen import Asker
from app.ui.main_window import MainWindow
from app.ui.sign_in import SignInDialog

__all__ = ["_dialogs_never_block", "real_dialogs"]  # no unscripted dialog may block

TANAKA = "F001-OP-0004"
OWNER = commands.Actor("F001", YAMADA, commands.OWNER)


def _add_tanaka_with_pin(w: MainWindow, pin: str = "0420") -> None:
    store = w.session.store
    cmd = commands.save_operator(
        store.operators(),
        OWNER,
        operator_id=TANAKA,
        name="田中 美咲",
        pin_hash=hash_pin(pin),
        badge="1004",
    )
    assert w.session.record(cmd).ok


def _click(qtbot: Any, parent: QWidget, name: str) -> None:
    button = parent.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type_pin(qtbot: Any, dlg: SignInDialog, pin: str) -> None:
    for digit in pin:
        _click(qtbot, dlg, f"pin_{digit}")


def test_sign_in_with_a_pin(window: MainWindow, qtbot: Any) -> None:
    w = window
    _add_tanaka_with_pin(w)
    dlg = SignInDialog(w.session, w)
    qtbot.addWidget(dlg)
    dlg.show()
    # The firm's active operators, each a big button (the owner marked as such).
    names = sorted(
        b.objectName() for b in dlg.findChildren(QPushButton) if b.objectName()[:9] == "operator_"
    )
    assert names == [f"operator_{o}" for o in (YAMADA, SATO, SUZUKI, TANAKA)]
    owner = dlg.findChild(QPushButton, f"operator_{YAMADA}")
    assert owner is not None and owner.text() == "山田 太郎\n社長"
    _click(qtbot, dlg, f"operator_{TANAKA}")
    assert dlg.pages.currentIndex() == 1 and "田中 美咲" in dlg.pin_title.text()
    # A wrong PIN is refused, said so, and typed again from empty.
    _type_pin(qtbot, dlg, "0421")
    assert dlg.pad.display.text() == "●●●●"  # never the digits themselves
    _click(qtbot, dlg, "pinOk")
    assert w.session.operator is None
    assert dlg.feedback.text() == "暗証番号が違います。もう一度入力してください。"
    assert dlg.feedback.property("level") == "error"
    assert dlg.pad.pin == "" and dlg.isVisible()
    # The right one (a leading zero is part of it) signs her in and closes the dialog.
    _type_pin(qtbot, dlg, "0420")
    _click(qtbot, dlg, "pinOk")
    assert w.session.operator is not None and w.session.operator.operator_id == TANAKA
    assert dlg.result() == SignInDialog.DialogCode.Accepted and not dlg.isVisible()
    assert w.operator_button.text() == "作業者：田中 美咲"


def test_badge_scanned_into_the_sign_in_dialog(window: MainWindow, qtbot: Any) -> None:
    w = window
    _add_tanaka_with_pin(w)
    dlg = SignInDialog(w.session, w)
    qtbot.addWidget(dlg)
    dlg.show()

    def scan(text: str, t0: int) -> None:  # a keyboard-wedge scanner, 9 ms a key
        for i, ch in enumerate(text + "\r"):
            key = Qt.Key.Key_Return if ch == "\r" else 0
            ev = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch)
            ev.setTimestamp(t0 + 9 * i)
            QCoreApplication.sendEvent(dlg, ev)

    scan(f"NKOP:{TANAKA}:9999", 10_000)  # her id with someone else's badge number
    assert w.session.operator is None
    assert dlg.feedback.text() == texts.sentence("unknown_operator", "ja")
    scan("PN-4471-A03", 20_000)
    assert "社員証ではありません" in dlg.feedback.text()
    # Her badge signs her in at once: the badge stands for the PIN.
    scan(badge_text(w.session.store.operators()[TANAKA]), 30_000)
    assert w.session.operator is not None and w.session.operator.operator_id == TANAKA
    assert dlg.result() == SignInDialog.DialogCode.Accepted


def test_top_bar_button_opens_the_sign_in(
    window: MainWindow, qtbot: Any, real_dialogs: None
) -> None:
    w = window
    assert w.operator_button.text() == "サインイン"
    seen: list[str] = []

    def tap_suzuki() -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, SignInDialog)
        seen.append(dlg.windowTitle())
        button = dlg.findChild(QPushButton, f"operator_{SUZUKI}")
        assert button is not None
        button.click()  # no PIN: signed in at once

    QTimer.singleShot(50, tap_suzuki)
    qtbot.mouseClick(w.operator_button, Qt.MouseButton.LeftButton)
    assert seen == ["サインイン"]
    assert w.session.operator is not None and w.session.operator.name == "鈴木 一郎"
    assert w.operator_button.text() == "作業者：鈴木 一郎"

    # Tapping the name again offers to sign out.
    def sign_out() -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, SignInDialog)
        button = dlg.findChild(QPushButton, "signOut")
        assert button is not None and button.text() == "鈴木 一郎 をサインアウト"
        button.click()

    QTimer.singleShot(50, sign_out)
    qtbot.mouseClick(w.operator_button, Qt.MouseButton.LeftButton)
    assert w.session.operator is None and w.operator_button.text() == "サインイン"


def test_an_action_carries_the_operator(window: MainWindow, qtbot: Any) -> None:
    w = window
    asker, job_id = _open(w, "PIN-7", operator=None)
    # Nobody signed in: the buttons are there, and tapping one asks who first.
    asker.answers = [None]  # the sign-in dialog is closed
    n = w.session.store.count_events()
    _tap(qtbot, w, "action_start")
    assert w.session.store.count_events() == n
    assert "先にサインインしてください" in w.job.feedback.text()
    asker.answers = [SUZUKI]
    _tap(qtbot, w, "action_start")
    assert asker.asked == ["sign in", "sign in"]
    started = w.session.store.job_events(job_id)[-1]
    assert (started.type, started.operator) == ("OpStarted", SUZUKI)
    assert _op10(w, job_id).status == "running"
    # The record names her, by name from the firm's roster.
    qtbot.waitUntil(lambda: w.job.history.item(0, 3) is not None)
    assert w.job.history.item(0, 3).text() == "鈴木 一郎"  # type: ignore[union-attr]
    # Another machinist signs in: the next record is theirs.
    assert w.session.sign_in_id(SATO)
    asker.answers = ["TOOL"]
    _tap(qtbot, w, "action_pause")
    paused = w.session.store.job_events(job_id)[-1]
    assert (paused.type, paused.operator) == ("OpPaused", SATO)


def _pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_split_then_the_child_traveler(window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    w = window
    w.job.traveler_dir = tmp_path
    asker, job_id = _open(w, "PIN-7")
    parent, child = lots.first_lot(job_id), lots.lot_id(job_id, 2)
    # 200 of the 500 received go ahead under a new lot; its traveler is printed at once.
    asker.answers = [{"count": 200}, True]
    _tap(qtbot, w, "action_split")
    assert asker.asked[0] == "L1 を分割：新しいロットに移す個数は？"
    assert asker.asked[1] == "新しいロットの工程表を発行しますか？"
    assert "親ロット L1" in asker.confirm_text
    job = w.session.store.job(job_id)
    assert job is not None
    assert (job.lots[parent].qty, job.lots[child].qty, job.lots[child].parent) == (300, 200, parent)
    split = next(e for e in w.session.store.job_events(job_id) if e.type == "LotSplit")
    assert split.operator == SATO and split.payload["child_lot_id"] == child
    issued = [e for e in w.session.store.job_events(job_id) if e.type == "TravelerIssued"]
    assert [(e.payload["lot_id"], e.operator) for e in issued] == [(child, SATO)]
    pdf = tmp_path / f"{job_id}_{child}.pdf"
    text = _pdf_text(pdf)
    assert child in text and "親ロット" in text and parent in text
    assert "200" in text
    # The lead firm's print button now asks which lot's traveler.
    asker.answers = [parent]
    _tap(qtbot, w, "issueTraveler")
    assert [c for c, _label in asker.choices] == [parent, child]
    assert (tmp_path / f"{job_id}_{parent}.pdf").exists()
    # Declining the print records the split and nothing else.
    asker.answers = [{"count": 100}, False]
    n = w.session.store.count_events()
    _tap(qtbot, w, "action_split")
    assert w.session.store.count_events() == n + 1


class _RealConfirm(ScriptedAsker):
    """Counts are scripted; the confirmation is the real dialog, read and answered."""

    def __init__(self, parent: QWidget, answer: bool) -> None:
        super().__init__()
        self.real = Asker(parent)
        self.answer = answer
        self.shown: list[str] = []

    def confirm(self, title: str, text: str, yes: str, *, danger: bool = False) -> bool:
        def answer() -> None:
            dlg = QApplication.activeModalWidget()
            assert dlg is not None
            self.shown = [lab.text() for lab in dlg.findChildren(QLabel)]
            self.shown += [b.text() for b in dlg.findChildren(QPushButton)]
            button = dlg.findChild(QPushButton, "confirmYes" if self.answer else "confirmNo")
            assert button is not None
            button.click()

        QTimer.singleShot(50, answer)
        return self.real.confirm(title, text, yes, danger=danger)


def test_receipt_past_steps_with_no_records(
    window: MainWindow, qtbot: Any, real_dialogs: None
) -> None:
    w = window
    store = w.session.store
    job_id = "F001-261201-SKIP"
    spec = JobSpec(
        job_id,
        "COLLAR-5",
        60,
        date.today() + timedelta(days=10),
        "F001",
        Route.parse("10:LATHE:F007,20:HEAT:F012,30:INSPECT:F001"),
    )
    assert store.record(commands.create_job(None, OWNER, spec)).ok
    assert w.session.sign_in_id(SATO)
    # The parts arrive with their traveler; the turning and heat treatment shops' records
    # have not reached this terminal (they are offline).
    w.open_scanned(job_id, lots.first_lot(job_id), 60)
    asker = _RealConfirm(w.job, answer=False)
    w.job.asker = asker  # type: ignore[assignment]
    asker.answers = [{"count": 60}]
    n = store.count_events()
    _tap(qtbot, w, "action_receive")
    title, text = asker.shown[0], asker.shown[1]
    assert title == "記録のない工程を飛ばして受け入れますか？"
    assert "10 旋盤 — 大森熱処理 (F007)" in text and "20 熱処理 — 蒲田研削 (F012)" in text
    assert "記録が届くまでこの案件に表示し続けます" in text
    assert {"閉じる", "飛ばして受け入れる"} <= set(asker.shown)
    assert store.count_events() == n  # closed: nothing recorded
    asker.answer = True
    asker.answers = [{"count": 60}]
    _tap(qtbot, w, "action_receive")
    receipt = store.job_events(job_id)[-1]
    assert receipt.type == "LotReceived" and receipt.payload["skipped"] == [10, 20]
    assert receipt.operator == SATO
    # Listed on the job screen until the records of steps 10 and 20 arrive.
    warn = w.job.warnings
    qtbot.waitUntil(warn.isVisible)
    assert "L1 は工程 30 で受け入れましたが" in warn.text()
    assert "10 旋盤 — 大森熱処理 (F007), 20 熱処理 — 蒲田研削 (F012)" in warn.text()
    assert "工程 10, 20 を飛ばして受入" in w.job.history.item(0, 5).text()  # type: ignore[union-attr]


def test_undo_asks_first_and_records_a_correction(window: MainWindow, qtbot: Any) -> None:
    w = window
    asker, job_id = _open(w, "PIN-7")
    _tap(qtbot, w, "action_start")
    started = w.session.store.job_events(job_id)[-1]
    assert started.event_id in w.job.history.correctable
    row = [e.event_id for e in w.job.history.events].index(started.event_id)
    assert w.job.history.item(row, 1).text() == "✎ 着手"  # type: ignore[union-attr]
    # Undo is offered in its own words, and asked again before anything is recorded.
    n = w.session.store.count_events()
    asker.answers = ["undo", False]
    assert w.job.history.correct(started) is None
    assert ("undo", "記録を取り消す") in asker.choices
    assert asker.asked[-1] == "この記録を取り消しますか？"
    assert w.session.store.count_events() == n
    asker.answers = ["undo", True]
    result = w.job.history.correct(started)
    assert result is not None and result.ok and result.event is not None
    ev = result.event
    assert ev.type == "EventCorrected" and ev.operator == SATO
    assert ev.payload["supersedes"] == started.event_id and ev.payload["replacement"] is None
    assert _op10(w, job_id).status == "waiting"  # as if never started
    assert "記録しました：訂正" in w.job.feedback.text()
    row = [e.event_id for e in w.job.history.events].index(started.event_id)
    assert w.job.history.item(row, 1).font().strikeOut()  # type: ignore[union-attr]
    assert w.job.history.item(0, 5).text() == "取り消し済み"  # type: ignore[union-attr]


def test_a_machinist_corrects_only_their_own_records(window: MainWindow, qtbot: Any) -> None:
    w = window
    asker, job_id = _open(w, "PIN-7")
    _tap(qtbot, w, "action_start")
    started = w.session.store.job_events(job_id)[-1]
    assert w.session.sign_in_id(SUZUKI)
    assert started.event_id not in w.job.history.correctable
    asked: list[str] = []
    w.job.history.approve = lambda why: asked.append(why)  # type: ignore[method-assign]
    assert w.job.history.correct(started) is None  # the owner was asked and did not approve
    assert asked == ["他の人の記録を直せるのは社長だけです。"]
    assert asker.asked == []
    assert "社長だけができる操作です" in w.job.feedback.text()
    # The owner may undo anyone's.
    assert w.session.sign_in_id(YAMADA)
    asker.answers = ["undo", True]
    result = w.job.history.correct(started)
    assert result is not None and result.ok
