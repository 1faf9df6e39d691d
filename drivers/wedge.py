"""Keyboard-wedge scanner detection: tell a scanner's key burst from a person typing.

A wedge scanner "types" its code 7–16 ms a key and ends with Enter; a person, even a fast
one, leaves 60 ms or more between most keys. Keys are held back until the timing decides:
a run of at least ``min_length`` keys, each within ``max_gap_s`` of the last, ended by
Enter, is a scan; anything else is handed back as typing, in order, nothing lost.
"""

from __future__ import annotations

from dataclasses import dataclass

ENTER = ("\r", "\n")


@dataclass(frozen=True)
class WedgeEvent:
    """``kind`` is ``scan`` (text without the Enter) or ``typing`` (keys to pass on as typed)."""

    kind: str
    text: str


class WedgeDetector:
    """Feed ``(char, timestamp_s)``; get back scans and typing. Call ``flush`` on a timer."""

    def __init__(self, max_gap_s: float = 0.035, min_length: int = 4) -> None:
        self.max_gap_s = max_gap_s
        self.min_length = min_length
        self._held: list[str] = []
        self._last_t: float | None = None

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def feed(self, char: str, t: float) -> list[WedgeEvent]:
        out: list[WedgeEvent] = []
        if self._held and self._last_t is not None and t - self._last_t > self.max_gap_s:
            out.append(WedgeEvent("typing", "".join(self._held)))
            self._held = []
        self._last_t = t
        if char in ENTER:
            if len(self._held) >= self.min_length:
                out.append(WedgeEvent("scan", "".join(self._held)))
            else:
                out.append(WedgeEvent("typing", "".join(self._held) + char))
            self._held = []
            return out
        self._held.append(char)
        return out

    def flush(self, now: float) -> list[WedgeEvent]:
        """Hand back held keys as typing once no key came for ``max_gap_s``."""
        if self._held and self._last_t is not None and now - self._last_t > self.max_gap_s:
            text = "".join(self._held)
            self._held = []
            return [WedgeEvent("typing", text)]
        return []
