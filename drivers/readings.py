"""What devices report: readings, scans, machine states, acknowledgements and link events.

Every driver emits these plain, immutable values through one callback or queue, so the
UI (or a test, or the CLI) consumes them without knowing which device sent them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """What a frame says about the measurement, independent of its value."""

    OK = "ok"  # a value the device calls stable
    UNSTABLE = "unstable"  # a value still settling: shown, never accepted as a measurement
    OVERLOAD = "overload"  # over range (A&D ``OL``, Sylvac ``ERR3``, Shimadzu ``oL``)
    UNDERLOAD = "underload"
    ERROR = "error"  # the device reported an error code (``EC,E01``, Mitutoyo ``9…``)
    NO_VALUE = "no_value"  # a blank display such as ``------``
    INVALID = "invalid"  # bytes that are not a frame: garbage, wrong baud, too long


VALUE_STATUSES = frozenset({Status.OK, Status.UNSTABLE})


@dataclass(frozen=True)
class Reading:
    """One measurement frame. ``value`` is set only for OK and UNSTABLE frames, and
    ``stable`` is true only for OK: a sentinel is never a number, an unstable value is
    never stable."""

    status: Status
    raw: bytes
    value: Decimal | None = None
    unit: str | None = None
    stable: bool = False
    code: str | None = None  # the device's own error code, e.g. "E01"
    at: float = field(default_factory=time.time)
    kind: str = field(default="reading", init=False)

    def __post_init__(self) -> None:
        if self.value is not None:
            if self.status not in VALUE_STATUSES:
                raise ValueError(f"a {self.status} frame carries no value")
            if not self.value.is_finite():
                raise ValueError("readings are finite numbers")
        elif self.status in VALUE_STATUSES:
            raise ValueError(f"a {self.status} reading needs a value")
        if self.stable and self.status is not Status.OK:
            raise ValueError("only an OK reading is stable")

    @property
    def accepted(self) -> bool:
        """True when this reading may be recorded as a measurement."""
        return self.status is Status.OK and self.stable and self.value is not None


@dataclass(frozen=True)
class Scan:
    """A barcode or QR code read by a serial scanner."""

    text: str
    raw: bytes
    at: float = field(default_factory=time.time)
    kind: str = field(default="scan", init=False)


@dataclass(frozen=True)
class MachineState:
    """Run/stop/alarm/off and the cycle counter of one machine (counter unwrapped)."""

    machine: str
    state: str  # "run" | "stop" | "alarm" | "off"
    counter: int | None
    changed: bool  # the state differs from the previous poll
    raw: dict[str, int] = field(default_factory=dict)
    at: float = field(default_factory=time.time)
    kind: str = field(default="machine", init=False)


@dataclass(frozen=True)
class Ack:
    """A device's answer to a command (A&D ``<AK>``, Shimadzu ``A00``/``E01``)."""

    ok: bool
    raw: bytes
    code: str | None = None
    at: float = field(default_factory=time.time)
    kind: str = field(default="ack", init=False)


@dataclass(frozen=True)
class Fault:
    """The device answered but refused: a Modbus exception response, a wrong unit id."""

    code: str
    detail: str = ""
    at: float = field(default_factory=time.time)
    kind: str = field(default="fault", init=False)


class Link(StrEnum):
    UP = "up"
    LOST = "lost"
    RETRYING = "retrying"
    CLOSED = "closed"


@dataclass(frozen=True)
class LinkEvent:
    """The connection went up, was lost, is being retried, or was closed by us."""

    state: Link
    port: str | None = None
    detail: str = ""
    attempt: int = 0
    delay_s: float = 0.0
    at: float = field(default_factory=time.time)
    kind: str = field(default="link", init=False)


DeviceEvent = Reading | Scan | MachineState | Ack | Fault | LinkEvent


def event_json(ev: DeviceEvent) -> dict[str, Any]:
    """A JSON-ready dict; Decimals become strings so no digit is lost."""
    out: dict[str, Any] = {"kind": ev.kind}
    for f in fields(ev):
        name, value = f.name, getattr(ev, f.name)
        if isinstance(value, Decimal):
            out[name] = str(value)
        elif isinstance(value, bytes):
            out[name] = value.decode("latin-1")
        elif isinstance(value, StrEnum):
            out[name] = value.value
        else:
            out[name] = value
    return out
