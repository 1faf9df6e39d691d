"""The key directory as it comes down the feed: firm → public keys for checking travelers.

Kept behind ``key_meta`` so the traveler module's own table can take its place; whatever
replaces it must be written in the same transaction as the feed cursor (``Store.ingest``
``meta``), or a crash between them loses keys for good.
"""

from __future__ import annotations

import json
from typing import Any

from app.store import Store

META_KEY = "key_directory"


def directory(store: Store) -> dict[str, dict[str, Any]]:
    """``"FIRM/KEY_ID"`` → key dict (firm, key_id, terminal_id, public_key, valid_from,
    valid_until, revoked_at)."""
    raw = store.meta(META_KEY)
    return json.loads(raw) if raw else {}


def key_meta(store: Store, keys: list[dict[str, Any]]) -> dict[str, str]:
    """Meta values that merge ``keys`` into the directory (empty when nothing changed)."""
    if not keys:
        return {}
    merged = directory(store)
    for k in keys:
        if (
            isinstance(k, dict)
            and isinstance(k.get("firm"), str)
            and isinstance(k.get("key_id"), str)
        ):
            merged[f"{k['firm']}/{k['key_id']}"] = k
    return {META_KEY: json.dumps(merged, ensure_ascii=False, sort_keys=True)}
