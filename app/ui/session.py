"""The UI's handle on the store: records commands and tells screens when to refresh."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from app.store import AppendResult, Store, StoreError


class Session(QObject):
    """Owns the store for the GUI thread; ``changed`` fires after every write."""

    changed = Signal()
    message = Signal(str, str)  # level ("info" | "error"), text

    def __init__(self, store: Store, firm_names: dict[str, str] | None = None) -> None:
        super().__init__()
        self.store = store
        self.firm_names = dict(firm_names or {})

    @property
    def firm(self) -> str:
        return self.store.firm_id

    def firm_label(self, code: str | None) -> str:
        if not code:
            return "—"
        name = self.firm_names.get(code)
        return f"{name} ({code})" if name else code

    def record(
        self, type_: str, payload: dict[str, Any], *, job_id: str | None, op: int | None = None
    ) -> AppendResult:
        """Record a command; storage failures become a refused result the screen can show."""
        try:
            result = self.store.record(type_, payload, job_id=job_id, op=op)
        except StoreError as exc:
            result = AppendResult(False, reason=exc.code, detail=exc.detail)
        if result.ok:
            self.changed.emit()
        return result
