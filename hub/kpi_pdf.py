"""The yearly evaluation report (年度評価報告書) as one A4 page of PDF.

Drawn with Qt's ``QPdfWriter``, as the terminal's printed reports are, with the fonts
embedded. Only ``nakama-hub kpi --pdf`` imports this module: the hub's server stays
Qt-free (an import-linter contract in ``pyproject.toml`` holds it to that), and a hub
installed without PySide6 still serves; only this report needs it.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from hub.kpi import JST

DPI = 300
FAMILIES = ["DejaVu Sans", "Noto Sans CJK JP"]
LEFT, TOP, WIDTH = 15.0, 14.0, 180.0
SALES = QColor("#1f5fa8")
REGIONAL = QColor("#d9822b")


def _app() -> QGuiApplication:
    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication([sys.argv[0] if sys.argv else "nakama-hub", "-platform", "offscreen"])
    assert isinstance(app, QGuiApplication)
    return app


def yen(value: int | None) -> str:
    return "—" if value is None else f"¥{value:,}"


def ratio(actual: int, plan: int | None) -> str:
    return "—" if not plan else f"{100 * actual / plan:.0f}%"


class _Page:
    def __init__(self, painter: QPainter) -> None:
        self.p = painter
        self.k = DPI / 25.4

    def r(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(x * self.k, y * self.k, w * self.k, h * self.k)

    def font(self, pt: float, bold: bool = False) -> None:
        f = QFont()
        f.setFamilies(FAMILIES)
        f.setPointSizeF(pt)
        f.setBold(bold)
        self.p.setFont(f)

    def text(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        s: str,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        pt: float = 9,
        bold: bool = False,
    ) -> None:
        self.font(pt, bold)
        self.p.setPen(QPen(QColor("#111111")))
        self.p.drawText(self.r(x, y, w, h), int(align | Qt.AlignmentFlag.AlignVCenter), s)

    def box(self, x: float, y: float, w: float, h: float, fill: QColor | None = None) -> None:
        self.p.setPen(QPen(QColor("#444444"), 0.25 * self.k))
        if fill is not None:
            self.p.fillRect(self.r(x, y, w, h), fill)
        self.p.drawRect(self.r(x, y, w, h))

    def table(
        self, y: float, widths: list[float], rows: list[list[str]], row_h: float = 6.0
    ) -> float:
        """Rows of cells (the first is the header); numbers right-aligned."""
        for i, row in enumerate(rows):
            x = LEFT
            for j, (cell, w) in enumerate(zip(row, widths, strict=True)):
                self.box(x, y, w, row_h, QColor("#eef2f7") if i == 0 else None)
                right = j > 0 and i > 0
                align = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
                self.text(x + 1.2, y, w - 2.4, row_h, cell, align, 8 if i == 0 else 8.5, i == 0)
                x += w
            y += row_h
        return y


def render(fig: dict[str, Any], path: Path, hub_name: str = "") -> Path:
    """Write the report for ``fig`` (``hub.kpi.figures``) to ``path``."""
    _app()
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    year, t, y = fig["fiscal_year"], fig["targets"], fig["year"]
    writer.setTitle(f"年度評価報告書 {year}年度 / Yearly evaluation FY{year}")
    painter = QPainter(writer)
    pg = _Page(painter)
    try:
        pg.text(LEFT, TOP, WIDTH, 9, "仲間まわし 年度評価報告書", pt=16, bold=True)
        pg.text(LEFT, TOP + 8, WIDTH, 6, "Nakama consortium — yearly evaluation report", pt=10)
        plan = (
            f"計画 {t['plan_year']} 年目 / plan year {t['plan_year']}"
            if t
            else "計画の期間外 / outside the plan's five years"
        )
        pg.text(
            LEFT,
            TOP + 15,
            WIDTH,
            5,
            f"{year}年度: {year}年4月1日〜{year + 1}年3月31日 (日本時間) · {plan}",
            pt=9,
        )
        pg.text(
            LEFT,
            TOP + 20,
            WIDTH,
            5,
            f"FY{year}: 1 April {year} – 31 March {year + 1} (Japan time)",
            pt=9,
        )
        top = TOP + 29
        pg.text(LEFT, top, WIDTH, 6, "1. 計画との比較 / Against the plan", pt=11, bold=True)
        rows = [
            ["指標 / figure", "実績 / actual", "計画 / plan", "達成率 / achieved"],
            [
                "新規参加企業数 / new firms taking part",
                f"{y['new_firms']:,}",
                f"+{t['new_firms']}" if t else "—",
                ratio(y["new_firms"], t and t["new_firms"]),
            ],
            [
                "参加企業数 (年度内) / firms taking part",
                f"{y['firms']:,}",
                f"{t['firms_cumulative']} (累計 / total)" if t else "—",
                ratio(y["firms"], t and t["firms_cumulative"]),
            ],
            [
                "ネットワーク売上 / sales through the network",
                yen(y["sales_yen"]),
                yen(t["sales_yen"]) if t else "—",
                ratio(y["sales_yen"], t and t["sales_yen"]),
            ],
            [
                "地方企業との受発注額 / orders with regional firms",
                yen(y["regional_yen"]),
                yen(t["regional_yen"]) if t else "—",
                ratio(y["regional_yen"], t and t["regional_yen"]),
            ],
        ]
        after = pg.table(top + 7, [78, 36, 36, 30], rows, 7.0)
        chart_top = after + 6
        pg.text(LEFT, chart_top, WIDTH, 6, "2. 月別の金額 / Per month (yen)", pt=11, bold=True)
        _chart(pg, fig["months"], chart_top + 8, 52.0)
        table_top = chart_top + 8 + 52 + 12
        pg.text(LEFT, table_top, WIDTH, 6, "3. 月別の実績 / Per month", pt=11, bold=True)
        monthly = [
            [
                "月 / month",
                "参加企業 / firms",
                "新規 / new",
                "売上 / sales",
                "地方企業 / regional",
                "納品 / delivered",
            ]
        ]
        for m in fig["months"]:
            monthly.append(
                [
                    m["month"],
                    f"{m['firms']:,}",
                    f"{m['new_firms']:,}",
                    yen(m["sales_yen"]),
                    yen(m["regional_yen"]),
                    f"{m['delivered_jobs']:,}",
                ]
            )
        monthly.append(
            [
                f"{year}年度 / FY",
                f"{y['firms']:,}",
                f"{y['new_firms']:,}",
                yen(y["sales_yen"]),
                yen(y["regional_yen"]),
                f"{y['delivered_jobs']:,}",
            ]
        )
        end = pg.table(table_top + 7, [28, 28, 20, 36, 38, 30], monthly, 5.6)
        notes = [
            "参加企業: 年度内に Nakama で作業を記録した事業者。"
            "売上: 2 社以上が工程を担当し納品された案件の受注額。",
            "Firms: members that logged work in the year. Sales: order value of delivered jobs "
            "routed across two or more firms.",
            "地方企業との受発注額: 地方企業への、または地方企業からの工程発注額"
            " (元請の記録した工程単価)。",
            "Regional: step prices the lead firms recorded, ordered from or by regional firms.",
        ]
        for i, line in enumerate(notes):
            pg.text(LEFT, end + 4 + i * 4.2, WIDTH, 4.2, line, pt=7)
        made = datetime.now(JST).strftime("%Y-%m-%d %H:%M")
        pg.text(
            LEFT,
            287,
            WIDTH,
            5,
            f"作成 / made {made} JST  {hub_name}".rstrip(),
            Qt.AlignmentFlag.AlignRight,
            pt=7,
        )
    finally:
        painter.end()
    return path


def _chart(pg: _Page, months: list[dict[str, Any]], top: float, height: float) -> None:
    """Two bars a month (sales, regional orders) over a labelled scale."""
    left, width = LEFT + 22, WIDTH - 24
    peak = max([1_000_000] + [max(m["sales_yen"], m["regional_yen"]) for m in months])
    step = 10 ** max(0, len(str(peak)) - 1)
    top_value = ((peak + step - 1) // step) * step
    for i in range(5):
        value = top_value * i // 4
        yy = top + height - height * i / 4
        pg.p.setPen(QPen(QColor("#bbbbbb"), 0.15 * pg.k))
        pg.p.drawLine(pg.r(left, yy, 0, 0).topLeft(), pg.r(left + width, yy, 0, 0).topLeft())
        pg.text(LEFT, yy - 2.5, 21, 5, f"¥{value:,}", Qt.AlignmentFlag.AlignRight, pt=6.5)
    slot = width / len(months)
    for i, m in enumerate(months):
        x = left + i * slot
        for j, (key, color) in enumerate((("sales_yen", SALES), ("regional_yen", REGIONAL))):
            h = height * m[key] / top_value
            if h > 0:
                pg.p.fillRect(
                    pg.r(x + 1.5 + j * (slot - 3) / 2, top + height - h, (slot - 3) / 2, h), color
                )
        pg.text(
            x, top + height + 0.5, slot, 4, m["month"][2:], Qt.AlignmentFlag.AlignHCenter, pt=6.5
        )
    for j, (label, color) in enumerate(
        (("売上 / sales", SALES), ("地方企業 / regional", REGIONAL))
    ):
        x = left + width - 70 + j * 36
        pg.p.fillRect(pg.r(x, top - 5, 3, 3), color)
        pg.text(x + 4, top - 6, 30, 5, label, pt=7)
