"""Sylvac gauges through the Opto-RS cable: 4800 baud, 7 data bits, even parity,
2 stop bits; the cable is powered from the PC's DTR (and RTS) line.

Data ``+012.345`` + CR (sign ``+``, ``-`` or space); errors ``ERR0`` sensor,
``ERR1`` bad command, ``ERR2`` parity, ``ERR3`` out of range (overload); ``SY…`` is
the identification sent at switch-on. ``?`` + CR requests a value. The unit is not
sent: ``unit=auto`` takes 4–5 decimals as inch (see the Mitutoyo codec).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from drivers.codecs.base import LineCodec, invalid, parse_decimal, value_reading
from drivers.codecs.mitutoyo import unit_for
from drivers.readings import DeviceEvent, Reading, Status

_DATA = re.compile(r"([+\- ]?)\s*([0-9]*\.?[0-9]+)\s*")
_ERROR = re.compile(r"ERR\s*(\d)\s*")


class SylvacCodec(LineCodec):
    name = "sylvac"
    default_commands: ClassVar[Mapping[str, bytes]] = {
        "read": b"?\r",
        "zero": b"SET\r",
        "mm": b"MM\r",
        "inch": b"IN\r",
    }

    def __init__(self, *, unit: str = "auto", max_len: int = 64) -> None:
        super().__init__(max_len=max_len)
        self.unit = unit
        self.identity: str | None = None

    def decode(self, text: str, raw: bytes, at: float) -> DeviceEvent | None:
        m = _ERROR.fullmatch(text)
        if m:
            code = f"ERR{m.group(1)}"
            status = Status.OVERLOAD if code == "ERR3" else Status.ERROR
            return Reading(status, raw, code=code, at=at)
        if text.startswith("SY"):
            self.identity = text.strip()
            return Reading(Status.NO_VALUE, raw, code="identification", at=at)
        if text.strip() and set(text.strip(" +-")) <= {"-"}:
            return Reading(Status.NO_VALUE, raw, at=at)
        m = _DATA.fullmatch(text)
        if not m:
            return None
        value = parse_decimal(("-" if m.group(1) == "-" else "") + m.group(2))
        if value is None:
            return invalid(raw, at)
        return value_reading(value, unit_for(m.group(2), self.unit), True, raw, at)
