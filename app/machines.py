"""The bridge from machine signals to the store: each change of a machine's state
becomes a ``MachineStateChanged`` event (with the unwrapped cycle counter), decided by
the core command and recorded by the store.

The driver only reports what it read; this app module decides what is recorded. It
runs in whichever thread owns the store (drain the device's queue there); no Qt.
"""

from __future__ import annotations

from typing import Any, Protocol

from app.core import commands
from app.core.commands import Actor, Command, Refusal
from drivers.readings import DeviceEvent, MachineState


class Recorder(Protocol):
    @property
    def actor(self) -> Actor: ...

    def record(self, cmd: Command | Refusal) -> Any: ...


class MachineStateRecorder:
    """Records state changes; with ``counter_step`` > 0 also every N counted cycles."""

    def __init__(self, store: Recorder, *, counter_step: int = 0) -> None:
        self.store = store
        self.counter_step = counter_step
        self._last: dict[str, tuple[str, int | None]] = {}

    def handle(self, ev: DeviceEvent) -> Any | None:
        """The store's result if ``ev`` was recorded, else None."""
        if not isinstance(ev, MachineState):
            return None
        last = self._last.get(ev.machine)
        due = last is None or last[0] != ev.state
        if not due and self.counter_step > 0 and ev.counter is not None and last is not None:
            due = last[1] is None or ev.counter - last[1] >= self.counter_step
        if not due:
            return None
        cmd = commands.machine_state(self.store.actor, ev.machine, ev.state, ev.counter)
        result = self.store.record(cmd)
        if getattr(result, "ok", True):
            self._last[ev.machine] = (ev.state, ev.counter)
        return result
