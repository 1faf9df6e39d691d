"""Test material for drawings and defect photos: a drawing written as a real PDF (by Qt's
PDF writer) or PNG, and camera frames of a turned part for the simulated camera."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from app.core.commands import Command
from tests.factories import raw


def _paint_drawing(p: QPainter, w: float, h: float, number: str, rev: str, page: int) -> None:
    p.fillRect(QRectF(0, 0, w, h), Qt.GlobalColor.white)
    pen = QPen(Qt.GlobalColor.black)
    pen.setWidthF(max(1.0, w / 800))
    p.setPen(pen)
    m = w * 0.03
    p.drawRect(QRectF(m, m, w - 2 * m, h - 2 * m))
    # A stepped shaft, side view, with centre line and two diameters.
    cy = h * 0.42
    x0, x1, x2 = w * 0.15, w * 0.45, w * 0.8
    p.drawRect(QRectF(x0, cy - h * 0.12, x1 - x0, h * 0.24))
    p.drawRect(QRectF(x1, cy - h * 0.07, x2 - x1, h * 0.14))
    dash = QPen(pen)
    dash.setStyle(Qt.PenStyle.DashDotLine)
    p.setPen(dash)
    p.drawLine(int(x0 - m), int(cy), int(x2 + m), int(cy))
    p.setPen(pen)
    f = QFont("Noto Sans CJK JP")
    f.setPixelSize(int(h * 0.03))
    p.setFont(f)
    p.drawText(QRectF(x0, cy - h * 0.2, x1 - x0, h * 0.06), Qt.AlignmentFlag.AlignCenter, "Ø40 h7")
    p.drawText(
        QRectF(x1, cy - h * 0.14, x2 - x1, h * 0.06), Qt.AlignmentFlag.AlignCenter, "Ø20 ±0.02"
    )
    p.drawText(QRectF(x0, cy + h * 0.14, x2 - x0, h * 0.06), Qt.AlignmentFlag.AlignCenter, "120")
    # Title block, bottom right.
    tb = QRectF(w * 0.55, h * 0.74, w * 0.42 - m, h * 0.23 - m)
    p.drawRect(tb)
    f.setPixelSize(int(h * 0.028))
    p.setFont(f)
    p.drawText(
        tb.adjusted(m / 2, m / 4, 0, 0),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
        f"図番 {number}\n改訂 REV {rev}\n品名 SHAFT-2041   S45C\n{page} / 2",
    )


def drawing_pdf(path: Path, number: str = "SD-2041", rev: str = "C", pages: int = 2) -> Path:
    """An A4 landscape drawing of ``pages`` pages, as a real PDF."""
    w = QPdfWriter(str(path))
    w.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    w.setPageOrientation(QPageLayout.Orientation.Landscape)
    w.setResolution(150)
    p = QPainter(w)
    for i in range(pages):
        if i:
            w.newPage()
        _paint_drawing(p, w.width(), w.height(), number, rev, i + 1)
    p.end()
    return path


def drawing_png(path: Path, number: str = "SD-2041", rev: str = "B") -> Path:
    img = QImage(1754, 1240, QImage.Format.Format_RGB32)
    p = QPainter(img)
    _paint_drawing(p, img.width(), img.height(), number, rev, 1)
    p.end()
    img.save(str(path))
    return path


def part_frames(folder: Path, n: int = 3) -> Path:
    """Camera frames (1280×720) of a turned shaft on a bench, a burr on its shoulder."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    for i in range(n):
        img = np.full((720, 1280, 3), (70, 75, 80), np.uint8)
        img += rng.integers(0, 12, img.shape, dtype=np.uint8)
        dx = 6 * i
        for y in range(250, 470):  # a steel cylinder: bright in the middle, dark at the edges
            shade = int(120 + 110 * np.cos((y - 360) / 110 * 1.4))
            cv2.line(img, (300 + dx, y), (720 + dx, y), (shade, shade, shade + 5), 1)
        for y in range(300, 420):
            shade = int(110 + 120 * np.cos((y - 360) / 60 * 1.4))
            cv2.line(img, (720 + dx, y), (1000 + dx, y), (shade, shade, shade + 5), 1)
        pts = np.array([[720 + dx, 300], [735 + dx, 282], [742 + dx, 300]], np.int32)
        cv2.fillPoly(img, [pts], (235, 235, 240))  # the burr
        cv2.imwrite(str(folder / f"frame{i:02d}.png"), img)
    return folder


def operator_saved(firm: str, n: int = 1, name: str = "佐藤 花子") -> Command:
    """An owner of ``firm`` for tests that sign someone in."""
    payload = {
        "operator_id": f"{firm}-OP-{n:04d}",
        "name": name,
        "badge": None,
        "pin_hash": None,
        "role": "owner",
        "status": "active",
    }
    return raw("OperatorSaved", payload)
