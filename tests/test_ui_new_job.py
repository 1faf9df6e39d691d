"""The lead firm enters a new job on the touchscreen: fields, a route built by taps,
mistakes explained in Japanese, and the job opens ready for its first step."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel, QPushButton
from test_ui import SATO, ScriptedAsker, _dialogs_never_block, _save

from app.ui.main_window import MainWindow

__all__ = ["_dialogs_never_block"]  # no unscripted dialog may block these tests either


def _click(qtbot: Any, w: MainWindow, name: str) -> None:
    button = w.findChild(QPushButton, name)
    assert button is not None and button.isVisible(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


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
