"""Traveler-signing keys: this terminal's own key, and the directory of every firm's keys.

Each terminal signs travelers with its own Ed25519 key, registered to its firm, so a
lost PC is revoked alone and the firm's other travelers stay good.

The private key lives in a file beside the database (``nakama.db.signing.pem``,
permissions 0600), not in the database: the database is copied whole by every
migration backup (``VACUUM INTO``), by ``nakama db`` support dumps and by people
sending it for help, and none of those copies should carry the power to sign. If the
file is lost, a new key is made and registered; the old one is revoked at the hub.

The directory (firm -> public keys with validity dates) is the ``signing_keys`` table.
The hub helper replaces or merges it with ``upsert_keys``; revocations are sticky, so
an older copy of the directory can never bring a revoked key back.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.traveler import KeyDirectory, PublicKey, key_id_for, raw_public_key
from app.store.errors import StoreError
from app.store.store import Store
from wire.errors import NakamaError

# Another terminal's clock may run behind ours; a key valid "from now" would look
# not yet valid there for a while.
CLOCK_SLACK = timedelta(days=1)
KEY_LIFETIME = timedelta(days=5 * 366)
SOURCES = ("own", "hub", "import")
FIELDS = ("firm_id", "key_id", "terminal_id", "public_key", "valid_from", "valid_until",
          "revoked_at")  # fmt: skip


class KeyImportError(NakamaError, ValueError):
    """A key row that cannot go into the directory. ``code`` is translatable; ``index`` is
    the row's position in what was given. Nothing is written when this is raised."""

    def __init__(self, code: str, index: int, detail: str = "") -> None:
        super().__init__(f"{code} (row {index}): {detail}" if detail else f"{code} (row {index})")
        self.code = code
        self.index = index


def key_path(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".signing.pem")


def signing_key(store: Store, now: datetime | None = None) -> tuple[Ed25519PrivateKey, str]:
    """This terminal's private signing key and its key id, made and registered on first use.

    Raises ``StoreError('no_firm')`` before a firm is set: a key belongs to a firm."""
    if not store.firm_id:
        raise StoreError("no_firm", "set the terminal's firm first (--firm)", str(store.path))
    path = key_path(store)
    key = _load(path)
    if key is None:
        key = Ed25519PrivateKey.generate()
        _write_private(path, key)
    raw = raw_public_key(key)
    key_id = key_id_for(raw)
    known = store.conn.execute(
        "SELECT firm_id FROM signing_keys WHERE key_id = ?", (key_id,)
    ).fetchone()
    if known is None or known[0] != store.firm_id:
        start = (now or datetime.now(UTC)) - CLOCK_SLACK
        row = {
            "firm_id": store.firm_id,
            "key_id": key_id,
            "terminal_id": store.terminal_id,
            "public_key": raw.hex(),
            "valid_from": start.isoformat(timespec="seconds"),
            "valid_until": (start + KEY_LIFETIME).isoformat(timespec="seconds"),
            "revoked_at": None,
        }
        upsert_keys(store, [row], source="own")
    if store.meta("signing_key_id") != key_id:
        store.set_meta({"signing_key_id": key_id})
    return key, key_id


def _load(path: Path) -> Ed25519PrivateKey | None:
    if not path.exists():
        return None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise StoreError("bad_signing_key", str(exc), str(path)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise StoreError("bad_signing_key", "not an Ed25519 key", str(path))
    return key


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: two processes starting together must not overwrite each other's key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())


def own_public_key(store: Store) -> dict[str, Any] | None:
    """This terminal's public key as a directory row, to register with the hub."""
    key_id = store.meta("signing_key_id")
    if not key_id:
        return None
    rows = key_rows(store, where="key_id = ?", params=(key_id,))
    return rows[0] if rows else None


def key_rows(
    store: Store, *, where: str = "1", params: tuple[Any, ...] = ()
) -> list[dict[str, Any]]:
    """The directory as rows (``FIELDS`` plus ``source``), ordered by firm and key."""
    return store.rows(
        f"SELECT {', '.join(FIELDS)}, source FROM signing_keys WHERE {where} "
        "ORDER BY firm_id, valid_from, key_id",
        params,
    )


def key_directory(store: Store) -> KeyDirectory:
    """The directory ``verify`` checks travelers against."""
    return KeyDirectory.of(
        PublicKey(
            firm=r["firm_id"],
            key_id=r["key_id"],
            public_key=bytes.fromhex(r["public_key"]),
            terminal_id=r["terminal_id"],
            valid_from=_time(r["valid_from"]),
            valid_until=_time(r["valid_until"]) if r["valid_until"] else None,
            revoked_at=_time(r["revoked_at"]) if r["revoked_at"] else None,
        )
        for r in key_rows(store)
    )


def upsert_keys(
    store: Store,
    rows: Iterable[Mapping[str, Any]],
    *,
    source: str = "hub",
    replace: bool = False,
) -> int:
    """Merge key rows into the directory in one transaction; with ``replace`` the given
    rows become the whole directory apart from this terminal's own key. Returns the rows
    written. Raises ``KeyImportError`` (and writes nothing) on the first bad row."""
    if source not in SOURCES:
        raise ValueError(source)
    clean = [_clean(r, i) for i, r in enumerate(rows)]
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction() as conn:
        if replace:
            keep = [r["key_id"] for r in clean]
            conn.execute(
                "DELETE FROM signing_keys WHERE source != 'own' AND key_id NOT IN "
                f"({','.join('?' * len(keep))})",
                keep,
            )
        for r in clean:
            old = conn.execute(
                "SELECT revoked_at, source FROM signing_keys WHERE key_id = ?", (r["key_id"],)
            ).fetchone()
            revoked = r["revoked_at"]
            if old is not None and old[0] and (revoked is None or old[0] < revoked):
                revoked = old[0]  # a revocation is never undone by a stale copy
            src = "own" if old is not None and old[1] == "own" else source
            conn.execute(
                "INSERT OR REPLACE INTO signing_keys VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    r["key_id"],
                    r["firm_id"],
                    r["terminal_id"],
                    r["public_key"],
                    r["valid_from"],
                    r["valid_until"],
                    revoked,
                    src,
                    stamp,
                ),
            )
    return len(clean)


def _clean(r: Mapping[str, Any], i: int) -> dict[str, Any]:
    if not isinstance(r, Mapping):
        raise KeyImportError("not_an_object", i)
    out: dict[str, Any] = {}
    for name in ("firm_id", "terminal_id", "public_key", "valid_from"):
        v = r.get(name)
        if not isinstance(v, str) or not v.strip():
            raise KeyImportError("missing_field", i, name)
        out[name] = v.strip()
    try:
        raw = bytes.fromhex(out["public_key"])
    except ValueError as exc:
        raise KeyImportError("bad_public_key", i) from exc
    if len(raw) != 32:
        raise KeyImportError("bad_public_key", i)
    out["public_key"] = raw.hex()
    key_id = key_id_for(raw)
    if r.get("key_id") not in (None, key_id):
        raise KeyImportError("key_id_mismatch", i, f"{r.get('key_id')} != {key_id}")
    out["key_id"] = key_id
    for name in ("valid_from", "valid_until", "revoked_at"):
        v = r.get(name)
        if v is None and name != "valid_from":
            out[name] = None
            continue
        try:
            out[name] = _time(v).isoformat(timespec="seconds")
        except (TypeError, ValueError) as exc:
            raise KeyImportError("bad_time", i, name) from exc
    if out["valid_until"] and out["valid_until"] < out["valid_from"]:
        raise KeyImportError("bad_time", i, "valid_until before valid_from")
    return out


def _time(v: Any) -> datetime:
    """An aware UTC datetime from ISO text; a bare date or naive time is taken as UTC."""
    if not isinstance(v, str):
        raise TypeError("not text")
    dt = datetime.fromisoformat(v)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
