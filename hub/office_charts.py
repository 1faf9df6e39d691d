"""The office page's charts as inline SVG drawn on the server (no JavaScript).

One chart per figure: a bar per month of the fiscal year, the running total as a line,
and the plan's yearly target as a dashed line. Each chart carries ``role="img"``, a
title and a description; the numbers are also in the tables beside it.
"""

from __future__ import annotations

from html import escape

from hub.office_texts import text

W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 78, 16, 16, 34
BAR = "#1f5fa8"  # 6.6:1 on white
LINE = "#a84300"  # 5.9:1 on white
INK = "#1a1a1a"
GRID = "#d0d0d0"
MONTHS_EN = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")


def amount(value: int | float | None, lang: str, *, yen: bool) -> str:
    """A figure as a reader expects it: ``1,234万円`` / ``¥12.3M`` for yen, else a count."""
    if value is None:
        return "—"
    if not yen:
        return f"{int(value):,}"
    if lang == "en":
        if abs(value) >= 1_000_000:
            return f"¥{value / 1_000_000:,.1f}M"
        return f"¥{int(value):,}"
    if abs(value) >= 10_000:
        man = value / 10_000
        return f"{man:,.0f}万円" if man == int(man) or man >= 100 else f"{man:,.1f}万円"
    return f"{int(value):,}円"


def _nice(top: float) -> float:
    """A round upper bound for the axis (1, 2, 2.5 or 5 × a power of ten)."""
    if top <= 0:
        return 1.0
    power = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= top:
            return float(step * power)
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
    top = _nice(max([*running, target or 0, 1]))
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
    for i in range(5):
        tick = top * i / 4
        yy = y(tick)
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(amount(tick, lang, yen=yen))}</text>'
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
            f'<text x="{LEFT + 6}" y="{ty - 6:.1f}" font-size="12" fill="{INK}">'
            f"{escape(text('target', lang))} {escape(amount(target, lang, yen=yen))}</text>"
        )
    out.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        f'stroke="{INK}"/>'
    )
    out.append("</svg>")
    return "\n".join(out)
