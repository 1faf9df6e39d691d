"""Local SQLite store: event log, projections, outbox, migrations. No Qt, no network."""

from app.store.errors import StoreError
from app.store.store import AppendResult, Store

__all__ = ["AppendResult", "Store", "StoreError"]
