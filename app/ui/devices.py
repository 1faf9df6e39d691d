"""The bridge from drivers to the GUI thread: device events become Qt signals.

Drivers call back from their own threads; a signal emitted there is queued to this
object's (the GUI) thread, so no widget is ever touched from a device thread. Machine
states are recorded here, in the GUI thread that owns the store session.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.core.commands import Actor, Command, Refusal
from app.machines import MachineStateRecorder
from app.store import AppendResult
from app.ui.session import Session
from drivers import (
    Device,
    DeviceUrlError,
    LinkEvent,
    MachineState,
    Reading,
    Scan,
    open_device,
    parse_device_url,
)

if TYPE_CHECKING:  # OpenCV (a fifth of a second) is imported when a camera is started
    from drivers.camera import CameraSource
    from drivers.qr.decoders import Code
    from drivers.qr.scanner import CameraScanner

log = logging.getLogger(__name__)

# How late a streaming gauge's next frame may be before it counts as silent (応答なし),
# on top of its own period: a frame or two lost to noise is not yet a dead gauge.
SILENCE_MARGIN_S = 1.0
# Gauge health, as the measure dialog shows it.
GAUGE_UP, GAUGE_UNPLUGGED, GAUGE_SILENT, GAUGE_WAITING = "up", "unplugged", "silent", "waiting"

DEMO_DEVICES = [
    "sim://mitutoyo?rate=2&value=12.003&noise=0.002&decimals=3",
    "sim://machine?cycle=4",
]


class TerminalRecorder:
    """What the terminal records by itself (machine signals): this firm, no operator, so
    a machine's cycles are never put down to whoever happens to be signed in."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def actor(self) -> Actor:
        return self.session.store.actor

    def record(self, cmd: Command | Refusal) -> AppendResult:
        return self.session.record(cmd)


class DeviceHub(QObject):
    """Opens every configured device and re-emits what they report in the GUI thread."""

    _event = Signal(str, object)  # url, DeviceEvent: crosses from device threads
    reading = Signal(object, str)  # Reading, url
    scanned = Signal(str)
    link_changed = Signal(str, str)  # url, state
    failed = Signal(str, str)  # url, message code

    def __init__(self, session: Session, urls: list[str], camera: str = "") -> None:
        super().__init__()
        self.session = session
        self.urls = list(urls)
        self.camera_url = camera
        self.camera: CameraSource | None = None
        self.camera_scanner: CameraScanner | None = None
        self.devices: dict[str, Device] = {}
        self.links: dict[str, str] = {}
        self.heard: dict[str, float] = {}  # url -> monotonic time of its last frame or link-up
        self.recorder = MachineStateRecorder(TerminalRecorder(session))
        self._event.connect(self._on_event)

    def start(self) -> None:
        for url in self.urls:
            try:
                dev = open_device(url, on_event=lambda ev, u=url: self._event.emit(u, ev))
                dev.open()
            except (DeviceUrlError, OSError) as exc:
                log.warning("device %s not opened: %s", url, exc)
                self.links[url] = "failed"
                self.failed.emit(url, getattr(exc, "code", "io_error"))
                continue
            self.devices[url] = dev
            self.links[url] = "opening"

        if self.camera_url:
            from drivers.camera import CameraSource
            from drivers.qr.scanner import CameraScanner

            # Codes are found in the decoder thread; the signal hops to the GUI thread.
            self.camera = CameraSource(self.camera_url).start()

            def found(codes: list[Code]) -> None:
                for c in codes:
                    self._event.emit("camera", Scan(c.text, b""))

            self.camera_scanner = CameraScanner(self.camera, found).start()
            self.links["camera"] = "up"

    def stop(self) -> None:
        for dev in self.devices.values():
            dev.close()
        self.devices.clear()
        if self.camera_scanner is not None:
            self.camera_scanner.stop()
        if self.camera is not None:
            self.camera.stop()

    def gauges(self) -> list[str]:
        """Devices that measure: a serial codec other than a code scanner's."""
        out = []
        for url, dev in self.devices.items():
            codec = getattr(dev.session, "codec", None)
            if codec is not None and getattr(codec, "name", "scanner") != "scanner":
                out.append(url)
        return out

    def trigger(self) -> None:
        """Ask every gauge for a reading (for gauges that only answer when asked)."""
        for url in self.gauges():
            self.devices[url].trigger()

    def stream_period(self, url: str) -> float | None:
        """Seconds between the frames of a gauge that streams its display, or None for one
        that sends only when its DATA button is pressed or when asked (a Mitutoyo USB-ITN).
        A simulator streams at ``rate`` (default 2/s); a real device is taken to stream
        only when its URL says ``stream=SECONDS``."""
        try:
            u = parse_device_url(url)
            if u.scheme == "sim":
                rate = u.number("rate", 2.0)
                return 1.0 / rate if rate > 0 else None
            period = u.number("stream", 0.0)
        except DeviceUrlError:
            return None
        return period if period > 0 else None

    def gauge_health(self, url: str, now: float | None = None) -> str:
        """``up``; ``unplugged`` (the link is down: cable out, port gone); ``silent`` (a
        streaming gauge sent nothing for its period plus a margin); ``waiting`` (opening)."""
        link = self.links.get(url, "")
        if link in ("", "opening"):
            return GAUGE_WAITING
        if link != "up":
            return GAUGE_UNPLUGGED
        period = self.stream_period(url)
        if period is not None:
            age = (time.monotonic() if now is None else now) - self.heard.get(url, 0.0)
            if age > period + SILENCE_MARGIN_S:
                return GAUGE_SILENT
        return GAUGE_UP

    def _on_event(self, url: str, ev: object) -> None:
        if isinstance(ev, Reading):
            self.heard[url] = time.monotonic()
            self.reading.emit(ev, url)
        elif isinstance(ev, Scan):
            self.scanned.emit(ev.text)
        elif isinstance(ev, MachineState):
            self.recorder.handle(ev)
        elif isinstance(ev, LinkEvent):
            if str(ev.state) == "up":
                self.heard[url] = time.monotonic()  # its silence is counted from here
            self.links[url] = str(ev.state)
            self.link_changed.emit(url, str(ev.state))
