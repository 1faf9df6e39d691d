"""A codec for any line-based gauge, configured by a regular expression, so a shop can
add a gauge without code.

``pattern`` must have a named group ``value``; it may have ``unit`` and ``flag``
groups. ``stable`` and ``unstable`` are regular expressions tested against the
``flag`` group (or the whole line if there is none); ``overload`` and ``error``
are tested against the whole line first. Lines that match nothing are invalid.
"""

from __future__ import annotations

import re

from drivers.codecs.base import LineCodec, invalid, parse_decimal, value_reading
from drivers.readings import DeviceEvent, Reading, Status


class PatternCodec(LineCodec):
    name = "line"

    def __init__(
        self,
        *,
        pattern: str,
        unit: str | None = None,
        stable: str | None = None,
        unstable: str | None = None,
        overload: str | None = None,
        error: str | None = None,
        request: bytes | None = None,
        max_len: int = 128,
    ) -> None:
        super().__init__(max_len=max_len)
        self.pattern = re.compile(pattern)
        if "value" not in self.pattern.groupindex:
            raise ValueError("the pattern needs a (?P<value>…) group")
        self.unit = unit
        self.stable = re.compile(stable) if stable else None
        self.unstable = re.compile(unstable) if unstable else None
        self.overload = re.compile(overload) if overload else None
        self.error = re.compile(error) if error else None
        self.commands = {"read": request} if request else {}

    def decode(self, text: str, raw: bytes, at: float) -> DeviceEvent | None:
        if self.overload and self.overload.search(text):
            return Reading(Status.OVERLOAD, raw, unit=self.unit, at=at)
        if self.error and (e := self.error.search(text)):
            return Reading(Status.ERROR, raw, code=e.group(0).strip(), at=at)
        m = self.pattern.fullmatch(text.strip())
        if not m:
            return None
        value = parse_decimal(m.group("value") or "")
        if value is None:
            return invalid(raw, at, "not_a_number")
        groups = m.groupdict()
        unit = (groups.get("unit") or "").strip() or self.unit
        flag = groups.get("flag") if "flag" in groups else text
        flag = flag or ""
        if self.unstable and self.unstable.search(flag):
            stable = False
        elif self.stable:
            stable = bool(self.stable.search(flag))
        else:
            stable = True
        return value_reading(value, unit, stable, raw, at)
