"""What every scan looks and sounds like, so a machinist with the scanner in a gloved hand
knows at once what happened without reading a sentence.

Three kinds, told apart by colour, by an icon and a word (colour is never the only
signal), by the flash's rhythm and by the number of beeps:

========== ============ ========== ================ ============
kind       icon, word   colour     flash            beeps
========== ============ ========== ================ ============
accepted   ✔ 受付       green      one steady flash 1
refused    ✖ 拒否       red        three blinks     3
foreign    ？ 対象外    amber      two blinks       2
========== ============ ========== ================ ============

``refused`` is a Nakama code (a traveler or a badge) that did not act: forged, unknown,
or scanned while a dialog is open. ``foreign`` is any other code (a part number, a URL,
plain text): not a Nakama traveler at all.

Sound: the terminal's Qt is PySide6-Essentials, which has no QtMultimedia, and no tone
library is installed; a heavy audio dependency for three cues is not worth it. So the
cue is ``QApplication.beep()`` (the system bell of the touchscreen PC) repeated 1, 2 or
3 times, and the count is what tells the kinds apart by ear.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QBoxLayout, QLabel, QWidget

from app.ui.text import tr
from app.ui.widgets import restyle

ACCEPTED, REFUSED, FOREIGN = "accepted", "refused", "foreign"
KINDS = (ACCEPTED, REFUSED, FOREIGN)

# (visible, ms) steps of each flash; the rhythm is a signal of its own.
PATTERNS: dict[str, tuple[tuple[bool, int], ...]] = {
    ACCEPTED: ((True, 900),),
    REFUSED: ((True, 220), (False, 120), (True, 220), (False, 120), (True, 900)),
    FOREIGN: ((True, 300), (False, 150), (True, 900)),
}
BEEPS = {ACCEPTED: 1, FOREIGN: 2, REFUSED: 3}
BEEP_GAP_MS = 180


def badge(kind: str) -> str:
    """The icon and word of a kind: ``✔ 受付``."""
    return {
        ACCEPTED: "✔ " + tr("Accepted"),
        REFUSED: "✖ " + tr("Refused"),
        FOREIGN: "？ " + tr("Not a traveler"),
    }[kind]


def beep(kind: str) -> int:
    """Ring the bell 1 (accepted), 2 (not a traveler) or 3 (refused) times; returns how
    many rings were scheduled."""
    n = BEEPS[kind]
    QApplication.beep()
    for i in range(1, n):
        QTimer.singleShot(i * BEEP_GAP_MS, QApplication.beep)
    return n


class ScanFlash(QLabel):
    """A coloured band with the kind's icon and word, blinking in the kind's rhythm.

    ``overlay``: laid over the top of ``parent`` and gone after the flash (the main
    window). Otherwise it sits in a layout and stays after its blinks (a dialog's notice,
    which must stay readable). ``kind`` (also a Qt property for the style sheet) and
    ``flashed`` let a test, or anything else, see what was shown."""

    flashed = Signal(str, str)  # kind, text

    def __init__(self, parent: QWidget, *, overlay: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("scanFlash")
        self.setWordWrap(True)
        self.overlay = overlay
        self.setProperty("overlay", overlay)
        if overlay:  # a tap goes through to the button under the flash
            self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.kind = ""
        self.message = ""
        self._steps: list[tuple[bool, int]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._step)
        self.hide()

    def flash(self, kind: str, text: str) -> None:
        self.kind, self.message = kind, text
        self.setText(f"{badge(kind)}　{text}" if text else badge(kind))
        restyle(self, "kind", kind)
        if self.overlay:
            parent = self.parentWidget()
            if parent is not None:
                self.setFixedWidth(parent.width())
                self.adjustSize()
                self.move(0, max(0, (parent.height() - self.height()) // 2))
            self.raise_()
        self._steps = list(PATTERNS[kind])
        self._step()
        self.flashed.emit(kind, text)

    def stop(self) -> None:
        """End the flash now (its blinks too)."""
        self._timer.stop()
        self._steps = []
        self.hide()

    def _step(self) -> None:
        if not self._steps:
            self.setVisible(not self.overlay)
            return
        visible, ms = self._steps.pop(0)
        # A blink in a dialog dims the band instead of hiding it: the layout never jumps.
        if self.overlay:
            self.setVisible(visible)
        else:
            self.show()
            restyle(self, "dim", not visible)
        self._timer.start(ms)


def dialog_notice(dialog: QWidget) -> ScanFlash:
    """The dialog's scan notice, made on first use at the top of its layout."""
    notice = dialog.findChild(ScanFlash, "scanFlash")
    if notice is None:
        notice = ScanFlash(dialog)
        lay = dialog.layout()
        if isinstance(lay, QBoxLayout):
            lay.insertWidget(0, notice)
        elif lay is not None:
            lay.addWidget(notice)
    return notice
