"""Store errors carry a code the UI translates and a detail for the log."""

from __future__ import annotations

from wire.errors import NakamaError


class StoreError(NakamaError):
    """Codes: not_a_database, foreign_database, schema_too_new, integrity_failed,
    disk_full, read_only, locked, io_error."""

    def __init__(self, code: str, detail: str = "", path: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.path = path


def classify(exc: Exception) -> str:
    """Map a sqlite3 error to a store error code."""
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return "disk_full"
    if "not a database" in text or "file is encrypted" in text:
        return "not_a_database"
    if "malformed" in text or "corrupt" in text:
        return "integrity_failed"
    if "readonly" in text or "read-only" in text:
        return "read_only"
    if "locked" in text or "busy" in text:
        return "locked"
    return "io_error"
