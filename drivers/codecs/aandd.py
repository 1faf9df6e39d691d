"""A&D balances (FX-i, GX, EK-i, HR…): 2400 7E1, CRLF, A&D standard format.

``ST,+00123.45  g``: a two-letter header, a comma, nine characters of signed data and
three of unit. ``ST`` stable, ``US`` unstable, ``QT`` counting (pieces), ``OL``
overload (data ``+9999999E+19``, never a value). ``EC,E01`` is an error code; a
command is acknowledged by ``<AK>`` (06h) and refused with ``<NAK>`` (15h) when the
balance is set to AK mode. Commands: ``Q`` send now, ``S`` send when stable,
``R`` re-zero, ``T`` tare.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from drivers.codecs.base import LineCodec, invalid, parse_decimal, value_reading
from drivers.readings import Ack, DeviceEvent, Reading, Status

_FRAME = re.compile(r"(ST|US|QT),(.{1,10}?)\s*([A-Za-z%$]{0,3})\s*")
_ERROR = re.compile(r"EC,(E\d\d)\s*")
_UNITS = {"PC": "pcs", "%": "%", "MO": "mom", "mo": "mom"}  # mo: 匁 (momme)


class AndCodec(LineCodec):
    name = "and"
    default_commands: ClassVar[Mapping[str, bytes]] = {
        "read": b"Q\r\n",
        "read_stable": b"S\r\n",
        "zero": b"R\r\n",
        "tare": b"T\r\n",
    }

    def decode(self, text: str, raw: bytes, at: float) -> DeviceEvent | None:
        if text in ("\x06", "\x06 "):
            return Ack(True, raw, at=at)
        if text.startswith("\x15"):
            return Ack(False, raw, code="nak", at=at)
        m = _ERROR.fullmatch(text)
        if m:
            return Reading(Status.ERROR, raw, code=m.group(1), at=at)
        if text.startswith("OL,"):
            under = text[3:].strip().startswith("-")
            return Reading(Status.UNDERLOAD if under else Status.OVERLOAD, raw, at=at)
        m = _FRAME.fullmatch(text)
        if not m:
            return None
        header, data, unit_text = m.groups()
        unit = _UNITS.get(unit_text, unit_text) or None
        if "E" in data.upper():
            # An exponent is how the balance writes over/underload; never a reading.
            return Reading(Status.OVERLOAD, raw, unit=unit, at=at)
        value = parse_decimal(data)
        if value is None:
            if set(data.strip(" +-")) <= {"-"}:
                return Reading(Status.NO_VALUE, raw, unit=unit, at=at)
            return invalid(raw, at)
        return value_reading(value, unit, header in ("ST", "QT"), raw, at)
