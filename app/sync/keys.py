"""The key directory over the hub: this terminal's public key goes up at enrolment, the
consortium's keys come down the feed into the local key table (``app/store/keyring``)
that travelers are verified against.

Keys are stored before the feed cursor moves (a separate transaction, first): a crash in
between re-fetches the same page and stores the same keys again, which changes nothing;
the other order could lose keys for good.
"""

from __future__ import annotations

import logging
from typing import Any

from app.store import Store
from app.store.keyring import KeyImportError, own_public_key, signing_key, upsert_keys

log = logging.getLogger(__name__)


def hub_key(store: Store) -> dict[str, Any]:
    """This terminal's public key in the hub's shape, made on first use."""
    signing_key(store)
    row = own_public_key(store)
    assert row is not None
    return {
        "key_id": row["key_id"],
        "public_key": row["public_key"],
        "valid_from": row["valid_from"],
        "valid_until": row["valid_until"],
        "revoked_at": row["revoked_at"],
    }


def save_keys(store: Store, keys: list[dict[str, Any]]) -> int:
    """Merge keys from the feed; a malformed row is logged and skipped, never blocks sync."""
    saved = 0
    for k in keys:
        if not isinstance(k, dict):
            continue
        row = {**k, "firm_id": k.get("firm")}
        row.pop("firm", None)
        try:
            saved += upsert_keys(store, [row], source="hub")
        except KeyImportError as exc:
            log.warning("key from hub skipped", extra={"key_id": k.get("key_id"), "why": exc.code})
    return saved
