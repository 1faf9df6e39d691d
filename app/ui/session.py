"""The UI's handle on the store: records commands and tells screens when to refresh."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.commands import Command, Refusal
from app.store import AppendResult, Store, StoreError
from app.store.firms import firm_names


class Session(QObject):
    """Owns the store for the GUI thread; ``changed`` fires after every write."""

    changed = Signal()
    message = Signal(str, str)  # level ("info" | "error"), text

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._names: dict[str, str] | None = None
        self.changed.connect(self._forget_names)  # the directory may have come with a sync

    @property
    def firm(self) -> str:
        return self.store.firm_id

    def firm_label(self, code: str | None) -> str:
        """``山田精機 (F001)`` from the firm directory, or the bare code for a firm the
        directory does not know yet."""
        if not code:
            return "—"
        if self._names is None:
            self._names = firm_names(self.store)
        name = self._names.get(code)
        return f"{name} ({code})" if name else code

    def _forget_names(self) -> None:
        self._names = None

    def record(self, cmd: Command | Refusal) -> AppendResult:
        """Record what a core command decided; a refusal and storage failures become a
        refused result the screen can show."""
        try:
            result = self.store.record(cmd)
        except StoreError as exc:
            result = AppendResult(False, reason=exc.code, detail=exc.detail)
        if result.ok:
            self.changed.emit()
        return result
