"""Building events for tests without a store: explicit terminals, clocks and payloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.clock import hlc_pack, new_event_id
from app.core.commands import Command
from wire.events import Event

ROUTE = [
    {"seq": 10, "process": "LATHE", "firm": "F001"},
    {"seq": 20, "process": "HEAT", "firm": "F007"},
    {"seq": 30, "process": "GRIND", "firm": "F012"},
    {"seq": 40, "process": "INSPECT", "firm": "F001"},
]
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


class Terminal:
    """A fake terminal that stamps events with its own seq and a simple clock."""

    def __init__(self, terminal_id: str, firm: str, start_ms: int = 1_000_000) -> None:
        self.terminal_id, self.firm = terminal_id, firm
        self.seq = 0
        self.ms = start_ms

    def event(
        self,
        type_: str,
        payload: dict[str, Any],
        *,
        job_id: str | None = "F001-J1",
        op: int | None = None,
        at: datetime | None = None,
        advance_ms: int = 1000,
    ) -> Event:
        self.seq += 1
        self.ms += advance_ms
        when = at or T0 + timedelta(milliseconds=self.ms)
        return Event(
            event_id=new_event_id(),
            terminal_id=self.terminal_id,
            seq=self.seq,
            hlc=hlc_pack(self.ms, 0),
            occurred_at=when.isoformat(timespec="milliseconds"),
            firm_id=self.firm,
            job_id=job_id,
            op=op,
            type=type_,
            payload=payload,
        )


def job_created(t: Terminal, qty: int = 100, route: list[dict[str, Any]] | None = None) -> Event:
    return t.event(
        "JobCreated",
        {
            "part_no": "SHAFT-1",
            "drawing_no": "D-1",
            "qty": qty,
            "due": "2026-12-24",
            "lead_firm": t.firm,
            "route": route or ROUTE,
            "note": "",
            "customer": "Secret Motors",
            "unit_price_yen": 1200,
        },
    )


def raw(
    type_: str,
    payload: dict[str, Any],
    *,
    job_id: str | None = None,
    op: int | None = None,
    operator: str | None = "OP-TEST",
) -> Command:
    """A command built by hand, past the core's command functions: for tests that set up
    a state directly or that attack the store's own checks."""
    return Command(type_, payload, job_id, op, operator)
