"""The live camera picture beside the jobs list: what the camera sees, each code it read
outlined in green, each code it found but could not read outlined in amber, and in
words what to do about it (近づけて / 止めて / 明るく).

The picture is taken from the camera's newest frame ten times a second while the view is
on screen (never while hidden), shrunk to the view's size before it becomes a QImage, so
the GUI thread spends well under a millisecond per picture. Outlines come from the
decoder's last result (``CameraScanner.last``), which may be a frame older than the
picture: a sheet held still has the same outline in both.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.ui.text import tr
from app.ui.widgets import restyle

if TYPE_CHECKING:  # OpenCV and NumPy load with the first frame, not with the jobs list
    import numpy as np

READ = QColor("#1b873f")
UNREAD = QColor("#e08a00")
ADVICE_HOLD_S = 1.5  # advice stays this long after the last frame that needed it


def advice_text(code: str) -> str:
    from drivers.qr.hints import BRIGHTER, CLOSER, STEADY  # OpenCV: with the first frame

    return {
        CLOSER: tr("Bring the code closer to the camera"),
        STEADY: tr("Hold the sheet still"),
        BRIGHTER: tr("More light on the code"),
    }.get(code, "")


class Picture(QWidget):
    """The frame, letter-boxed to the widget, with the outlines drawn over it."""

    def __init__(self) -> None:
        super().__init__()
        self.image: QImage | None = None
        self.scale = 1.0
        self.offset = QPointF(0, 0)
        self.read: list[tuple[tuple[float, float], ...]] = []
        self.unread: list[tuple[tuple[float, float], ...]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)

    def show_frame(self, frame: np.ndarray) -> None:
        import cv2
        import numpy as np

        h, w = frame.shape[:2]
        self.scale = min(self.width() / w, self.height() / h)
        sw, sh = max(1, int(w * self.scale)), max(1, int(h * self.scale))
        small = cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_AREA)
        rgb = np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
        self.image = QImage(rgb.data, sw, sh, 3 * sw, QImage.Format.Format_RGB888).copy()
        self.offset = QPointF((self.width() - sw) / 2, (self.height() - sh) / 2)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#202428"))
        if self.image is not None:
            p.drawImage(self.offset, self.image)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            for quads, colour, style in (
                (self.read, READ, Qt.PenStyle.SolidLine),
                (self.unread, UNREAD, Qt.PenStyle.DashLine),
            ):
                pen = QPen(colour, 4, style)
                p.setPen(pen)
                for quad in quads:
                    poly = QPolygonF(
                        [QPointF(x * self.scale, y * self.scale) + self.offset for x, y in quad]
                    )
                    p.drawPolygon(poly)
        p.end()

    def mapped(self, quad: tuple[tuple[float, float], ...]) -> QRectF:
        """Where a quad in frame pixels lies on the widget (for tests)."""
        poly = QPolygonF([QPointF(x * self.scale, y * self.scale) + self.offset for x, y in quad])
        return poly.boundingRect()


class CameraView(QWidget):
    """The camera's picture and advice; ``devices`` is the ``DeviceHub`` (camera set)."""

    def __init__(self, devices: Any, parent: QWidget | None = None, prompt: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("cameraView")
        self.devices = devices
        # What to hold up: a traveler (the jobs list), or another code (the wizard's).
        self.prompt = prompt or tr("Hold a traveler's QR code up to the camera")
        self.picture = Picture()
        self.advice = QLabel("")
        self.advice.setObjectName("cameraAdvice")
        self.advice.setWordWrap(True)
        self.advice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = QLabel(self.prompt)
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.picture, 1)
        lay.addWidget(self.advice)
        lay.addWidget(self.status)
        self._seq = -1
        self._advice_at = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.refresh)

    def showEvent(self, event: Any) -> None:
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def refresh(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        camera = self.devices.camera
        if camera is None:
            return
        frame = camera.latest()
        if camera.state == "lost" or frame is None:
            self.status.setText(
                tr("The camera is not answering. Check its cable.")
                if camera.state == "lost"
                else tr("Starting the camera…")
            )
            return
        if frame.seq == self._seq:
            return
        self._seq = frame.seq
        scanner = self.devices.camera_scanner
        last = scanner.last if scanner is not None else None
        self.picture.read = [c.corners for c in last.codes] if last else []
        self.picture.unread = list(last.unread) if last else []
        self.picture.show_frame(frame.image)
        code = last.advice if last else ""
        if code:
            self._advice_at = now
            self.advice.setText("⚠ " + advice_text(code))
            restyle(self.advice, "advice", code)
        elif now - self._advice_at > ADVICE_HOLD_S:
            self.advice.setText("")
            restyle(self.advice, "advice", "")
        self.status.setText(self.prompt)
