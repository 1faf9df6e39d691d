"""Touch widgets for gloved hands: big buttons, a number pad, a grid of choices."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.ui.text import tr

TOUCH_MIN = 72  # px: a gloved fingertip is about 15 mm wide


def restyle(widget: QWidget, name: str, value: object) -> None:
    """Set a property the style sheet selects on (``[level="error"]``) and apply it now:
    Qt does not re-read the style sheet when a dynamic property changes."""
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def say(label: QLabel, level: str, text: str) -> None:
    """A screen's feedback line: ``level`` is "ok", "error" or "" (neutral)."""
    label.setText(text)
    restyle(label, "level", level)


class BigButton(QPushButton):
    def __init__(self, text: str, role: str = "normal", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setMinimumHeight(TOUCH_MIN)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setProperty("role", role)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)


class NumPad(QWidget):
    """Digits, backspace and clear; the value is shown large above the keys."""

    changed = Signal(int)

    def __init__(
        self, initial: int = 0, maximum: int = 999_999, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.maximum = maximum
        self._text = str(initial) if initial else ""
        self.display = QLabel(self._text or "0")
        self.display.setObjectName("numDisplay")
        self.display.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid = QGridLayout()
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "C", "0", "⌫"]
        for i, k in enumerate(keys):
            b = BigButton(k)
            b.setObjectName(f"key_{'clear' if k == 'C' else 'back' if k == '⌫' else k}")
            b.clicked.connect(lambda _=False, k=k: self.press(k))
            grid.addWidget(b, i // 3, i % 3)
        lay = QVBoxLayout(self)
        lay.addWidget(self.display)
        lay.addLayout(grid)

    def press(self, key: str) -> None:
        if key == "C":
            self._text = ""
        elif key == "⌫":
            self._text = self._text[:-1]
        elif len(self._text) < 7 and int((self._text + key) or 0) <= self.maximum:
            self._text = (self._text + key).lstrip("0")
        self.display.setText(self._text or "0")
        self.changed.emit(self.value())

    def value(self) -> int:
        return int(self._text or 0)


class CountDialog(QDialog):
    """Ask for one or more counts (e.g. good / defect / scrap) with one number pad."""

    def __init__(
        self,
        title: str,
        fields: list[tuple[str, str, int]],
        maximum: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("countDialog")
        self.maximum = maximum
        self.values = {key: value for key, _label, value in fields}
        self.current = fields[0][0]
        self.field_buttons: dict[str, QPushButton] = {}
        heading = QLabel(title)
        heading.setObjectName("dialogTitle")
        row = QHBoxLayout()
        for key, label, _value in fields:
            b = BigButton("")
            b.setCheckable(True)
            b.setObjectName(f"field_{key}")
            b.clicked.connect(lambda _=False, k=key: self.select(k))
            self.field_buttons[key] = b
            b.setProperty("label", label)
            row.addWidget(b)
        self.pad = NumPad(self.values[self.current], maximum)
        self.pad.changed.connect(self._changed)
        self.total = QLabel()
        self.total.setObjectName("hint")
        ok = BigButton(tr("OK"), "primary")
        ok.setObjectName("ok")
        ok.clicked.connect(self.accept)
        cancel = BigButton(tr("Close"))
        cancel.setObjectName("cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(row)
        lay.addWidget(self.pad)
        lay.addWidget(self.total)
        lay.addLayout(buttons)
        self.select(self.current)

    def select(self, key: str) -> None:
        self.current = key
        self.pad._text = str(self.values[key]) if self.values[key] else ""
        self.pad.display.setText(self.pad._text or "0")
        self._refresh()

    def _changed(self, value: int) -> None:
        self.values[self.current] = value
        self._refresh()

    def _refresh(self) -> None:
        for key, b in self.field_buttons.items():
            b.setChecked(key == self.current)
            b.setText(f"{b.property('label')}\n{self.values[key]}")
        total = sum(self.values.values())
        self.total.setText(tr("Total {0} of {1}").format(total, self.maximum))
        restyle(self.total, "warn", total > self.maximum)


class ChoiceDialog(QDialog):
    """A grid of big buttons; tapping one chooses it."""

    def __init__(
        self, title: str, choices: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.choice: str | None = None
        heading = QLabel(title)
        heading.setObjectName("dialogTitle")
        grid = QGridLayout()
        for i, (code, label) in enumerate(choices):
            b = BigButton(label)
            b.setObjectName(f"choice_{code}")
            b.clicked.connect(lambda _=False, c=code: self._choose(c))
            grid.addWidget(b, i // 3, i % 3)
        cancel = BigButton(tr("Close"))
        cancel.setObjectName("cancel")
        cancel.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(grid)
        lay.addWidget(cancel)

    def _choose(self, code: str) -> None:
        self.choice = code
        self.accept()


class ConfirmDialog(QDialog):
    """A question with the consequence spelled out, and two big answers: the action named
    by what it does (never a bare OK), and 閉じる, which does nothing."""

    def __init__(
        self,
        title: str,
        text: str,
        yes: str,
        parent: QWidget | None = None,
        *,
        danger: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("confirmDialog")
        heading = QLabel(title)
        heading.setObjectName("dialogTitle")
        heading.setWordWrap(True)
        self.text = QLabel(text)
        self.text.setObjectName("confirmText")
        self.text.setWordWrap(True)
        self.yes = BigButton(yes, "danger" if danger else "primary")
        self.yes.setObjectName("confirmYes")
        self.yes.clicked.connect(self.accept)
        self.no = BigButton(tr("Close"))
        self.no.setObjectName("confirmNo")
        self.no.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.no)
        buttons.addWidget(self.yes)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addWidget(self.text, 1)
        lay.addLayout(buttons)
        self.setMinimumWidth(720)


class PinPad(QWidget):
    """Digits for a PIN: shown as dots, leading zeros kept, at most ``length`` digits."""

    changed = Signal(str)

    def __init__(self, length: int = 8, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.length = length
        self.pin = ""
        self.display = QLabel()
        self.display.setObjectName("numDisplay")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid = QGridLayout()
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "C", "0", "⌫"]
        for i, k in enumerate(keys):
            b = BigButton(k)
            b.setObjectName(f"pin_{'clear' if k == 'C' else 'back' if k == '⌫' else k}")
            b.clicked.connect(lambda _=False, k=k: self.press(k))
            grid.addWidget(b, i // 3, i % 3)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.display)
        lay.addLayout(grid)
        self._show()

    def press(self, key: str) -> None:
        if key == "C":
            self.pin = ""
        elif key == "⌫":
            self.pin = self.pin[:-1]
        elif key.isdigit() and len(self.pin) < self.length:
            self.pin += key
        self._show()
        self.changed.emit(self.pin)

    def clear(self) -> None:
        self.press("C")

    def _show(self) -> None:
        self.display.setText("●" * len(self.pin) if self.pin else "—")
