"""The firm directory: who the codes on a route are (name, region), for screens and
printed travelers.

The hub sends the consortium's directory down the feed; the demo writes its neighbours.
A firm missing here is shown by its code, never hidden, so nothing waits on the
directory. Not derived from events, so ``nakama db rebuild`` leaves it alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from app.store.store import Store

log = logging.getLogger(__name__)
SOURCES = ("hub", "demo", "local")
MAX_NAME = 100


def save_firms(store: Store, rows: Iterable[Any], *, source: str = "hub") -> int:
    """Merge directory rows (``code``, ``name``, ``region``) in one transaction; returns
    how many were written. A malformed row is logged and skipped: the directory must
    never stop a sync."""
    if source not in SOURCES:
        raise ValueError(source)
    clean: list[tuple[str, str, str]] = []
    for row in rows:
        code = row.get("code") if isinstance(row, Mapping) else None
        name = row.get("name") if isinstance(row, Mapping) else None
        region = row.get("region", "") if isinstance(row, Mapping) else None
        if (
            not isinstance(code, str)
            or not 0 < len(code) <= 32
            or not isinstance(name, str)
            or not 0 < len(name.strip()) <= MAX_NAME
            or not isinstance(region, str)
        ):
            log.warning("firm directory row skipped", extra={"row": repr(row)[:200]})
            continue
        clean.append((code, name.strip(), region[:32]))
    if not clean:
        return 0
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO firms VALUES (?, ?, ?, ?, ?)",
            [(code, name, region, source, stamp) for code, name, region in clean],
        )
    return len(clean)


def firm_names(store: Store) -> dict[str, str]:
    """``code -> name`` for every firm in the directory."""
    return dict(store.conn.execute("SELECT code, name FROM firms").fetchall())


def firm_directory(store: Store) -> list[dict[str, str]]:
    """The whole directory, by code."""
    rows = store.conn.execute("SELECT code, name, region, source FROM firms ORDER BY code")
    return [{"code": c, "name": n, "region": r, "source": s} for c, n, r, s in rows]
