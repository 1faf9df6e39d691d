"""A picture to look into with gloves on: pinch and drag, the mouse wheel, or big buttons.

``ZoomView`` shows one page (a drawing's page, a defect photo) and zooms about the
fingers' centre on a pinch, pans on a drag (a one-finger touch arrives as a mouse drag)
and on a two-finger pan, and zooms about the pointer on the wheel. ``ViewerDialog``
adds the buttons (+ − fit, four arrows, pages) for hands that cannot pinch.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QGestureEvent,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPanGesture,
    QPinchGesture,
    QVBoxLayout,
    QWidget,
)

from app.ui.text import tr
from app.ui.widgets import BigButton

MIN_ZOOM, MAX_ZOOM = 0.05, 16.0
STEP = 1.25  # one tap of + or −
PAN_STEP = 0.25  # one tap of an arrow: a quarter of the visible width or height


class ZoomView(QGraphicsView):
    """One image, zoomed and panned by touch, wheel or the ``zoom_by``/``pan``/``fit`` calls."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("zoomView")
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        scene = QGraphicsScene(self)
        scene.addItem(self.item)
        self.setScene(scene)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(Qt.GlobalColor.white)
        # No thin scroll bars to aim at: drag, pinch, the wheel and the big arrows move it.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self.viewport().grabGesture(Qt.GestureType.PanGesture)
        self.fitted = True

    def set_image(self, image: QImage) -> None:
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(self.item.boundingRect())
        self.fit()

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        """The whole page in view."""
        if not self.item.pixmap().isNull():
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
        self.fitted = True

    def zoom_by(self, factor: float, at: QPointF | None = None) -> None:
        """Zoom by ``factor`` about ``at`` (viewport coordinates; the centre if None)."""
        target = max(MIN_ZOOM, min(MAX_ZOOM, self.zoom * factor))
        factor = target / self.zoom if self.zoom else 1.0
        if abs(factor - 1.0) < 1e-6:
            return
        centre = at if at is not None else QPointF(self.viewport().rect().center())
        before = self.mapToScene(centre.toPoint())
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(factor, factor)
        self.setTransformationAnchor(anchor)
        # The page point that was under ``centre`` stays there: scroll the difference.
        moved = self.mapFromScene(before) - centre.toPoint()
        self._scroll(moved.x(), moved.y())
        self.fitted = False

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by fractions of the visible width and height (0.25: a quarter)."""
        vp = self.viewport().rect()
        self._scroll(round(dx * vp.width()), round(dy * vp.height()))

    def _scroll(self, dx: int, dy: int) -> None:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + dx)
        v.setValue(v.value() + dy)

    def centre(self) -> QPointF:
        """The scene point in the middle of the view (where a pan has moved to)."""
        return self.mapToScene(self.viewport().rect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(STEP**steps, event.position())
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Gesture:
            return self.gesture(event)  # type: ignore[arg-type]
        return super().viewportEvent(event)

    def gesture(self, event: QGestureEvent) -> bool:
        """A pinch zooms about the fingers' centre; a two-finger pan moves the page."""
        pinch = event.gesture(Qt.GestureType.PinchGesture)
        if isinstance(pinch, QPinchGesture):
            flags = pinch.changeFlags()
            if flags & QPinchGesture.ChangeFlag.ScaleFactorChanged:
                at = self.viewport().mapFromGlobal(pinch.centerPoint().toPoint())
                self.zoom_by(pinch.scaleFactor(), QPointF(at))
            event.accept(pinch)
        pan = event.gesture(Qt.GestureType.PanGesture)
        if isinstance(pan, QPanGesture):
            d = pan.delta()
            self._scroll(-round(d.x()), -round(d.y()))
            event.accept(pan)
        return True

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.fitted:
            self.fit()


class ViewerDialog(QDialog):
    """Full screen: a heading, warnings, the picture, and big buttons to move about it."""

    def __init__(
        self,
        title: str,
        pages: Sequence[QImage],
        *,
        warnings: list[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("viewerDialog")
        self.setWindowTitle(title)
        self.pages = pages
        self.page = 0
        heading = QLabel(title)
        heading.setObjectName("dialogTitle")
        heading.setWordWrap(True)
        self.warnings = QLabel("\n".join(f"⚠ {w}" for w in warnings or []))
        self.warnings.setObjectName("drawingMismatch")  # red: it must not be overlooked
        self.warnings.setWordWrap(True)
        self.warnings.setVisible(bool(warnings))
        self.view = ZoomView()
        self.buttons: dict[str, BigButton] = {}
        grid = QGridLayout()
        # Zoom on the left, arrows in a cross in the middle, pages and close on the right.
        places = {
            "zoom_out": ("−", 1, 0),
            "zoom_in": ("+", 1, 1),
            "fit": (tr("Fit"), 1, 2),
            "up": ("↑", 0, 4),
            "left": ("←", 1, 3),
            "down": ("↓", 1, 4),
            "right": ("→", 1, 5),
            "prev": (tr("◀ Page"), 1, 6),
            "next": (tr("Page ▶"), 1, 7),
        }
        for name, (text, row, col) in places.items():
            b = BigButton(text)
            b.setObjectName(f"viewer_{name}")
            b.clicked.connect(lambda _=False, n=name: self.press(n))
            grid.addWidget(b, row, col)
            self.buttons[name] = b
        self.page_label = QLabel()
        self.page_label.setObjectName("hint")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.page_label, 0, 6, 1, 2)
        close = BigButton(tr("Close"))
        close.setObjectName("cancel")
        close.clicked.connect(self.reject)
        grid.addWidget(close, 1, 8)
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.warnings)
        lay.addWidget(self.view, 1)
        lay.addLayout(grid)
        if parent is not None:  # the whole window: a drawing needs all the room there is
            self.resize(parent.window().size())
        self.show_page(0)

    def show_page(self, i: int) -> None:
        if not self.pages:
            self.page_label.setText(tr("Nothing to show"))
            return
        self.page = max(0, min(len(self.pages) - 1, i))
        self.view.set_image(self.pages[self.page])
        many = len(self.pages) > 1
        for name in ("prev", "next"):
            self.buttons[name].setVisible(many)
        self.page_label.setVisible(many)
        self.page_label.setText(tr("Page {0} of {1}").format(self.page + 1, len(self.pages)))
        self.buttons["prev"].setEnabled(self.page > 0)
        self.buttons["next"].setEnabled(self.page < len(self.pages) - 1)

    def press(self, name: str) -> None:
        v = self.view
        if name == "zoom_in":
            v.zoom_by(STEP)
        elif name == "zoom_out":
            v.zoom_by(1 / STEP)
        elif name == "fit":
            v.fit()
        elif name in ("left", "right", "up", "down"):
            # An arrow shows what lies that way: the page moves the other way.
            dx = {"left": -PAN_STEP, "right": PAN_STEP}.get(name, 0.0)
            dy = {"up": -PAN_STEP, "down": PAN_STEP}.get(name, 0.0)
            v.pan(dx, dy)
        elif name == "prev":
            self.show_page(self.page - 1)
        elif name == "next":
            self.show_page(self.page + 1)
