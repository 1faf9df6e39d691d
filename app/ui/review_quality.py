"""The owner's quality and machine pages (不良・測定・設備), each taking the store, the
firm and a range of days (one day or one week); ``ReviewScreen`` (review_screen.py)
puts them beside its other pages.

The figures come from ``app.store.quality`` (and through it the core's ``spc``); the
pages only lay them out and name them in the UI language.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import spc
from app.store.code_names import code_name, own_names
from app.store.quality import (
    Characteristic,
    CharacteristicChart,
    MachineRange,
    characteristics,
    chart_of,
    defect_pareto,
    machine_range,
)
from app.store.store import Store
from app.ui.charts import STATE_STYLE, ControlChartView, MachineTimeline, ParetoChart
from app.ui.text import FAIL_ICON, characteristic_name, lang, process_name, tr
from app.ui.widgets import BigButton, touch, touch_scroll


def rule_name(test: int) -> str:
    """The JIS Z 9020-2 test for special causes, in a few words."""
    return {
        1: tr("Beyond the control limits"),
        2: tr("9 in a row on one side"),
        3: tr("6 in a row rising or falling"),
        4: tr("14 in a row alternating up and down"),
        5: tr("2 of 3 beyond 2σ on one side"),
        6: tr("4 of 5 beyond 1σ on one side"),
        7: tr("15 in a row within 1σ"),
        8: tr("8 in a row beyond 1σ"),
    }[test]


def state_name(state: str | None) -> str:
    return {
        "run": tr("Run"),
        "stop": tr("Stopped"),
        "alarm": tr("Alarm"),
        "off": tr("Power off"),
        None: tr("No signal"),
    }[state]


def range_text(first: date, last: date) -> str:
    def one(d: date) -> str:
        return f"{d.month}/{d.day}"

    return one(first) if first == last else f"{one(first)} – {one(last)}"


def hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _table(headers: list[str], rows: list[list[str]], name: str) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    head = t.horizontalHeader()
    head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(r, c, item)
    return t


class _Page(QWidget):
    """A page over a range of days: refreshed when shown, or at once when visible."""

    def __init__(self, store: Store, firm: str, first: date, last: date, tz: Any = None) -> None:
        super().__init__()
        self.store, self.firm, self.tz = store, firm, tz
        self.first, self.last = first, last
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.stale = True

    def show_period(self, first: date, days: int, review: Any = None) -> None:
        """The review's period (a day, or a week from Monday): see ``ReviewScreen``."""
        self.set_range(first, first + timedelta(days=days - 1))

    def set_range(self, first: date, last: date) -> None:
        self.first, self.last = first, last
        self.stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self.stale = False
        self._fill()

    def _fill(self) -> None:
        raise NotImplementedError

    def showEvent(self, event: Any) -> None:
        if self.stale:
            self.refresh()
        super().showEvent(event)


class DefectsPage(_Page):
    """不良: a Pareto chart of the defective parts by code, by step or by part."""

    def __init__(self, store: Store, firm: str, first: date, last: date, tz: Any = None) -> None:
        super().__init__(store, firm, first, last, tz)
        self.by = "code"
        self._own: dict[str, tuple[str, str]] = {}
        self.buttons = QButtonGroup(self)
        row = QHBoxLayout()
        for key, text in (
            ("code", tr("By defect")),
            ("step", tr("By step")),
            ("part", tr("By part")),
        ):
            b = BigButton(text)
            b.setObjectName(f"pareto_{key}")
            b.setCheckable(True)
            b.setChecked(key == self.by)
            b.clicked.connect(lambda _=False, k=key: self.show_by(k))
            self.buttons.addButton(b)
            row.addWidget(b)
        self.chart = ParetoChart()
        self.empty = QLabel(tr("No defects in this period"))
        self.empty.setObjectName("hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table_box = QVBoxLayout()
        body = QHBoxLayout()
        body.addWidget(self.chart, 3)
        body.addLayout(self.table_box, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.title)
        lay.addWidget(self.empty)
        lay.addLayout(body, 1)
        self.table: QTableWidget | None = None

    def show_by(self, by: str) -> None:
        self.by = by
        for b in self.buttons.buttons():
            b.setChecked(b.objectName() == f"pareto_{by}")
        self.refresh()

    def name(self, key: str) -> str:
        if self.by == "code":
            return code_name(key, lang(), "defect", self._own)
        if self.by == "step":
            return process_name(key)
        return key

    def _fill(self) -> None:
        bars = defect_pareto(self.store, self.firm, self.first, self.last, self.by, self.tz)
        if self.by == "code":  # a firm's own codes by the names their events carry
            self._own = own_names(self.store, "defect", (b.key for b in bars))
        names = [self.name(b.key) for b in bars]
        total = sum(b.count for b in bars)
        what = {"code": tr("By defect"), "step": tr("By step"), "part": tr("By part")}[self.by]
        self.title.setText(
            f"{tr('Defects')} ({what})  {range_text(self.first, self.last)}  "
            + tr("{0} parts in all").format(f"{total:,}")
        )
        self.empty.setVisible(not bars)
        self.chart.setVisible(bool(bars))
        self.chart.show_bars(bars, names, tr("Parts"))
        if self.table is not None:
            self.table.hide()
            self.table.deleteLater()
        self.table = _table(
            [tr("Item"), tr("Parts"), tr("Cumulative")],
            [
                [n, f"{b.count:,}", f"{b.cumulative_pct:.1f}%"]
                for n, b in zip(names, bars, strict=True)
            ],
            "paretoTable",
        )
        self.table.setVisible(bool(bars))
        self.table_box.addWidget(self.table)


def characteristic_title(c: Characteristic) -> str:
    tol = f"±{c.tol_plus}" if c.tol_plus == c.tol_minus else f"−{c.tol_minus} / +{c.tol_plus}"
    return f"{c.part_no}  {characteristic_name(c.name)}  {c.nominal} {tol} {c.unit}"


class MeasurementsPage(_Page):
    """測定: pick a characteristic; its control chart, the tests it fails, Cp/Cpk."""

    def __init__(self, store: Store, firm: str, first: date, last: date, tz: Any = None) -> None:
        super().__init__(store, firm, first, last, tz)
        self.items: list[Characteristic] = []
        self.current: CharacteristicChart | None = None
        self.picker = QListWidget()
        self.picker.setObjectName("characteristics")
        self.picker.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.picker.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.picker.setMinimumHeight(2 * touch())
        self.picker.setProperty("tapped", True)  # rows at least 15 mm (set as they are added)
        touch_scroll(self.picker)
        self.picker.setStyleSheet(
            "QListWidget::item { padding: 8px 6px;"
            " border-bottom: 1px solid #ccc; }"
            " QListWidget::item:selected { background: #d9e6f5; color: black; }"
        )
        self.picker.currentRowChanged.connect(self.pick)
        self.chart = ControlChartView()
        self.capability = QLabel()
        self.capability.setObjectName("capability")
        self.capability.setWordWrap(True)
        self.capability.setStyleSheet(
            "#capability { background: white; border: 2px solid #8a8a8a;"
            " border-radius: 8px; padding: 4px 8px; }"
        )
        self.signals = QLabel()
        self.signals.setObjectName("signals")
        self.signals.setWordWrap(True)
        self.signals.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.signals.setStyleSheet("#signals { color: #8a0015; }")
        signals_box = QScrollArea()
        signals_box.setWidgetResizable(True)
        signals_box.setFrameShape(QScrollArea.Shape.NoFrame)
        signals_box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        signals_box.setWidget(self.signals)
        signals_box.setMinimumHeight(120)
        signals_box.setMaximumHeight(220)
        self.range_label = QLabel()
        self.range_label.setObjectName("sectionTitle")
        self.empty = QLabel(tr("No measurements in this period"))
        self.empty.setObjectName("hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        # Left: what to look at and what it says; right: the chart, as wide as it can be.
        left_box = QWidget()
        left_box.setFixedWidth(300)
        left = QVBoxLayout(left_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.range_label)
        left.addWidget(self.empty)
        left.addWidget(self.picker, 1)
        left.addWidget(self.capability)
        left.addWidget(signals_box)
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.chart, 1)
        lay = QHBoxLayout(self)
        lay.addWidget(left_box)
        lay.addLayout(right, 1)

    def _fill(self) -> None:
        chosen = self.current.characteristic if self.current is not None else None
        self.items = characteristics(self.store, self.first, self.last, self.firm, self.tz)
        self.picker.blockSignals(True)
        self.picker.clear()
        for c in self.items:
            fails = f"  {FAIL_ICON}{c.failures}" if c.failures else ""
            item = QListWidgetItem(f"{c.part_no}\n{characteristic_name(c.name)}\nn={c.n}{fails}")
            lines = self.picker.fontMetrics().lineSpacing() * 3 + 20  # three lines, padded
            item.setSizeHint(QSize(0, max(touch(), lines)))
            self.picker.addItem(item)
        self.picker.blockSignals(False)
        self.range_label.setText(range_text(self.first, self.last))
        self.empty.setVisible(not self.items)
        keep = next(
            (i for i, c in enumerate(self.items) if chosen is not None and _same(c, chosen)), 0
        )
        if self.items:
            self.picker.setCurrentRow(keep)
            self.pick(keep)
        else:
            self.current = None
            self.chart.clear()
            self.title.setText("")
            self.capability.setText("")
            self.signals.setText("")

    def pick(self, row: int) -> None:
        if not 0 <= row < len(self.items):
            return
        cc = self.current = chart_of(self.items[row])
        c = cc.characteristic
        chart = cc.chart
        kind = ""
        if chart is not None:
            kind = f"X̄-R (n={chart.subgroup_size})" if chart.kind == spc.XBAR_R else "I-MR"
        self.title.setText(f"{characteristic_title(c)}   {kind}")
        self.chart.show_chart(
            cc,
            {
                "centre": tr("CL"),
                "ucl": tr("UCL"),
                "lcl": tr("LCL"),
                "usl": tr("USL"),
                "lsl": tr("LSL"),
                "x": tr("Lot / reading No."),
                "location": tr("Mean") if chart and chart.kind == spc.XBAR_R else tr("Value"),
                # Short: the range chart is the lower, smaller one (R / MR in English).
                "range": tr("R") if chart and chart.kind == spc.XBAR_R else tr("MR"),
            },
        )
        cap = cc.capability
        if cap is None:
            self.capability.setText(
                tr("Cp/Cpk: shown from {0} readings ({1} so far)").format(spc.MIN_CAPABILITY_N, c.n)
            )
        else:
            cp = f"{cap.cp:.2f}" if cap.cp is not None else "—"
            self.capability.setText(
                f"Cp {cp}   Cpk {cap.cpk:.2f}   n={cap.n}\n"
                + tr("Cpk lower bound ({0}%): {1}").format(
                    f"{cap.confidence * 100:.0f}", f"{cap.cpk_lower:.2f}"
                )
            )
        self.signals.setText(self._signals_text(cc))

    def _signals_text(self, cc: CharacteristicChart) -> str:
        chart = cc.chart
        if chart is None:
            return tr("Too few readings for a chart")
        flagged = chart.flagged
        if not flagged:
            return tr("No signs of special causes")
        tests = sorted({t for i in flagged for t in chart.flags[i]})
        n = len(flagged)
        lines = [tr("1 point flagged") if n == 1 else tr("{0} points flagged").format(n)]
        for t in tests:
            points = [str(i + 1) for i in flagged if t in chart.flags[i]]
            shown = ", ".join(points[:6]) + (" …" if len(points) > 6 else "")
            lines.append(f"{t}: {rule_name(t)} ({tr('No.')} {shown})")
        return "\n".join(lines)


def _same(a: Characteristic, b: Characteristic) -> bool:
    return (a.part_no, a.name, a.nominal, a.tol_minus, a.tol_plus, a.unit, a.firm) == (
        b.part_no,
        b.name,
        b.nominal,
        b.tol_minus,
        b.tol_plus,
        b.unit,
        b.firm,
    )


def _swatch(state: str | None) -> QPixmap:
    colour, pattern = STATE_STYLE[state]
    pm = QPixmap(40, 24)
    pm.fill(QColor("white"))
    p = QPainter(pm)
    p.fillRect(0, 0, 40, 24, QBrush(QColor(colour), pattern))
    p.setPen(QColor(colour))
    p.drawRect(0, 0, 39, 23)
    p.end()
    return pm


class MachinesPage(_Page):
    """設備: each machine's run/stop/alarm timeline and utilisation over the range."""

    def __init__(self, store: Store, firm: str, first: date, last: date, tz: Any = None) -> None:
        super().__init__(store, firm, first, last, tz)
        self.timeline = MachineTimeline()
        self.machines: list[MachineRange] = []
        legend = QHBoxLayout()
        for state in ("run", "stop", "alarm", "off", None):
            icon = QLabel()
            icon.setPixmap(_swatch(state))
            text = QLabel(state_name(state))
            legend.addWidget(icon)
            legend.addWidget(text)
            legend.addSpacing(12)
        legend.addStretch(1)
        self.empty = QLabel(tr("No machine signals in this period"))
        self.empty.setObjectName("hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table_box = QVBoxLayout()
        self.table: QTableWidget | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(legend)
        lay.addWidget(self.empty)
        lay.addWidget(self.timeline, 3)
        lay.addLayout(self.table_box, 2)

    @staticmethod
    def utilisation_text(m: MachineRange) -> str:
        u = m.utilisation
        return "—" if u is None else f"{100 * u:.0f}%"

    def _fill(self) -> None:
        lo, hi, self.machines = machine_range(self.store, self.firm, self.first, self.last, self.tz)
        self.title.setText(
            f"{tr('Machines')}  {range_text(self.first, self.last)}   "
            + tr("Utilisation: running ÷ switched on")
        )
        self.empty.setVisible(not self.machines)
        self.timeline.setVisible(bool(self.machines))
        self.timeline.show_machines(
            lo,
            hi,
            self.machines,
            lambda m: f"{m.total.machine}  {self.utilisation_text(m)}",
            self.tz,
        )
        if self.table is not None:
            self.table.hide()
            self.table.deleteLater()
        self.table = _table(
            [
                tr("Equipment"),
                state_name("run"),
                state_name("stop"),
                state_name("alarm"),
                state_name("off"),
                tr("Utilisation"),
            ],
            [
                [
                    m.total.machine,
                    hours(m.total.of("run")),
                    hours(m.total.of("stop")),
                    hours(m.total.of("alarm")),
                    hours(m.total.of("off")),
                    self.utilisation_text(m),
                ]
                for m in self.machines
            ],
            "machineTable",
        )
        self.table.setVisible(bool(self.machines))
        self.table_box.addWidget(self.table)


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
