"""Honest measurements on the real widgets, with a simulated Mitutoyo caliper on a real
pseudo-terminal: a typed value is never written over, a DATA press or 取得 freezes the
value, an unplugged or silent gauge turns the dialog red and its value cannot be
recorded, 不合格 reaches the record list and the owner's summary, and the value is
never clipped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QTableWidget

from app import demo
from app.core.state import fold
from app.store import Store
from app.store.reports import day_review, utc_range
from app.ui.app import make_application
from app.ui.devices import SILENCE_MARGIN_S, DeviceHub
from app.ui.main_window import MainWindow
from app.ui.measure_dialog import MeasureDialog
from app.ui.session import Session

SPEC = {"OD": {"nominal": "12.000", "tol_minus": "0.010", "tol_plus": "0.010", "unit": "mm"}}
SATO = "F001-OP-0002"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    make_application("ja")
    store = Store.open(tmp_path / "g.db", firm_id="F001")
    demo.seed(store)
    yield Session(store)
    store.close()


def _hub(session: Session, qtbot: Any, url: str) -> DeviceHub:
    hub = DeviceHub(session, [url])
    hub.start()
    qtbot.waitUntil(lambda: hub.links.get(url) == "up", timeout=5000)
    return hub


def _click(qtbot: Any, dlg: MeasureDialog, name: str) -> None:
    b = dlg.findChild(QPushButton, name)
    assert b is not None and b.isEnabled(), name
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def _type(qtbot: Any, dlg: MeasureDialog, text: str) -> None:
    _click(qtbot, dlg, "field_value")
    for ch in text:
        _click(qtbot, dlg, "key_dot" if ch == "." else f"key_{ch}")


def _dialog(qtbot: Any, hub: DeviceHub) -> MeasureDialog:
    dlg = MeasureDialog("測定", SPEC, devices=hub)
    qtbot.addWidget(dlg)
    dlg.resize(1280, 800)
    dlg.show()
    return dlg


def test_a_typed_value_stays_is_recorded_as_typed_and_its_fail_reaches_record_and_summary(
    session: Session, qtbot: Any
) -> None:
    url = "sim://mitutoyo?rate=10&value=12.006&decimals=3"
    hub = _hub(session, qtbot, url)
    w = MainWindow(session, devices=hub)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    try:
        assert session.sign_in_id(SATO)
        job_id = next(r["job_id"] for r in session.store.jobs() if r["part_no"] == "FLANGE-88")
        w.open_job(job_id)
        seen: dict[str, Any] = {}

        def machinist() -> None:
            dlg = QApplication.activeModalWidget()
            assert isinstance(dlg, MeasureDialog)
            try:
                answer(dlg)
            except BaseException as exc:  # a failed check closes the dialog, never hangs
                seen["error"] = exc
                dlg.reject()

        def answer(dlg: MeasureDialog) -> None:
            # The job has no spec yet: nominal and tolerances first, then the value.
            for field, text in (
                ("nominal", "12.000"),
                ("tol_minus", "0.010"),
                ("tol_plus", "0.010"),
            ):
                _click(qtbot, dlg, f"field_{field}")
                for ch in text:
                    _click(qtbot, dlg, "key_dot" if ch == "." else f"key_{ch}")
            qtbot.waitUntil(lambda: dlg.live_value is not None, timeout=3000)  # it streams
            _type(qtbot, dlg, "12.025")
            sent = hub.devices[url].simulator.sent_frames
            qtbot.wait(1500)  # the gauge goes on streaming 12.006 for 1.5 s
            seen["streamed"] = hub.devices[url].simulator.sent_frames - sent
            seen["value"] = dlg.values["value"]
            seen["shown"] = dlg.value_display.text()
            seen["verdict"] = dlg.verdict.text()
            seen["live"] = dlg.live_value
            _click(qtbot, dlg, "ok")

        QTimer.singleShot(0, machinist)
        qtbot.mouseClick(
            next(b for b in w.job.findChildren(QPushButton, "action_measure") if b.isVisible()),
            Qt.MouseButton.LeftButton,
        )
        if "error" in seen:
            raise seen["error"]
        assert seen["streamed"] >= 10 and seen["live"][0] == Decimal("12.006")
        assert seen["value"] == "12.025" and "12.025" in seen["shown"]
        assert "不合格" in seen["verdict"]
        rows = session.store.rows(
            "SELECT event_id, value, gauge, in_tolerance FROM measurements WHERE job_id = ?",
            (job_id,),
        )
        assert [(r["value"], r["gauge"], r["in_tolerance"]) for r in rows] == [("12.025", "", 0)]
        # The record list: the row says 不合格 by word and ✖, in red.
        hist = w.job.history
        failed_rows = [
            r
            for r in range(hist.rowCount())
            if "不合格" in hist.item(r, len(hist.COLUMNS) - 1).text()
        ]
        assert len(failed_rows) == 1
        cell = hist.item(failed_rows[0], len(hist.COLUMNS) - 1)
        assert "✖" in cell.text() and "手入力" in cell.text()
        assert cell.foreground().color().name() == "#b00020"
        # The owner's summary lists it, and its count is the record list's.
        review = w.review
        review.show_day(date.today())
        assert review.review is not None
        assert [m["event_id"] for m in review.review.out_of_tolerance] == [rows[0]["event_id"]]
        table = review.findChild(object, "outOfTolerance")
        assert table is not None and table.rowCount() == len(failed_rows)
        texts = [table.item(0, c).text() for c in range(table.columnCount())]
        assert texts[0] == "✖ FLANGE-88" and texts[1] == job_id and texts[2] == "外径"
        assert texts[3] == "12.025 mm (手入力)" and texts[4] == "12.000 −0.010 / +0.010"
        title = [x.text() for x in review.findChildren(QLabel, "sectionTitle")]
        assert "今日の不合格 (1)" in title
        w.session.sign_in_id(demo.DEMO_OPERATORS[0][0])  # the review is the owner's
        w.open_review()
        for _ in range(3):
            QApplication.processEvents()
        (table,) = [t for t in review.findChildren(QTableWidget, "outOfTolerance") if t.isVisible()]
        fm = table.fontMetrics()
        for c, text in enumerate(texts):  # whole, never elided
            assert fm.horizontalAdvance(text) <= table.columnWidth(c), (text, table.columnWidth(c))
        figures = [x.text() for x in review.findChildren(QLabel, "figure") if x.isVisibleTo(review)]
        assert "1" in figures
    finally:
        hub.stop()


def test_the_summary_figures_are_a_replay_of_the_events(session: Session, qtbot: Any) -> None:
    """Measurements recorded through the core, one undone: the owner's 不合格 list is what
    folding the events again gives, and the count shown is that list's length."""
    from app.core import commands

    store = session.store
    assert session.sign_in_id(SATO)
    job_id = next(r["job_id"] for r in store.jobs() if r["part_no"] == "FLANGE-88")
    lot = f"{job_id}-L1"
    for value, gauge in (("12.025", ""), ("12.004", "sim://mitutoyo"), ("11.980", "sim://m")):
        r = session.record(
            commands.measure(
                store.job(job_id), session.actor, lot, 10, characteristic="OD",
                nominal="12.000", tol_minus="0.010", tol_plus="0.010", value=value, gauge=gauge,
            )
        )  # fmt: skip
        assert r.ok, r.reason
    last = store.rows("SELECT event_id FROM measurements WHERE value = '11.980'")[0]["event_id"]
    undo = commands.undo(store.job(job_id), session.actor, store.job_events(job_id), last)
    assert session.record(undo).ok
    review = day_review(store, date.today(), "F001")
    lo, hi = utc_range(date.today())
    replayed = []
    for j in store.jobs():
        events = store.job_events(j["job_id"])
        firm = {e.event_id: e.firm_id for e in events}
        state = fold(events)
        assert state is not None
        replayed += [
            m.event_id
            for m in state.measurements
            if not m.in_tolerance and firm[m.event_id] == "F001" and lo <= m.occurred_at < hi
        ]
    assert [m["event_id"] for m in review.out_of_tolerance] == replayed
    assert len(replayed) == 1  # 12.025; 11.980 was undone, 12.004 passed
    assert len(review.measurements) == 2


def test_a_data_press_or_take_freezes_the_value(session: Session, qtbot: Any) -> None:
    # A caliper that sends only when its DATA button is pressed; its reading drifts.
    url = "sim://mitutoyo?rate=0&value=12.006&drift=0.01&decimals=3"
    hub = _hub(session, qtbot, url)
    try:
        dlg = _dialog(qtbot, hub)
        sim = hub.devices[url].simulator
        assert dlg.payload() is None
        sim.press_data()
        qtbot.waitUntil(lambda: dlg.payload() is not None, timeout=3000)
        first = dlg.values["value"]
        assert dlg.source == "frozen" and "DATA" in dlg.source_label.text()
        qtbot.wait(1200)  # the gauge's own value moves on by 0.012 mm…
        assert dlg.values["value"] == first  # …the frozen one does not
        sim.press_data()  # pressing DATA again is measuring again
        qtbot.waitUntil(lambda: dlg.values["value"] != first, timeout=3000)
        dlg.reject()

        # A caliper streaming its display: live until 取得, then frozen.
        hub.stop()
        url = "sim://mitutoyo?rate=10&value=12.006&drift=0.01&decimals=3"
        hub = _hub(session, qtbot, url)
        dlg = _dialog(qtbot, hub)
        qtbot.waitUntil(lambda: dlg.source == "live", timeout=3000)
        assert dlg.payload() is None and not dlg.ok.isEnabled()  # a live value is not taken
        _click(qtbot, dlg, "takeGauge")
        assert dlg.source == "frozen" and dlg.ok.isEnabled()
        taken = dlg.values["value"]
        sent = hub.devices[url].simulator.sent_frames
        qtbot.wait(1200)
        assert hub.devices[url].simulator.sent_frames - sent >= 8
        assert dlg.live_value is not None and str(dlg.live_value[0]) != taken
        assert dlg.values["value"] == taken
        p = dlg.payload()
        assert p is not None and p["value"] == taken and p["gauge"] == "sim://mitutoyo"
        _click(qtbot, dlg, "takeGauge")  # tapping again takes the value of now
        assert dlg.values["value"] != taken
        dlg.reject()
    finally:
        hub.stop()


def test_unplug_turns_the_dialog_red_and_blocks_the_gauge_value_not_a_typed_one(
    session: Session, qtbot: Any
) -> None:
    url = "sim://mitutoyo?rate=4&value=12.006&decimals=3"
    period = 0.25
    hub = _hub(session, qtbot, url)
    try:
        dlg = _dialog(qtbot, hub)
        qtbot.waitUntil(lambda: dlg.source == "live", timeout=3000)
        _click(qtbot, dlg, "takeGauge")
        assert dlg.payload() is not None and dlg.live.property("level") == "ok"
        hub.devices[url].simulator.unplug()
        qtbot.waitUntil(
            lambda: dlg.live.property("level") == "error",
            timeout=int((period + SILENCE_MARGIN_S) * 1000),
        )
        assert "抜けています" in dlg.live.text()
        assert dlg.payload() is None and not dlg.ok.isEnabled()
        take = dlg.findChild(QPushButton, "takeGauge")
        assert take is not None and not take.isEnabled()
        assert dlg.value_display.property("state") == "down"
        assert "手入力" in dlg.source_label.text()
        _type(qtbot, dlg, "12.004")  # typing stays possible, and is marked as typed
        p = dlg.payload()
        assert p is not None and p["value"] == "12.004" and p["gauge"] == ""
        assert dlg.ok.isEnabled() and "手入力" in dlg.source_label.text()
        hub.devices[url].simulator.replug()
        qtbot.waitUntil(lambda: dlg.live.property("level") == "ok", timeout=5000)
        assert dlg.values["value"] == "12.004"  # back live; the typed value still stands
        _click(qtbot, dlg, "takeGauge")
        qtbot.waitUntil(lambda: dlg.payload() is not None, timeout=2000)
        p = dlg.payload()
        assert p is not None and p["gauge"] == "sim://mitutoyo" and p["value"] == "12.006"
        dlg.reject()
    finally:
        hub.stop()


def test_a_silent_gauge_says_so_and_cannot_be_recorded(session: Session, qtbot: Any) -> None:
    """A link that stays up but carries nothing (a caliper asleep on a powered hub)."""
    url = "sim://mitutoyo?rate=4&value=12.006&decimals=3"
    hub = _hub(session, qtbot, url)
    try:
        dlg = _dialog(qtbot, hub)
        qtbot.waitUntil(lambda: dlg.source == "live", timeout=3000)
        _click(qtbot, dlg, "takeGauge")
        assert dlg.payload() is not None
        sim = hub.devices[url].simulator
        sim.fall_silent()  # it stops streaming; its port stays plugged
        qtbot.waitUntil(lambda: dlg.live.property("level") == "error", timeout=3000)
        assert "応答なし" in dlg.live.text() and hub.links[url] == "up"
        assert dlg.payload() is None and not dlg.ok.isEnabled()
        dlg.reject()
    finally:
        hub.stop()


def _clipped_value(dlg: MeasureDialog) -> list[str]:
    out = []
    for w in [dlg.value_display, *dlg.field_buttons.values(), dlg.verdict]:
        fm = w.fontMetrics()
        lines = w.text().split("\n")
        need_w = max(fm.horizontalAdvance(line) for line in lines)
        need_h = fm.height() * len(lines)
        if isinstance(w, QLabel) and w.wordWrap():
            if w.heightForWidth(w.width()) > w.height() + 2:
                out.append(f"{w.objectName()}: {w.text()!r}")
            continue
        pad = 16 if isinstance(w, QPushButton) else 0
        m = w.contentsMargins()
        room_w = w.contentsRect().width() if isinstance(w, QLabel) else w.width()
        room_h = w.contentsRect().height() if isinstance(w, QLabel) else w.height()
        if need_w + pad > room_w + 1 or need_h + (16 if pad else 0) > room_h + 1:
            out.append(
                f"{w.objectName()}: {w.text()!r} needs {need_w}×{need_h} in {room_w}×{room_h} {m}"
            )
    return out


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800)])
def test_the_value_is_never_clipped(session: Session, qtbot: Any, size: tuple[int, int]) -> None:
    dlg = MeasureDialog("測定", SPEC)
    qtbot.addWidget(dlg)
    dlg.resize(*size)
    dlg.show()
    _type(qtbot, dlg, "12345.12345")  # the longest value the pad takes (12 characters)
    QApplication.processEvents()
    assert dlg.width() <= size[0] and dlg.height() <= size[1], dlg.size()
    assert dlg.value_display.text() == "12345.12345 mm"
    assert _clipped_value(dlg) == []
