"""What the settings page needs from devices: a live test read of one device URL, and a
live camera picture. Both run the drivers' own threads and hop to the GUI thread by a
queued signal, so no widget is touched from a device thread."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy

from drivers import Device, DeviceUrlError, LinkEvent, Reading, Scan, open_device

if TYPE_CHECKING:  # NumPy and OpenCV load with the camera's test, not with the settings
    import numpy as np

    from drivers.camera import CameraSource

log = logging.getLogger(__name__)
PREVIEW_HEIGHT = 300


class DeviceProbe(QObject):
    """Opens one device for a test read; ``seen(text)`` for every value, scan or link
    change, already worded for the page (value and unit, or the link's state)."""

    _event = Signal(object)
    seen = Signal(str, str)  # level ("ok" | "error" | ""), text

    def __init__(self) -> None:
        super().__init__()
        self.device: Device | None = None
        self.url = ""
        self.last_value: str | None = None
        self._event.connect(self._on_event)

    def start(self, url: str) -> str | None:
        """Open ``url``; the error code when it cannot be opened."""
        self.stop()
        self.url = url
        try:
            dev = open_device(url, on_event=self._event.emit)
            dev.open()
        except (DeviceUrlError, OSError) as exc:
            return str(getattr(exc, "code", "io_error"))
        self.device = dev
        return None

    def stop(self) -> None:
        if self.device is not None:
            self.device.close()
            self.device = None

    def _on_event(self, ev: object) -> None:
        if isinstance(ev, Reading):
            if ev.value is None:
                self.seen.emit("error", f"{ev.status}")
                return
            self.last_value = f"{ev.value}"
            unit = f" {ev.unit}" if ev.unit else ""
            self.seen.emit("ok" if ev.stable else "", f"{ev.value}{unit}")
        elif isinstance(ev, Scan):
            self.seen.emit("ok", ev.text)
        elif isinstance(ev, LinkEvent):
            self.seen.emit("" if str(ev.state) == "up" else "error", f"[{ev.state}]")


def frame_pixmap(image: np.ndarray, width: int) -> QPixmap:
    """A BGR camera frame as a pixmap ``width`` pixels wide."""
    import numpy as np

    rgb = np.ascontiguousarray(image[:, :, ::-1]) if image.ndim == 3 else image
    h, w = rgb.shape[:2]
    fmt = QImage.Format.Format_RGB888 if rgb.ndim == 3 else QImage.Format.Format_Grayscale8
    img = QImage(rgb.data, w, h, rgb.strides[0], fmt).copy()
    return QPixmap.fromImage(img).scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)


class CameraPreview(QLabel):
    """The chosen camera's live picture, refreshed a few times a second from the newest
    frame (frames in between are dropped, as the scanner does)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("cameraPreview")
        # The picture follows the page's width and never widens it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(PREVIEW_HEIGHT)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.source: CameraSource | None = None
        self.frames = 0
        self._seq = -1
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._refresh)

    def start(self, url: str) -> None:
        self.stop()
        from drivers.camera import CameraSource

        self.source = CameraSource(url).start()
        self.timer.start(150)

    def stop(self) -> None:
        self.timer.stop()
        if self.source is not None:
            self.source.stop()
            self.source = None

    def _refresh(self) -> None:
        frame = self.source.latest() if self.source is not None else None
        if frame is None or frame.seq == self._seq:
            return
        self._seq = frame.seq
        self.frames += 1
        pixmap = frame_pixmap(frame.image, max(160, self.width()))
        if pixmap.height() > PREVIEW_HEIGHT:
            pixmap = pixmap.scaledToHeight(
                PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation
            )
        self.setPixmap(pixmap)
