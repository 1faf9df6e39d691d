"""Recording a measurement: a characteristic with its nominal and tolerance, and a value
typed on a pad or taken from a connected gauge when the reading is stable."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.text import tr
from app.ui.widgets import BigButton, say
from wire.events import parse_decimal

FIELDS = ("nominal", "tol_minus", "tol_plus", "value")
PRESETS = [("OD", "mm"), ("ID", "mm"), ("LEN", "mm"), ("WEIGHT", "g")]


def characteristic_name(code: str) -> str:
    return {
        "OD": tr("Outer diameter"),
        "ID": tr("Inner diameter"),
        "LEN": tr("Length"),
        "WEIGHT": tr("Weight"),
    }.get(code, code)


class MeasureDialog(QDialog):
    """``values`` holds the texts; ``payload()`` the MeasurementTaken fields, or None."""

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
        self.gauge = ""
        self.values = {k: "" for k in FIELDS}
        self.current = "value"
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
        grid = QGridLayout()
        for i, k in enumerate(["7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "⌫"]):
            b = BigButton(k)
            b.setObjectName(f"key_{'dot' if k == '.' else 'back' if k == '⌫' else k}")
            b.clicked.connect(lambda _=False, k=k: self.press(k))
            grid.addWidget(b, i // 3, i % 3)
        self.live = QLabel()
        self.live.setObjectName("gaugeLive")
        self.live.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.live.setVisible(bool(devices and devices.gauges()))
        self.live.setText(tr("Gauge: waiting for a reading"))
        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ok = BigButton(tr("Record"), "primary")
        ok.setObjectName("ok")
        ok.clicked.connect(self._accept)
        cancel = BigButton(tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        if devices is not None and devices.gauges():
            read = BigButton(tr("Read gauge"))
            read.setObjectName("readGauge")
            read.clicked.connect(devices.trigger)
            buttons.addWidget(read)
            devices.reading.connect(self._on_reading)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(chars)
        lay.addLayout(fields)
        lay.addLayout(grid)
        lay.addWidget(self.live)
        lay.addWidget(self.verdict)
        lay.addLayout(buttons)
        self.choose(self.characteristic)

    def choose(self, code: str) -> None:
        self.characteristic = code
        spec = self.last_specs.get(code, {})
        self.unit = spec.get("unit") or dict(PRESETS).get(code, "mm")
        for k in ("nominal", "tol_minus", "tol_plus"):
            self.values[k] = spec.get(k, "")
        self.select("nominal" if not self.values["nominal"] else "value")

    def select(self, key: str) -> None:
        self.current = key
        self._refresh()

    def press(self, key: str) -> None:
        text = self.values[self.current]
        if key == "⌫":
            text = text[:-1]
        elif key == "." and "." in text:
            return
        elif len(text) < 12:
            text += key
        self.values[self.current] = text
        self._refresh()

    def feed_reading(self, value: Decimal, unit: str, stable: bool, gauge: str) -> None:
        """A gauge reading; only a stable one becomes the value (an unstable scale lies)."""
        if not stable:
            return
        self.values["value"] = str(value)
        self.unit, self.gauge = unit, gauge
        self._refresh()

    def _on_reading(self, reading: Any, url: str) -> None:
        """A gauge event: shown live; a stable value fills the measured field."""
        if reading.value is None:
            self.live.setText(tr("Gauge: {0}").format(reading.status))
            return
        state = tr("stable") if reading.stable else tr("settling")
        self.live.setText(
            tr("Gauge: {0} {1} ({2})").format(reading.value, reading.unit or "", state)
        )
        self.feed_reading(
            reading.value, reading.unit or self.unit, reading.stable, url.split("?")[0]
        )

    def done(self, result: int) -> None:
        if self.devices is not None and self.devices.gauges():
            self.devices.reading.disconnect(self._on_reading)
        super().done(result)

    def payload(self) -> dict[str, Any] | None:
        nums = {k: parse_decimal(self.values[k]) for k in FIELDS}
        if any(v is None for v in nums.values()):
            return None
        return {
            "characteristic": self.characteristic,
            **{k: str(nums[k]) for k in FIELDS},
            "unit": self.unit,
            "gauge": self.gauge,
        }

    def _accept(self) -> None:
        if self.payload() is not None:
            self.accept()

    def _refresh(self) -> None:
        for code, b in self.char_buttons.items():
            b.setChecked(code == self.characteristic)
        for key, b in self.field_buttons.items():
            b.setChecked(key == self.current)
            shown = self.values[key] or "—"
            b.setText(f"{b.property('label')}\n{shown}")
        p = self.payload()
        if p is None:
            say(self.verdict, "", tr("Enter nominal, tolerances and the measured value"))
        else:
            lo = Decimal(p["nominal"]) - Decimal(p["tol_minus"])
            hi = Decimal(p["nominal"]) + Decimal(p["tol_plus"])
            ok = lo <= Decimal(p["value"]) <= hi
            verdict = tr("Within tolerance") if ok else tr("OUT OF TOLERANCE")
            say(self.verdict, "ok" if ok else "error", f"{verdict}  ({lo} – {hi} {self.unit})")
