"""Serial transport: open a port found by a locator, read what arrives, write commands.

The locator is called on every (re)connect, so a USB adapter that comes back as
``/dev/ttyUSB1`` is opened under its new name. All pyserial errors become
``TransportError`` with a short code; nothing else leaves this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import serial

from drivers.url import DeviceUrl, DeviceUrlError
from wire.errors import NakamaError


class TransportError(NakamaError):
    """The link is unusable: ``not_found``, ``open_failed``, ``lost``, ``timeout``."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


_PARITY = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


@dataclass(frozen=True)
class SerialSettings:
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1
    rtscts: bool = False
    xonxoff: bool = False
    dtr: bool | None = None  # Sylvac Opto-RS takes its power from DTR/RTS
    rts: bool | None = None

    @classmethod
    def from_url(cls, url: DeviceUrl, base: SerialSettings | None = None) -> SerialSettings:
        b = base or cls()
        parity = (url.get("parity") or b.parity).upper()[:1]
        if parity not in _PARITY:
            raise DeviceUrlError("bad_option", f"parity={parity!r}: use N, E or O")
        bytesize = url.integer("bytesize", b.bytesize)
        stopbits = url.integer("stopbits", b.stopbits)
        if bytesize not in (5, 6, 7, 8) or stopbits not in (1, 2):
            raise DeviceUrlError("bad_option", f"bytesize={bytesize} stopbits={stopbits}")

        def line(name: str, default: bool | None) -> bool | None:
            return default if url.get(name) is None else url.flag(name)

        return cls(
            baudrate=url.integer("baud", b.baudrate),
            bytesize=bytesize,
            parity=parity,
            stopbits=stopbits,
            rtscts=url.flag("rtscts", b.rtscts),
            xonxoff=url.flag("xonxoff", b.xonxoff),
            dtr=line("dtr", b.dtr),
            rts=line("rts", b.rts),
        )


class SerialTransport:
    """One serial port, opened through pyserial. Not thread-safe except ``write``
    against ``read`` (pyserial allows one reader and one writer on POSIX)."""

    def __init__(
        self,
        locate: Callable[[], str | None],
        settings: SerialSettings,
        *,
        read_timeout: float = 0.1,
        serial_factory: Callable[[], serial.Serial] = serial.Serial,
    ) -> None:
        self.locate = locate
        self.settings = settings
        self.read_timeout = read_timeout
        self.serial_factory = serial_factory
        self.port_name: str | None = None
        self._port: serial.Serial | None = None

    def open(self) -> None:
        path = self.locate()
        if path is None:
            raise TransportError("not_found", "device not plugged in")
        s = self.settings
        port = self.serial_factory()
        port.port = path
        port.baudrate = s.baudrate
        port.bytesize = s.bytesize
        port.parity = _PARITY[s.parity]
        port.stopbits = s.stopbits
        port.rtscts = s.rtscts
        port.xonxoff = s.xonxoff
        port.timeout = self.read_timeout
        port.write_timeout = 1.0
        port.exclusive = True
        # Set before open so the lines are right from the first moment: the gauge's
        # interface is powered by them.
        if s.dtr is not None:
            port.dtr = s.dtr
        if s.rts is not None:
            port.rts = s.rts
        try:
            port.open()
            port.reset_input_buffer()
        except (serial.SerialException, OSError, ValueError) as exc:
            raise TransportError("open_failed", f"{path}: {exc}") from None
        self._port = port
        self.port_name = path

    def read(self) -> bytes:
        """What has arrived, waiting at most ``read_timeout`` for the first byte."""
        port = self._port
        if port is None:
            raise TransportError("lost", "not open")
        try:
            data = bytes(port.read(1))
            if data:
                waiting = port.in_waiting
                if waiting:
                    data += bytes(port.read(waiting))
            return data
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            # TypeError/AttributeError: pyserial after a concurrent close (fd is None).
            raise TransportError("lost", str(exc)) from None

    def write(self, data: bytes) -> None:
        port = self._port
        if port is None:
            raise TransportError("lost", "not open")
        try:
            port.write(data)
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            raise TransportError("lost", str(exc)) from None

    def interrupt(self) -> None:
        """Wake a blocked ``read`` so a close does not wait for the timeout."""
        port = self._port
        if port is not None and hasattr(port, "cancel_read"):
            with contextlib.suppress(OSError, AttributeError, TypeError):
                port.cancel_read()

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()
