"""Touch widgets for gloved hands: big buttons, a number pad, a grid of choices; and the
one place where millimetres on the panel become pixels.

Sizes are physical. A gloved fingertip needs a target about 15 mm wide whatever the
panel: 83 px on a 15.6" 1920 × 1080 panel (141 dpi), 63 px on a 12.1" 1024 × 768 one
(106 dpi). So every size here is a length in mm, turned into pixels with the panel's
real dots per inch (``QScreen.physicalDotsPerInch``, or the ``screen_dpi`` setting for
panels whose EDID lies). The style sheet (``resources/style.qss``) is a template whose
``${touch}``, ``${body}``… are filled in from the same figures.
"""

from __future__ import annotations

import math
from pathlib import Path
from string import Template
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QGuiApplication, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QCalendarWidget,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScroller,
    QScrollerProperties,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.ui.text import tr

STYLE = Path(__file__).resolve().parents[2] / "resources" / "style.qss"
FONT_FAMILIES = ("Noto Sans CJK JP", "Noto Sans JP")

TOUCH_MM = 15.0  # every tappable target, both ways: a gloved fingertip
# Cap heights (the height of an "H"; kanji stand taller): what is read from arm's length
# without reading glasses.
BODY_MM = 3.5  # every text on screen, captions and table cells included
TITLE_MM = 4.5  # a screen's or dialog's title
FIGURE_MM = 6.0  # key figures: counts, measured values, the day's totals, pad digits
DISPLAY_MM = 7.0  # the number being typed on a pad, the measured value
CHOICE_MM = 20.0  # a choice that is recorded (a defect, a pause reason): a larger target
FALLBACK_DPI = 96.0  # a screen that reports nothing usable


class _Units:
    dpi = FALLBACK_DPI
    cap_ratio = 0.733  # Noto Sans CJK: cap height / pixel size; measured in set_dpi


def screen_dpi(setting: float = 0) -> float:
    """The dots per inch to lay out for: the ``screen_dpi`` setting when set (> 0), else
    what the primary screen says of itself (its EDID), else 96."""
    if setting and setting > 0:
        return float(setting)
    screen = QGuiApplication.primaryScreen() if QGuiApplication.instance() else None
    dpi = screen.physicalDotsPerInch() if screen is not None else 0.0
    return dpi if 40 <= dpi <= 600 else FALLBACK_DPI  # 0 or absurd: a panel that lies


def set_dpi(dpi: float) -> None:
    """Lay out for ``dpi``; widgets made afterwards and ``style_sheet()`` use it."""
    _Units.dpi = float(dpi)
    if QGuiApplication.instance() is not None:
        font = QFont(list(FONT_FAMILIES))
        font.setPixelSize(200)
        _Units.cap_ratio = QFontMetricsF(font).capHeight() / 200 or 0.733


def dpi() -> float:
    return _Units.dpi


def mm(length: float) -> int:
    """``length`` millimetres on this panel, in (whole, rounded up) pixels."""
    return math.ceil(length * _Units.dpi / 25.4 - 1e-9)


def to_mm(px: float) -> float:
    """Pixels on this panel, in millimetres (tests and reports)."""
    return px * 25.4 / _Units.dpi


def touch() -> int:
    """The smallest tappable size, in pixels (replaces the old fixed 72 px)."""
    return mm(TOUCH_MM)


def font_px(cap_mm: float) -> int:
    """The font pixel size whose capital letters stand ``cap_mm`` tall."""
    return math.ceil(cap_mm * _Units.dpi / 25.4 / _Units.cap_ratio)


def sizes() -> dict[str, int]:
    """The figures the style sheet template uses, in pixels."""
    t = touch()
    return {
        "touch": t,
        "field_inner": t - 12,  # a field's: 4 px padding and 2 px border, top and bottom
        "body": font_px(BODY_MM),
        "title": font_px(TITLE_MM),
        "figure": font_px(FIGURE_MM),
        "display": font_px(DISPLAY_MM),
        "gap": mm(1.5),
        "scrollbar": t,
    }


def style_sheet(template: str | None = None) -> str:
    """The style sheet with its sizes filled in for the current dpi."""
    text = STYLE.read_text(encoding="utf-8") if template is None else template
    return Template(text).substitute(sizes())


def apply_units(app: QApplication, dpi_setting: float = 0) -> float:
    """Size fonts and the style sheet for the panel; returns the dpi used."""
    used = screen_dpi(dpi_setting)
    set_dpi(used)
    font = QFont(list(FONT_FAMILIES))
    font.setPixelSize(font_px(BODY_MM))
    app.setFont(font)
    if STYLE.exists():
        app.setStyleSheet(style_sheet())
    return used


def touch_scroll(view: QAbstractScrollArea) -> None:
    """Swipe to scroll (a finger or a gloved thumb dragging the list), pixel by pixel,
    without overshoot (a list that bounces looks broken on a slow panel)."""
    if isinstance(view, QAbstractItemView):
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    target = view.viewport()
    QScroller.grabGesture(target, QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(target)
    props = scroller.scrollerProperties()
    off = QScrollerProperties.OvershootPolicy.OvershootAlwaysOff
    props.setScrollMetric(QScrollerProperties.ScrollMetric.VerticalOvershootPolicy, off)
    props.setScrollMetric(QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy, off)
    # A tap goes to the button under the finger at once: with Qt's default press delay
    # (0.25 s) a quick tap inside a swipe area could be taken for the start of a swipe
    # and lost (found by tests/test_ui_flow.py: 測定 and 分割 did nothing).
    props.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, 0.0)
    # A tap that wobbles a little under a glove is still a tap, not a drag.
    props.setScrollMetric(QScrollerProperties.ScrollMetric.DragStartDistance, 0.004)
    scroller.setScrollerProperties(props)


def tap_rows(view: QAbstractItemView) -> None:
    """Rows that are tapped are at least one target tall; the list swipes."""
    view.setProperty("tapped", True)  # the layout check measures its rows
    view.verticalHeader().setMinimumSectionSize(touch())  # type: ignore[attr-defined]
    view.verticalHeader().setDefaultSectionSize(touch())  # type: ignore[attr-defined]
    touch_scroll(view)


def key_grid() -> QGridLayout:
    """A grid of keys or choices with a gap a gloved finger does not bridge (2.5 mm)."""
    grid = QGridLayout()
    grid.setSpacing(mm(2.5))
    return grid


def snug(button: QPushButton) -> QPushButton:
    """A button as wide as its text needs (and a fingertip), no wider: ◀ 戻る beside a
    title, say."""
    button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return button


def touch_calendar(calendar: QCalendarWidget) -> None:
    """A month a gloved finger can pick a day from: every day a 15 mm cell, the month
    arrows and the month and year buttons 15 mm too."""
    t = touch()
    calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
    calendar.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
    for name in ("qt_calendar_prevmonth", "qt_calendar_nextmonth"):
        arrow = calendar.findChild(QWidget, name)
        if arrow is not None:
            arrow.setMinimumSize(t, t)
    for name in ("qt_calendar_monthbutton", "qt_calendar_yearbutton"):
        button = calendar.findChild(QWidget, name)
        if button is not None:
            button.setMinimumSize(t, t)
    days = calendar.findChild(QAbstractItemView, "qt_calendar_calendarview")
    if days is not None:
        days.setProperty("tapped", True)  # the layout check measures its rows
    # 7 columns; a row of day names and 6 weeks, under the bar of month and year
    calendar.setMinimumSize(7 * t + 4, 7 * t + t + mm(4))


class FreshWhenShown:
    """A screen that re-reads on each record only while it is on screen: hidden, it marks
    itself stale and re-reads when shown (a machinist's tap never waits for a screen they
    cannot see). The class defines ``refresh`` and calls ``follow(signal)``; ``refresh``
    clears the mark by calling ``fresh()``."""

    _stale = False

    def follow(self, signal: Any) -> None:
        signal.connect(self._changed)

    def fresh(self) -> None:
        self._stale = False

    def _changed(self) -> None:
        if self.isHidden():  # type: ignore[attr-defined]
            self._stale = True
        else:
            self.refresh()  # type: ignore[attr-defined]

    def showEvent(self, event: Any) -> None:
        if self._stale:
            self.refresh()  # type: ignore[attr-defined]
        super().showEvent(event)  # type: ignore[misc]


class ElidedLabel(QLabel):
    """One line that shortens itself with … when the room is too small (the whole text
    stays in ``text()`` and the tooltip). Used where a shortened text is still useful:
    a firm's name, the hub status in the top bar."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setProperty("elides", True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        style = self.style()
        opt_rect = self.contentsRect()
        text = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, opt_rect.width()
        )
        style.drawItemText(
            painter,
            opt_rect,
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            text,
            self.foregroundRole(),
        )


class TouchDialog(QDialog):
    """A dialog that fits the panel: as large as it needs up to the window it opens over
    (the whole screen on the terminal), centred there, never off-screen. ``fill``: take
    all of that room (a dialog with a keypad and much to show)."""

    fill = False

    def room(self) -> QSize:
        parent = self.parentWidget()
        if parent is not None:
            return parent.window().size()
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry().size()

    def fit(self) -> None:
        room = self.room()
        self.setMaximumSize(room)
        want = room if self.fill else self.sizeHint().expandedTo(self.minimumSizeHint())
        self.resize(want.boundedTo(room))
        parent = self.parentWidget()
        if parent is not None:
            top = parent.window()
            centre = top.mapToGlobal(top.rect().center())
            self.move(centre.x() - self.width() // 2, centre.y() - self.height() // 2)

    def showEvent(self, event: QShowEvent) -> None:
        if not self.testAttribute(Qt.WidgetAttribute.WA_Resized):  # unless sized by hand
            self.fit()
        super().showEvent(event)

    def event(self, event: QEvent) -> bool:
        done = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            self.grow()
        return done

    def grow(self) -> None:
        """Something was added while open (a scan's notice, a wrapped line): taller, up to
        the room, so that no key is squeezed under a fingertip."""
        lay = self.layout()
        if lay is None:
            return
        need = (
            lay.totalHeightForWidth(self.width())
            if lay.hasHeightForWidth()
            else lay.totalMinimumSize().height()
        )
        room = self.room()
        if need > self.height() and self.height() < room.height():
            centre = self.geometry().center()
            self.resize(self.width(), min(need, room.height()))
            geo = self.geometry()
            geo.moveCenter(centre)
            self.move(geo.topLeft())


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
    """A button at least one fingertip (15 mm) each way, and never narrower or lower
    than its text (several lines included): a layout that cannot give it that room
    grows the window instead, which the layout test catches."""

    def __init__(self, text: str, role: str = "normal", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setProperty("role", role)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:
        least = touch()
        return super().sizeHint().expandedTo(QSize(least, least))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


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
        grid = key_grid()
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "C", "0", "⌫"]
        for i, k in enumerate(keys):
            b = BigButton(k)
            b.setProperty("key", True)
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


class CountDialog(TouchDialog):
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
        heading.setWordWrap(True)
        # The counts stand in a column beside the pad, each a key figure on one line:
        # 良品 37 / 不良 0 / 廃棄 0, the one being typed highlighted.
        row = QVBoxLayout()
        for key, label, _value in fields:
            b = BigButton("")
            b.setCheckable(True)
            b.setProperty("count", True)
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
        middle = QHBoxLayout()
        if len(fields) > 1:
            row.addStretch(1)
            row.addWidget(self.total)
            middle.addLayout(row, 1)
            middle.addWidget(self.pad, 1)
        else:  # one count: the pad's display shows it; a field button would repeat it
            for field in self.field_buttons.values():
                field.hide()
            middle.setDirection(QHBoxLayout.Direction.TopToBottom)
            middle.addWidget(self.pad, 1)
            middle.addWidget(self.total)
            # "of 1,000,000" says nothing: a total is shown only against a real limit
            self.total.setVisible(maximum < 10**6)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(middle, 1)
        lay.addLayout(buttons)
        self.setMinimumWidth(mm(130))
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
            b.setText(f"{b.property('label')}  {self.values[key]:,}")
        total = sum(self.values.values())
        self.total.setText(tr("Total {0} of {1}").format(f"{total:,}", f"{self.maximum:,}"))
        restyle(self.total, "warn", total > self.maximum)


class ChoiceDialog(TouchDialog):
    """A grid of big buttons; tapping one chooses it."""

    def __init__(
        self, title: str, choices: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.choice: str | None = None
        heading = QLabel(title)
        heading.setObjectName("dialogTitle")
        grid = key_grid()
        for i, (code, label) in enumerate(choices):
            b = BigButton(label)
            b.setMinimumHeight(mm(CHOICE_MM))  # what was done is chosen here: no slips
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
        self.setMinimumWidth(mm(150))

    def _choose(self, code: str) -> None:
        self.choice = code
        self.accept()


class ConfirmDialog(TouchDialog):
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
        self.setMinimumWidth(mm(150))


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
        grid = key_grid()
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "C", "0", "⌫"]
        for i, k in enumerate(keys):
            b = BigButton(k)
            b.setProperty("key", True)
            # Keys take the room the dialog has (a PIN is typed blind, with gloves).
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            b.setMaximumHeight(mm(25))
            b.setObjectName(f"pin_{'clear' if k == 'C' else 'back' if k == '⌫' else k}")
            b.clicked.connect(lambda _=False, k=k: self.press(k))
            grid.addWidget(b, i // 3, i % 3)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.display)
        lay.addLayout(grid, 1)
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
