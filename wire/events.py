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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from wire.errors import NakamaError

# Version 2 adds the acting operator to the envelope. Version 1 events (release 0.1)
# are still read and relayed unchanged: their canonical text, and so their digest, has
# no ``operator`` key.
SCHEMA_VERSION = 2
SCHEMA_VERSIONS = (1, 2)
OPERATOR_MAX = 64

# Field kinds used in payload declarations.
STR, TEXT, COUNT, POSINT, DECIMAL, DATE, ROUTE, OBJ, OPTSTR, OPTINT, OPTSEQS, IDS, STEPINFO = (
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
    "optseqs",
    "ids",
    "stepinfo",
)
SHA256, OPTSHA256S = "sha256", "optsha256s"  # a file's SHA-256 (hex); a list of them

# Files attached to events (defect photos, drawings) travel apart from the events, named
# by their SHA-256; these are the kinds a terminal and the hub accept.
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
DRAWING_TYPES = ("application/pdf", *PHOTO_TYPES)
MAX_PHOTOS = 8  # photos on one defect record

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
        # For the paper (optional; absent from older events): 品名, 材質, the drawing's
        # revision (版), and per step a due date and an instruction, keyed by step number.
        "part_name": OPTSTR,
        "material": OPTSTR,
        "revision": OPTSTR,
        "step_info": STEPINFO,
    },
    # ``skipped``: steps with no records that the receiving firm confirmed passing
    # (the paper traveler in hand is the evidence); absent from version 1 events.
    "LotReceived": {"lot_id": STR, "count": POSINT, "from_firm": OPTSTR, "skipped": OPTSEQS},
    "LotSplit": {"lot_id": STR, "child_lot_id": STR, "count": POSINT},
    "OpStarted": {"lot_id": STR, "operator": OPTSTR},
    # A firm's own pause reason or defect code carries its names, so every firm on the
    # route (and the hub) shows it without knowing that firm's catalogue.
    "OpPaused": {"lot_id": STR, "reason": STR, "name_ja": OPTSTR, "name_en": OPTSTR},
    "OpResumed": {"lot_id": STR},
    "OpFinished": {"lot_id": STR, "good": COUNT, "defect": COUNT, "scrap": COUNT},
    "DefectRecorded": {
        "lot_id": STR,
        "code": STR,
        "count": POSINT,
        "disposition": STR,
        "note": TEXT,
        "photos": OPTSHA256S,  # taken at the machine; absent from older events
        "name_ja": OPTSTR,
        "name_en": OPTSTR,
    },
    # The lead firm attaches the job's drawing (a new one for a new revision); the file
    # itself syncs apart, named by ``sha256``.
    "DrawingAttached": {
        "sha256": SHA256,
        "file_name": STR,
        "content_type": STR,
        "size": POSINT,
        "drawing_no": OPTSTR,
        "revision": OPTSTR,
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
    # The owner's (or inspector's) sign-off: ``scope`` "day" approves the firm's records
    # of one local ``day`` (no job: the event's firm is whose day it is), "lot" approves a
    # lot's inspection results (``lot_id`` of the event's job). ``records``: the ids of
    # the events approved; ``digest``: sha256 of their canonical texts, in that order.
    "RecordsApproved": {
        "scope": STR,
        "day": OPTSTR,
        "lot_id": OPTSTR,
        "records": IDS,
        "digest": STR,
    },
    # A firm's operator (no job: the hub keeps it within the firm's own feed).
    "OperatorSaved": {
        "operator_id": STR,
        "name": STR,
        "badge": OPTSTR,
        "pin_hash": OPTSTR,
        "role": STR,
        "status": STR,
    },
}

# Fields that stay with the lead firm: the hub strips them from other firms' feeds.
PRIVATE_FIELDS: dict[str, frozenset[str]] = {
    "JobCreated": frozenset({"customer", "unit_price_yen"}),
}

# Events that act on a lot at one step of a job's route (the route names who may).
STEP_TYPES = frozenset(
    {
        "LotReceived",
        "LotSplit",
        "OpStarted",
        "OpPaused",
        "OpResumed",
        "OpFinished",
        "DefectRecorded",
        "MeasurementTaken",
        "LotHandedOff",
    }
)

# Events about a job that only its lead firm records.
LEAD_TYPES = frozenset({"TravelerIssued", "DrawingAttached"})

# Events of a firm, not of a job: a machine signal, an operator. They never carry a job
# or a step (the hub then keeps them in the firm's own feed).
NO_JOB_TYPES = frozenset({"MachineStateChanged", "OperatorSaved"})
APPROVAL_SCOPES = ("day", "lot")

DISPOSITIONS = ("rework", "scrap", "hold", "accept")
MACHINE_STATES = ("run", "stop", "alarm", "off")
OPTIONAL_KINDS = {OPTSTR, OPTINT, TEXT, OBJ, OPTSEQS, OPTSHA256S, STEPINFO}

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
    "operator",
)


class WireError(NakamaError, ValueError):
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
    operator: str | None = None  # the operator id of the person who acted (version 2)

    @property
    def order_key(self) -> tuple[int, str, int]:
        """Total order used everywhere state is derived: causal (HLC) first, then a tie-break."""
        return (self.hlc, self.terminal_id, self.seq)

    def to_wire(self) -> dict[str, Any]:
        wire = {
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
        if self.schema_version >= 2:
            wire["operator"] = self.operator
        return wire

    def payload_json(self) -> str:
        return json.dumps(self.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def content_digest(self) -> str:
        """A canonical text of everything but delivery details; equal ids must mean equal text."""
        return canonical_json(self.to_wire())


def canonical_json(obj: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``, the
    same text to the byte (the hub compares stored texts to tell a repeated event from a
    conflicting one), made by orjson when that is certain to give it: for plain text,
    integers, booleans, None, lists and text-keyed dicts. Anything else (floats, which
    orjson writes differently; subclasses; integers past 64 bits) takes the standard
    library."""
    if _plain(obj):
        try:
            return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()
        except TypeError:  # an integer orjson cannot hold
            pass
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_ORJSON_EXACT = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_SUBCLASS


def checked_digest(ev: Event) -> str:
    """``ev.content_digest()`` for an event that ``from_wire`` returned, without first
    walking it for floats: ``from_wire`` has checked every value in it to be text, an
    integer, None, or a list or object of those, where orjson writes the standard
    library's text. A subclass of those, or an integer past 64 bits, still takes the
    standard library (orjson refuses them with these options)."""
    wire = ev.to_wire()
    try:
        return orjson.dumps(wire, option=_ORJSON_EXACT).decode()
    except TypeError:
        return canonical_json(wire)


_LEAVES = frozenset({str, int, bool, type(None)})


def _plain(v: Any) -> bool:
    t = type(v)
    if t in _LEAVES:
        return True
    if t is dict:
        for k, x in v.items():
            if type(k) is not str or (type(x) not in _LEAVES and not _plain(x)):
                return False
        return True
    if t is list or t is tuple:
        return all(type(x) in _LEAVES or _plain(x) for x in v)
    return False


_ENVELOPE = frozenset(ENVELOPE_FIELDS)
_SPEC_FIELDS = {type_: frozenset(spec) for type_, spec in PAYLOADS.items()}
_INT64 = 2**63


def from_wire(data: Any) -> Event:
    """Parse and validate one event from its wire dict. Raises ``WireError``.

    The hub runs this for every pushed event, so the checks are written for speed; the
    order of the checks (which code wins when several apply) is part of the rules."""
    if type(data) is not dict and not isinstance(data, Mapping):  # (ABC checks are slow)
        raise WireError("not_an_object")
    if not _ENVELOPE.issuperset(data):
        raise WireError("unknown_field", ",".join(sorted(set(data) - _ENVELOPE)))
    get = data.get
    event_id: Any = get("event_id")
    terminal_id: Any = get("terminal_id")
    occurred_at: Any = get("occurred_at")
    firm_id: Any = get("firm_id")
    type_: Any = get("type")
    for name, v in (
        ("event_id", event_id),
        ("terminal_id", terminal_id),
        ("occurred_at", occurred_at),
        ("firm_id", firm_id),
        ("type", type_),
    ):
        if not isinstance(v, str) or not v:
            raise WireError("bad_envelope", name)
    seq: Any = get("seq")
    hlc: Any = get("hlc")
    for name, v in (("seq", seq), ("hlc", hlc)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v >= _INT64:
            raise WireError("bad_envelope", name)
    job_id = get("job_id")
    if job_id is not None and not isinstance(job_id, str):
        raise WireError("bad_envelope", "job_id")
    op = get("op")
    if op is not None and (not isinstance(op, int) or isinstance(op, bool) or op < 0):
        raise WireError("bad_envelope", "op")
    version = get("schema_version", SCHEMA_VERSION)
    if version not in SCHEMA_VERSIONS or type(version) is not int:
        raise WireError("unsupported_schema_version", str(version))
    operator = get("operator")
    if operator is not None:
        if version < 2:
            raise WireError("unknown_field", "operator")
        if type(operator) is not str or not 0 < len(operator) <= OPERATOR_MAX:
            raise WireError("bad_envelope", "operator")
    try:
        datetime.fromisoformat(occurred_at)
    except ValueError as exc:
        raise WireError("bad_envelope", "occurred_at") from exc
    if type_ in NO_JOB_TYPES and (job_id is not None or op is not None):
        raise WireError("bad_envelope", "job_id" if job_id is not None else "op")
    payload = get("payload", {})
    check_payload(type_, payload)
    if type_ == "RecordsApproved":
        check_approval_envelope(payload, job_id, op)
    return Event(
        event_id=event_id,
        terminal_id=terminal_id,
        seq=seq,
        hlc=hlc,
        occurred_at=occurred_at,
        firm_id=firm_id,
        job_id=job_id,
        op=op,
        type=type_,
        payload=dict(payload),
        schema_version=version,
        operator=operator,
    )


def check_payload(type_: str, payload: Any) -> None:
    """Validate a payload against its declaration. Raises ``WireError``."""
    spec = PAYLOADS.get(type_) if isinstance(type_, str) else None
    if spec is None:
        raise WireError("unknown_event_type", type_)
    if type(payload) is not dict and not isinstance(payload, Mapping):
        raise WireError("bad_payload", "payload")
    if not _SPEC_FIELDS[type_].issuperset(payload):
        raise WireError("unknown_field", ",".join(sorted(set(payload) - set(spec))))
    get = payload.get
    for name, kind in spec.items():
        v = get(name)
        if v is None:
            if kind in OPTIONAL_KINDS:
                continue
            raise WireError("missing_field", name)
        if not _KIND_CHECKS[kind](v):
            raise WireError("bad_field", name)
    if type_ == "EventCorrected" and payload.get("replacement") is not None:
        rep = payload["replacement"]
        if not isinstance(rep, Mapping) or set(rep) != {"type", "payload"}:
            raise WireError("bad_field", "replacement")
        if rep["type"] == "EventCorrected":
            raise WireError("bad_field", "replacement")
        check_payload(rep["type"], rep["payload"])
    elif type_ == "DrawingAttached" and payload["content_type"] not in DRAWING_TYPES:
        raise WireError("bad_field", "content_type")


def check_approval_envelope(payload: Mapping[str, Any], job_id: Any, op: Any) -> None:
    """A day's approval has no job (it stays in its firm's own feed); a lot's has its job
    and no step. Raises ``WireError``."""
    if op is not None:
        raise WireError("bad_envelope", "op")
    if payload["scope"] == "day":
        if job_id is not None:
            raise WireError("bad_envelope", "job_id")
        if payload.get("lot_id") or not _date_ok(payload.get("day")):
            raise WireError("bad_field", "day")
    elif payload["scope"] == "lot":
        if job_id is None:
            raise WireError("bad_envelope", "job_id")
        if payload.get("day") or not payload.get("lot_id"):
            raise WireError("bad_field", "lot_id")
    else:
        raise WireError("bad_field", "scope")


def firm_level(ev: Event) -> bool:
    """An event of a firm, not of a job: machine signals, operators, a day's approval."""
    return ev.job_id is None and (ev.type in NO_JOB_TYPES or ev.type == "RecordsApproved")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _date_ok(v: Any) -> bool:
    try:
        date.fromisoformat(v)
    except (TypeError, ValueError):
        return False
    return isinstance(v, str) and len(v) == 10


# The everyday decimal text ("12.005", "-0.010"); anything else takes the full parse.
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _decimal_ok(v: Any) -> bool:
    if isinstance(v, str) and len(v) <= 40 and _PLAIN_DECIMAL.fullmatch(v):
        return True
    return parse_decimal(v) is not None


_KIND_CHECKS: dict[str, Callable[[Any], bool]] = {
    STR: lambda v: isinstance(v, str) and 0 < len(v) <= 200,
    OPTSTR: lambda v: isinstance(v, str) and len(v) <= 2000,
    TEXT: lambda v: isinstance(v, str) and len(v) <= 2000,
    COUNT: lambda v: _is_int(v) and 0 <= v < 10**9,
    POSINT: lambda v: _is_int(v) and 0 < v < 10**9,
    OPTINT: lambda v: _is_int(v) and -(2**53) < v < 2**53,
    DECIMAL: _decimal_ok,
    DATE: _date_ok,
    ROUTE: lambda v: _route_ok(v),
    OPTSEQS: lambda v: (
        isinstance(v, list) and len(v) <= 40 and all(_is_int(x) and 0 < x < 10**6 for x in v)
    ),
    OBJ: lambda v: isinstance(v, Mapping),
    IDS: lambda v: (
        isinstance(v, list)
        and len(v) <= 20000
        and all(isinstance(x, str) and 0 < len(x) <= 64 for x in v)
    ),
    SHA256: lambda v: _sha256_ok(v),
    OPTSHA256S: lambda v: (
        isinstance(v, list) and len(v) <= MAX_PHOTOS and all(_sha256_ok(x) for x in v)
    ),
    STEPINFO: lambda v: _step_info_ok(v),
}

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _sha256_ok(v: Any) -> bool:
    return isinstance(v, str) and _SHA256.fullmatch(v) is not None


def _step_info_ok(v: Any) -> bool:
    """``{"10": {"due": "2026-12-05", "note": "…"}, …}``: per step, a due date and/or an
    instruction for the paper traveler."""
    if not isinstance(v, Mapping) or len(v) > 40:
        return False
    for seq, info in v.items():
        if not isinstance(seq, str) or not seq.isdigit() or not isinstance(info, Mapping):
            return False
        if not info or set(info) - {"due", "note"}:
            return False
        if "due" in info and not _date_ok(info["due"]):
            return False
        if "note" in info and not (isinstance(info["note"], str) and len(info["note"]) <= 500):
            return False
    return True


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
