"""``open_device(url)``: the one interface every device shares.

    dev = open_device("serial-usb://0FE7:4001/12345?codec=mitutoyo", on_event=print)
    dev.open()            # returns at once; the device thread connects and reconnects
    dev.trigger()         # ask for a reading: "sent" | "not_connected" | "unsupported"
    ev = dev.get(1.0)     # next Reading / Scan / MachineState / Ack / Fault / LinkEvent
    dev.close()           # idempotent, returns within ~0.5 s

Events go to ``on_event`` (called in the device thread: keep it short, e.g. emit a Qt
signal) and to a bounded, thread-safe queue; when nobody drains the queue the oldest
events are dropped, never the device thread blocked.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from typing import Any

from drivers.codecs import make_codec
from drivers.ports import Enumerator, find_usb_port, list_ports, parse_usb_id
from drivers.readings import DeviceEvent, Link, LinkEvent
from drivers.supervisor import Backoff, SerialSession, Session, Supervisor
from drivers.transport import SerialSettings, SerialTransport
from drivers.url import DeviceUrl, DeviceUrlError, parse_device_url

# Line settings each family ships with; any of them can be overridden in the URL.
SERIAL_DEFAULTS: dict[str, SerialSettings] = {
    "mitutoyo": SerialSettings(9600, 8, "N", 1),
    "and": SerialSettings(2400, 7, "E", 1),
    "shimadzu": SerialSettings(1200, 8, "N", 1),
    "sylvac": SerialSettings(4800, 7, "E", 2, dtr=True, rts=False),
    "scanner": SerialSettings(9600, 8, "N", 1),
    "line": SerialSettings(9600, 8, "N", 1),
}


def usb_locator(url: DeviceUrl, enumerate: Enumerator) -> Callable[[], str | None]:
    try:
        vid, pid = parse_usb_id(url.netloc)
    except ValueError:
        raise DeviceUrlError("bad_url", f"{url.netloc!r} is not VID:PID in hex") from None
    serial_number = url.path.strip("/") or None

    def locate() -> str | None:
        port = find_usb_port(vid, pid, serial_number, enumerate)
        return port.device if port else None

    return locate


class Device:
    """A device opened from a URL; see the module docstring."""

    def __init__(
        self,
        url: str | DeviceUrl,
        *,
        on_event: Callable[[DeviceEvent], None] | None = None,
        queue_size: int = 1000,
        enumerate: Enumerator | None = None,
        backoff: Backoff | None = None,
        read_timeout: float = 0.1,
    ) -> None:
        self.url = url if isinstance(url, DeviceUrl) else parse_device_url(url)
        self.on_event = on_event
        self.events: queue.Queue[DeviceEvent] = queue.Queue(maxsize=queue_size)
        self.dropped = 0
        self.enumerate = enumerate or list_ports
        self.backoff = backoff
        self.read_timeout = read_timeout
        self.simulator: Any = None  # GaugeSimulator / MachineSimulator for sim:// URLs
        self._supervisor: Supervisor | None = None
        self.session: Session = self._build_session()

    # ---- construction ----------------------------------------------------------------
    def _build_session(self) -> Session:
        u = self.url
        if u.scheme in ("modbus-tcp", "modbus-rtu"):
            from drivers.modbus import ModbusSession

            return ModbusSession.from_url(u)
        if u.scheme == "sim":
            return self._build_sim_session()
        codec = make_codec(u)
        settings = SerialSettings.from_url(u, SERIAL_DEFAULTS.get(codec.name))
        if u.scheme == "serial":
            path = u.path or u.netloc
            if not path:
                raise DeviceUrlError("bad_url", "serial:///dev/ttyUSB0 needs a port path")

            def locate() -> str | None:
                return path

        else:
            locate = usb_locator(u, self.enumerate)
        transport = SerialTransport(locate, settings, read_timeout=self.read_timeout)
        return SerialSession(transport, codec)

    def _build_sim_session(self) -> Session:
        u = self.url
        if u.netloc.lower() == "machine":
            from drivers.modbus import ModbusSession
            from drivers.sim.machine import MachineSimulator

            machine = MachineSimulator.from_url(u)
            self.simulator = machine
            return ModbusSession.from_url(machine.client_url(u))
        from drivers.sim.gauges import GaugeSimulator, SimSettings

        sim = GaugeSimulator(SimSettings.from_url(u))
        self.simulator = sim
        # The simulated adapter is found like a real one: by VID/PID/serial number.
        port = sim.port
        real = u.with_options(codec=u.get("codec") or sim.s.kind)
        real = DeviceUrl(
            "serial-usb",
            f"{port.vid:04X}:{port.pid:04X}",
            f"/{port.serial_number}",
            real.options,
            real.text,
        )
        codec = make_codec(real)
        settings = SerialSettings.from_url(real, SERIAL_DEFAULTS.get(codec.name))
        transport = SerialTransport(
            usb_locator(real, self.enumerate), settings, read_timeout=self.read_timeout
        )
        return SerialSession(transport, codec)

    # ---- the interface -------------------------------------------------------------
    def _sink(self, ev: DeviceEvent) -> None:
        while True:
            try:
                self.events.put_nowait(ev)
                break
            except queue.Full:
                try:
                    self.events.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass
        if self.on_event is not None:
            self.on_event(ev)

    def open(self) -> None:
        """Start the device thread (and its simulator); returns at once."""
        if self._supervisor is not None:
            return
        if self.simulator is not None:
            self.simulator.start()
        self._supervisor = Supervisor(
            self.session, self._sink, backoff=self.backoff, name=self.url.scheme
        )
        self._supervisor.start()

    def close(self, timeout: float = 2.0) -> bool:
        """Stop reading and release the port; safe to call twice. True if it stopped
        within ``timeout``."""
        sup, self._supervisor = self._supervisor, None
        ok = sup.stop(timeout) if sup is not None else True
        if self.simulator is not None:
            self.simulator.stop()
        return ok

    @property
    def link(self) -> Link:
        return self._supervisor.state if self._supervisor else Link.CLOSED

    def trigger(self) -> str:
        """Request a reading now (if the device takes requests)."""
        return self.command("read")

    def command(self, name: str) -> str:
        """Send ``read``, ``zero``, ``tare``… once, now; never queued for a reconnect."""
        if self._supervisor is None:
            return "not_connected"
        return self._supervisor.send(name)

    def get(self, timeout: float | None = None) -> DeviceEvent | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def iter_events(self, *, seconds: float | None = None) -> Iterator[DeviceEvent]:
        """Events as they come, until ``seconds`` have passed (forever if None)."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return
            ev = self.get(0.2 if left is None else min(left, 0.2))
            if ev is not None:
                yield ev

    def __enter__(self) -> Device:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_device(url: str, **kwargs: Any) -> Device:
    """A ``Device`` for ``url`` (not yet started: call ``open()`` or use ``with``)."""
    return Device(url, **kwargs)


def wait_for_link(dev: Device, state: Link, timeout: float) -> LinkEvent | None:
    """Drain events until a link event with ``state`` (tests and the CLI use this)."""
    for ev in dev.iter_events(seconds=timeout):
        if isinstance(ev, LinkEvent) and ev.state is state:
            return ev
    return None
