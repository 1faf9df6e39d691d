"""What to tell the machinist when the camera sees a code but cannot read it.

zxing-cpp reports the corners of symbols it located and failed to decode. The largest
such symbol is looked at, in this order (the first that applies is the advice):

* ``brighter`` (明るく): the symbol is dark (mean grey below ``DARK``): more light, or
  turn the sheet out of its shadow; sharpness and size cannot be judged in the dark;
* ``closer`` (近づけて): the symbol is small in the picture (its shortest side under
  ``SMALL_PX`` pixels, about 1.5 px per module for a 12-step traveler's version 13);
* ``steady`` (止めて): the symbol is blurred (variance of the Laplacian under
  ``BLURRED``): the sheet moved during the exposure or is out of focus.

Thresholds come from the synthetic webcam frames of ``drivers.qr.synth`` (low light,
small modules, blur) at 1280×720; they are advice, never a reason to refuse a code.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from drivers.qr.decoders import Point

DARK = 50.0
SMALL_PX = 80.0
BLURRED = 400.0
MIN_SIDE_PX = 20.0  # smaller "symbols" are noise zxing-cpp took for finder patterns

BRIGHTER, CLOSER, STEADY = "brighter", "closer", "steady"


def _sides(quad: Sequence[Point]) -> list[float]:
    pts = np.asarray(quad, np.float32)
    return [float(np.linalg.norm(pts[i] - pts[(i + 1) % len(pts)])) for i in range(len(pts))]


def _area(quad: Sequence[Point]) -> float:
    return float(cv2.contourArea(np.asarray(quad, np.float32)))


def advice(gray: np.ndarray, unread: Sequence[Sequence[Point]]) -> str:
    """``brighter``, ``closer``, ``steady`` or "" (nothing code-like left unread)."""
    quads = [q for q in unread if len(q) >= 4 and min(_sides(q)) >= MIN_SIDE_PX]
    if not quads:
        return ""
    quad = max(quads, key=_area)
    x, y, w, h = cv2.boundingRect(np.asarray(quad, np.float32))
    crop = gray[max(0, y) : y + h, max(0, x) : x + w]
    if crop.size == 0:
        return ""
    if float(crop.mean()) < DARK:
        return BRIGHTER
    if min(_sides(quad)) < SMALL_PX:
        return CLOSER
    if float(cv2.Laplacian(crop, cv2.CV_64F).var()) < BLURRED:
        return STEADY
    return ""


__all__ = ["BRIGHTER", "CLOSER", "STEADY", "advice"]
