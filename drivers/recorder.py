"""The bridge from machine signals to the store: each change of a machine's state
becomes a ``MachineStateChanged`` event (with the unwrapped cycle counter).

It takes any object with the store's ``record`` method, so ``drivers`` does not import
the store, and it runs in whichever thread owns the store (drain the device's queue
there); no Qt involved.
"""

from __future__ import annotations

from typing import Any, Protocol

from drivers.readings import DeviceEvent, MachineState


class Recorder(Protocol):
    def record(self, type_: str, payload: dict[str, Any], *, job_id: str | None = ...) -> Any: ...


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
        payload: dict[str, Any] = {"machine": ev.machine, "state": ev.state}
        if ev.counter is not None:
            payload["counter"] = ev.counter
        result = self.store.record("MachineStateChanged", payload, job_id=None)
        if getattr(result, "ok", True):
            self._last[ev.machine] = (ev.state, ev.counter)
        return result
