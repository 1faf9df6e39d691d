"""Events: append-only, past-tense facts, and their wire format.

Every event carries the envelope DESIGN.md fixes (``event_id`` UUIDv7, ``terminal_id``,
per-terminal ``seq``, hybrid logical clock ``hlc``, wall-clock ``occurred_at``,
``firm_id``, ``job_id``, ``op``, ``type``, ``schema_version``) and a payload whose
fields are declared once here, in ``PAYLOADS``. The hub imports this module, so the
terminal and the hub cannot disagree on the format.

A mistake is never edited: ``EventCorrected`` supersedes an earlier event and may
carry its replacement.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

SCHEMA_VERSION = 1

# Field kinds used in payload declarations.
STR, TEXT, COUNT, POSINT, DECIMAL, DATE, ROUTE, OBJ, OPTSTR, OPTINT = (
    "str",
    "text",
    "count",
    "posint",
    "decimal",
    "date",
    "route",
    "obj",
    "optstr",
    "optint",
)

# type -> {field: kind}. Fields absent from a declaration are refused, so a typo in a
# terminal never reaches the hub as silent data.
PAYLOADS: dict[str, dict[str, str]] = {
    "JobCreated": {
        "part_no": STR,
        "drawing_no": OPTSTR,
        "qty": POSINT,
        "due": DATE,
        "lead_firm": STR,
        "route": ROUTE,
        "customer": OPTSTR,
        "unit_price_yen": OPTINT,
        "note": TEXT,
    },
    "LotReceived": {"lot_id": STR, "count": POSINT, "from_firm": OPTSTR},
    "LotSplit": {"lot_id": STR, "child_lot_id": STR, "count": POSINT},
    "OpStarted": {"lot_id": STR, "operator": OPTSTR},
    "OpPaused": {"lot_id": STR, "reason": STR},
    "OpResumed": {"lot_id": STR},
    "OpFinished": {"lot_id": STR, "good": COUNT, "defect": COUNT, "scrap": COUNT},
    "DefectRecorded": {
        "lot_id": STR,
        "code": STR,
        "count": POSINT,
        "disposition": STR,
        "note": TEXT,
    },
    "MeasurementTaken": {
        "lot_id": STR,
        "characteristic": STR,
        "nominal": DECIMAL,
        "tol_minus": DECIMAL,
        "tol_plus": DECIMAL,
        "value": DECIMAL,
        "unit": STR,
        "gauge": OPTSTR,
    },
    "LotHandedOff": {"lot_id": STR, "to_firm": STR, "count": POSINT},
    "MachineStateChanged": {"machine": STR, "state": STR, "counter": OPTINT},
    "TravelerIssued": {"lot_id": STR, "key_id": STR, "format_version": POSINT, "digest": STR},
    "EventCorrected": {"supersedes": STR, "reason": TEXT, "replacement": OBJ},
}

# Fields that stay with the lead firm: the hub strips them from other firms' feeds.
PRIVATE_FIELDS: dict[str, frozenset[str]] = {
    "JobCreated": frozenset({"customer", "unit_price_yen"}),
}

DISPOSITIONS = ("rework", "scrap", "hold", "accept")
MACHINE_STATES = ("run", "stop", "alarm", "off")
OPTIONAL_KINDS = {OPTSTR, OPTINT, TEXT, OBJ}

ENVELOPE_FIELDS = (
    "event_id",
    "terminal_id",
    "seq",
    "hlc",
    "occurred_at",
    "firm_id",
    "job_id",
    "op",
    "type",
    "schema_version",
    "payload",
)


class WireError(ValueError):
    """An event that does not follow the wire format. ``code`` is translatable."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    terminal_id: str
    seq: int
    hlc: int
    occurred_at: str
    firm_id: str
    job_id: str | None
    op: int | None
    type: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    @property
    def order_key(self) -> tuple[int, str, int]:
        """Total order used everywhere state is derived: causal (HLC) first, then a tie-break."""
        return (self.hlc, self.terminal_id, self.seq)

    def to_wire(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "terminal_id": self.terminal_id,
            "seq": self.seq,
            "hlc": self.hlc,
            "occurred_at": self.occurred_at,
            "firm_id": self.firm_id,
            "job_id": self.job_id,
            "op": self.op,
            "type": self.type,
            "schema_version": self.schema_version,
            "payload": dict(self.payload),
        }

    def payload_json(self) -> str:
        return json.dumps(self.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def content_digest(self) -> str:
        """A canonical text of everything but delivery details; equal ids must mean equal text."""
        return json.dumps(self.to_wire(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def from_wire(data: Any) -> Event:
    """Parse and validate one event from its wire dict. Raises ``WireError``."""
    if not isinstance(data, Mapping):
        raise WireError("not_an_object")
    unknown = set(data) - set(ENVELOPE_FIELDS)
    if unknown:
        raise WireError("unknown_field", ",".join(sorted(unknown)))
    for name in ("event_id", "terminal_id", "occurred_at", "firm_id", "type"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise WireError("bad_envelope", name)
    for name in ("seq", "hlc"):
        v = data.get(name)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v >= 2**63:
            raise WireError("bad_envelope", name)
    if data.get("job_id") is not None and not isinstance(data["job_id"], str):
        raise WireError("bad_envelope", "job_id")
    op = data.get("op")
    if op is not None and (not isinstance(op, int) or isinstance(op, bool) or op < 0):
        raise WireError("bad_envelope", "op")
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise WireError("unsupported_schema_version", str(version))
    try:
        datetime.fromisoformat(data["occurred_at"])
    except ValueError as exc:
        raise WireError("bad_envelope", "occurred_at") from exc
    payload = data.get("payload", {})
    check_payload(data["type"], payload)
    return Event(
        event_id=data["event_id"],
        terminal_id=data["terminal_id"],
        seq=data["seq"],
        hlc=data["hlc"],
        occurred_at=data["occurred_at"],
        firm_id=data["firm_id"],
        job_id=data.get("job_id"),
        op=op,
        type=data["type"],
        payload=dict(payload),
        schema_version=version,
    )


def check_payload(type_: str, payload: Any) -> None:
    """Validate a payload against its declaration. Raises ``WireError``."""
    spec = PAYLOADS.get(type_)
    if spec is None:
        raise WireError("unknown_event_type", type_)
    if not isinstance(payload, Mapping):
        raise WireError("bad_payload", "payload")
    extra = set(payload) - set(spec)
    if extra:
        raise WireError("unknown_field", ",".join(sorted(extra)))
    for name, kind in spec.items():
        if name not in payload or payload[name] is None:
            if kind in OPTIONAL_KINDS:
                continue
            raise WireError("missing_field", name)
        if not _kind_ok(kind, payload[name]):
            raise WireError("bad_field", name)
    if type_ == "EventCorrected" and payload.get("replacement") is not None:
        rep = payload["replacement"]
        if not isinstance(rep, Mapping) or set(rep) != {"type", "payload"}:
            raise WireError("bad_field", "replacement")
        if rep["type"] == "EventCorrected":
            raise WireError("bad_field", "replacement")
        check_payload(rep["type"], rep["payload"])


def _kind_ok(kind: str, v: Any) -> bool:
    is_int = isinstance(v, int) and not isinstance(v, bool)
    if kind == STR:
        return isinstance(v, str) and 0 < len(v) <= 200
    if kind in (OPTSTR, TEXT):
        return isinstance(v, str) and len(v) <= 2000
    if kind == COUNT:
        return is_int and 0 <= v < 10**9
    if kind == POSINT:
        return is_int and 0 < v < 10**9
    if kind == OPTINT:
        return is_int and -(2**53) < v < 2**53
    if kind == DECIMAL:
        return parse_decimal(v) is not None
    if kind == DATE:
        try:
            date.fromisoformat(v)
        except (TypeError, ValueError):
            return False
        return isinstance(v, str) and len(v) == 10
    if kind == ROUTE:
        return _route_ok(v)
    if kind == OBJ:
        return isinstance(v, Mapping)
    raise AssertionError(kind)


def _route_ok(v: Any) -> bool:
    if not isinstance(v, list) or not 0 < len(v) <= 40:
        return False
    for step in v:
        if not isinstance(step, Mapping) or set(step) != {"seq", "process", "firm"}:
            return False
        if not isinstance(step["seq"], int) or isinstance(step["seq"], bool) or step["seq"] <= 0:
            return False
        if not isinstance(step["process"], str) or not isinstance(step["firm"], str):
            return False
        if not step["process"] or not step["firm"]:
            return False
    return True


def parse_decimal(v: Any) -> Decimal | None:
    """A finite decimal from its text form, or None. Floats are refused: they lose digits."""
    if not isinstance(v, str) or len(v) > 40:
        return None
    try:
        d = Decimal(v)
    except InvalidOperation:
        return None
    if not d.is_finite() or math.isnan(float(d)):
        return None
    return d
