"""Shared makers for the traveler tests: keys, directories, travelers with N ops."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.clock import new_event_id
from app.core.model import Operation, Route
from app.core.traveler import (
    JobOrigin,
    KeyDirectory,
    PublicKey,
    Traveler,
    key_id_for,
    raw_public_key,
)

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
PROCESSES = ["LATHE", "HEAT", "GRIND", "PLATE", "INSPECT", "MC", "MILL", "POLISH",
             "WELD", "PAINT", "ASSY", "WIRE"]  # fmt: skip


def route(n: int) -> Route:
    return Route(
        tuple(
            Operation(10 * (i + 1), PROCESSES[i % 12], f"F{(i * 7) % 40 + 1:03d}") for i in range(n)
        )
    )


def make_key(firm: str = "F001", **kw: object) -> tuple[Ed25519PrivateKey, str, PublicKey]:
    k = Ed25519PrivateKey.generate()
    raw = raw_public_key(k)
    kid = key_id_for(raw)
    pub = PublicKey(
        firm=firm,
        key_id=kid,
        public_key=raw,
        terminal_id="T00000000000A",
        valid_from=kw.pop("valid_from", NOW - timedelta(days=30)),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )
    return k, kid, pub


def directory(*keys: PublicKey) -> KeyDirectory:
    return KeyDirectory.of(keys)


def traveler(n_ops: int = 5, **kw: object) -> Traveler:
    base: dict[str, object] = dict(
        job_id="F001-261129-7K3Q",
        lot_id="F001-261129-7K3Q-L1",
        part_no="SHAFT-A2041-03",
        qty=120,
        due=date(2026, 12, 20),
        route=route(n_ops),
        issuer="F001",
        issued_at=NOW - timedelta(hours=1),
        drawing_no="DWG-A2041 rev.C",
        job_qty=120,
        origin=JobOrigin(
            new_event_id(), "T3FA2B1C09D4E", 17, (1764390000000 << 16) | 3,
            "2026-11-29T04:20:00.123+00:00", ""
        ),
    )  # fmt: skip
    base.update(kw)
    return Traveler(**base)  # type: ignore[arg-type]
