"""Repairs recorded as events: release 0.1 named a job's first lot two ways.

Its screens and demo wrote ``J-L1``, its travelers ``J-1``; a job whose traveler was
printed before the first receipt ended with two lots. ``lot_respellings`` returns the
corrections (new events superseding the old, never edits) that move one firm's
``J-1`` records onto ``J-L1``. A terminal corrects only its own firm's events; each
firm's terminal does the same for its own on its first start of this release.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core import lots
from app.core.commands import Command
from wire.events import Event

REASON = "lot id respelled by the 0.2 upgrade"


def lot_respellings(events: Sequence[Event], firm: str) -> list[Command]:
    """Corrections for this firm's events of one job that name a lot the old way."""
    corrected = {
        e.payload["supersedes"] for e in events if e.type == "EventCorrected" and e.firm_id == firm
    }
    out = []
    for e in sorted(events, key=lambda e: e.order_key):
        if e.firm_id != firm or e.job_id is None or e.event_id in corrected:
            continue
        if e.type in ("EventCorrected", "JobCreated") or "lot_id" not in e.payload:
            continue
        fields = [k for k in ("lot_id", "child_lot_id") if k in e.payload]
        if not any(lots.legacy_spelling(e.job_id, e.payload[k]) for k in fields):
            continue
        payload = dict(e.payload)
        for k in fields:
            payload[k] = lots.canonical(e.job_id, payload[k])
        out.append(
            Command(
                "EventCorrected",
                {
                    "supersedes": e.event_id,
                    "reason": REASON,
                    "replacement": {"type": e.type, "payload": payload},
                },
                e.job_id,
                e.op,
                None,
            )
        )
    return out
