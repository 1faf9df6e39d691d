"""A firm's operators: who did the work. Records, PIN hashing and the roster replay.

Operators are events (``OperatorSaved``) with no job, so the hub carries them between
the firm's own terminals and to nobody else. A PIN is kept only as a salted scrypt hash
(``scrypt$n$r$p$salt$hash``, standard library, memory-hard); badges are printed codes
``NKOP:<operator id>:<badge>`` that a scanner reads at sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from wire.events import Event

BADGE_PREFIX = "NKOP:"
_N, _R, _P = 2**14, 8, 1
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True)
class OperatorRecord:
    operator_id: str
    firm: str
    name: str
    role: str
    badge: str = ""
    pin_hash: str = ""
    active: bool = True

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)


def new_operator_id(firm: str) -> str:
    """``F001-OP-7K3Q``: namespaced by the firm, unique without asking anyone."""
    return f"{firm}-OP-" + "".join(secrets.choice(_ALPHABET) for _ in range(4))


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, want = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(
            pin.encode(),
            salt=base64.urlsafe_b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.urlsafe_b64decode(want))


def owner_unlock(roster: Mapping[str, OperatorRecord], operator_id: str, pin: str) -> str | None:
    """Whether ``operator_id`` with ``pin`` may leave the kiosk: an active owner of the
    roster, with a PIN, given right. None when yes, else the reason code."""
    rec = roster.get(operator_id)
    if rec is None or not rec.active:
        return "unknown_operator"
    if rec.role != "owner":
        return "not_owner"
    if not rec.has_pin:
        return "owner_pin_required"
    return None if check_pin(pin, rec.pin_hash) else "bad_pin"


def kiosk_leavable(roster: Mapping[str, OperatorRecord]) -> bool:
    """Whether someone could leave a kiosk: an active owner with a PIN. A kiosk is not
    started without one (nobody could leave it from the screen)."""
    return any(r.active and r.role == "owner" and r.has_pin for r in roster.values())


def pin_ok(pin: str) -> bool:
    return pin.isdigit() and 4 <= len(pin) <= 8


def badge_text(rec: OperatorRecord) -> str:
    return f"{BADGE_PREFIX}{rec.operator_id}:{rec.badge}"


def parse_badge(text: str) -> tuple[str, str] | None:
    """(operator id, badge) from a scanned badge text, or None for any other text."""
    if not text.startswith(BADGE_PREFIX):
        return None
    body = text[len(BADGE_PREFIX) :]
    operator_id, sep, badge = body.rpartition(":")
    return (operator_id, badge) if sep and operator_id and badge else None


def roster(events: Iterable[Event], firm: str) -> dict[str, OperatorRecord]:
    """The firm's operators from their events, the latest record of each winning.
    Records from another firm, or naming another firm's operator, are ignored."""
    out: dict[str, OperatorRecord] = {}
    for ev in sorted(events, key=lambda e: e.order_key):
        if ev.type != "OperatorSaved" or ev.firm_id != firm:
            continue
        p = ev.payload
        if not str(p["operator_id"]).startswith(firm + "-"):
            continue
        out[p["operator_id"]] = OperatorRecord(
            operator_id=p["operator_id"],
            firm=firm,
            name=p["name"],
            role=p["role"],
            badge=p.get("badge") or "",
            pin_hash=p.get("pin_hash") or "",
            active=p["status"] == "active",
        )
    return out
