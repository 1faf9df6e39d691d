"""The touchscreen screens, driven as a machinist would: tap a job, tap the big buttons."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton

from app.ui.app import make_application
from app.ui.main_window import MainWindow

SHOTS = Path(os.environ.get("NAKAMA_SHOTS", "/tmp/nakama-shots"))


class ScriptedAsker:
    """Plays the machinist's answers to the dialogs."""

    def __init__(self) -> None:
        self.answers: list[Any] = []
        self.asked: list[str] = []

    def counts(
        self, title: str, fields: list[tuple[str, str, int]], maximum: int
    ) -> dict[str, int] | None:
        self.asked.append(title)
        answer = self.answers.pop(0)
        return None if answer is None else {**{k: v for k, _l, v in fields}, **answer}

    def measurement(
        self, title: str, last_specs: dict[str, dict[str, str]]
    ) -> dict[str, Any] | None:
        self.asked.append(title)
        self.last_specs = last_specs
        return self.answers.pop(0)

    def choice(self, title: str, choices: list[tuple[str, str]]) -> str | None:
        self.asked.append(title)
        self.choices = choices
        answer = self.answers.pop(0)
        assert answer is None or answer in [c for c, _ in choices]
        return answer

    def confirm(self, title: str, text: str, yes: str, *, danger: bool = False) -> bool:
        self.asked.append(title)
        self.confirm_text = text
        answer = self.answers.pop(0)
        assert isinstance(answer, bool)
        return answer

    def defect_photos(self, title: str) -> list[bytes] | None:
        """No photo (tests of photos drive the real dialog: tests/test_ui_media.py)."""
        self.asked.append(title)
        return []

    def sign_in(self, session: Any) -> bool:
        """Signs in the operator id given as the next answer (None: the dialog is closed)."""
        self.asked.append("sign in")
        answer = self.answers.pop(0)
        return answer is not None and session.sign_in_id(answer)


SATO, SUZUKI, YAMADA = "F001-OP-0002", "F001-OP-0003", "F001-OP-0001"


@pytest.fixture
def real_dialogs() -> None:
    """A test that opens real modal dialogs (and answers them) asks for this."""


@pytest.fixture(autouse=True)
def _dialogs_never_block(request: Any, monkeypatch: Any) -> None:
    """A modal dialog the test did not script would wait for a finger forever: fail."""
    if "real_dialogs" in request.fixturenames:
        return

    def refuse(self: QDialog) -> int:
        raise AssertionError(f"unscripted modal dialog: {self.windowTitle()}")

    monkeypatch.setattr(QDialog, "exec", refuse)


def _job_id(w: MainWindow, part: str) -> str:
    return next(r["job_id"] for r in w.session.store.jobs() if r["part_no"] == part)


def _open(w: MainWindow, part: str, operator: str | None = SATO) -> tuple[ScriptedAsker, str]:
    """Open the demo job of ``part`` with scripted answers to its dialogs, ``operator``
    signed in (as the demo app starts: 佐藤 花子)."""
    if operator is not None:
        assert w.session.sign_in_id(operator)
    asker = ScriptedAsker()
    w.job.asker = asker  # type: ignore[assignment]
    job_id = _job_id(w, part)
    w.open_job(job_id)
    return asker, job_id


def _tap(qtbot: Any, w: MainWindow, name: str) -> None:
    def visible() -> list[QPushButton]:
        return [
            b for b in w.job.findChildren(QPushButton, name) if b.isVisible() and b.width() > 20
        ]

    qtbot.waitUntil(lambda: bool(visible()), timeout=2000)
    qtbot.mouseClick(visible()[0], Qt.MouseButton.LeftButton)


def _op10(w: MainWindow, job_id: str) -> Any:
    job = w.session.store.job(job_id)
    assert job is not None
    return job.lots[f"{job_id}-L1"].ops[10]


def _save(w: MainWindow, name: str) -> None:
    from PySide6.QtWidgets import QApplication

    SHOTS.mkdir(parents=True, exist_ok=True)
    for _ in range(3):  # let queued shows and deferred deletes run, as the event loop would
        QApplication.processEvents()
    w.grab().save(str(SHOTS / name))


def test_jobs_screen_lists_demo_jobs_in_japanese(window: MainWindow) -> None:
    model = window.jobs.model
    assert model.rowCount() == 3
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "品番"
    texts = [model.data(model.index(r, 4), Qt.ItemDataRole.DisplayRole) for r in range(3)]
    assert any("旋盤: 着手" in t for t in texts)
    wheres = [model.data(model.index(r, 3), Qt.ItemDataRole.DisplayRole) for r in range(3)]
    assert any("大森熱処理 (F007)" in t and "輸送中" in t for t in wheres)
    _save(window, "jobs.png")


def test_a_whole_op_by_taps(window: MainWindow, qtbot: Any) -> None:
    w = window
    asker, job_id = _open(w, "PIN-7")
    _tap(qtbot, w, "action_start")
    assert "記録しました" in w.job.feedback.text()
    asker.answers = ["TOOL"]
    _tap(qtbot, w, "action_pause")
    _tap(qtbot, w, "action_resume")
    assert _op10(w, job_id).status == "running"
    asker.answers = ["BURR", {"count": 4}, "rework"]
    _tap(qtbot, w, "action_defect")
    _save(w, "job-running.png")
    # A miscount is refused in Japanese and nothing is written.
    n = w.session.store.count_events()
    asker.answers = [{"good": 500, "defect": 4, "scrap": 0}]
    _tap(qtbot, w, "action_finish")
    assert "受入数を超えています" in w.job.feedback.text()
    assert w.session.store.count_events() == n
    _save(w, "job-refused.png")
    asker.answers = [{"good": 496, "defect": 4, "scrap": 0}]
    _tap(qtbot, w, "action_finish")
    asker.answers = [{"count": 496}]
    _tap(qtbot, w, "action_hand_off")
    job = w.session.store.job(job_id)
    assert job is not None
    prog = job.lots[f"{job_id}-L1"].ops[10]
    assert (prog.status, prog.good, prog.defect, prog.handed_off, prog.pause_reason) == (
        "done",
        496,
        4,
        496,
        None,
    )
    assert job.lots[f"{job_id}-L1"].in_transit_to == "F007"
    assert asker.asked[0] == "中断の理由は？"
    _save(w, "job-handed-off.png")


def test_cancelled_dialog_writes_nothing(window: MainWindow, qtbot: Any) -> None:
    w = window
    asker, _ = _open(w, "FLANGE-88")
    n = w.session.store.count_events()
    asker.answers = [None]
    _tap(qtbot, w, "action_pause")
    assert w.session.store.count_events() == n


def test_other_firms_op_shows_nothing_to_do(window: MainWindow) -> None:
    w = window
    w.open_job(_job_id(w, "SHAFT-2041"))
    assert not [b for b in w.job.findChildren(QPushButton) if b.objectName().startswith("action_")]
    assert w.job.findChildren(type(w.job.feedback), "hint")


def test_number_pad_and_count_dialog(qtbot: Any) -> None:
    from app.ui.widgets import CountDialog

    make_application("ja")
    dlg = CountDialog("完了", [("good", "良品", 10), ("defect", "不良", 0)], maximum=12)
    qtbot.addWidget(dlg)
    dlg.select("defect")
    for key in ("1", "5"):  # 15 is over the maximum of 12: the pad refuses the 5
        dlg.pad.press(key)
    assert dlg.values == {"good": 10, "defect": 1}
    dlg.pad.press("⌫")
    dlg.pad.press("5")
    assert dlg.values == {"good": 10, "defect": 5}
    assert dlg.total.property("warn") is True  # 15 parts counted out of 12
    dlg.pad.press("C")
    assert dlg.values["defect"] == 0 and dlg.total.property("warn") is False


def test_every_ui_string_has_a_japanese_translation() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    r = subprocess.run(
        [sys.executable, str(root / "packaging" / "i18n.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout


def test_correcting_a_finish_from_the_record(window: MainWindow, qtbot: Any) -> None:
    w = window
    asker, job_id = _open(w, "PIN-7")
    _tap(qtbot, w, "action_start")
    asker.answers = [{"good": 500, "defect": 0, "scrap": 0}]
    _tap(qtbot, w, "action_finish")
    finish = next(e for e in w.job.history.events if e.type == "OpFinished")
    # Fix: 3 of them were in fact scrap.
    asker.answers = ["fix", {"good": 497, "scrap": 3}]
    result = w.job.history.correct(finish)
    assert result is not None and result.ok
    assert (_op10(w, job_id).good, _op10(w, job_id).scrap) == (497, 3)
    # A correction that would break a later record is refused and writes nothing:
    # receiving 400 cannot stand beside the 500 parts already counted at the finish.
    n = w.session.store.count_events()
    receipt = next(e for e in w.job.history.events if e.type == "LotReceived")
    asker.answers = ["fix", {"count": 400}]
    result = w.job.history.correct(receipt)
    assert result is not None and result.reason == "counts_exceed_received"
    assert w.session.store.count_events() == n
    assert "受入数を超えています" in w.job.feedback.text()
    # A record already corrected is not offered again.
    assert w.job.history.correct(finish) is None
    # The corrected record is shown struck out.
    w.job.refresh()
    row = [e.event_id for e in w.job.history.events].index(finish.event_id)
    item = w.job.history.item(row, 1)
    assert item is not None and item.font().strikeOut()
    _save(w, "job-corrected.png")


def test_other_firms_records_cannot_be_corrected(window: MainWindow) -> None:
    from tests.factories import Terminal

    w = window
    asker, job_id = _open(w, "SHAFT-2041")
    # The heat-treatment shop's receipt arrives from the hub: ours to see, not to correct.
    heat = Terminal("T-F007", "F007", start_ms=10**13).event(
        "LotReceived", {"lot_id": f"{job_id}-L1", "count": 118}, job_id=job_id, op=20
    )
    w.session.store.ingest([heat])
    w.job.refresh()
    assert heat.event_id not in w.job.history.correctable
    n = w.session.store.count_events()
    assert w.job.history.correct(heat) is None
    assert asker.asked == []  # nothing was offered
    assert "他社の記録です" in w.job.feedback.text()
    assert w.session.store.count_events() == n


def test_day_review_screen(window: MainWindow, qtbot: Any) -> None:
    w = window
    asker, _ = _open(w, "PIN-7")
    _tap(qtbot, w, "action_start")
    asker.answers = [{"good": 490, "defect": 6, "scrap": 4}]
    _tap(qtbot, w, "action_finish")
    assert w.session.sign_in_id(YAMADA)  # the day's review is the owner's
    qtbot.mouseClick(w.nav_review, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is w.review
    r = w.review.review
    assert r is not None
    # The demo's SHAFT-2041 was finished at turning when the demo was seeded, today.
    assert [x["part_no"] for x in r.finished] == ["SHAFT-2041", "PIN-7"]
    assert (r.good_today, r.defective_today) == (118 + 490, 2 + 10)
    assert [x["part_no"] for x in r.in_progress] == ["FLANGE-88"]
    _save(w, "review.png")


def test_measure_dialog_keys_tolerance_and_gauge(qtbot: Any) -> None:
    from decimal import Decimal

    from app.ui.measure_dialog import MeasureDialog

    make_application("ja")
    spec = {"OD": {"nominal": "12.000", "tol_minus": "0.010", "tol_plus": "0.005", "unit": "mm"}}
    dlg = MeasureDialog("測定", spec)
    qtbot.addWidget(dlg)
    assert dlg.current == "value"  # the spec is remembered; the machinist only measures
    for k in "12.0.07":  # the second dot is ignored
        dlg.press(k)
    assert dlg.values["value"] == "12.007"
    assert dlg.verdict.property("level") == "error"  # 12.007 > 12.005
    dlg.press("⌫")
    dlg.press("3")
    assert dlg.verdict.property("level") == "ok"
    dlg.feed_reading(Decimal("12.020"), "mm", stable=False, gauge="sim://mitutoyo")
    assert dlg.values["value"] == "12.003"  # an unstable reading is never taken
    dlg.feed_reading(Decimal("11.995"), "mm", stable=True, gauge="sim://mitutoyo")
    assert dlg.values["value"] == "12.003"  # nor does a gauge write over a typed value
    typed = dlg.payload()
    assert typed is not None and typed["value"] == "12.003" and typed["gauge"] == ""
    dlg = MeasureDialog("測定", spec)  # nothing typed: the gauge's sent value is frozen
    qtbot.addWidget(dlg)
    dlg.feed_reading(Decimal("12.020"), "mm", stable=False, gauge="sim://mitutoyo")
    assert dlg.payload() is None
    dlg.feed_reading(Decimal("11.995"), "mm", stable=True, gauge="sim://mitutoyo")
    p = dlg.payload()
    assert p == {
        "characteristic": "OD",
        "nominal": "12.000",
        "tol_minus": "0.010",
        "tol_plus": "0.005",
        "value": "11.995",
        "unit": "mm",
        "gauge": "sim://mitutoyo",
    }
    dlg.choose("LEN")  # a characteristic never measured here starts empty
    assert dlg.payload() is None and dlg.current == "nominal"


def test_measurement_from_the_job_screen(window: MainWindow, qtbot: Any) -> None:
    w = window
    asker, job_id = _open(w, "FLANGE-88")
    m = {
        "characteristic": "OD",
        "nominal": "50.00",
        "tol_minus": "0.02",
        "tol_plus": "0.02",
        "value": "50.03",
        "unit": "mm",
        "gauge": "",
    }
    asker.answers = [m]
    _tap(qtbot, w, "action_measure")
    rows = w.session.store.rows(
        "SELECT value, in_tolerance FROM measurements WHERE job_id = ?", (job_id,)
    )
    assert rows == [{"value": "50.03", "in_tolerance": 0}]
    asker.answers = [None]
    _tap(qtbot, w, "action_measure")
    assert asker.last_specs == {
        "OD": {"nominal": "50.00", "tol_minus": "0.02", "tol_plus": "0.02", "unit": "mm"}
    }


def test_lead_firm_issues_a_traveler_from_the_job_screen(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    w = window
    w.job.traveler_dir = tmp_path / "travelers"
    _asker, job_id = _open(w, "PIN-7", operator=YAMADA)
    buttons = [b for b in w.job.findChildren(QPushButton, "issueTraveler")]
    qtbot.waitUntil(lambda: any(b.isVisible() for b in buttons), timeout=2000)
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    pdf = tmp_path / "travelers" / f"{job_id}_{job_id}-L1.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    issued = [e for e in w.session.store.job_events(job_id) if e.type == "TravelerIssued"]
    assert len(issued) == 1 and issued[0].payload["lot_id"] == f"{job_id}-L1"
    assert issued[0].operator == YAMADA  # who printed it
    assert "工程表を書き出しました" in w.job.feedback.text()


def test_other_firms_jobs_offer_no_traveler(window: MainWindow, tmp_path: Path) -> None:
    w = window
    w.session.store.firm_id = "F007"  # the heat-treatment shop looking at the same job
    w.open_job(_job_id(w, "SHAFT-2041"))
    assert not [b for b in w.job.findChildren(QPushButton, "issueTraveler") if b.isVisible()]
