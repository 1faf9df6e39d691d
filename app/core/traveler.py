"""The traveler QR: a signed, versioned, compact payload that any terminal verifies offline.

Wire form, modelled on the EU Digital COVID Certificate::

    "NK1:" + Base45( zlib?( COSE_Sign1( CBOR payload ) ) )

* ``NK<version>:`` tells a Nakama traveler from any other code and carries the format
  version; every character of the text is in the QR alphanumeric set, so the whole
  code is one alphanumeric segment (5.5 bits a character; Base45 spends 16.5 bits on
  two bytes, 97 % of byte mode's density, and unlike byte mode it survives a keyboard
  wedge scanner that types it as text).
* The payload is a positional CBOR array (no field names on the wire). The signature
  is an untagged COSE_Sign1 (RFC 9052) with EdDSA/Ed25519, the key id in the
  protected header, so an off-the-shelf COSE verifier can check it too.
* zlib is applied only when it makes the code shorter; the decoder tells the two
  apart by the first byte (0x78 is a zlib header, 0x84 is the COSE array).

The traveler also carries the lead firm's ``JobCreated`` envelope (event id, terminal,
seq, hybrid clock stamp, time) minus the private fields, so a terminal that has never
seen the job can rebuild that exact event and start recording on the job while offline
(``app.core.traveler_job``). This module is pure: no Qt, no I/O; keys come in as objects.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import base45
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.core import lots
from app.core.clock import COUNTER_BITS as HLC_COUNTER_BITS
from app.core.model import Operation, Route
from wire.errors import NakamaError

# Version 2 leaves the job's note out of the code: it is printed on the sheet (備考), and a
# 150-character note made a 12-step code version 24. Version 1 codes (old paper) are still
# read, note and all. What each version's origin carries: see ``_origin_array``.
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
PREFIX = f"NK{FORMAT_VERSION}:"
# The largest text a QR code can hold in alphanumeric mode (version 40-L). Anything
# longer is not a code we printed, and is refused before any decoding work.
MAX_TEXT = 4296
# What ``encode`` accepts: at error correction Q this is a version-28 symbol (129
# modules), about the most a cheap webcam resolves on an A4 sheet; a longer job note
# belongs on the paper, not in the code.
MAX_ENCODED = 1200
# A payload that inflates past this is a zip bomb, not a traveler.
MAX_INFLATED = 16_384
KEY_ID_BYTES = 8
COSE_ALG = 1
COSE_KID = 4
COSE_EDDSA = -8
_VERSIONED = re.compile(r"NK(\d{1,4}):", re.IGNORECASE)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_ZLIB_LEVEL = 9
# Standard process codes travel as their index in this table (one byte instead of
# five or six). It belongs to format version 1: append only, never reorder; codes not
# in it travel as text.
_PROCESS_TABLE = (
    "LATHE", "MILL", "MC", "GRIND", "POLISH", "HEAT", "PLATE",
    "WELD", "SHEET", "PRESS", "WIRE", "PAINT", "INSPECT", "ASSY",
)  # fmt: skip
_PROCESS_INDEX = {code: i for i, code in enumerate(_PROCESS_TABLE)}
# Ends of lines and NULs that scanners append; spaces are Base45 digits and stay.
_SCANNER_NOISE = "\r\n\t\x00"


class Verdict(StrEnum):
    """What a scanned code turned out to be. Codes; the UI translates them."""

    VALID = "valid"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED_KEY = "expired_key"
    REVOKED_KEY = "revoked_key"
    UNSUPPORTED_VERSION = "unsupported_version"
    NOT_NAKAMA = "not_nakama"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class JobOrigin:
    """The envelope of the lead firm's ``JobCreated`` event, to rebuild it exactly."""

    event_id: str
    terminal_id: str
    seq: int
    hlc: int
    occurred_at: str
    note: str | None = None
    schema_version: int = 1
    operator: str | None = None  # schema 2: who created the job


@dataclass(frozen=True, slots=True)
class Traveler:
    """What the QR says. ``qty`` is the lot's quantity; ``job_qty`` the whole order's."""

    job_id: str
    lot_id: str
    part_no: str
    qty: int
    due: date
    route: Route
    issuer: str
    issued_at: datetime
    parent_lot: str | None = None
    drawing_no: str | None = None
    job_qty: int | None = None
    origin: JobOrigin | None = None

    @property
    def order_qty(self) -> int:
        return self.job_qty if self.job_qty is not None else self.qty


@dataclass(frozen=True, slots=True)
class PublicKey:
    """One terminal's traveler-signing key, registered to its firm."""

    firm: str
    key_id: str
    public_key: bytes
    terminal_id: str
    valid_from: datetime
    valid_until: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class KeyDirectory:
    """Firm code -> that firm's public keys; what a terminal trusts while offline."""

    by_firm: Mapping[str, tuple[PublicKey, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, keys: Iterable[PublicKey]) -> KeyDirectory:
        grouped: dict[str, list[PublicKey]] = {}
        for k in keys:
            grouped.setdefault(k.firm, []).append(k)
        return cls({f: tuple(ks) for f, ks in grouped.items()})

    def find(self, firm: str, key_id: str) -> PublicKey | None:
        for k in self.by_firm.get(firm, ()):
            if k.key_id == key_id:
                return k
        return None


@dataclass(frozen=True, slots=True)
class Verification:
    """The verdict on a scanned text. ``traveler`` is filled whenever the payload could be
    read, so the screen can say *whose* code failed; only ``ok`` means it can be trusted."""

    verdict: Verdict
    traveler: Traveler | None = None
    key_id: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.VALID


class TravelerError(NakamaError, ValueError):
    """A traveler that cannot be encoded (e.g. ``too_large``). ``code`` is translatable."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class _Malformed(Exception):
    pass


# -- keys ----------------------------------------------------------------------------


def key_id_for(public_key: bytes) -> str:
    """The key id: the first 8 bytes of SHA-256 of the raw public key, as hex."""
    return hashlib.sha256(public_key).digest()[:KEY_ID_BYTES].hex()


def raw_public_key(signing_key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return signing_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


# -- encoding ------------------------------------------------------------------------


def _payload_array(t: Traveler, version: int = FORMAT_VERSION) -> list[Any]:
    flat: list[Any] = []
    for op in t.route.ops:
        code = _PROCESS_INDEX.get(op.process, op.process)
        flat += [op.seq, code, _pack_firm(op.firm, version)]
    return [
        t.job_id,
        _pack_lot(t.lot_id, t.job_id),
        None if t.parent_lot is None else _pack_lot(t.parent_lot, t.job_id),
        t.part_no,
        t.drawing_no,
        t.qty,
        None if t.job_qty in (None, t.qty) else t.job_qty,
        t.due.toordinal() - _EPOCH_DAY,
        flat,
        _pack_firm(t.issuer, version),
        int(t.issued_at.timestamp()),
        None if t.origin is None else _origin_array(t.origin, version),
    ]


def _origin_array(o: JobOrigin, version: int) -> list[Any]:
    """Version 2: [event id, terminal, seq, hlc, time, schema, operator, ""|None]: never a
    note's text, only whether the job's note was empty (so such a job's ``JobCreated`` is
    still rebuilt exactly); a job with a note is rebuilt without it (it is on the paper).
    Version 1: the same five, then for a schema-1 event the note if any, for a schema-2
    event the note and the operator (seven items)."""
    origin: list[Any] = [
        uuid.UUID(o.event_id).bytes,
        _pack_terminal(o.terminal_id),
        o.seq,
        o.hlc,
        _pack_time(o.occurred_at, o.hlc),
    ]
    if version >= 2:
        return [*origin, o.schema_version, o.operator, "" if o.note == "" else None]
    if o.schema_version >= 2:
        return [*origin, o.note, o.operator]
    return origin if o.note is None else [*origin, o.note]


# Lots are usually named JOB-1, JOB-2 ...; the number alone is sent then (an int on the
# wire, where any other lot name is a text, so the two cannot be confused).
def _pack_lot(lot_id: str, job_id: str) -> int | str:
    n = lots.number(job_id, lot_id)
    return n if n is not None else lot_id


def _unpack_lot(v: Any, job_id: str) -> str:
    # A number names the job's lot with that number (``lots.lot_id``); release 0.1 printed
    # the first lot as 1 too, meaning the same lot.
    if isinstance(v, int) and not isinstance(v, bool):
        n = _int(v, 0, 2**32)
        if n < 1:
            raise _Malformed("lot")
        return lots.lot_id(job_id, n)
    return lots.canonical(job_id, str(_str(v)))


# Version 2: a firm code of the usual form ``F`` + three digits (``F001``) travels as its
# number (one byte instead of five; 40 bytes on a 12-step route); any other code as text.
_FIRM = re.compile(r"F(\d{3})")


def _pack_firm(code: str, version: int) -> int | str:
    m = _FIRM.fullmatch(code)
    return int(m.group(1)) if version >= 2 and m else code


def _unpack_firm(v: Any, version: int) -> str:
    if version >= 2 and isinstance(v, int) and not isinstance(v, bool):
        return f"F{_int(v, 0, 1000):03d}"
    return str(_str(v))


# Terminal ids made by the store are "T" + 12 hex digits: 6 bytes on the wire.
_TERMINAL = re.compile(r"T[0-9A-F]{12}")


def _pack_terminal(terminal_id: str) -> bytes | str:
    if _TERMINAL.fullmatch(terminal_id):
        return bytes.fromhex(terminal_id[1:])
    return terminal_id


def _unpack_terminal(v: Any) -> str:
    if isinstance(v, bytes):
        if len(v) != 6:
            raise _Malformed("origin")
        return "T" + v.hex().upper()
    return str(_str(v))


def _pack_time(text: str, hlc: int) -> int | str:
    # The event's wall-clock time is sent as milliseconds after the hybrid clock's own
    # milliseconds (a byte or two, against 29 for the text); the text is kept only when
    # the number would not give it back character for character.
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return text
    if dt.tzinfo is None:
        return text
    delta = round(dt.timestamp() * 1000) - (hlc >> HLC_COUNTER_BITS)
    try:
        same = _unpack_time(delta, hlc) == text
    except (ValueError, OverflowError):
        same = False
    return delta if same else text


def _unpack_time(v: int | str, hlc: int) -> str:
    if isinstance(v, str):
        return v
    ms = (hlc >> HLC_COUNTER_BITS) + v
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def encode(
    traveler: Traveler,
    signing_key: Ed25519PrivateKey,
    key_id: str,
    *,
    version: int = FORMAT_VERSION,
) -> str:
    """The QR text for ``traveler``, signed with ``signing_key`` (registered as ``key_id``).
    ``version`` 1 writes the old format (for tests of old paper).

    Raises ``TravelerError('too_large')`` when it would not fit one QR code."""
    if version not in READABLE_VERSIONS:
        raise TravelerError("unsupported_version", str(version))
    payload = cbor2.dumps(_payload_array(traveler, version))
    protected = cbor2.dumps({COSE_ALG: COSE_EDDSA, COSE_KID: bytes.fromhex(key_id)})
    signature = signing_key.sign(_sig_structure(protected, payload))
    sign1 = cbor2.dumps([protected, {}, payload, signature])
    packed = zlib.compress(sign1, _ZLIB_LEVEL)
    body = packed if len(packed) < len(sign1) else sign1
    text = f"NK{version}:" + base45.b45encode(body).decode("ascii")
    if len(text) > MAX_ENCODED:
        raise TravelerError("too_large", f"{len(text)} characters")
    return text


# -- decoding ------------------------------------------------------------------------


def looks_like_traveler(text: str) -> bool:
    """Whether ``text`` claims to be a Nakama traveler of any version (``NK1:``, ``NK2:`` …),
    before any checking: what a scan router asks first."""
    return isinstance(text, str) and _VERSIONED.match(text.lstrip(_SCANNER_NOISE)[:12]) is not None


def verify(text: str, directory: KeyDirectory, now: datetime) -> Verification:
    """Read and check a scanned text. Never raises: every failure is a ``Verdict``."""
    if not isinstance(text, str):
        return Verification(Verdict.NOT_NAKAMA)
    text = text.strip(_SCANNER_NOISE)
    m = _VERSIONED.match(text[:12])
    if m is None:
        return Verification(Verdict.NOT_NAKAMA)
    version = int(m.group(1))
    if version not in READABLE_VERSIONS:
        return Verification(Verdict.UNSUPPORTED_VERSION, detail=m.group(0))
    if len(text) > MAX_TEXT:
        return Verification(Verdict.MALFORMED, detail="too_long")
    try:
        protected, payload, signature, kid, traveler = _unpack(text[m.end() :].upper(), version)
    except _Malformed as exc:
        return Verification(Verdict.MALFORMED, detail=str(exc))
    key = directory.find(traveler.issuer, kid)
    if key is None:
        return Verification(Verdict.UNKNOWN_KEY, traveler, kid)
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(
            signature, _sig_structure(protected, payload)
        )
    except (InvalidSignature, ValueError):
        return Verification(Verdict.BAD_SIGNATURE, traveler, kid)
    if key.revoked_at is not None and key.revoked_at <= now:
        return Verification(Verdict.REVOKED_KEY, traveler, kid)
    # The key must be valid now (as for any certificate) and must have been valid when
    # it says it signed: a traveler claiming a date outside the key's life is refused.
    for moment in (now, traveler.issued_at):
        if moment < key.valid_from or (key.valid_until is not None and moment > key.valid_until):
            return Verification(Verdict.EXPIRED_KEY, traveler, kid)
    return Verification(Verdict.VALID, traveler, kid)


def _unpack(body: str, version: int) -> tuple[bytes, bytes, bytes, str, Traveler]:
    try:
        raw = base45.b45decode(body)
    except (ValueError, TypeError) as exc:
        raise _Malformed("base45") from exc
    if raw[:1] == b"\x78":
        d = zlib.decompressobj()
        try:
            raw = d.decompress(raw, MAX_INFLATED)
        except zlib.error as exc:
            raise _Malformed("zlib") from exc
        if d.unconsumed_tail or not d.eof or d.unused_data:
            raise _Malformed("zlib")
    sign1 = _cbor(raw)
    if not (isinstance(sign1, list) and len(sign1) == 4):
        raise _Malformed("cose")
    protected, unprotected, payload, signature = sign1
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, dict)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
        and len(signature) == 64
    ):
        raise _Malformed("cose")
    header = _cbor(protected)
    if not isinstance(header, dict) or header.get(COSE_ALG) != COSE_EDDSA:
        raise _Malformed("alg")
    kid = header.get(COSE_KID)
    if not isinstance(kid, bytes) or len(kid) != KEY_ID_BYTES:
        raise _Malformed("kid")
    return protected, payload, signature, kid.hex(), _traveler(_cbor(payload), version)


def _cbor(raw: bytes) -> Any:
    fp = io.BytesIO(raw)
    try:
        value = cbor2.CBORDecoder(fp).decode()
    except Exception as exc:
        # Hostile bytes go through a third-party decoder whose error types are not all
        # documented (tags can raise OverflowError, TypeError...); any failure is malformed.
        raise _Malformed("cbor") from exc
    if fp.tell() != len(raw):
        raise _Malformed("cbor_trailing")
    return value


def _str(v: Any, *, optional: bool = False, limit: int = 200) -> Any:
    if v is None and optional:
        return None
    if not isinstance(v, str) or not v or len(v) > limit:
        raise _Malformed("field")
    return v


def _int(v: Any, low: int, high: int) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not low <= v < high:
        raise _Malformed("field")
    return v


def _traveler(a: Any, version: int) -> Traveler:
    if not isinstance(a, list) or len(a) != 12:
        raise _Malformed("payload")
    job_id, lot_id, parent, part_no, drawing, qty, job_qty, due, flat, issuer, issued, origin = a
    if not isinstance(flat, list) or not flat or len(flat) % 3 or len(flat) > 3 * 40:
        raise _Malformed("route")
    ops = []
    for i in range(0, len(flat), 3):
        firm = _unpack_firm(flat[i + 2], version)
        ops.append(Operation(_int(flat[i], 1, 10**9), _process(flat[i + 1]), firm))
    seqs = [o.seq for o in ops]
    if seqs != sorted(set(seqs)):
        raise _Malformed("route")
    if drawing is not None and not isinstance(drawing, str):
        raise _Malformed("field")
    try:
        due_date = date.fromordinal(_int(due, -_EPOCH_DAY + 1, 10**6) + _EPOCH_DAY)
        issued_at = datetime.fromtimestamp(_int(issued, 0, 2**40), UTC)
    except (ValueError, OverflowError) as exc:
        raise _Malformed("field") from exc
    job = str(_str(job_id))
    lot_qty = _int(qty, 1, 10**9)
    return Traveler(
        job_id=job,
        lot_id=_unpack_lot(lot_id, job),
        parent_lot=None if parent is None else _unpack_lot(parent, job),
        part_no=_str(part_no),
        drawing_no=drawing if drawing is None else _limit(drawing),
        qty=lot_qty,
        job_qty=lot_qty if job_qty is None else _int(job_qty, 1, 10**9),
        due=due_date,
        route=Route(tuple(ops)),
        issuer=_unpack_firm(issuer, version),
        issued_at=issued_at,
        origin=None if origin is None else _origin(origin, version),
    )


def _process(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        if not 0 <= v < len(_PROCESS_TABLE):
            raise _Malformed("process")
        return _PROCESS_TABLE[v]
    return str(_str(v))


def _limit(v: str, limit: int = 200) -> str:
    if len(v) > limit:
        raise _Malformed("field")
    return v


def _origin(o: Any, version: int) -> JobOrigin:
    if not isinstance(o, list) or len(o) not in ((8,) if version >= 2 else (5, 6, 7)):
        raise _Malformed("origin")
    if not isinstance(o[0], bytes) or len(o[0]) != 16:
        raise _Malformed("origin")
    hlc = _int(o[3], 0, 2**63)
    occurred = o[4]
    if isinstance(occurred, int) and not isinstance(occurred, bool):
        try:
            occurred = _unpack_time(_int(occurred, -(2**40), 2**40), hlc)
        except (ValueError, OverflowError, OSError) as exc:
            raise _Malformed("origin") from exc
    elif not isinstance(occurred, str) or not occurred or len(occurred) > 64:
        raise _Malformed("origin")
    if version >= 2:
        schema, operator, note = o[5], o[6], o[7]
        if schema not in (1, 2) or isinstance(schema, bool) or note not in ("", None):
            raise _Malformed("origin")
    else:
        note = o[5] if len(o) >= 6 else None
        schema = 2 if len(o) == 7 else 1
        operator = o[6] if len(o) == 7 else None
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        raise _Malformed("origin")
    if operator is not None and (not isinstance(operator, str) or not 0 < len(operator) <= 64):
        raise _Malformed("origin")
    return JobOrigin(
        event_id=str(uuid.UUID(bytes=o[0])),
        terminal_id=_unpack_terminal(o[1]),
        seq=_int(o[2], 0, 2**63),
        hlc=hlc,
        occurred_at=occurred,
        note=note,
        schema_version=schema,
        operator=operator,
    )


def traveler_to_dict(t: Traveler) -> dict[str, Any]:
    """A JSON-ready form of a traveler (for ``nakama decode`` and ``traveler verify``)."""
    return {
        "format_version": FORMAT_VERSION,
        "job_id": t.job_id,
        "lot_id": t.lot_id,
        "parent_lot": t.parent_lot,
        "part_no": t.part_no,
        "drawing_no": t.drawing_no,
        "qty": t.qty,
        "order_qty": t.order_qty,
        "due": t.due.isoformat(),
        "route": t.route.to_dicts(),
        "issuer": t.issuer,
        "issued_at": t.issued_at.isoformat(),
        "job_event_id": t.origin.event_id if t.origin else None,
    }


def verification_to_dict(v: Verification) -> dict[str, Any]:
    return {
        "verdict": v.verdict.value,
        "key_id": v.key_id,
        "traveler": traveler_to_dict(v.traveler) if v.traveler else None,
        "detail": v.detail,
    }


def digest(text: str) -> str:
    """A short fingerprint of a traveler's QR text, kept in the ``TravelerIssued`` event."""
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:32]


__all__: Sequence[str] = (
    "FORMAT_VERSION",
    "PREFIX",
    "READABLE_VERSIONS",
    "JobOrigin",
    "KeyDirectory",
    "PublicKey",
    "Traveler",
    "TravelerError",
    "Verdict",
    "Verification",
    "encode",
    "key_id_for",
    "looks_like_traveler",
    "traveler_to_dict",
    "verify",
)
