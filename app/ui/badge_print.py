"""Operator badge cards: A4 sheets of credit-card-sized cards, each with the operator's
name, id and role and a QR code of their badge text (``operators.badge_text``), which a
scanner reads at sign-in. Drawn with the traveler's PDF writer helpers (vector QR,
embedded fonts, searchable Japanese)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

from app.core import operators
from app.core.operators import OperatorRecord
from app.ui.traveler_print import DPI, _Sheet, ensure_app, fix_to_unicode

CARD_MM = (85.6, 54.0)  # ISO/IEC 7810 ID-1, fits a badge holder
COLS, ROWS = 2, 5
MARGIN_X, MARGIN_Y, GAP = 15.0, 13.0, 4.0
QR_MM = 40.0
ROLE = {
    "owner": ("社長・管理者", "Owner"),
    "inspector": ("検査員", "Inspector"),
    "operator": ("作業者", "Operator"),
}


def _card(s: _Sheet, rec: OperatorRecord, x: float, y: float, lang: str) -> None:
    w, h = CARD_MM
    s.box(x, y, w, h, 0.2)
    s.qr(operators.badge_text(rec), x + 2, y + (h - QR_MM) / 2, QR_MM)
    tx, tw = x + QR_MM + 4, w - QR_MM - 7
    ja, en = ROLE.get(rec.role, (rec.role, rec.role))
    s.text(tx, y + 5, tw, 6, ja if lang == "ja" else en, 8)
    s.text(tx, y + 14, tw, 14, rec.name, 16, bold=True, wrap=True)
    s.text(tx, y + 32, tw, 6, rec.operator_id, 9)
    s.text(tx, y + 40, tw, 6, ("バッジ " if lang == "ja" else "Badge ") + rec.badge, 8)


def write_badges(records: Sequence[OperatorRecord], out: Path, *, lang: str = "ja") -> int:
    """Write one card per operator in ``records`` to ``out``; returns the number of cards.
    Written beside the target first, so a failure never leaves half a PDF behind."""
    ensure_app()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    writer = QPdfWriter(str(tmp))
    writer.setResolution(DPI)
    writer.setTitle("作業者バッジ / Operator badges")
    writer.setCreator("Nakama")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    painter = QPainter(writer)
    try:
        sheet = _Sheet(painter)
        per_page = COLS * ROWS
        for i, rec in enumerate(records):
            if i and i % per_page == 0:
                writer.newPage()
            slot = i % per_page
            col, row = slot % COLS, slot // COLS
            x = MARGIN_X + col * (CARD_MM[0] + GAP)
            y = MARGIN_Y + row * (CARD_MM[1] + GAP)
            _card(sheet, rec, x, y, lang)
    finally:
        painter.end()
    try:
        tmp.write_bytes(fix_to_unicode(tmp.read_bytes()))
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(records)
