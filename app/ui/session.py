"""The UI's handle on the store: who is signed in, recording commands, and telling screens
when to refresh."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core import operators
from app.core.commands import Actor, Command, Refusal
from app.core.operators import OperatorRecord
from app.core.rules import Reason
from app.store import AppendResult, Store, StoreError
from app.store.firms import firm_names

# Stands for "an operator of this firm" when asking the core what could be done before
# anyone has signed in (the buttons are offered; tapping one asks for the sign-in first).
# Never recorded: every command is decided again with the signed-in actor.


class Session(QObject):
    """Owns the store for the GUI thread; ``changed`` fires after every write and
    ``operator_changed`` when someone signs in or out."""

    changed = Signal()
    recorded = Signal(object)  # the Event just recorded (after ``changed``)
    operator_changed = Signal()
    message = Signal(str, str)  # level ("info" | "error"), text

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.operator: OperatorRecord | None = None
        self._names: dict[str, str] | None = None
        self._roster: dict[str, OperatorRecord] | None = None
        self.changed.connect(self._forget_names)  # the directory may have come with a sync

    @property
    def firm(self) -> str:
        return self.store.firm_id

    # -- who is acting -------------------------------------------------------------

    @property
    def actor(self) -> Actor:
        """The signed-in operator of this terminal's firm (no operator when nobody is)."""
        if self.operator is None:
            return Actor(self.firm)
        return Actor(self.firm, self.operator.operator_id, self.operator.role)

    def roster(self, *, active_only: bool = True) -> dict[str, OperatorRecord]:
        return self.store.operators(active_only=active_only)

    def sign_in(self, rec: OperatorRecord) -> None:
        self.operator = rec
        self.operator_changed.emit()

    def sign_out(self) -> None:
        self.operator = None
        self.operator_changed.emit()

    def sign_in_id(self, operator_id: str) -> bool:
        """Sign in an active operator of this firm by id (the demo starts this way)."""
        rec = self.roster().get(operator_id)
        if rec is None:
            return False
        self.sign_in(rec)
        return True

    def sign_in_pin(self, rec: OperatorRecord, pin: str) -> str | None:
        """Sign ``rec`` in if ``pin`` is theirs; the refusal reason otherwise."""
        current = self.roster().get(rec.operator_id)
        if current is None:
            return Reason.UNKNOWN_OPERATOR.value
        if current.has_pin and not operators.check_pin(pin, current.pin_hash):
            return Reason.BAD_PIN.value
        self.sign_in(current)
        return None

    def sign_in_badge(self, text: str) -> str | None:
        """Sign in the operator a scanned badge names (``NKOP:<id>:<badge>``); the refusal
        reason when the badge is not an active operator's of this firm."""
        parsed = operators.parse_badge(text.strip())
        if parsed is None:
            return Reason.UNKNOWN_OPERATOR.value
        operator_id, badge = parsed
        rec = self.roster().get(operator_id)
        if rec is None or not rec.badge or rec.badge != badge:
            return Reason.UNKNOWN_OPERATOR.value
        self.sign_in(rec)
        return None

    def operator_name(self, operator_id: str | None) -> str:
        """An operator's name from this firm's roster (retired ones too); the bare id for
        anyone else (other firms' rosters never come here)."""
        if not operator_id:
            return "—"
        if self._roster is None:
            self._roster = self.store.operators()
        rec = self._roster.get(operator_id)
        return rec.name if rec is not None else operator_id

    # -- firms ---------------------------------------------------------------------

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
        self._roster = None

    # -- recording -----------------------------------------------------------------

    def record(self, cmd: Command | Refusal) -> AppendResult:
        """Record what a core command decided; a refusal and storage failures become a
        refused result the screen can show."""
        try:
            result = self.store.record(cmd)
        except StoreError as exc:
            result = AppendResult(False, reason=exc.code, detail=exc.detail)
        if result.ok:
            self.changed.emit()
            if result.event is not None:
                self.recorded.emit(result.event)
        return result
