"""Camera source: OpenCV capture in a worker thread that keeps only the latest frame.

Opened from a URL, so the shop, the demo and the tests run the same worker code and only
the capture object differs:

* ``0`` / ``camera://0`` — a USB webcam through ``cv2.VideoCapture``;
* ``path/to/video.avi`` — a recorded video, played at its own frame rate, looping
  (Motion-JPEG AVI, which OpenCV reads by itself; the release bundle's OpenCV carries no
  FFmpeg, so an MP4 opens only with PyPI's OpenCV, as in a source checkout);
* ``sim://camera?images=DIR&fps=15`` — the images of a folder, in name order, looping;
* ``sim://camera?synth=multi&fps=15`` — synthetic traveler photographs (``drivers.qr.synth``).

Simulator options: ``fps`` (default 15), ``loop`` (1), ``width``/``height`` (1280×720, for
``synth``), ``unplug_after=N`` (the camera vanishes after N frames) and ``away_s`` (how
long it stays away, 1.0 s). When a camera vanishes (``read`` fails a few times), the
worker releases it and opens it again every ``retry_s`` until it is back.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlparse

import cv2
import numpy as np

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp"}


class Capture(Protocol):
    """What the worker needs from ``cv2.VideoCapture``."""

    def isOpened(self) -> bool: ...
    def read(self) -> tuple[bool, np.ndarray | None]: ...
    def release(self) -> None: ...


@dataclass(frozen=True)
class Frame:
    """One captured frame: a running number, the monotonic time it arrived, the BGR image."""

    seq: int
    t: float
    image: np.ndarray


class SimulatedDevice:
    """A fake camera that outlives its openings, so it can vanish and come back."""

    def __init__(
        self,
        frames: Callable[[int], np.ndarray | None],
        fps: float,
        count: int,
        loop: bool = True,
        unplug_after: int = 0,
        away_s: float = 1.0,
    ) -> None:
        self.frames, self.fps, self.count, self.loop = frames, fps, count, loop
        self.unplug_after, self.away_s = unplug_after, away_s
        self.served = 0
        self.unplugged_at: float | None = None
        self.lock = threading.Lock()

    def present(self) -> bool:
        with self.lock:
            if self.unplugged_at is None:
                return True
            if time.monotonic() - self.unplugged_at >= self.away_s:
                self.unplugged_at = None
                self.unplug_after = 0  # it was plugged back in; it stays
                return True
            return False

    def next_frame(self) -> np.ndarray | None:
        with self.lock:
            if self.unplugged_at is not None:
                return None
            if self.unplug_after and self.served >= self.unplug_after:
                self.unplugged_at = time.monotonic()
                return None
            i = self.served
            self.served += 1
        if self.count and not self.loop and i >= self.count:
            return None
        return self.frames(i % self.count if self.count else i)


class SimulatedCapture:
    """One opening of a ``SimulatedDevice``, paced at the device's frame rate."""

    def __init__(self, device: SimulatedDevice) -> None:
        self.device = device
        self.open = device.present()
        self._next_t = time.monotonic()

    def isOpened(self) -> bool:
        return self.open

    def read(self) -> tuple[bool, np.ndarray | None]:
        if not self.open:
            return False, None
        delay = self._next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next_t = max(self._next_t + 1 / self.device.fps, time.monotonic())
        img = self.device.next_frame()
        if img is None:
            self.open = False
            return False, None
        return True, img

    def release(self) -> None:
        self.open = False


class PacedVideo:
    """A video file read at its own frame rate (a file is read as fast as the disk allows)."""

    def __init__(self, path: str, loop: bool = True) -> None:
        self.cap = cv2.VideoCapture(path)
        self.loop = loop
        self.period = 1 / (self.cap.get(cv2.CAP_PROP_FPS) or 15.0)
        self._next_t = time.monotonic()

    def isOpened(self) -> bool:
        return bool(self.cap.isOpened())

    def read(self) -> tuple[bool, np.ndarray | None]:
        delay = self._next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next_t = max(self._next_t + self.period, time.monotonic())
        ok, img = self.cap.read()
        if not ok and self.loop:
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, img = self.cap.read()
        return bool(ok), img

    def release(self) -> None:
        self.cap.release()


_devices: dict[str, SimulatedDevice] = {}
_devices_lock = threading.Lock()


def simulated_device(url: str) -> SimulatedDevice:
    """The simulated camera for a ``sim://camera?…`` URL (one per URL, like a real device)."""
    with _devices_lock:
        if url not in _devices:
            _devices[url] = _make_device(url)
        return _devices[url]


def _make_device(url: str) -> SimulatedDevice:
    q = {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}
    fps = float(q.get("fps", 15))
    loop = q.get("loop", "1") != "0"
    unplug_after = int(q.get("unplug_after", 0))
    away_s = float(q.get("away_s", 1.0))
    if "images" in q:
        files = sorted(p for p in Path(q["images"]).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise ValueError(f"no images in {q['images']}")
        # Each frame is decoded when it is due, as a webcam's MJPEG is. The last 32 files'
        # bytes are kept (a short loop is not read again and again); no more, so the
        # simulator's memory is not counted as the app's (a minute's frames would hold
        # about 90 MB of JPEG; decoded pictures, gigabytes).
        read = functools.lru_cache(maxsize=32)(lambda i: np.fromfile(files[i], np.uint8))

        def from_files(i: int) -> np.ndarray | None:
            return cv2.imdecode(read(i), cv2.IMREAD_COLOR)

        return SimulatedDevice(from_files, fps, len(files), loop, unplug_after, away_s)
    from drivers.qr.synth import CATEGORIES, make_frame

    category = q.get("synth", "clean")
    if category not in CATEGORIES:
        raise ValueError(f"unknown synth category {category!r}; one of {', '.join(CATEGORIES)}")
    size = (int(q.get("width", 1280)), int(q.get("height", 720)))
    # A sheet stays in view for a second or so, as when an operator holds it up.
    hold = max(1, int(fps))

    def synthetic(i: int) -> np.ndarray:
        return make_frame(i // hold, category, size).image

    return SimulatedDevice(synthetic, fps, 0, loop, unplug_after, away_s)


def open_capture(url: str) -> Capture:
    """A capture object for a camera URL (see the module docstring)."""
    if url.startswith("sim://"):
        return SimulatedCapture(simulated_device(url))
    if url.startswith("camera://"):
        url = url.removeprefix("camera://")
    if url.isdigit():
        cap = cv2.VideoCapture(int(url))
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # a stale frame queued in the driver is useless
        return cap
    return PacedVideo(url.removeprefix("file://"))


class CameraSource:
    """Reads a camera in a worker thread; ``latest()`` always gives the newest frame.

    Frames the consumer did not take are dropped, never queued: a decoder that falls
    behind must see where the sheet is now. ``on_frame`` (optional) is called in the
    worker thread for every frame; a UI must hop to its own thread before touching widgets.
    """

    def __init__(
        self,
        url: str,
        *,
        on_frame: Callable[[Frame], None] | None = None,
        opener: Callable[[str], Capture] = open_capture,
        retry_s: float = 0.5,
        failures_before_reopen: int = 3,
    ) -> None:
        self.url = url
        self.on_frame = on_frame
        self.opener = opener
        self.retry_s = retry_s
        self.failures_before_reopen = failures_before_reopen
        self.state = "stopped"  # stopped | opening | running | lost
        self.reopens = 0
        self._frame: Frame | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> CameraSource:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.state = "stopped"

    def latest(self) -> Frame | None:
        with self._cond:
            return self._frame

    def wait_frame(self, after_seq: int = -1, timeout: float | None = None) -> Frame | None:
        """The newest frame once one newer than ``after_seq`` has arrived (None on timeout)."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._frame is not None and self._frame.seq > after_seq, timeout
            )
            f = self._frame
            return f if f is not None and f.seq > after_seq else None

    def _publish(self, image: np.ndarray) -> None:
        with self._cond:
            seq = self._frame.seq + 1 if self._frame else 0
            self._frame = Frame(seq, time.monotonic(), image)
            frame = self._frame
            self._cond.notify_all()
        if self.on_frame is not None:
            self.on_frame(frame)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.state = "opening"
            try:
                cap = self.opener(self.url)
            except (OSError, ValueError, cv2.error):
                cap = None
            if cap is None or not cap.isOpened():
                self.state = "lost"
                self._stop.wait(self.retry_s)
                continue
            self.state = "running"
            failures = 0
            while not self._stop.is_set() and failures < self.failures_before_reopen:
                ok, image = cap.read()
                if ok and image is not None:
                    failures = 0
                    self._publish(image)
                else:
                    failures += 1
            cap.release()
            if not self._stop.is_set():
                self.state = "lost"
                self.reopens += 1
                self._stop.wait(self.retry_s)


def encode_jpeg(image: np.ndarray, *, max_side: int = 1600, quality: int = 85) -> bytes:
    """A frame as a JPEG photo (a defect photo): at most ``max_side`` pixels on its long
    side, so a week of photos fits the hub's quota and a slow line uploads it."""
    h, w = image.shape[:2]
    if max(h, w) > max_side:
        f = max_side / max(h, w)
        image = cv2.resize(image, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("frame could not be encoded")
    return buf.tobytes()
