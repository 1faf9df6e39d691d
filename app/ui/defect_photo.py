"""Photos of a defect, taken with the terminal's camera while the defect is recorded.

The camera is the one that scans travelers: this dialog only copies its newest frame
(``CameraSource.latest``), so the scanner keeps reading behind it, and a code it sees
while the dialog is open is handled like any scan behind a dialog (refused here, a
traveler kept for afterwards; see ``app/ui/scan.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.ui.text import tr
from app.ui.widgets import BigButton, restyle
from app.ui.zoom_view import ViewerDialog
from wire.events import MAX_PHOTOS

if TYPE_CHECKING:  # NumPy and OpenCV load with the camera, not with the job screen
    import numpy as np

PREVIEW_MS = 100  # the live picture at 10 frames a second: enough to aim, cheap to draw
THUMB = QSize(128, 96)


def frame_image(image: np.ndarray) -> QImage:
    """A BGR camera frame as a QImage (copied: the frame's buffer is the camera's)."""
    import numpy as np

    h, w = image.shape[:2]
    data = np.ascontiguousarray(image)
    return QImage(data.data, w, h, data.strides[0], QImage.Format.Format_BGR888).copy()


def jpeg_image(data: bytes) -> QImage:
    img = QImage()
    img.loadFromData(data, "JPEG")
    return img


class DefectPhotoDialog(QDialog):
    """The live picture, a big 撮影 button, the photos taken so far (tap: full size), and
    記録 (with or without photos). ``photos`` holds the JPEGs taken."""

    def __init__(self, title: str, camera: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("defectPhotoDialog")
        self.setWindowTitle(title)
        self.camera = camera
        self.photos: list[bytes] = []
        self._last_seq = -1
        self._frame: QPixmap | None = None
        heading = QLabel(tr("Photo of the defect: {0}").format(title))
        heading.setObjectName("dialogTitle")
        heading.setWordWrap(True)
        self.preview = QLabel()
        self.preview.setObjectName("cameraPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(320, 180)
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.thumbs = QHBoxLayout()
        self.thumbs.addStretch(1)
        self.shoot = BigButton(tr("Take photo"), "primary")
        self.shoot.setObjectName("takePhoto")
        self.shoot.clicked.connect(self.take)
        self.save = BigButton("")
        self.save.setObjectName("recordDefect")
        self.save.clicked.connect(self.accept)
        cancel = BigButton(tr("Close"))
        cancel.setObjectName("cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.shoot)
        buttons.addWidget(self.save)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.status)
        lay.addLayout(self.thumbs)
        lay.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh_preview)
        self.timer.start(PREVIEW_MS)
        if parent is not None:
            self.resize(parent.window().size() * 0.9)
        self._update()
        self.refresh_preview()

    def refresh_preview(self) -> None:
        frame = self.camera.latest() if self.camera is not None else None
        if frame is None:
            self.preview.setText(
                tr("No camera is set on this terminal.")
                if self.camera is None
                else tr("Waiting for the camera…")
            )
            return
        if frame.seq == self._last_seq:
            return
        self._last_seq = frame.seq
        self._frame = QPixmap.fromImage(frame_image(frame.image))
        self._show_frame()

    def _show_frame(self) -> None:
        if self._frame is not None:
            self.preview.setPixmap(
                self._frame.scaled(
                    self.preview.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                )
            )

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._show_frame()

    def take(self) -> bytes | None:
        """Copy the camera's newest frame as a photo; None when there is no picture."""
        frame = self.camera.latest() if self.camera is not None else None
        if frame is None or len(self.photos) >= MAX_PHOTOS:
            return None
        from drivers.camera import encode_jpeg

        data = encode_jpeg(frame.image)
        self.photos.append(data)
        b = BigButton("")
        b.setObjectName(f"thumb_{len(self.photos) - 1}")
        b.setIcon(QIcon(QPixmap.fromImage(jpeg_image(data))))
        b.setIconSize(THUMB)
        b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        b.setFixedSize(THUMB + QSize(16, 16))
        b.clicked.connect(lambda _=False, d=data: self.view(d))
        self.thumbs.insertWidget(self.thumbs.count() - 1, b)
        self._update()
        return data

    def view(self, data: bytes) -> None:
        ViewerDialog(tr("Photo"), [jpeg_image(data)], parent=self).exec()

    def _update(self) -> None:
        n = len(self.photos)
        self.save.setText(
            tr("Record with photos ({0})").format(n) if n else tr("Record without a photo")
        )
        # The next likely tap is the green one: take the first photo, then record.
        restyle(self.save, "role", "primary" if n else "normal")
        restyle(self.shoot, "role", "normal" if n else "primary")
        self.shoot.setEnabled(self.camera is not None and n < MAX_PHOTOS)
        self.status.setText(
            tr("{0} of {1} photos. Tap a photo to see it full size.").format(n, MAX_PHOTOS)
            if n
            else tr("Point the camera at the defect and tap “Take photo”.")
        )

    def done(self, result: int) -> None:
        self.timer.stop()
        super().done(result)
