"""Qt side of the keyboard-wedge scanner: an event filter on the scan target.

The timing decision is ``drivers.wedge.WedgeDetector`` (Qt-free, tested on its own). This
filter feeds it the target's key presses, emits ``scanned`` for a scanner burst and hands
typed keys back to the target unchanged. It also turns the input method off on the
target: with a Japanese IME on, the scanner's keys would become kana before we see them.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from drivers.wedge import WedgeDetector, WedgeEvent

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def disable_input_method(widget: QWidget) -> None:
    """Make ``widget`` receive raw Latin keys, never IME composition."""
    widget.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    hints = Qt.InputMethodHint.ImhLatinOnly | Qt.InputMethodHint.ImhNoPredictiveText
    widget.setInputMethodHints(widget.inputMethodHints() | hints)


class WedgeFilter(QObject):
    """Installs itself on ``target``; ``scanned(text)`` fires for each scanner burst."""

    scanned = Signal(str)

    def __init__(self, target: QWidget, detector: WedgeDetector | None = None) -> None:
        super().__init__(target)
        self.target = target
        self.detector = detector or WedgeDetector()
        self._replaying = False
        self._last_key_t = 0.0  # the last key's own timestamp (s)
        self._last_arrival = 0.0  # when it arrived, by our monotonic clock
        disable_input_method(target)
        target.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(max(5, int(self.detector.max_gap_s * 1000 / 2)))
        self._timer.timeout.connect(self._flush)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() in _ENTER_KEYS:
            char = "\r"
        elif event.text() and event.text().isprintable():
            char = event.text()
        else:
            return False
        # Real key events carry the window system's ms timestamp; synthetic ones may not.
        now = time.monotonic()
        t = event.timestamp() / 1000 if event.timestamp() else now
        self._last_key_t, self._last_arrival = t, now
        self._handle(self.detector.feed(char, t))
        if self.detector.holding:
            self._timer.start()
        return True

    def _flush(self) -> None:
        if time.monotonic() - self._last_arrival > self.detector.max_gap_s:
            self._timer.stop()
            self._handle(self.detector.flush(self._last_key_t + 2 * self.detector.max_gap_s))

    def _handle(self, events: list[WedgeEvent]) -> None:
        for ev in events:
            if ev.kind == "scan":
                self.scanned.emit(ev.text)
            else:
                self._replay(ev.text)

    def _replay(self, text: str) -> None:
        """Give typed keys back to the target exactly as if the filter were not there."""
        self._replaying = True
        try:
            for ch in text:
                key = Qt.Key.Key_Return if ch == "\r" else Qt.Key(ord(ch.upper()))
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    ev = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch)
                    QApplication.sendEvent(self.target, ev)
        finally:
            self._replaying = False
