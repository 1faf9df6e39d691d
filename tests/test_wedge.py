"""Keyboard-wedge detection: scanner bursts vs. typing, Qt-free and through the Qt filter."""

from __future__ import annotations

import pytest

from drivers.wedge import WedgeDetector, WedgeEvent


def feed(det: WedgeDetector, text: str, gap_s: float, t0: float = 100.0) -> list[WedgeEvent]:
    out: list[WedgeEvent] = []
    for i, ch in enumerate(text):
        out += det.feed(ch, t0 + i * gap_s)
    return out


@pytest.mark.parametrize("gap_ms", [7, 10, 16])
def test_scanner_burst_is_a_scan(gap_ms: int) -> None:
    det = WedgeDetector()
    assert feed(det, "NK1:ABC123\r", gap_ms / 1000) == [WedgeEvent("scan", "NK1:ABC123")]
    assert not det.holding


@pytest.mark.parametrize("gap_ms", [60, 120, 250])
def test_human_typing_passes_through_in_order(gap_ms: int) -> None:
    det = WedgeDetector()
    out = feed(det, "lot12\r", gap_ms / 1000)
    assert all(e.kind == "typing" for e in out)
    assert "".join(e.text for e in out) == "lot12\r"


def test_short_fast_run_is_typing_not_a_scan() -> None:
    # Key rollover makes two or three keys as fast as a scanner; that is still a person.
    det = WedgeDetector()
    out = feed(det, "ok\r", 0.01)
    assert out == [WedgeEvent("typing", "ok\r")]


def test_held_keys_come_back_on_flush_after_the_gap() -> None:
    det = WedgeDetector()
    det.feed("a", 1.0)
    assert det.flush(1.01) == []
    assert det.flush(1.2) == [WedgeEvent("typing", "a")]


def test_typing_then_scan_are_told_apart() -> None:
    det = WedgeDetector()
    out = feed(det, "ab", 0.2, t0=0.0) + feed(det, "PN-4471-A03\r", 0.012, t0=1.0)
    assert out == [
        WedgeEvent("typing", "a"),
        WedgeEvent("typing", "b"),
        WedgeEvent("scan", "PN-4471-A03"),
    ]


def _post_keys(widget, text: str, gap_ms: int, t0_ms: int = 10_000) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for i, ch in enumerate(text):
        key = Qt.Key.Key_Return if ch == "\r" else Qt.Key(ord(ch.upper()))
        ev = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch)
        ev.setTimestamp(t0_ms + i * gap_ms)
        QApplication.sendEvent(widget, ev)


def test_qt_filter_emits_scan_and_keeps_typing(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    from app.ui.wedge import WedgeFilter

    edit = QLineEdit()
    qtbot.addWidget(edit)
    wedge = WedgeFilter(edit)
    assert not edit.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    assert edit.inputMethodHints() & Qt.InputMethodHint.ImhLatinOnly

    with qtbot.waitSignal(wedge.scanned, timeout=1000) as got:
        _post_keys(edit, "NK1:XYZ9\r", gap_ms=9)
    assert got.args == ["NK1:XYZ9"]
    assert edit.text() == ""

    _post_keys(edit, "q12", gap_ms=150, t0_ms=20_000)
    qtbot.waitUntil(lambda: edit.text() == "q12", timeout=1000)
