"""Chart widgets of the owner's review, drawn with pyqtgraph: a control chart, a Pareto
chart and a machine timeline. They take figures already computed (``app.core.spc``,
``app.store.quality``) and draw them; they compute nothing of the domain.

Sizes are for the shop's 1024×768 touchscreen read at arm's length: axis text 20 px
(4.1 mm on a 10.4-inch XGA panel, 123 ppi; 4.8 mm on a 12.1-inch one), lines 2.5–3 px.
Colour is never the only signal: a flagged point is a larger diamond with its test
numbers beside it; the machine states differ in fill pattern as well as colour; each
line of a control chart is named beside the plot, after a sample of its dash.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QApplication, QGridLayout, QVBoxLayout, QWidget

from app.core import spc
from app.store.quality import CharacteristicChart, MachineRange, ParetoBar
from app.ui.widgets import mm

AXIS_PX = 20
LABEL_PX = 20
INK = "#1a1a1a"
POINT = "#1f3a5f"
FLAG = "#c00018"
CENTRE = "#1f6f3f"
LIMIT = "#c00018"
SPEC = "#7a3db8"
BAR = "#4a78b0"
CUMULATIVE = "#d9822b"
# Machine states: colour and fill pattern (the pattern tells them apart in grey too).
STATE_STYLE: dict[str | None, tuple[str, Qt.BrushStyle]] = {
    "run": ("#2e9d4f", Qt.BrushStyle.SolidPattern),
    "stop": ("#e0a800", Qt.BrushStyle.Dense4Pattern),
    "alarm": ("#c00018", Qt.BrushStyle.DiagCrossPattern),
    "off": ("#8a8a8a", Qt.BrushStyle.BDiagPattern),
    None: ("#c8c8c8", Qt.BrushStyle.Dense7Pattern),
}


def _font(px: int, bold: bool = False) -> QFont:
    app = QApplication.instance()
    font = QFont(app.font()) if isinstance(app, QApplication) else QFont()
    font.setPixelSize(px)
    font.setBold(bold)
    return font


def _plot(parent: QWidget | None = None) -> pg.PlotWidget:
    w = pg.PlotWidget(parent=parent, background="w")
    # A chart may shrink to 28 mm (a 1024×768 panel under the top bar and the tabs);
    # it grows with the page.
    w.setMinimumHeight(mm(28))
    item = w.getPlotItem()
    item.setMenuEnabled(False)
    item.hideButtons()
    for name in ("left", "bottom", "right"):
        ax = item.getAxis(name)
        ax.setPen(pg.mkPen(INK, width=1.5))
        ax.setTextPen(pg.mkPen(INK))
        ax.setStyle(tickFont=_font(AXIS_PX), tickTextOffset=6)
        ax.enableAutoSIPrefix(False)
    item.getAxis("bottom").setHeight(AXIS_PX * 2 + 14)
    item.showGrid(x=False, y=True, alpha=0.15)
    w.setMouseEnabled(x=False, y=False)
    return w


def _label(axis: pg.AxisItem, text: str) -> None:
    axis.setLabel(text, **{"font-size": f"{LABEL_PX}px", "color": INK})


LineEntry = tuple[float, str, str, Qt.PenStyle]  # value, name, colour, pen style


def _line(plot: pg.PlotItem, entry: LineEntry, width: float = 2.5) -> None:
    y, _name, colour, style = entry
    plot.addItem(pg.InfiniteLine(pos=y, angle=0, pen=pg.mkPen(colour, width=width, style=style)))


class LineNames(QWidget):
    """The names and values of a chart's horizontal lines, beside the plot at the
    height of each line (pushed apart when lines lie close), each after a sample of
    its line: outside the plot, so no name ever hides a point."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        super().__init__()
        self.plot = plot
        self.entries: list[LineEntry] = []
        self.name_font = _font(AXIS_PX - 1, bold=True)
        vb = plot.getPlotItem().getViewBox()
        vb.sigResized.connect(self.update)
        vb.sigRangeChanged.connect(self.update)

    def set_entries(self, entries: list[LineEntry]) -> None:
        self.entries = sorted(entries, key=lambda e: -e[0])
        fm = QFontMetrics(self.name_font)
        widest = max((fm.horizontalAdvance(e[1]) for e in self.entries), default=0)
        self.setFixedWidth(widest + 46)
        self.update()

    def placed(self) -> list[tuple[float, LineEntry]]:
        """Each entry with the y (in this widget) its name is drawn at, top to bottom."""
        vb = self.plot.getPlotItem().getViewBox()
        h = QFontMetrics(self.name_font).height()
        offset = self.plot.y() - self.y()
        ys: list[float] = []
        for e in self.entries:
            y = self.plot.mapFromScene(vb.mapViewToScene(QPointF(0, e[0]))).y() + offset
            ys.append(max(y, ys[-1] + h) if ys else y)
        overflow = (ys[-1] + h / 2 - self.height()) if ys else 0
        if overflow > 0:  # pushed off the bottom: move the lowest ones back up
            ys[-1] -= overflow
            for i in range(len(ys) - 2, -1, -1):
                ys[i] = min(ys[i], ys[i + 1] - h)
        return list(zip(ys, self.entries, strict=True))

    def paintEvent(self, event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(self.name_font)
        fm = QFontMetrics(self.name_font)
        for y, (_v, name, colour, style) in self.placed():
            p.setPen(pg.mkPen(colour, width=3, style=style))
            p.drawLine(QPointF(2, y), QPointF(34, y))
            p.setPen(QColor(colour))
            p.drawText(QPointF(40, y + fm.capHeight() / 2), name)
        p.end()


class ControlChartView(QWidget):
    """The location chart (I or X̄) over its range chart (MR or R): centre line, control
    limits, specification limits on the location chart, and every point that fails a
    test as a red diamond labelled with the test numbers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = _plot()
        self.range = _plot()
        self.location.setObjectName("locationChart")
        self.range.setObjectName("rangeChart")
        self.location_names = LineNames(self.location)
        self.range_names = LineNames(self.range)
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setHorizontalSpacing(0)
        lay.addWidget(self.location, 0, 0)
        lay.addWidget(self.location_names, 0, 1)
        lay.addWidget(self.range, 1, 0)
        lay.addWidget(self.range_names, 1, 1)
        lay.setRowStretch(0, 2)
        lay.setRowStretch(1, 1)
        self.location.setMinimumHeight(mm(34))
        self.range.setMinimumHeight(mm(20))
        self.flag_labels: dict[int, str] = {}  # point index (0-based) -> "1", "2,5"…
        self.flagged_xy: list[tuple[int, float]] = []
        self.range_flagged: list[int] = []  # indices whose range is beyond its limits

    def clear(self) -> None:
        self.location.getPlotItem().clear()
        self.range.getPlotItem().clear()
        self.location_names.set_entries([])
        self.range_names.set_entries([])
        self.flag_labels, self.flagged_xy = {}, []

    def show_chart(self, cc: CharacteristicChart, texts: dict[str, str]) -> None:
        """Draw ``cc``; ``texts`` names the lines and axes in the UI language (keys
        ``centre``, ``ucl``, ``lcl``, ``usl``, ``lsl``, ``x``, ``location``, ``range``)."""
        self.clear()
        chart = cc.chart
        if chart is None:
            return
        c = cc.characteristic
        loc, rng = self.location.getPlotItem(), self.range.getPlotItem()
        xs = list(range(1, len(chart.points) + 1))
        if chart.kind == spc.XBAR_R:
            # The single readings behind each mean, faint: the specification is about parts.
            px = [i + 1 for i, rs in enumerate(cc.point_readings) for _ in rs]
            py = [float(r.value) for rs in cc.point_readings for r in rs]
            loc.addItem(
                pg.ScatterPlotItem(
                    px, py, symbol="o", size=7, brush=pg.mkBrush("#9fb3c8"), pen=None
                )
            )
        loc.addItem(pg.PlotDataItem(xs, list(chart.points), pen=pg.mkPen(POINT, width=2.5)))
        ok = [(x, y) for x, y, f in zip(xs, chart.points, chart.flags, strict=True) if not f]
        bad = [(x, y) for x, y, f in zip(xs, chart.points, chart.flags, strict=True) if f]
        loc.addItem(
            pg.ScatterPlotItem(
                [p[0] for p in ok],
                [p[1] for p in ok],
                symbol="o",
                size=12,
                brush=pg.mkBrush(POINT),
                pen=pg.mkPen("w", width=1),
            )
        )
        loc.addItem(
            pg.ScatterPlotItem(
                [p[0] for p in bad],
                [p[1] for p in bad],
                symbol="d",
                size=22,
                brush=pg.mkBrush(FLAG),
                pen=pg.mkPen("k", width=1.5),
            )
        )
        self.flagged_xy = bad
        for (x, y), tests in zip(bad, (f for f in chart.flags if f), strict=True):
            text = ",".join(str(t) for t in tests)
            self.flag_labels[x - 1] = text
            # Beside the point, towards the middle of the chart (never off its edge).
            side = (1.9, 0.5) if x > len(xs) / 2 else (-0.9, 0.5)
            label = pg.TextItem(
                text, color=FLAG, anchor=side, fill="#ffffffe0", border=FLAG, ensureInBounds=True
            )
            label.setFont(_font(AXIS_PX, bold=True))
            label.setZValue(10)
            label.setPos(x, y)
            loc.addItem(label)
        lim = chart.limits
        usl, lsl = float(c.upper), float(c.lower)
        # One digit finer than the drawing's tolerance (20.000 ±0.010 → 20.0037).
        places = 1 - min(int(d.as_tuple().exponent) for d in (c.nominal, c.tol_minus, c.tol_plus))
        f = f".{max(places, 1)}f"
        dash, dot = Qt.PenStyle.DashLine, Qt.PenStyle.DashDotLine
        lines: list[LineEntry] = [
            (lim.centre, f"{texts['centre']} {lim.centre:{f}}", CENTRE, Qt.PenStyle.SolidLine),
            (lim.upper, f"{texts['ucl']} {lim.upper:{f}}", LIMIT, dash),
            (lim.lower, f"{texts['lcl']} {lim.lower:{f}}", LIMIT, dash),
            (usl, f"{texts['usl']} {c.upper}", SPEC, dot),
            (lsl, f"{texts['lsl']} {c.lower}", SPEC, dot),
        ]
        for entry in lines:
            _line(loc, entry, 3 if entry[2] == SPEC else 2.5)
        self.location_names.set_entries(lines)
        lows = [lim.lower, lsl, *chart.points]
        highs = [lim.upper, usl, *chart.points]
        if chart.kind == spc.XBAR_R:
            readings = [float(r.value) for rs in cc.point_readings for r in rs]
            lows += readings
            highs += readings
        pad = 0.14 * (max(highs) - min(lows) or abs(lim.centre) or 1.0)
        loc.setYRange(min(lows) - pad, max(highs) + pad, padding=0)
        loc.setXRange(0.3, len(xs) + 0.7, padding=0)
        _label(loc.getAxis("left"), f"{texts['location']} ({c.unit})")
        # The range chart: R or MR, its limits; a range beyond them is flagged too.
        rx = [x for x, r in zip(xs, chart.ranges, strict=True) if r is not None]
        ry = [float(r) for r in chart.ranges if r is not None]
        rng.addItem(pg.PlotDataItem(rx, ry, pen=pg.mkPen(POINT, width=2)))
        out = [
            (x, float(r))
            for x, r, f in zip(xs, chart.ranges, chart.range_flags, strict=True)
            if f and r is not None
        ]
        rng.addItem(
            pg.ScatterPlotItem(rx, ry, symbol="o", size=10, brush=pg.mkBrush(POINT), pen=None)
        )
        rng.addItem(
            pg.ScatterPlotItem(
                [p[0] for p in out],
                [p[1] for p in out],
                symbol="d",
                size=20,
                brush=pg.mkBrush(FLAG),
                pen=pg.mkPen("k", width=1.5),
            )
        )
        for x, r in out:
            side = (1.9, 0.5) if x > len(xs) / 2 else (-0.9, 0.5)
            label = pg.TextItem(
                "1", color=FLAG, anchor=side, fill="#ffffffe0", border=FLAG, ensureInBounds=True
            )
            label.setFont(_font(AXIS_PX, bold=True))
            label.setZValue(10)
            label.setPos(x, r)
            rng.addItem(label)
        self.range_flagged = [x - 1 for x, _ in out]
        rl = chart.range_limits
        range_lines: list[LineEntry] = [
            (rl.centre, f"{texts['centre']} {rl.centre:{f}}", CENTRE, Qt.PenStyle.SolidLine),
            (rl.upper, f"{texts['ucl']} {rl.upper:{f}}", LIMIT, dash),
        ]
        if rl.lower > 0:
            range_lines.append((rl.lower, f"{texts['lcl']} {rl.lower:{f}}", LIMIT, dash))
        for entry in range_lines:
            _line(rng, entry)
        self.range_names.set_entries(range_lines)
        top = max([rl.upper, *ry]) if ry else rl.upper
        rng.setYRange(0, top * 1.25 or 1.0, padding=0)
        rng.setXLink(loc)
        _label(rng.getAxis("left"), texts["range"])
        _label(rng.getAxis("bottom"), texts["x"])
        ticks = _integer_ticks(len(xs))
        for p in (loc, rng):
            p.getAxis("bottom").setTicks([[(t, str(t)) for t in ticks]])


def _integer_ticks(n: int) -> list[int]:
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10**9) if n / s <= 12)
    return [1, *range(step, n + 1, step)] if step > 1 else list(range(1, n + 1))


class _PercentAxis(pg.AxisItem):
    """The Pareto's right axis: the left axis's counts as a share of the total."""

    def __init__(self) -> None:
        super().__init__("right")
        self.total = 1

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        return [(self.total / 5, [self.total * k / 5 for k in range(6)])]

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        return [f"{100 * v / self.total:.0f}%" for v in values]


class ParetoChart(QWidget):
    """Bars of counts, largest first, and the cumulative share as a line; the left axis
    runs to the total so the line ends at 100 % on the right axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.percent = _PercentAxis()
        self.plot = pg.PlotWidget(background="w", axisItems={"right": self.percent})
        self.plot.setObjectName("paretoChart")
        self.plot.setMinimumHeight(mm(28))
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showAxis("right")
        for name in ("left", "bottom", "right"):
            ax = item.getAxis(name)
            ax.setPen(pg.mkPen(INK, width=1.5))
            ax.setTextPen(pg.mkPen(INK))
            ax.setStyle(tickFont=_font(AXIS_PX), tickTextOffset=6)
            ax.enableAutoSIPrefix(False)
        item.getAxis("bottom").setHeight(AXIS_PX * 2 + 14)
        self.plot.setMouseEnabled(x=False, y=False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)
        self.shown: list[tuple[str, int, float]] = []  # (label, count, cumulative %)

    def show_bars(self, bars: Sequence[ParetoBar], names: Sequence[str], count_label: str) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        self.shown = [(n, b.count, b.cumulative_pct) for n, b in zip(names, bars, strict=True)]
        if not bars:
            return
        total = sum(b.count for b in bars)
        self.percent.total = total
        xs = list(range(1, len(bars) + 1))
        item.addItem(
            pg.BarGraphItem(
                x=xs,
                height=[b.count for b in bars],
                width=0.7,
                brush=pg.mkBrush(BAR),
                pen=pg.mkPen(INK, width=1),
            )
        )
        # The cumulative line from 0 at the first bar's left edge through each bar's upper
        # right corner (the Pareto diagram's usual form), clear of the counts on the bars.
        half = 0.35
        cum = [0.0, *(total * b.cumulative_pct / 100 for b in bars)]
        item.addItem(
            pg.PlotDataItem(
                [1 - half, *(x + half for x in xs)],
                cum,
                pen=pg.mkPen(CUMULATIVE, width=3),
                symbol="s",
                symbolSize=12,
                symbolBrush=pg.mkBrush(CUMULATIVE),
                symbolPen=pg.mkPen(INK, width=1),
            )
        )
        for x, b in zip(xs, bars, strict=True):
            inside = b.count >= 0.12 * total  # white on the bar, or ink above a short one
            t = pg.TextItem(
                str(b.count),
                color="w" if inside else INK,
                anchor=(0.5, -0.15) if inside else (0.5, 1.05),
            )
            t.setFont(_font(AXIS_PX, bold=True))
            t.setPos(x, b.count)
            item.addItem(t)
        item.setYRange(0, total * 1.06, padding=0)
        # Pieces are whole: ticks every 1, 2, 5, 10… pieces, about five of them.
        step = whole_step(total)
        item.getAxis("left").setTickSpacing(step, step)
        item.setXRange(0.4, len(bars) + 0.6, padding=0)
        item.getAxis("bottom").setTicks([[(x, _short(n)) for x, n in zip(xs, names, strict=True)]])
        _label(item.getAxis("left"), count_label)


def whole_step(total: int, ticks: int = 5) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that marks ``total`` in at most ``ticks``
    steps (a count axis never shows half a piece)."""
    step = 1
    while step * ticks < total:
        for m in (2, 2.5, 2):  # 1 → 2 → 5 → 10 → 20 → 50 …
            step = int(step * m)
            if step * ticks >= total:
                break
    return step


def _text_width(text: str) -> int:
    return QFontMetrics(_font(AXIS_PX)).horizontalAdvance(text)


def _short(name: str, limit: int = 8) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


class MachineTimeline(QWidget):
    """One band per machine across the range, run/stop/alarm/off by colour and pattern,
    the machine's name and utilisation on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot()
        self.plot.setObjectName("machineTimeline")
        self.plot.getPlotItem().showGrid(x=True, y=False, alpha=0.2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)
        self.rows: list[str] = []  # the y-axis labels, top to bottom

    def show_machines(
        self,
        lo: datetime,
        hi: datetime,
        machines: Sequence[MachineRange],
        row_label: Any,
        tz: Any = None,
    ) -> None:
        """``row_label(machine_range)`` gives each row's text (name and utilisation)."""
        item = self.plot.getPlotItem()
        item.clear()
        self.rows = [row_label(m) for m in machines]
        hours = (hi - lo).total_seconds() / 3600
        n = len(machines)
        for state, (colour, pattern) in STATE_STYLE.items():
            x0, w, y0 = [], [], []
            for row, m in enumerate(machines):
                for s in m.spans:
                    if s.state != state:
                        continue
                    x0.append((s.start - lo).total_seconds() / 3600)
                    w.append(s.seconds / 3600)
                    y0.append(n - 1 - row - 0.35)
            if not x0:
                continue
            brush = QBrush(QColor(colour), pattern)
            item.addItem(
                pg.BarGraphItem(
                    x0=x0,
                    width=w,
                    y0=y0,
                    height=[0.7] * len(x0),
                    brush=brush,
                    pen=pg.mkPen(colour, width=1),
                )
            )
        item.setXRange(-0.01 * hours, hours * 1.01, padding=0)
        item.setYRange(-0.6, n - 0.4, padding=0)
        item.getAxis("left").setTicks([[(n - 1 - i, t) for i, t in enumerate(self.rows)]])
        widest = max((_text_width(t) for t in self.rows), default=60)
        item.getAxis("left").setWidth(widest + 24)
        local = lo.astimezone(tz) if tz is not None else lo.astimezone()
        # Lines at midnight; a week's days named at their noon, a day's hours at the hour.
        days = int(hours // 24) + (1 if hours % 24 else 0)
        lines: list[tuple[float, str]] = [(d * 24.0, "") for d in range(days + 1)]
        names: list[tuple[float, str]]
        if hours <= 30:
            names = [
                (float(h), f"{(local + timedelta(hours=h)).hour}:00")
                for h in range(3, int(hours), 3)
            ]
        else:
            names = [
                (d * 24.0 + 12, (local + timedelta(days=d)).strftime("%-m/%-d"))
                for d in range(days)
            ]
        item.getAxis("bottom").setTicks([lines, names])
