"""Recording a measurement: a characteristic with its nominal and tolerance, and a value
typed on a pad or taken from a connected gauge.

Where the value comes from is always one of three, and always said:

- **typed** (手入力): keys on the pad; a gauge never writes over it. Recorded with an
  empty ``gauge``.
- **frozen** (固定): the gauge sent a reading because its DATA button was pressed (a
  Mitutoyo USB-ITN sends a frame only then), or the machinist tapped 取得 Take. Later
  readings do not change it until the machinist takes again.
- **live** (ライブ): a gauge that streams its display (a simulator with ``rate``, a
  balance in stream mode) is shown as it moves, but only a taken value is recorded.

A gauge value is recorded only while the gauge is connected and talking: unplugged
(抜けています) or silent past its period (応答なし) turns the dialog red and the record
button off for the gauge's value; typing a value stays possible.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.state import within_tolerance
from app.ui.devices import GAUGE_SILENT, GAUGE_UNPLUGGED, GAUGE_UP, GAUGE_WAITING
from app.ui.text import characteristic_name, tr, verdict_text
from app.ui.widgets import BigButton, TouchDialog, key_grid, restyle, say
from wire.events import parse_decimal

__all__ = ["FIELDS", "PRESETS", "MeasureDialog", "characteristic_name"]

FIELDS = ("nominal", "tol_minus", "tol_plus", "value")
PRESETS = [("OD", "mm"), ("ID", "mm"), ("LEN", "mm"), ("WEIGHT", "g")]
TAKE_TIMEOUT_S = 2.0  # a gauge asked for a reading that has not answered by then: 応答なし
TICK_MS = 200  # how often the gauge's health is looked at again

TYPED, FROZEN, LIVE = "typed", "frozen", "live"


class MeasureDialog(TouchDialog):
    """``values`` holds the texts; ``payload()`` the MeasurementTaken fields, or None while
    nothing recordable is there."""

    def __init__(
        self,
        title: str,
        last_specs: dict[str, dict[str, str]],
        parent: QWidget | None = None,
        devices: Any = None,
    ) -> None:
        super().__init__(parent)
        self.devices = devices
        self.setWindowTitle(title)
        self.last_specs = last_specs
        self.characteristic = next(iter(last_specs), PRESETS[0][0])
        self.unit = dict(PRESETS).get(self.characteristic, "mm")
        self.gauge = ""  # the gauge of the value shown; "" for a typed value
        self.values = {k: "" for k in FIELDS}
        self.current = "value"
        self.source = ""  # TYPED, FROZEN, LIVE or "" (no value yet)
        self.frozen_by = ""  # "data" (the gauge's button) or "take" (取得)
        self.live_value: tuple[Decimal, str, bool] | None = None  # value, unit, stable
        self.gauges: list[str] = list(devices.gauges()) if devices is not None else []
        self.gauge_url = self.gauges[0] if self.gauges else ""
        self.health = GAUGE_UP if not self.gauges else devices.gauge_health(self.gauge_url)
        self.take_asked: float | None = None  # when 取得 asked a gauge that had no value
        self.take_unanswered = False

        heading = QLabel(title)
        heading.setObjectName("dialogTitle")
        chars = QHBoxLayout()
        self.char_buttons: dict[str, BigButton] = {}
        for code in dict.fromkeys([*last_specs, *(c for c, _ in PRESETS)]):
            b = BigButton(characteristic_name(code))
            b.setCheckable(True)
            b.setObjectName(f"char_{code}")
            b.clicked.connect(lambda _=False, c=code: self.choose(c))
            self.char_buttons[code] = b
            chars.addWidget(b)
        self.field_buttons: dict[str, BigButton] = {}
        fields = QHBoxLayout()
        labels = {
            "nominal": tr("Nominal"),
            "tol_minus": tr("Tol −"),
            "tol_plus": tr("Tol +"),
            "value": tr("Measured"),
        }
        for key in FIELDS:
            b = BigButton("")
            b.setCheckable(True)
            b.setObjectName(f"field_{key}")
            b.setProperty("label", labels[key])
            b.clicked.connect(lambda _=False, k=key: self.select(k))
            self.field_buttons[key] = b
            fields.addWidget(b)
        grid = key_grid()
        for i, k in enumerate(["7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "⌫"]):
            b = BigButton(k)
            b.setProperty("key", True)
            b.setObjectName(f"key_{'dot' if k == '.' else 'back' if k == '⌫' else k}")
            b.clicked.connect(lambda _=False, k=k: self.press(k))
            grid.addWidget(b, i // 3, i % 3)

        self.value_display = QLabel("—")
        self.value_display.setObjectName("measuredValue")
        self.value_display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.value_display.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.source_label = QLabel()
        self.source_label.setObjectName("valueSource")
        self.source_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.source_label.setWordWrap(True)
        self.live = QLabel()
        self.live.setObjectName("gaugeLive")
        self.live.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.live.setWordWrap(True)
        self.live.setVisible(bool(self.gauges))
        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(self.value_display)
        side.addWidget(self.source_label)
        side.addWidget(self.live)
        side.addWidget(self.verdict)
        side.addStretch(1)
        middle = QHBoxLayout()
        middle.addLayout(grid, 2)
        middle.addLayout(side, 3)

        self.ok = BigButton(tr("Record"), "primary")
        self.ok.setObjectName("ok")
        self.ok.clicked.connect(self._accept)
        cancel = BigButton(tr("Close"))  # "cancel" is for records (取り消し): never collide
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        self.take_button: BigButton | None = None
        self.timer: QTimer | None = None
        if self.gauges:
            self.take_button = BigButton(tr("Take"))
            self.take_button.setObjectName("takeGauge")
            self.take_button.clicked.connect(self.take)
            buttons.addWidget(self.take_button)
            devices.reading.connect(self._on_reading)
            devices.link_changed.connect(self._on_link)
            self.timer = QTimer(self)
            self.timer.setInterval(TICK_MS)
            self.timer.timeout.connect(self.check_gauge)
            self.timer.start()
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(chars)
        lay.addLayout(fields)
        lay.addLayout(middle, 1)
        lay.addLayout(buttons)
        self.choose(self.characteristic)

    # ---- what the machinist does ---------------------------------------------------------
    def choose(self, code: str) -> None:
        self.characteristic = code
        spec = self.last_specs.get(code, {})
        if self.source != FROZEN and self.source != LIVE:
            self.unit = spec.get("unit") or dict(PRESETS).get(code, "mm")
        for k in ("nominal", "tol_minus", "tol_plus"):
            self.values[k] = spec.get(k, "")
        self.select("nominal" if not self.values["nominal"] else "value")

    def select(self, key: str) -> None:
        self.current = key
        self._refresh()

    def press(self, key: str) -> None:
        text = self.values[self.current]
        if self.current == "value" and self.source != TYPED:
            # Typing over a gauge's value starts a typed value of its own.
            text, self.source, self.gauge, self.frozen_by = "", TYPED, "", ""
            self.take_asked = None
            spec = self.last_specs.get(self.characteristic, {})
            self.unit = spec.get("unit") or dict(PRESETS).get(self.characteristic, self.unit)
        if key == "⌫":
            text = text[:-1]
        elif key == "." and "." in text:
            return
        elif len(text) < 12:
            text += key
        self.values[self.current] = text
        self._refresh()

    def take(self) -> None:
        """取得: the gauge's value now, frozen; a typed value gives way to it. A gauge that
        streams gives its latest stable value at once; one that sends only when asked (or
        when its DATA button is pressed) is asked, and its answer is frozen."""
        if self.health != GAUGE_UP:
            self._refresh()
            return
        self.current = "value"
        streams = self.devices is not None and self.devices.stream_period(self.gauge_url)
        fresh = self.live_value if streams else None
        if fresh is not None and fresh[2]:
            self._freeze(fresh[0], fresh[1], self.gauge_url.split("?")[0], "take")
            return
        self.source, self.values["value"], self.gauge = "", "", ""
        self.take_asked, self.take_unanswered = time.monotonic(), False
        if self.devices is not None:
            self.devices.trigger()
        self._refresh()

    # ---- what the gauge does -----------------------------------------------------------
    def feed_reading(
        self, value: Decimal, unit: str, stable: bool, gauge: str, *, streamed: bool = False
    ) -> None:
        """A gauge reading. A streamed one is shown live (and frozen when 取得 is waiting
        for it); a sent one (DATA pressed, or the answer to 取得) is frozen. Only a stable
        reading is ever frozen (an unstable scale lies), and a typed value is never
        written over."""
        self.live_value = (value, unit, stable)
        self.take_unanswered = False
        if self.source == TYPED:
            self._refresh()
            return
        if stable and (not streamed or self.take_asked is not None):
            self._freeze(value, unit, gauge, "take" if self.take_asked is not None else "data")
            return
        if self.source != FROZEN:
            self.source, self.gauge, self.unit = LIVE, gauge, unit
            self.values["value"] = str(value)
        self._refresh()

    def _freeze(self, value: Decimal, unit: str, gauge: str, how: str) -> None:
        self.source, self.frozen_by, self.gauge, self.unit = FROZEN, how, gauge, unit
        self.values["value"] = str(value)
        self.take_asked = None
        self._refresh()

    def _on_reading(self, reading: Any, url: str) -> None:
        if url not in self.gauges:
            return
        self.gauge_url = url
        self.health = self.devices.gauge_health(url)
        if reading.value is None:
            self.live_value = None
            self.take_unanswered = False
            self._refresh(status=str(reading.status))
            return
        streamed = self.devices.stream_period(url) is not None
        self.feed_reading(
            reading.value,
            reading.unit or self.unit,
            reading.stable,
            url.split("?")[0],
            streamed=streamed,
        )

    def _on_link(self, url: str, _state: str) -> None:
        if url == self.gauge_url:
            self.check_gauge()

    def check_gauge(self) -> None:
        """Look at the gauge's health again (a timer, and every change of its link)."""
        if self.devices is None or not self.gauge_url:
            return
        health = self.devices.gauge_health(self.gauge_url)
        unanswered = (
            self.take_asked is not None and time.monotonic() - self.take_asked > TAKE_TIMEOUT_S
        )
        if health != self.health or unanswered != self.take_unanswered:
            self.health, self.take_unanswered = health, unanswered
            if health != GAUGE_UP:
                self.live_value = None  # a stale number is never shown or taken as live
                if self.source == LIVE:
                    self.source, self.values["value"], self.gauge = "", "", ""
            self._refresh()

    def done(self, result: int) -> None:
        if self.gauges:
            if self.timer is not None:
                self.timer.stop()
            self.devices.reading.disconnect(self._on_reading)
            self.devices.link_changed.disconnect(self._on_link)
        super().done(result)

    # ---- what is recorded ----------------------------------------------------------------
    def gauge_problem(self) -> str:
        """Why the gauge's value cannot be used now, in words; "" when it can."""
        if not self.gauges:
            return ""
        if self.health == GAUGE_UNPLUGGED:
            return tr("Gauge unplugged")
        if self.health == GAUGE_SILENT or self.take_unanswered:
            return tr("Gauge not responding")
        if self.health == GAUGE_WAITING:
            return tr("Gauge connecting…")
        return ""

    def recordable(self) -> bool:
        """A typed value, or a frozen gauge value while that gauge is up."""
        if self.source == TYPED:
            return True
        return self.source == FROZEN and self.health == GAUGE_UP

    def payload(self) -> dict[str, Any] | None:
        nums = {k: parse_decimal(self.values[k]) for k in FIELDS}
        if any(v is None for v in nums.values()) or not self.recordable():
            return None
        return {
            "characteristic": self.characteristic,
            **{k: str(nums[k]) for k in FIELDS},
            "unit": self.unit,
            "gauge": "" if self.source == TYPED else self.gauge,
        }

    def _accept(self) -> None:
        if self.payload() is not None:
            self.accept()

    # ---- what is shown -------------------------------------------------------------------
    def _refresh(self, status: str = "") -> None:
        for code, b in self.char_buttons.items():
            b.setChecked(code == self.characteristic)
        for key, b in self.field_buttons.items():
            b.setChecked(key == self.current)
            shown = self.values[key] or "—"
            b.setText(f"{b.property('label')}\n{shown}")
        problem = self.gauge_problem()
        value = self.values["value"]
        self.value_display.setText(f"{value} {self.unit}" if value else "—")
        down = bool(problem) and self.source in (FROZEN, LIVE)
        restyle(self.value_display, "state", "down" if down else self.source)
        source = {
            TYPED: tr("Typed by hand"),
            FROZEN: tr("Gauge value, taken")
            if self.frozen_by == "take"
            else tr("Gauge value, sent by its DATA button"),
            LIVE: tr("Gauge, live: tap Take to use this value"),
        }.get(self.source, "")
        if not self.source and self.take_asked is not None and not problem:
            source = tr("Asking the gauge…")
        if down:
            source = tr("A gauge value cannot be recorded now; a typed value can")
        say(self.source_label, "error" if down else "", source)
        self.source_label.setVisible(bool(source))
        if self.gauges:
            if problem:
                level = "" if self.health == GAUGE_WAITING else "error"
                say(self.live, level, f"✖ {problem}" if level else problem)
            elif status:
                say(self.live, "error", tr("Gauge: {0}").format(status))
            else:
                reading = self.live_value
                text = tr("● Gauge connected")
                if reading is not None:
                    state = tr("stable") if reading[2] else tr("settling")
                    text += f"  {reading[0]} {reading[1]} ({state})"
                say(self.live, "ok", text)
        if self.take_button is not None:
            self.take_button.setEnabled(self.health == GAUGE_UP)
        p = self.payload()
        nums = [parse_decimal(self.values[k]) for k in FIELDS]
        if any(n is None for n in nums):
            say(self.verdict, "", tr("Enter nominal, tolerances and the measured value"))
        else:
            nominal, tol_minus, tol_plus, measured = (n for n in nums if n is not None)
            lo, hi = nominal - tol_minus, nominal + tol_plus
            ok = within_tolerance(nominal, tol_minus, tol_plus, measured)
            # A value that cannot be recorded gets no green or red of its own.
            level = "" if down else "ok" if ok else "error"
            # the range on a line of its own: never broken in the middle
            say(self.verdict, level, f"{verdict_text(ok)}\n({lo} – {hi})")
        self.ok.setEnabled(p is not None)
