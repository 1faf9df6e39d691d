"""Mitutoyo Digimatic via USB-ITN / DP-1VA / MUX: ``01A+0000.123`` + CR, 9600 8N1.

``01`` is the channel, ``A`` marks normal data, then sign and value. A frame
starting with ``9`` is an error report (``91…``: channel 1 could not be read). The
frame carries no unit: mm gauges resolve to 0.01/0.001 mm (2–3 decimals) and inch
gauges to 0.0005/0.00005 in (4–5 decimals), so ``unit=auto`` tells them apart by the
number of decimals; set ``unit=mm`` for a 0.0001 mm gauge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from drivers.codecs.base import LineCodec, decimals, invalid, parse_decimal, value_reading
from drivers.readings import DeviceEvent, Reading, Status

_DATA = re.compile(r"(\d{2})A([+-]?)\s*([0-9.]+)")
_BLANK = re.compile(r"(\d{2})A[+-]?\s*-+")


def unit_for(value_text: str, unit: str) -> str:
    """``mm`` or ``in``: fixed by the setting, or guessed from the resolution."""
    if unit != "auto":
        return unit
    return "in" if decimals(value_text) >= 4 else "mm"


class MitutoyoCodec(LineCodec):
    name = "mitutoyo"
    # Data request of the USB-ITN / DP-1VA ("1" + CR); change it with request=.
    default_commands: ClassVar[Mapping[str, bytes]] = {"read": b"1\r"}

    def __init__(self, *, unit: str = "auto", max_len: int = 64) -> None:
        super().__init__(max_len=max_len)
        self.unit = unit

    def decode(self, text: str, raw: bytes, at: float) -> DeviceEvent | None:
        text = text.strip()
        m = _DATA.fullmatch(text)
        if m:
            value = parse_decimal(m.group(2) + m.group(3))
            if value is None:
                return invalid(raw, at)
            return value_reading(value, unit_for(m.group(3), self.unit), True, raw, at)
        if _BLANK.fullmatch(text):
            return Reading(Status.NO_VALUE, raw, at=at)
        if text.startswith("9") and len(text) >= 2:
            return Reading(Status.ERROR, raw, code=text, at=at)
        return None
