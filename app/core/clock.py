"""Identifiers and time: UUIDv7 event ids and a hybrid logical clock.

The hybrid logical clock (Kulkarni et al., 2014) packs wall-clock milliseconds and a
logical counter into one sortable integer: ``(ms << 16) | counter``. It never goes
backwards on one terminal, even when the PC's clock does, and after a terminal has
seen another terminal's stamp its next stamp is larger, so a job's events order by
cause even across firms whose clocks disagree by a day.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import uuid6

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1


def new_event_id() -> str:
    """A fresh UUIDv7 as text; time-ordered, made on the terminal, the idempotency key."""
    return str(uuid6.uuid7())


def utc_now_iso() -> str:
    """Wall-clock time in ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def hlc_pack(ms: int, counter: int) -> int:
    return (ms << COUNTER_BITS) | counter


def hlc_unpack(stamp: int) -> tuple[int, int]:
    return stamp >> COUNTER_BITS, stamp & COUNTER_MASK


class HybridClock:
    """A hybrid logical clock; thread-safe. ``now_ms`` is injectable for tests."""

    def __init__(self, last: int = 0, now_ms: Callable[[], int] | None = None) -> None:
        self._last = last
        self._now_ms = now_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()

    @property
    def last(self) -> int:
        return self._last

    def tick(self) -> int:
        """Stamp for a local event."""
        with self._lock:
            last_ms, last_c = hlc_unpack(self._last)
            now = self._now_ms()
            if now > last_ms:
                self._last = hlc_pack(now, 0)
            else:
                self._last = self._bump(last_ms, last_c)
            return self._last

    def observe(self, remote: int) -> int:
        """Merge a stamp seen from another terminal, so later local stamps sort after it."""
        with self._lock:
            last_ms, last_c = hlc_unpack(self._last)
            r_ms, r_c = hlc_unpack(remote)
            now = self._now_ms()
            top = max(last_ms, r_ms, now)
            if top == last_ms == r_ms:
                self._last = self._bump(top, max(last_c, r_c))
            elif top == last_ms:
                self._last = self._bump(top, last_c)
            elif top == r_ms:
                self._last = self._bump(top, r_c)
            else:
                self._last = hlc_pack(top, 0)
            return self._last

    @staticmethod
    def _bump(ms: int, counter: int) -> int:
        # A full counter borrows the next millisecond rather than wrapping.
        if counter >= COUNTER_MASK:
            return hlc_pack(ms + 1, 0)
        return hlc_pack(ms, counter + 1)
