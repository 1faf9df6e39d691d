"""What a machinist would find wrong with a screen, found by looking at its widgets.

``problems(window)`` lists, in words, every visible widget that

- lies outside its parent (the layout could not fit it: part of it is off-screen or
  cut off), or a window larger than the room it was given;
- shows a text wider or taller than its room (labels and buttons; an ``ElidedLabel``
  shortens itself on purpose and is allowed to);
- can be tapped (buttons, fields, tabs, scroll bars and their handles, the rows of a
  list that is tapped) and is under 15 mm either way at the layout's dpi;
- has text under 3.5 mm cap height, or is a key figure under 6 mm;
- is a list whose rows can be selected but not declared tappable (``tap_rows``).

Used by the layout test and by ``nakama screenshots`` (which prints what it finds).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollBar,
    QStyle,
    QStyleOptionButton,
    QStyleOptionSlider,
    QTabBar,
    QWidget,
)

from app.ui.widgets import BODY_MM, FIGURE_MM, TOUCH_MM, mm, to_mm

# Key figures: by name, and pad keys and counts (properties ``key`` and ``count``).
FIGURES = frozenset({"numDisplay", "measuredValue", "figure"})
SLACK_PX = 1  # rounding of mm to whole pixels


def _name(w: QWidget) -> str:
    text = getattr(w, "text", None)
    shown = f" {text()!r}" if callable(text) and text() else ""
    return f"{w.objectName() or type(w).__name__}{shown}"


def _in_viewport(w: QWidget) -> bool:
    """A child of a scroll area's viewport may lie outside it: scrolling reaches it."""
    parent = w.parentWidget()
    grand = parent.parentWidget() if parent is not None else None
    return isinstance(grand, QAbstractScrollArea) and grand.viewport() is parent


def _shown_on_screen(w: QWidget, top: QWidget) -> bool:
    """Visible, and not scrolled wholly out of a scroll area's view."""
    if not w.isVisible():
        return False
    rect = QRect(w.mapTo(top, QPoint(0, 0)), w.size())
    p = w.parentWidget()
    while p is not None and p is not top:
        rect = rect.intersected(QRect(p.mapTo(top, QPoint(0, 0)), p.size()))
        p = p.parentWidget()
    return not rect.isEmpty()


def _button_room(b: QPushButton) -> QRect:
    opt = QStyleOptionButton()
    opt.initFrom(b)
    opt.text = b.text()
    return b.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, b)


def _text_problem(w: QWidget) -> str:
    """A one-line or several-line text that does not fit where it is shown."""
    if isinstance(w, QLabel):
        if not w.text() or w.property("elides") or (w.pixmap() is not None and not w.text()):
            return ""
        room = w.contentsRect().adjusted(w.margin(), w.margin(), -w.margin(), -w.margin())
        if w.wordWrap():
            need = w.heightForWidth(w.width())
            return f"needs {need} px high, has {w.height()}" if need > w.height() + 2 else ""
    elif isinstance(w, QPushButton):
        if not w.text():
            return ""
        room = _button_room(w)
    else:
        return ""
    fm = QFontMetricsF(w.font())
    lines = w.text().split("\n")
    need_w = max(fm.horizontalAdvance(line) for line in lines)
    need_h = fm.height() * len(lines)
    if need_w > room.width() + SLACK_PX or need_h > room.height() + 2:
        return f"text needs {need_w:.0f}×{need_h:.0f} px, has {room.width()}×{room.height()}"
    return ""


def _small(what: str, size: QSize | tuple[int, int]) -> str:
    w, h = (size.width(), size.height()) if isinstance(size, QSize) else size
    least = mm(TOUCH_MM) - SLACK_PX
    if w < least or h < least:
        return f"{what} {to_mm(w):.1f}×{to_mm(h):.1f} mm, under {TOUCH_MM:.0f} mm"
    return ""


def _target_problems(w: QWidget) -> list[str]:
    out = []
    if isinstance(w, QAbstractButton | QComboBox):
        out.append(_small("target", w.size()))
    elif isinstance(w, QLineEdit | QAbstractSpinBox):
        if isinstance(w.parentWidget(), QAbstractSpinBox | QComboBox):
            return []  # the editor inside a date or choice field: the field is the target
        if w.height() < mm(TOUCH_MM) - SLACK_PX:
            out.append(f"field {to_mm(w.height()):.1f} mm high, under {TOUCH_MM:.0f} mm")
    elif isinstance(w, QTabBar):
        out += [_small(f"tab {w.tabText(i)!r}", w.tabRect(i).size()) for i in range(w.count())]
    elif isinstance(w, QScrollBar) and w.maximum() > w.minimum():
        opt = QStyleOptionSlider()
        w.initStyleOption(opt)
        handle = w.style().subControlRect(
            QStyle.ComplexControl.CC_ScrollBar, opt, QStyle.SubControl.SC_ScrollBarSlider, w
        )
        out.append(_small("scroll bar", w.size()))
        out.append(_small("scroll handle", handle.size()))
    elif isinstance(w, QHeaderView):
        return []
    elif isinstance(w, QAbstractItemView) and w.model() is not None and w.model().rowCount():
        tapped = bool(w.property("tapped"))
        if not tapped and w.selectionMode() != QAbstractItemView.SelectionMode.NoSelection:
            out.append("rows can be selected but are not sized for a finger (tap_rows)")
        if tapped:
            pitch = getattr(w, "rowHeight", None)  # a table's row with its grid line
            for row in range(w.model().rowCount()):
                h = pitch(row) if pitch else w.visualRect(w.model().index(row, 0)).height()
                if 0 < h < mm(TOUCH_MM) - SLACK_PX:
                    out.append(f"row {row} {to_mm(h):.1f} mm high, under {TOUCH_MM:.0f} mm")
                    break
    return [p for p in out if p]


def _type_problem(w: QWidget) -> str:
    has_text = isinstance(w, QLabel | QAbstractButton) and bool(w.text())
    if not (has_text or isinstance(w, QAbstractItemView | QHeaderView | QLineEdit)):
        return ""
    cap = QFontMetricsF(w.font()).capHeight()
    # ``is True``: a list's own Qt property ``count`` (its number of rows) is no mark.
    figure = w.objectName() in FIGURES or w.property("key") is True or w.property("count") is True
    least = FIGURE_MM if figure else BODY_MM
    if cap < mm(least) * 0.97 - SLACK_PX:  # 3 %: the font's own rounding of pixel sizes
        return f"text {to_mm(cap):.1f} mm cap height, under {least} mm"
    return ""


def problems(top: QWidget, room: QSize | None = None) -> list[str]:
    """Everything wrong with the shown window ``top`` (in a ``room`` the size of the
    screen, when given)."""
    out = []
    if room is not None:
        if top.width() > room.width() or top.height() > room.height():
            out.append(
                f"window {top.width()}×{top.height()} larger than {room.width()}×{room.height()}"
            )
        least = top.minimumSizeHint()
        if least.width() > room.width() or least.height() > room.height():
            out.append(f"window needs at least {least.width()}×{least.height()}")
    for w in top.findChildren(QWidget):
        if not _shown_on_screen(w, top):
            continue
        parent = w.parentWidget()
        if (
            parent is not None
            and not w.isWindow()
            and not _in_viewport(w)
            and not parent.rect().contains(w.geometry())
        ):
            where = f"{w.geometry().getRect()} in {parent.size().toTuple()}"
            out.append(f"{_name(w)}: outside its parent ({where})")
        found = [_text_problem(w), _type_problem(w), *_target_problems(w)]
        out += [f"{_name(w)}: {p}" for p in found if p]
    return out
