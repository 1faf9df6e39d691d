"""The decoder pipeline for one camera frame: a fast path, then fallbacks inside a budget.

Measured on synthetic 720p traveler photographs (see README "Scanning"): zxing-cpp limited
to the shop's formats decodes most frames in 2–4 ms, so it is the fast path. What it misses
falls in a few groups, each with a fallback that recovers it:

* symbols zxing-cpp located but could not read (creases, oil, glare): cut them out,
  enlarge and sharpen, read again with zxing-cpp and with ZBar (``regions``);
* rotated, small Code 128 part numbers, which ZBar reads better than zxing-cpp but at
  ~40 ms a frame: find bar-like regions by gradient coherence, turn them level and read only
  those (``bars``);
* blur and small modules: enlarge 1.5× (``upscale``);
* everything else: ZBar on the whole frame (``zbar``), only when the budget allows;
* modules of about 2 px (a sheet held far off, a still photo): the camera's blur, JPEG and
  tilt merge neighbouring modules, so zxing-cpp finds no finder pattern or samples the grid
  wrongly. Enlarged 2× and unsharp-masked about as much as the camera blurred (σ 0.75
  frame px), the modules come apart again (``sharpen``, ~15–20 ms a 720p frame: stills
  only, ``budget_ms=None``). Measured on 24 photos each of the 12-step A4 sheet and label
  at 2.0 px a module (tilt, crease, oil, JPEG): 10 and 17 read without it, 24 and 24 with.

A camera sees the same sheet in many consecutive frames, so the fallbacks need not all
run on one frame: each frame runs the fast path and then fallbacks, from where the last
frame stopped, while they fit in the budget; a fallback that found a code runs first on
the next frames.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from drivers.qr.decoders import (
    MATRIX_FORMATS,
    SHOP_FORMATS,
    Code,
    Point,
    read_zbar,
    read_zxing,
    zxing_formats,
)
from drivers.qr.hints import advice

Quad = tuple[Point, ...]
StageFn = Callable[[np.ndarray, list[Quad]], list[Code]]


@dataclass
class Stage:
    """A fallback, and what it cost the last times it ran (moving average, ms)."""

    name: str
    run: StageFn
    prior_ms: float
    cost_ms: float = 0.0
    wins: int = 0
    runs: int = 0
    still_only: bool = False  # too slow for a live frame's budget

    def __post_init__(self) -> None:
        self.cost_ms = self.cost_ms or self.prior_ms


@dataclass
class FrameResult:
    """All codes in one frame, the time spent and the stages that ran; ``unread``: the
    corners of symbols located but read by no stage (for the camera view's outline and
    advice), ``advice`` what to tell the machinist about them (``drivers.qr.hints``)."""

    codes: list[Code]
    ms: float
    stages: list[str] = field(default_factory=list)
    unread: list[Quad] = field(default_factory=list)
    advice: str = ""


class FramePipeline:
    """Decode every code in a frame: zxing-cpp first, then fallbacks within ``budget_ms``.

    ``budget_ms=None`` runs every fallback (still images, ``nakama decode``). Not
    thread-safe: one pipeline per camera worker.
    """

    def __init__(
        self,
        budget_ms: float | None = 22.0,
        formats: Sequence[str] = SHOP_FORMATS,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.budget_ms = budget_ms
        self.clock = clock
        self._formats = zxing_formats(formats)
        self._linear = zxing_formats([f for f in formats if f not in MATRIX_FORMATS] or ["Code128"])
        # Starting costs are the 720p medians measured on one core; they adapt as stages run.
        self.stages = [
            Stage("regions", self._regions, 2.0),
            Stage("bars", self._bars, 4.0),
            Stage("upscale", self._upscale, 5.0),
            Stage("zbar", self._zbar, 40.0),
            Stage("sharpen", self._sharpen, 18.0, still_only=True),
        ]
        self._cursor = 0
        self._winner: Stage | None = None

    def decode(self, frame: np.ndarray) -> FrameResult:
        """Every code found in ``frame`` (BGR or grey), with corners in frame pixels."""
        start = self.clock()
        gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        codes, failed = read_zxing(gray, self._formats, name="fast")
        found = {(c.format, c.text): c for c in codes}
        ran = ["fast"]
        scale = gray.shape[0] * gray.shape[1] / (1280 * 720)
        for stage in self._order():
            elapsed = (self.clock() - start) * 1000
            if stage.name == "regions" and not failed:
                continue
            if stage.still_only and self.budget_ms is not None:
                continue
            if self.budget_ms is not None and elapsed + stage.cost_ms * scale > self.budget_ms:
                # One slow run (a cold cache, a busy core) must not bar a stage for good.
                stage.cost_ms = max(stage.prior_ms, stage.cost_ms * 0.9)
                continue
            t0 = self.clock()
            new = [c for c in stage.run(gray, failed) if (c.format, c.text) not in found]
            cost = (self.clock() - t0) * 1000 / scale
            stage.cost_ms = cost if stage.runs == 0 else 0.7 * stage.cost_ms + 0.3 * cost
            stage.runs += 1
            ran.append(stage.name)
            if stage is not self._winner:
                self._cursor = (self.stages.index(stage) + 1) % len(self.stages)
            for c in new:
                found[(c.format, c.text)] = c
            if new:
                stage.wins += 1
                self._winner = stage
        codes = list(found.values())
        unread = [q for q in failed if not any(_inside(c.center(), q) for c in codes)]
        return FrameResult(codes, (self.clock() - start) * 1000, ran, unread, advice(gray, unread))

    def _order(self) -> list[Stage]:
        rest = self.stages[self._cursor :] + self.stages[: self._cursor]
        if self._winner is None:
            return rest
        return [self._winner, *(s for s in rest if s is not self._winner)]

    # -- fallbacks ---------------------------------------------------------------------

    def _regions(self, gray: np.ndarray, failed: list[Quad]) -> list[Code]:
        out: list[Code] = []
        for quad in failed[:3]:
            crop, (x0, y0) = _crop(gray, quad, margin=0.25)
            if crop.size == 0:
                continue
            f = 2.0 if max(crop.shape) < 500 else 1.0
            big = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
            big = _unsharp(big)
            got, _ = read_zxing(big, self._formats, scale=f, offset=(x0, y0), name="regions")
            if not got:
                got = read_zbar(big, scale=f, offset=(x0, y0), name="regions")
            out += got
        return out

    def _bars(self, gray: np.ndarray, failed: list[Quad]) -> list[Code]:
        out: list[Code] = []
        for box in bar_regions(gray)[:3]:
            level, back = _level_crop(gray, box)
            got, _ = read_zxing(level, self._linear, try_downscale=False, name="bars")
            if not got:
                got = read_zbar(level, linear_only=True, name="bars")
            out += [_mapped(c, back) for c in got]
        return out

    def _upscale(self, gray: np.ndarray, failed: list[Quad]) -> list[Code]:
        big = cv2.resize(gray, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
        return read_zxing(big, self._formats, try_downscale=False, scale=1.5, name="upscale")[0]

    def _zbar(self, gray: np.ndarray, failed: list[Quad]) -> list[Code]:
        return read_zbar(gray, name="zbar")

    def _sharpen(self, gray: np.ndarray, failed: list[Quad]) -> list[Code]:
        big = cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
        big = _unsharp(big, sigma=1.5, amount=2.0)
        return read_zxing(big, self._formats, try_downscale=False, scale=2.0, name="sharpen")[0]


def _unsharp(gray: np.ndarray, sigma: float = 2.0, amount: float = 0.8) -> np.ndarray:
    soft = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1 + amount, soft, -amount, 0)


def _crop(gray: np.ndarray, quad: Quad, margin: float) -> tuple[np.ndarray, Point]:
    pts = np.array(quad, np.float32)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    m = margin * max(x1 - x0, y1 - y0, 20)
    h, w = gray.shape
    xa, ya = int(max(0, x0 - m)), int(max(0, y0 - m))
    xb, yb = int(min(w, x1 + m)), int(min(h, y1 + m))
    return gray[ya:yb, xa:xb], (float(xa), float(ya))


def bar_regions(gray: np.ndarray) -> list[tuple[Point, Point, float]]:
    """Rotated boxes ((cx, cy), (w, h), angle) of regions that look like 1D barcodes.

    Bars give strong gradients that all point the same way (high structure-tensor
    coherence); text and QR codes give strong gradients in every direction.
    """
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    k = (9, 9)
    jxx = cv2.blur(gx * gx, k)
    jyy = cv2.blur(gy * gy, k)
    jxy = cv2.blur(gx * gy, k)
    energy = jxx + jyy + 1e-3
    coherent = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2)
    score = coherent / energy * np.sqrt(energy)
    level = float(np.percentile(score[::4, ::4], 97))
    mask = (score > max(40.0, level)).astype(np.uint8)
    rect = cv2.MORPH_RECT
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(rect, (9, 9)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(rect, (5, 5)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for c in sorted(contours, key=cv2.contourArea, reverse=True):
        if cv2.contourArea(c) < 300:
            break
        (cx, cy), (bw, bh), ang = cv2.minAreaRect(c)
        if min(bw, bh) < 12 or max(bw, bh) < 1.5 * min(bw, bh):
            continue  # a ruled line, or a square patch: not a barcode
        boxes.append(((cx * 2, cy * 2), (bw * 2, bh * 2), ang))
    return boxes


def _level_crop(gray: np.ndarray, box: tuple[Point, Point, float]) -> tuple[np.ndarray, np.ndarray]:
    """The box cut out and turned so its long side is level, 2× enlarged; and the way back."""
    (cx, cy), (bw, bh), ang = box
    if bw < bh:
        bw, bh, ang = bh, bw, ang + 90
    f = 2.0 if bw < 400 else 1.0
    out_w, out_h = int((bw * 1.3 + 40) * f), int((bh * 1.3 + 20) * f)
    rot = cv2.getRotationMatrix2D((cx, cy), ang, f)
    rot[0, 2] += out_w / 2 - cx
    rot[1, 2] += out_h / 2 - cy
    level = cv2.warpAffine(gray, rot, (out_w, out_h), flags=cv2.INTER_CUBIC, borderValue=255)
    return level, cv2.invertAffineTransform(rot)


def _mapped(code: Code, back: np.ndarray) -> Code:
    pts = np.array(code.corners, np.float64).reshape(-1, 2)
    frame_pts = pts @ back[:, :2].T + back[:, 2]
    corners = tuple((float(x), float(y)) for x, y in frame_pts)
    return Code(code.text, code.format, corners, code.raw, code.encoding, code.decoder)


class RecentCodes:
    """Drops a code seen again within ``window_s``: a camera sees one sheet in many frames."""

    def __init__(self, window_s: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.clock = clock
        self._seen: dict[tuple[str, str], float] = {}

    def fresh(self, codes: Sequence[Code]) -> list[Code]:
        """The codes not reported within the window; every code seen now restarts its window."""
        now = self.clock()
        self._seen = {k: t for k, t in self._seen.items() if now - t < self.window_s}
        out = [c for c in codes if (c.format, c.text) not in self._seen]
        for c in codes:
            self._seen[(c.format, c.text)] = now
        return out


def _inside(p: Point, quad: Quad) -> bool:
    return (
        cv2.pointPolygonTest(np.asarray(quad, np.float32), (float(p[0]), float(p[1])), False) >= 0
    )


__all__ = ["FramePipeline", "FrameResult", "RecentCodes", "Stage", "bar_regions"]
