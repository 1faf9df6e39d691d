"""The enrolment QR: what ``nakama-hub enroll-code --qr`` shows and a terminal scans.

``NKEN:<hub url> <code>``, e.g. ``NKEN:https://hub.example.jp K7QM-2XPA-9RTB``: the
hub's address and a one-time code, so a shop joins by one scan instead of typing both.
Defined once here for the hub (which prints it) and the terminal (which reads it).
"""

from __future__ import annotations

PREFIX = "NKEN:"


def qr_text(hub_url: str, code: str) -> str:
    """The text the enrolment QR carries."""
    return f"{PREFIX}{hub_url.strip().rstrip('/')} {code.strip()}"


def parse_qr(text: str) -> tuple[str, str] | None:
    """(hub url, code) from a scanned enrolment QR; None for any other text. The address
    keeps its case (a path may need it); a code is compared without case by the hub."""
    text = text.strip()
    if text[: len(PREFIX)].upper() != PREFIX:
        return None
    url, _, code = text[len(PREFIX) :].strip().partition(" ")
    url, code = url.strip(), code.strip()
    if not url or not code or "://" not in url:
        return None
    return url, code
