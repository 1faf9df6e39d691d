"""Serial port discovery: list ports with their USB identity, find one again by
VID/PID/serial number after an unplug, and notice hot-plug.

Enumeration goes through one small function (``Enumerator``) so tests and the
simulators can substitute a list that points at pseudo-terminals; the default merges
pyserial's ``list_ports`` with ports the in-process simulators have plugged in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from serial.tools import list_ports as _pyserial_ports


@dataclass(frozen=True)
class PortInfo:
    device: str
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None
    description: str = ""
    manufacturer: str | None = None
    simulated: bool = False

    @property
    def usb_id(self) -> str | None:
        if self.vid is None or self.pid is None:
            return None
        return f"{self.vid:04X}:{self.pid:04X}"

    def url(self) -> str:
        """The setting that finds this port again whatever its name becomes."""
        if self.usb_id is None:
            return f"serial://{self.device}"
        serial = f"/{self.serial_number}" if self.serial_number else ""
        return f"serial-usb://{self.usb_id}{serial}"

    def as_json(self) -> dict[str, object]:
        return {
            "device": self.device,
            "vid": f"{self.vid:04X}" if self.vid is not None else None,
            "pid": f"{self.pid:04X}" if self.pid is not None else None,
            "serial_number": self.serial_number,
            "description": self.description,
            "manufacturer": self.manufacturer,
            "simulated": self.simulated,
            "url": self.url(),
        }


log = logging.getLogger(__name__)

Enumerator = Callable[[], list[PortInfo]]

_sim_lock = threading.Lock()
_sim_ports: dict[str, PortInfo] = {}


def register_sim_port(info: PortInfo) -> None:
    """A simulator plugged a port in (called by ``drivers.sim``)."""
    with _sim_lock:
        _sim_ports[info.device] = info


def unregister_sim_port(device: str) -> None:
    with _sim_lock:
        _sim_ports.pop(device, None)


def system_ports() -> list[PortInfo]:
    """The machine's serial ports as pyserial sees them."""
    return [
        PortInfo(
            device=p.device,
            vid=p.vid,
            pid=p.pid,
            serial_number=p.serial_number,
            description=p.description or "",
            manufacturer=p.manufacturer,
        )
        for p in _pyserial_ports.comports()
    ]


def list_ports() -> list[PortInfo]:
    """Real ports, then those of simulators running in this process."""
    with _sim_lock:
        sims = list(_sim_ports.values())
    return system_ports() + sims


def parse_usb_id(text: str) -> tuple[int, int]:
    """``"0FE7:4001"`` → ``(0x0FE7, 0x4001)``; raises ValueError."""
    vid, _, pid = text.partition(":")
    return int(vid, 16), int(pid, 16)


def find_usb_port(
    vid: int, pid: int, serial_number: str | None, enumerate: Enumerator = list_ports
) -> PortInfo | None:
    """The port of the USB device with this identity, under whatever name it has now."""
    for port in enumerate():
        if port.vid != vid or port.pid != pid:
            continue
        if serial_number and (port.serial_number or "").lower() != serial_number.lower():
            continue
        return port
    return None


class HotplugWatcher:
    """Calls ``on_change(added, removed)`` from its own thread when ports come or go.

    Polls every ``interval`` seconds (0.5 by default, so a change is seen within 2 s);
    enumerating ``/sys/class/tty`` costs about a millisecond.
    """

    def __init__(
        self,
        on_change: Callable[[list[PortInfo], list[PortInfo]], None],
        *,
        enumerate: Enumerator = list_ports,
        interval: float = 0.5,
    ) -> None:
        self.on_change = on_change
        self.enumerate = enumerate
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.known: dict[str, PortInfo] = {}

    def start(self) -> None:
        self.known = {p.device: p for p in self._safe_enumerate()}
        self._thread = threading.Thread(target=self._run, name="hotplug", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * self.interval + 1)

    def _safe_enumerate(self) -> list[PortInfo]:
        try:
            return self.enumerate()
        except OSError:
            return list(self.known.values())

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            now = {p.device: p for p in self._safe_enumerate()}
            added = [p for d, p in now.items() if self.known.get(d) != p]
            removed = [p for d, p in self.known.items() if d not in now]
            self.known = now
            if added or removed:
                try:
                    self.on_change(added, removed)
                except Exception:  # a consumer's bug must not stop discovery
                    log.exception("hot-plug callback failed")
