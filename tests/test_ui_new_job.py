"""The lead firm enters a new job on the touchscreen: fields, a route built by taps,
mistakes explained in Japanese, and the job opens ready for its first step."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton
from test_ui import SATO, YAMADA, ScriptedAsker, _dialogs_never_block, _save

from app.ui.main_window import MainWindow
from app.ui.traveler_print import short_day

__all__ = ["_dialogs_never_block"]  # no unscripted dialog may block these tests either


def _click(qtbot: Any, w: MainWindow, name: str) -> None:
    button = w.findChild(QPushButton, name)
    assert button is not None and button.isVisible(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type(qtbot: Any, edit: QLineEdit, text: str) -> None:
    """Keys for Latin text; Japanese as the OS's input method gives it: the reading as
    preedit (underlined, not yet text), then the converted words committed."""
    edit.setFocus()
    if text.isascii():
        qtbot.keyClicks(edit, text)
        return
    QApplication.sendEvent(edit, QInputMethodEvent("よみ", []))
    assert edit.text() == ""  # preedit is not text until committed
    commit = QInputMethodEvent()
    commit.setCommitString(text)
    QApplication.sendEvent(edit, commit)


def test_a_new_job_by_taps(window: MainWindow, qtbot: Any) -> None:
    w = window
    form = w.new_job
    asker = ScriptedAsker()
    form.asker = asker
    _click(qtbot, w, "newJob")
    assert w.stack.currentWidget() is form

    # Nothing on the route yet: refused, nothing written.
    n = w.session.store.count_events()
    _click(qtbot, w, "createJob")
    assert form.feedback.text() == "工程を 1 つ以上追加してください。"

    # Two steps by taps: a process, then a firm from the directory (ours first).
    asker.answers = ["LATHE", "F001", "HEAT", "F007", "GRIND", None]
    for _ in range(3):
        _click(qtbot, w, "addStep")
    assert asker.asked[:2] == [
        "工程 10：加工を選んでください",
        "工程 10（旋盤）：事業者を選んでください",
    ]
    assert form.firm_choices()[0] == ("F001", "山田精機 (F001)")
    assert [c for c, _ in form.firm_choices()] == ["F001", "F007", "F012", "F020"]
    assert [(s["seq"], s["process"], s["firm"]) for s in form.steps] == [
        (10, "LATHE", "F001"),
        (20, "HEAT", "F007"),  # the third was cancelled at the firm: not added
    ]

    def chips() -> list[str]:
        return [c.text() for c in form.findChildren(QLabel, "opChip") if c.isVisible()]

    qtbot.waitUntil(lambda: chips() == ["10 旋盤\n山田精機 (F001)", "20 熱処理\n大森熱処理 (F007)"])

    # Mistakes are named, in Japanese, and nothing is written.
    _click(qtbot, w, "createJob")
    assert form.feedback.text() == "品番を入力してください。"
    form.part.setText("BUSH-12")
    form.qty.setText("0")
    _click(qtbot, w, "createJob")
    assert form.feedback.text() == "数量は 1 以上の整数で入力してください。"
    form.qty.setText("250")
    form.due.setDate(QDate.currentDate().addDays(-1))
    _click(qtbot, w, "createJob")
    assert form.feedback.text() == "納期が過ぎています。"
    assert w.session.store.count_events() == n

    due = date.today() + timedelta(days=21)
    form.due.setDate(QDate(due.year, due.month, due.day))
    form.drawing.setText("D-12-B")
    form.customer.setText("大田精工")
    form.price.setText("380")
    asker.answers = ["PLATE", "F020"]
    _click(qtbot, w, "addStep")
    _click(qtbot, w, "removeStep")  # a wrong step comes off again
    asker.answers = ["INSPECT", "F001"]
    _click(qtbot, w, "addStep")
    _save(w, "new-job.png")
    # Nobody is signed in yet: creating asks who is entering the job first.
    assert w.session.operator is None
    asker.answers = [SATO]
    _click(qtbot, w, "createJob")
    assert asker.asked[-1] == "sign in"

    # The job exists, led by us, and its screen is open with our first step ready.
    job_id = next(r["job_id"] for r in w.session.store.jobs() if r["part_no"] == "BUSH-12")
    job = w.session.store.job(job_id)
    assert job is not None
    assert (job.qty, job.due, job.lead_firm, job.customer, job.unit_price_yen) == (
        250,
        due.isoformat(),
        "F001",
        "大田精工",
        380,
    )
    assert [(o.seq, o.process, o.firm) for o in job.route.ops] == [
        (10, "LATHE", "F001"),
        (20, "HEAT", "F007"),
        (30, "INSPECT", "F001"),
    ]
    assert w.session.store.count_events() == n + 1
    created = w.session.store.job_events(job_id)[0]
    assert (created.type, created.operator) == ("JobCreated", SATO)
    assert w.stack.currentWidget() is w.job and w.job.job_id == job_id
    assert job_id.startswith("F001-")
    # The form is empty for the next job, and the window has the scanner's keys again.
    assert form.part.text() == "" and form.steps == []
    assert w.hasFocus() or w.focusWidget() is None or w.focusWidget() is w


def test_cancel_leaves_nothing(window: MainWindow, qtbot: Any) -> None:
    w = window
    n = w.session.store.count_events()
    _click(qtbot, w, "newJob")
    w.new_job.part.setText("X-1")
    _click(qtbot, w, "cancelNewJob")
    assert w.stack.currentWidget() is w.jobs
    assert w.session.store.count_events() == n
    assert w.new_job.part.text() == ""


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_part_name_material_revision_and_step_instructions_reach_the_traveler(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    """品名, 材質, 図番/版, 備考 and each step's 作業指示 and 期限, typed on the screen, are
    on the job and printed on its traveler."""
    w = window
    w.session.sign_in_id(YAMADA)
    form = w.new_job
    asker = ScriptedAsker()
    form.asker = asker
    _click(qtbot, w, "newJob")
    asker.answers = ["LATHE", "F001", "HEAT", "F007", "GRIND", "F012"]
    for _ in range(3):
        _click(qtbot, w, "addStep")
        # Each new step's row is scrolled into view (below the fold on a short panel).
        row, view = form.rows[-1], form.body_scroll.viewport()
        top = row.mapTo(view, QPoint(0, 0)).y()
        assert row.isVisible() and top >= 0 and top + row.height() <= view.height()
    for edit, text in (
        (form.part, "SHAFT-77"),
        (form.part_name, "ドライブシャフト"),
        (form.material, "SCM435 黄銅"),
        (form.drawing, "D-77"),
        (form.revision, "C"),
        (form.qty, "40"),
        (form.note, "熱処理後 HRC58〜62"),
        (form.rows[1].note, "歪み 0.05 以下、西蒲田へ"),
    ):
        _type(qtbot, edit, text)
        assert edit.text() == text
    due = date.today() + timedelta(days=21)
    form.due.setDate(QDate(due.year, due.month, due.day))

    # A step's date after the job's due date: refused, the step named, nothing written.
    n = w.session.store.count_events()
    late = due + timedelta(days=1)
    form.rows[1].due.setDate(QDate(late.year, late.month, late.day))
    _click(qtbot, w, "createJob")
    assert form.feedback.text() == "工程 20：工程の期限が案件の納期より後になっています。"
    # Step 30's date is dropped again by its ✕; step 20 gets a date inside the job's.
    step_due = date.today() + timedelta(days=7)
    form.rows[1].due.setDate(QDate(step_due.year, step_due.month, step_due.day))
    form.rows[2].due.setDate(QDate(late.year, late.month, late.day))
    clear = form.findChild(QPushButton, "stepDueClear_30")
    assert clear is not None and clear.isEnabled()
    qtbot.waitUntil(clear.isVisible)
    form.body_scroll.ensureWidgetVisible(clear)
    _click(qtbot, w, "stepDueClear_30")
    assert form.rows[2].due_date() is None and not clear.isEnabled()
    assert form.rows[2].due.text() == "期限なし"
    assert w.session.store.count_events() == n
    _click(qtbot, w, "createJob")

    job_id = next(r["job_id"] for r in w.session.store.jobs() if r["part_no"] == "SHAFT-77")
    job = w.session.store.job(job_id)
    assert job is not None
    assert (job.part_name, job.material, job.drawing_no, job.revision, job.note) == (
        "ドライブシャフト",
        "SCM435 黄銅",
        "D-77",
        "C",
        "熱処理後 HRC58〜62",
    )
    assert job.step_info == {
        "20": {"note": "歪み 0.05 以下、西蒲田へ", "due": step_due.isoformat()}
    }

    # The job screen it opened on says them too (the lead firm's own steps: lathe only,
    # whose 作業指示 is empty; step 20's belongs to F007's screen).
    assert w.stack.currentWidget() is w.job and w.job.job_id == job_id
    facts = w.job.facts.text()
    assert facts.startswith("品名 ドライブシャフト   材質 SCM435 黄銅   図番 D-77")
    assert w.job.instructions.text() == "備考：熱処理後 HRC58〜62"
    assert w.job.instructions.isVisible()
    # At the heat-treater's terminal the same job shows step 20's instruction and date
    # (this store stands for F007's for a moment: only the screen's text is read).
    own = w.session.store.firm_id
    w.session.store.firm_id = "F007"
    w.job.refresh()
    step_line = w.job.instructions.text().split("\n")[1]
    assert step_line.startswith("工程 20 ") and "：歪み 0.05 以下、西蒲田へ" in step_line
    assert step_line.endswith("期限 " + short_day(step_due, "ja"))
    w.session.store.firm_id = own
    w.job.refresh()

    # Printed from the job screen it opened on: pdftotext reads every value back.
    w.job.traveler_dir = tmp_path
    w.job.asker = ScriptedAsker()  # type: ignore[assignment]
    buttons = w.job.findChildren(QPushButton, "issueTraveler")
    qtbot.waitUntil(lambda: any(b.isVisible() for b in buttons), timeout=2000)
    qtbot.mouseClick(next(b for b in buttons if b.isVisible()), Qt.MouseButton.LeftButton)
    pdf = tmp_path / f"{job_id}_{job_id}-L1.pdf"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = "".join(text.split())
    step_day = "".join(short_day(step_due, "ja").split())
    for value in ("ドライブシャフト", "SCM435黄銅", "D-77", "熱処理後HRC58〜62",
                  "歪み0.05以下、西蒲田へ", step_day):  # fmt: skip
        assert value in flat, value
