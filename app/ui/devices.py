"""The bridge from drivers to the GUI thread: device events become Qt signals.

Drivers call back from their own threads; a signal emitted there is queued to this
object's (the GUI) thread, so no widget is ever touched from a device thread. Machine
states are recorded here, in the GUI thread that owns the store session.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from app.core.commands import Actor, Command, Refusal
from app.machines import MachineStateRecorder
from app.store import AppendResult
from app.ui.session import Session
from drivers import Device, DeviceUrlError, LinkEvent, MachineState, Reading, Scan, open_device
from drivers.camera import CameraSource
from drivers.qr.decoders import Code
from drivers.qr.scanner import CameraScanner

log = logging.getLogger(__name__)

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

    def _on_event(self, url: str, ev: object) -> None:
        if isinstance(ev, Reading):
            self.reading.emit(ev, url)
        elif isinstance(ev, Scan):
            self.scanned.emit(ev.text)
        elif isinstance(ev, MachineState):
            self.recorder.handle(ev)
        elif isinstance(ev, LinkEvent):
            self.links[url] = str(ev.state)
            self.link_changed.emit(url, str(ev.state))
