"""The first-run wizard's rules: its pages in order, when a terminal still needs it, and
what each page needs before the next one opens. Qt-free; the screens only ask.

Nothing here records: the firm goes to the store's meta and the settings file, people
are ``OperatorSaved`` events through ``commands.save_operator``, devices and camera are
settings, enrolment is ``app.sync.enroll`` — the same paths the settings page uses. The
wizard's own progress is two store meta keys (``setup_page``, ``setup_done``), so a
terminal switched off half-way opens again on the page it was on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.core.operators import OperatorRecord, pin_ok

PAGES = ("language", "firm", "people", "devices", "camera", "hub")
PAGE_META, DONE_META = "setup_page", "setup_done"
_FIRM_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,15}$")


def needed(meta: Mapping[str, str | None], roster: Mapping[str, OperatorRecord]) -> bool:
    """Whether the wizard opens: it was started and not finished, or the terminal has
    neither a finished wizard nor any operator (a fresh install). A store set up before
    the wizard existed (it has operators) is left alone."""
    if meta.get(DONE_META):
        return False
    return bool(meta.get(PAGE_META)) or not roster


def resume_at(meta: Mapping[str, str | None]) -> int:
    """The page to open: where the wizard was left, or the first."""
    page = meta.get(PAGE_META) or ""
    return PAGES.index(page) if page in PAGES else 0


def firm_code(text: str) -> str:
    """A typed firm code as kept (``f001 `` → ``F001``)."""
    return text.strip().upper()


def firm_problem(code: str, name: str) -> str | None:
    """Why the firm page cannot be left yet, or None."""
    if not name.strip():
        return "setup_firm_name"
    if not _FIRM_CODE.match(firm_code(code)):
        return "setup_firm_code"
    return None


def owner_problem(name: str, pin: str, again: str) -> str | None:
    """Why the owner cannot be recorded yet: the owner signs the kiosk out and approves
    the settings page with this PIN, so it is typed twice."""
    if not name.strip():
        return "setup_owner_name"
    if not pin_ok(pin):
        return "setup_pin_length"
    if pin != again:
        return "setup_pin_differs"
    return None


def operator_problem(name: str, pin: str) -> str | None:
    """Why an operator cannot be added yet (their PIN is optional)."""
    if not name.strip():
        return "setup_operator_name"
    if pin and not pin_ok(pin):
        return "setup_pin_length"
    return None


def people_problem(roster: Mapping[str, OperatorRecord]) -> str | None:
    """The people page is left only with an active owner who has a PIN."""
    if any(r.active and r.role == "owner" and r.has_pin for r in roster.values()):
        return None
    return "setup_owner_missing"


def badge_from_scan(text: str) -> str:
    """A badge number from what a scanner typed: the number of a Nakama badge
    (``NKOP:<id>:<badge>``), or the card's own text (digits and letters kept)."""
    text = text.strip()
    if text.startswith("NKOP:"):
        text = text.rpartition(":")[2]
    return re.sub(r"[^0-9A-Za-z-]", "", text)[:32]


def next_badge(roster: Mapping[str, OperatorRecord]) -> str:
    """The first free badge number from 1001, as the settings page hands them out."""
    taken = {r.badge for r in roster.values()}
    return next(str(n) for n in range(1001, 10_000) if str(n) not in taken)
