"""Shimadzu balances (AUW, AUX, UW/UX, ATX…), Shimadzu standard format.

``-  186.65g`` + CR: a sign position (space or ``-``), the right-aligned absolute
value, one or two letters of unit. With "output with stability information" on,
``S`` (stable) or ``U`` (unstable) comes first; without it the balance does not say,
so the reading is never taken as stable unless ``stability=assume`` is set (use that
only with ``O9``, "send once when stable"). ``oL`` in place of digits is overload.
Commands: ``O8`` send once now, ``O9`` send once when stable, ``T`` tare; answers
``A00`` (done) or ``Exx`` (refused).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from drivers.codecs.base import LineCodec, invalid, parse_decimal, value_reading
from drivers.readings import Ack, DeviceEvent, Reading, Status

_FRAME = re.compile(r"([SU]?)([ -])([ 0-9.]{2,10}|\s*[oO][lL]\s*|\s*-+\s*)([A-Za-z%]{1,3})?\s*")
_ANSWER = re.compile(r"(A\d\d|E\d\d)")


class ShimadzuCodec(LineCodec):
    name = "shimadzu"
    default_commands: ClassVar[Mapping[str, bytes]] = {
        "read": b"O8\r\n",
        "read_stable": b"O9\r\n",
        "tare": b"T\r\n",
    }

    def __init__(self, *, assume_stable: bool = False, max_len: int = 64) -> None:
        super().__init__(max_len=max_len)
        self.assume_stable = assume_stable

    def decode(self, text: str, raw: bytes, at: float) -> DeviceEvent | None:
        m = _ANSWER.fullmatch(text.strip())
        if m:
            code = m.group(1)
            return Ack(code == "A00", raw, code=code, at=at)
        m = _FRAME.fullmatch(text)
        if not m:
            return None
        flag, sign, digits, unit = m.groups()
        if "l" in digits.lower():
            status = Status.UNDERLOAD if sign == "-" else Status.OVERLOAD
            return Reading(status, raw, unit=unit, at=at)
        if digits.strip() and set(digits.strip()) <= {"-"}:
            return Reading(Status.NO_VALUE, raw, unit=unit, at=at)
        value = parse_decimal(("-" if sign == "-" else "") + digits.strip())
        if value is None:
            return invalid(raw, at)
        stable = flag == "S" or (flag == "" and self.assume_stable)
        return value_reading(value, unit, stable, raw, at)
