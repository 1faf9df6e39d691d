"""Operator badge cards: A4 sheets of credit-card-sized cards, each with the operator's
name, id and role and a QR code of their badge text (``operators.badge_text``), which a
scanner reads at sign-in. Laid out with ``app.ui.paper`` (vector QR, embedded fonts,
searchable Japanese)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.core import operators
from app.core.operators import OperatorRecord
from app.ui.paper import Page, document

CARD_MM = (85.6, 54.0)  # ISO/IEC 7810 ID-1, fits a badge holder
COLS, ROWS = 2, 5
MARGIN_X, MARGIN_Y, GAP = 15.0, 13.0, 4.0
QR_MM = 40.0
ROLE = {
    "owner": ("社長・管理者", "Owner"),
    "inspector": ("検査員", "Inspector"),
    "operator": ("作業者", "Operator"),
}


def _card(s: Page, rec: OperatorRecord, x: float, y: float, lang: str) -> None:
    w, h = CARD_MM
    s.box(x, y, w, h, 0.2)
    s.qr(operators.badge_text(rec), x + 2, y + (h - QR_MM) / 2, QR_MM)
    tx, tw = x + QR_MM + 4, w - QR_MM - 7
    ja, en = ROLE.get(rec.role, (rec.role, rec.role))
    s.text(tx, y + 5, tw, 6, ja if lang == "ja" else en, 8)
    s.text(tx, y + 14, tw, 14, rec.name, 16, bold=True, shrink=True)
    s.text(tx, y + 32, tw, 6, rec.operator_id, 9)
    s.text(tx, y + 40, tw, 6, ("バッジ " if lang == "ja" else "Badge ") + rec.badge, 8)


def write_badges(records: Sequence[OperatorRecord], out: Path, *, lang: str = "ja") -> int:
    """Write one card per operator in ``records`` to ``out``; returns the number of cards.
    Written beside the target first, so a failure never leaves half a PDF behind."""
    with document(Path(out), "作業者バッジ / Operator badges") as doc:
        per_page = COLS * ROWS
        for i, rec in enumerate(records):
            if i and i % per_page == 0:
                doc.new_page()
            slot = i % per_page
            col, row = slot % COLS, slot // COLS
            x = MARGIN_X + col * (CARD_MM[0] + GAP)
            y = MARGIN_Y + row * (CARD_MM[1] + GAP)
            _card(doc.page, rec, x, y, lang)
    return len(records)
