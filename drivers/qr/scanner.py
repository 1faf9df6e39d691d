"""Camera scanning: decode the newest camera frame in a worker thread, report new codes once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import cv2
import numpy as np

from drivers.camera import CameraSource
from drivers.qr.decoders import Code
from drivers.qr.pipeline import FramePipeline, FrameResult, RecentCodes


class CameraScanner:
    """Runs ``FramePipeline`` on the newest frame of a ``CameraSource``.

    ``on_codes`` is called in the decoder thread with the codes not reported within
    ``window_s``; a Qt UI forwards them through a queued signal. Frames that arrive while
    a frame is being decoded are skipped, so the scanner never lags behind the camera.
    """

    def __init__(
        self,
        camera: CameraSource,
        on_codes: Callable[[list[Code]], None],
        *,
        pipeline: FramePipeline | None = None,
        window_s: float = 2.0,
        still_diff: float = 3.0,
        still_recheck_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.camera = camera
        self.on_codes = on_codes
        self.pipeline = pipeline or FramePipeline()
        self.recent = RecentCodes(window_s)
        self.last: FrameResult | None = None
        self.frames_decoded = 0
        self.frames_still = 0  # frames not decoded because nothing moved
        self.still_diff = still_diff
        self.still_recheck_s = still_recheck_s
        self.clock = clock
        self._thumb: np.ndarray | None = None
        self._decoded_at = float("-inf")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> CameraScanner:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="qr-decoder", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        seq = -1
        while not self._stop.is_set():
            frame = self.camera.wait_frame(seq, timeout=0.2)
            if frame is None:
                continue
            seq = frame.seq
            if self._still(frame.image):
                self.frames_still += 1
                continue
            self._decoded_at = self.clock()
            self.last = self.pipeline.decode(frame.image)
            self.frames_decoded += 1
            fresh = self.recent.fresh(self.last.codes)
            if fresh:
                self.on_codes(fresh)

    def _still(self, image: np.ndarray) -> bool:
        """Whether this frame may be left undecoded (see the class docstring)."""
        small = cv2.resize(image, (64, 36), interpolation=cv2.INTER_AREA)
        thumb = (small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)).astype(
            np.int16
        )
        previous = self._thumb
        recent = self.clock() - self._decoded_at < self.still_recheck_s
        half_read = self.last is not None and bool(self.last.unread)
        if (
            previous is not None
            and recent
            and not half_read
            and float(np.abs(thumb - previous).mean()) < self.still_diff
        ):
            return True
        self._thumb = thumb
        return False
