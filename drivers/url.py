"""Device settings as one URL-like string, shared by the shop, the demo and the tests.

``serial:///dev/ttyUSB0?baud=2400&bytesize=7&parity=E&codec=and``
``serial-usb://0FE7:4001/SERIAL?codec=mitutoyo``  (found by VID/PID/serial number)
``modbus-tcp://127.0.0.1:502/1?machine=LATHE1&run=coil:0&counter=hr:10``
``modbus-rtu:///dev/ttyUSB1?unit=1&baud=19200&run=ir:0>150``
``sim://mitutoyo?noise=0.002&unplug_after=30``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from wire.errors import NakamaError

SCHEMES = ("serial", "serial-usb", "modbus-tcp", "modbus-rtu", "sim")


class DeviceUrlError(NakamaError, ValueError):
    """A device setting that cannot be used; ``code`` is stable, ``detail`` says where."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class DeviceUrl:
    scheme: str
    netloc: str
    path: str
    options: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.options.get(name, default)

    def number(self, name: str, default: float) -> float:
        raw = self.options.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = float(raw)
        except ValueError:
            raise DeviceUrlError("bad_option", f"{name}={raw!r} is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise DeviceUrlError("bad_option", f"{name}={raw!r} is not a finite number")
        return value

    def integer(self, name: str, default: int) -> int:
        value = self.number(name, default)
        if value != int(value):
            raise DeviceUrlError("bad_option", f"{name}={value} is not a whole number")
        return int(value)

    def flag(self, name: str, default: bool = False) -> bool:
        raw = self.options.get(name)
        if raw is None:
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise DeviceUrlError("bad_option", f"{name}={raw!r} is not on/off")

    def with_options(self, **extra: str) -> DeviceUrl:
        return DeviceUrl(self.scheme, self.netloc, self.path, {**self.options, **extra}, self.text)


def parse_device_url(text: str) -> DeviceUrl:
    """Split a device setting into scheme, location and options; raise ``DeviceUrlError``."""
    text = text.strip()
    if "://" not in text:
        raise DeviceUrlError("bad_url", f"{text!r} has no scheme (e.g. serial:///dev/ttyUSB0)")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise DeviceUrlError("unknown_scheme", f"{scheme!r} is not one of {', '.join(SCHEMES)}")
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        raise DeviceUrlError("bad_url", f"options {parts.query!r}: {exc}") from None
    return DeviceUrl(scheme, unquote(parts.netloc), unquote(parts.path), dict(pairs), text)
