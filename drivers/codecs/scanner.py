"""Serial (USB-COM) barcode and QR scanners: one code per frame, ended by CR, LF or
CRLF, or wrapped in STX…ETX. With ``framing=stx`` only ETX ends a code, so a QR code
holding line breaks arrives whole."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from drivers.codecs.base import LineCodec
from drivers.readings import DeviceEvent, Reading, Scan, Status


class ScannerCodec(LineCodec):
    name = "scanner"
    default_commands: ClassVar[Mapping[str, bytes]] = {}

    def __init__(self, *, framing: str = "line", max_len: int = 4096) -> None:
        terminators = b"" if framing == "stx" else b"\r\n"
        super().__init__(max_len=max_len, terminators=terminators)

    def feed(self, data: bytes, at: float) -> list[DeviceEvent]:
        events: list[DeviceEvent] = []
        for frame, overflowed in self.framer.feed(data):
            if overflowed:
                events.append(Reading(Status.INVALID, frame[:64], code="too_long", at=at))
                continue
            try:
                text = frame.decode("utf-8")
            except UnicodeDecodeError:
                events.append(Reading(Status.INVALID, frame, code="garbage", at=at))
                continue
            text = text.strip("\x00 \t")
            if not text or any(ord(c) < 0x20 and c not in "\r\n\t\x1d" for c in text):
                # GS (1Dh) is the GS1 separator and belongs to the code; other control
                # bytes mean noise or a wrong baud rate.
                events.append(Reading(Status.INVALID, frame, code="garbage", at=at))
                continue
            events.append(Scan(text, frame, at=at))
        return events
