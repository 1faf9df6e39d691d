"""Camera scanning: decode the newest camera frame in a worker thread, report new codes once."""

from __future__ import annotations

import threading
from collections.abc import Callable

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
    ) -> None:
        self.camera = camera
        self.on_codes = on_codes
        self.pipeline = pipeline or FramePipeline()
        self.recent = RecentCodes(window_s)
        self.last: FrameResult | None = None
        self.frames_decoded = 0
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
            self.last = self.pipeline.decode(frame.image)
            self.frames_decoded += 1
            fresh = self.recent.fresh(self.last.codes)
            if fresh:
                self.on_codes(fresh)
