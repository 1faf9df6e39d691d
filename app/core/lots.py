"""One lot identity: the only place that names lots.

A job's first lot is ``{job_id}-L1``; a lot split off later is the job's next free
number, ``{job_id}-L2`` …, whatever lot it came from (its parent is in the state and
on its traveler). Travelers, screens, the CLI and the demo all name lots here, so a
traveler printed before the first receipt names the same lot the receipt records.

Release 0.1 also wrote ``{job_id}-1`` (travelers printed before a receipt); such a
text, scanned from old paper, means the same lot and ``canonical`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBERED = re.compile(r"-L([1-9][0-9]{0,3})$")
_LEGACY = re.compile(r"-([1-9][0-9]{0,3})$")


def lot_id(job_id: str, number: int = 1) -> str:
    """The lot with ``number`` of ``job_id``: ``F001-261129-7K3Q-L1``."""
    if number < 1:
        raise ValueError("lot numbers start at 1")
    return f"{job_id}-L{number}"


def first_lot(job_id: str) -> str:
    return lot_id(job_id, 1)


def number(job_id: str, lot: str) -> int | None:
    """The number of a lot of ``job_id`` named here, or None for any other text."""
    if not lot.startswith(job_id + "-"):
        return None
    m = _NUMBERED.fullmatch(lot[len(job_id) :])
    return int(m.group(1)) if m else None


def is_lot_of(job_id: str, lot: str) -> bool:
    return number(job_id, lot) is not None


def canonical(job_id: str, text: str) -> str:
    """The lot a scanned or typed text names: release 0.1's ``J-1`` is ``J-L1``."""
    if is_lot_of(job_id, text):
        return text
    if text.startswith(job_id + "-"):
        m = _LEGACY.fullmatch(text[len(job_id) :])
        if m:
            return lot_id(job_id, int(m.group(1)))
    return text


def legacy_spelling(job_id: str, lot: str) -> bool:
    """True for release 0.1's ``J-1`` spelling of a lot."""
    return not is_lot_of(job_id, lot) and canonical(job_id, lot) != lot


def next_lot(job_id: str, existing: Iterable[str]) -> str:
    """The id for a lot split off now: one past the highest number the job has."""
    top = max((n for lot in existing if (n := number(job_id, lot)) is not None), default=0)
    return lot_id(job_id, top + 1)
