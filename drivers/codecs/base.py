"""Framing and number parsing shared by every line-oriented codec.

A codec is pure: bytes in, events out, no I/O and no clock of its own (the caller
passes the time), so it can be fed captured frames in any split or gluing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from drivers.readings import DeviceEvent, Reading, Status

CR, LF, STX, ETX = 0x0D, 0x0A, 0x02, 0x03

# Digits, an optional point and an optional sign: nothing else is a number here, so
# "NaN", "inf", "1e999" and a blank display can never become a value.
_NUMBER = re.compile(r"[+-]?\s*(?:\d+(?:\.\d*)?|\.\d+)")


def parse_decimal(text: str) -> Decimal | None:
    """The number in ``text`` (signs and inner spaces allowed), or None if it is not one."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    try:
        value = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decimals(value_text: str) -> int:
    """How many digits follow the decimal point in a number as the device wrote it."""
    _, _, frac = value_text.strip().partition(".")
    return len(frac)


class LineFramer:
    """Cut a byte stream into frames ended by CR, LF or CRLF, or wrapped in STX…ETX.

    Empty frames (the LF of a CRLF) are skipped. A frame longer than ``max_len``
    without an end is returned once as an overflow and the rest of it is dropped up to
    the next terminator, so a babbling or wrong-baud port cannot grow memory.
    """

    def __init__(self, *, max_len: int = 128, terminators: bytes = b"\r\n") -> None:
        self.max_len = max_len
        self.terminators = frozenset(terminators)
        self._buf = bytearray()
        self._skipping = False

    def reset(self) -> None:
        self._buf.clear()
        self._skipping = False

    def feed(self, data: bytes) -> list[tuple[bytes, bool]]:
        """Frames completed by ``data`` as ``(frame, overflowed)`` pairs."""
        out: list[tuple[bytes, bool]] = []
        for byte in data:
            if byte in self.terminators or byte == ETX:
                if self._skipping:
                    self._skipping = False
                elif self._buf:
                    out.append((bytes(self._buf), False))
                self._buf.clear()
            elif byte == STX:
                # A new STX frame starts: whatever came before it was not a frame.
                if self._buf and not self._skipping:
                    out.append((bytes(self._buf), False))
                self._buf.clear()
                self._skipping = False
            elif not self._skipping:
                self._buf.append(byte)
                if len(self._buf) > self.max_len:
                    out.append((bytes(self._buf), True))
                    self._buf.clear()
                    self._skipping = True
        return out


def printable(frame: bytes) -> str | None:
    """The frame as ASCII text, or None if it holds bytes no gauge sends (wrong baud,
    line noise). Spaces inside are kept: formats use them for padding."""
    if any((b < 0x20 and b not in (0x06, 0x15)) or b > 0x7E for b in frame):
        return None
    return frame.decode("ascii")


class LineCodec:
    """Base for codecs whose frames are text lines. Subclasses implement ``decode``."""

    name = "line"
    #: commands this device understands, as the bytes to send
    default_commands: ClassVar[Mapping[str, bytes]] = {}

    def __init__(self, *, max_len: int = 128, terminators: bytes = b"\r\n") -> None:
        self.commands: dict[str, bytes] = dict(self.default_commands)
        self.framer = LineFramer(max_len=max_len, terminators=terminators)

    def reset(self) -> None:
        """Forget any half frame (after a reconnect the rest of it will never come)."""
        self.framer.reset()

    def feed(self, data: bytes, at: float) -> list[DeviceEvent]:
        events: list[DeviceEvent] = []
        for frame, overflowed in self.framer.feed(data):
            if overflowed:
                events.append(Reading(Status.INVALID, frame, code="too_long", at=at))
                continue
            text = printable(frame)
            if text is None:
                events.append(Reading(Status.INVALID, frame, code="garbage", at=at))
                continue
            ev = self.decode(text, frame, at)
            events.append(ev if ev is not None else invalid(frame, at))
        return events

    def decode(self, text: str, raw: bytes, at: float) -> DeviceEvent | None:
        raise NotImplementedError

    def request(self, command: str) -> bytes | None:
        """The bytes for ``command`` ("read", "zero", "tare", …) or None if unsupported."""
        return self.commands.get(command)


def invalid(raw: bytes, at: float, code: str = "unknown_frame") -> Reading:
    return Reading(Status.INVALID, raw, code=code, at=at)


def value_reading(value: Decimal, unit: str | None, stable: bool, raw: bytes, at: float) -> Reading:
    status = Status.OK if stable else Status.UNSTABLE
    return Reading(status, raw, value=value, unit=unit, stable=stable, at=at)
