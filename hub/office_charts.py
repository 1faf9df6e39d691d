"""The office page's charts as inline SVG drawn on the server (no JavaScript).

One chart per figure: a bar per month of the fiscal year, the running total as a line,
and the plan's yearly target as a dashed line. Each chart carries ``role="img"``, a
title and a description; the numbers are also in the tables beside it.
"""

from __future__ import annotations

import math
from html import escape

from hub.office_texts import text

W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 78, 16, 16, 34
BAR = "#1f5fa8"  # 6.6:1 on white
LINE = "#a84300"  # 5.9:1 on white
INK = "#1a1a1a"
GRID = "#d0d0d0"
MONTHS_EN = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")


def amount(value: int | float | None, lang: str, *, yen: bool, short: bool = False) -> str:
    """A figure as a reader expects it: exact in tables (``3,150,000円`` / ``¥3,150,000``),
    ``short`` on a chart's axis (``315万円`` / ``¥3.2M``); a count with separators."""
    if value is None:
        return "—"
    if not yen:
        return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    if not short:
        return f"¥{int(value):,}" if lang == "en" else f"{int(value):,}円"
    if lang == "en":
        if abs(value) >= 1_000_000:
            return f"¥{value / 1_000_000:,.1f}M"
        return f"¥{value / 1_000:,.0f}k" if abs(value) >= 1_000 else f"¥{int(value):,}"
    if abs(value) >= 10_000:
        man = value / 10_000
        return f"{man:,.0f}万円" if man == int(man) or man >= 100 else f"{man:,.1f}万円"
    return f"{int(value):,}円"


def _nice_step(raw: float, *, whole: bool) -> float:
    """A round tick step at least ``raw``: 1, 2, 2.5 or 5 × a power of ten (no 2.5 for
    whole counts below ten)."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for k in (1, 2, 2.5, 5, 10):
        if whole and k == 2.5 and power < 10:
            continue
        if k * power >= raw * 0.9999:
            return float(max(k * power, 1 if whole else 0))
    return float(10 * power)


def chart(
    key: str, monthly: list[int], target: int | None, lang: str, *, yen: bool, chart_id: str
) -> str:
    """The SVG of one figure over the fiscal year's months (April first)."""
    name = text(key, lang)
    running: list[int] = []
    total = 0
    for v in monthly:
        total += v
        running.append(total)
    highest = max([*running, target or 0, 1]) * 1.05
    tick = _nice_step(highest / 5, whole=not yen)
    ticks = max(2, math.ceil(highest / tick))
    top = ticks * tick
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / len(monthly)

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * v / top

    desc = text(
        "chart_desc",
        lang,
        name=name,
        total=amount(total, lang, yen=yen),
        target=amount(target, lang, yen=yen),
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">',
        f'<title id="{chart_id}-t">{escape(name)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i in range(ticks + 1):
        yy = y(tick * i)
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(amount(tick * i, lang, yen=yen, short=True))}</text>'
        )
    for i, v in enumerate(monthly):
        x = LEFT + i * step + step * 0.2
        out.append(
            f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{step * 0.6:.1f}" '
            f'height="{TOP + plot_h - y(v):.1f}" fill="{BAR}"/>'
        )
        label = MONTHS_EN[i] if lang == "en" else f"{(i + 3) % 12 + 1}月"
        out.append(
            f'<text x="{LEFT + i * step + step / 2:.1f}" y="{H - 12}" text-anchor="middle" '
            f'font-size="12" fill="{INK}">{label}</text>'
        )
    points = " ".join(f"{LEFT + i * step + step / 2:.1f},{y(v):.1f}" for i, v in enumerate(running))
    out.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="3"/>')
    for i, v in enumerate(running):
        out.append(
            f'<circle cx="{LEFT + i * step + step / 2:.1f}" cy="{y(v):.1f}" r="3.5" fill="{LINE}"/>'
        )
    if target:
        ty = y(target)
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{INK}" '
            'stroke-width="2" stroke-dasharray="8 5"/>'
        )
        out.append(
            f'<text x="{W - RIGHT - 4}" y="{ty - 6:.1f}" text-anchor="end" font-size="13" '
            f'font-weight="bold" fill="{INK}">{escape(text("plan", lang))} '
            f"{escape(amount(target, lang, yen=yen, short=True))}</text>"
        )
    out.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        f'stroke="{INK}"/>'
    )
    out.append("</svg>")
    return "\n".join(out)
