"""Synthetic camera photographs of printed travelers, for the simulated camera, tests and bench.

A frame is drawn the way a shop webcam sees a traveler: a white sheet with text lines and
codes (the signed traveler QR, sometimes a customer's Code 128 part number or a URL QR),
warped into the picture with perspective and rotation, then degraded (blur, noise, low
light, glare, creases, oil, a thumb over a corner, small modules) and JPEG-compressed as an
MJPEG webcam does. Everything follows from ``seed``, so a frame can be made again exactly.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import cv2
import numpy as np
import segno
import zxingcpp

CATEGORIES = (
    "clean",
    "perspective",
    "rotation",
    "blur",
    "noise",
    "low_light",
    "glare",
    "crease",
    "oil",
    "occlusion",
    "small_modules",
    "multi",
    "shift_jis",
)

# Base45's alphabet: what a CBOR/COSE traveler in QR alphanumeric mode is made of.
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_WORDS = ["JOB", "LOT", "QTY", "OP", "LATHE", "HEAT", "GRIND", "PLATE", "INSP", "DUE", "PART"]
_SJIS_TEXTS = ["検査済 ロット12", "大田区 仲間まわし 工程表", "研削 完了 数量120", "めっき不良 2個"]


@dataclass(frozen=True)
class ExpectedCode:
    """A code drawn into a synthetic frame: what a decoder should read back."""

    text: str
    format: str  # "QRCode" or "Code128", as zxing-cpp names them


@dataclass
class SynthFrame:
    """One synthetic camera frame (BGR uint8) and the codes drawn into it."""

    image: np.ndarray
    codes: list[ExpectedCode]
    category: str
    seed: int
    meta: dict[str, float] = field(default_factory=dict)


def traveler_payload(rng: random.Random) -> str:
    """A traveler-like QR text: ``NK1:`` and 150–350 base45 characters."""
    n = rng.randint(150, 350)
    return "NK1:" + "".join(rng.choice(_ALNUM) for _ in range(n))


def part_number(rng: random.Random) -> str:
    """A customer's part number as printed in Code 128."""
    return f"PN-{rng.randint(1000, 9999)}-{rng.choice('ABCDEFGH')}{rng.randint(1, 99):02d}"


def url(rng: random.Random) -> str:
    return f"https://nakama.example.jp/j/{rng.randint(2024, 2027)}-{rng.randint(1, 9999):04d}"


def qr_modules(data: str | bytes) -> np.ndarray:
    """QR modules as a uint8 array, 1 = dark, with the 4-module quiet zone."""
    qr = segno.make_qr(data, error="m", boost_error=False)
    return np.array(list(qr.matrix_iter(scale=1, border=4)), dtype=np.uint8)


def code128_modules(text: str) -> np.ndarray:
    """Code 128 bars as a 1-row uint8 array, 1 = dark, with a 10-module quiet zone."""
    img = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image())
    row = (img[img.shape[0] // 2] < 128).astype(np.uint8)
    return np.pad(row, 10)[None, :]


Rect = tuple[int, int, int, int]


def _stamp(sheet: np.ndarray, modules: np.ndarray, x: int, y: int, px: float, h: int = 0) -> Rect:
    """Print ``modules`` onto the sheet at (x, y), ``px`` sheet pixels per module."""
    rows = h if h else round(modules.shape[0] * px)
    cols = round(modules.shape[1] * px)
    ink = cv2.resize(modules * 255, (cols, rows), interpolation=cv2.INTER_NEAREST)
    region = sheet[y : y + rows, x : x + cols]
    region[:] = sheet[5, 5]  # printed codes keep their quiet zone clear of the ruled text
    ink = ink[: region.shape[0], : region.shape[1]]
    toner = (255 - ink)[..., None] * np.array([0.93, 0.95, 0.97]) + 12
    region[:] = np.minimum(region, toner).astype(np.uint8)
    return x, y, cols, rows


def _sheet(
    rng: random.Random, codes: list[tuple[str, str | bytes]], mpx: float
) -> tuple[np.ndarray, list[Rect]]:
    """A white traveler sheet with ruled text lines and the given codes, ``mpx`` px/module."""
    sh, sw = 900, 1300
    sheet = np.full((sh, sw, 3), (236, 241, 244), np.uint8)
    for i in range(14):
        y = 60 + i * 58
        cv2.line(sheet, (30, y + 14), (sw - 30, y + 14), (150, 150, 150), 1)
        words = " ".join(rng.choice(_WORDS) + f" {rng.randint(1, 999)}" for _ in range(5))
        cv2.putText(sheet, words, (40, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (40, 40, 40), 2)
    slots = [(60, 60), (700, 60), (60, 470), (700, 470)]
    rng.shuffle(slots)
    rects = []
    for (fmt, data), (x, y) in zip(codes, slots, strict=False):
        if fmt == "Code128":
            bars = code128_modules(str(data))
            px = max(2.0, min(3.2, 560 / bars.shape[1]))
            rects.append(_stamp(sheet, bars, x, y + 100, px, h=150))
        else:
            mods = qr_modules(data)
            px = min(mpx, 420 / mods.shape[0]) if len(codes) > 1 else mpx
            rects.append(_stamp(sheet, mods, x, y, px))
    return sheet.astype(np.float32), rects


def _quad(
    rng: random.Random, w: int, h: int, scale: float, angle: float, tilt: float
) -> np.ndarray:
    """Where the sheet's corners land in the frame: scaled, rotated, tilted, inside the frame."""
    sw, sh = 1300 * scale, 900 * scale
    corners = np.array([[-sw / 2, -sh / 2], [sw / 2, -sh / 2], [sw / 2, sh / 2], [-sw / 2, sh / 2]])
    # Perspective: one edge nearer the camera than the opposite one.
    k = tilt * rng.choice([-1, 1])
    if rng.random() < 0.5:
        corners[:2, 0] *= 1 - k
        corners[2:, 0] *= 1 + k
    else:
        corners[[0, 3], 1] *= 1 - k
        corners[[1, 2], 1] *= 1 + k
    a = math.radians(angle)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    corners = corners @ rot.T
    cx = w / 2 + rng.uniform(-0.12, 0.12) * w
    cy = h / 2 + rng.uniform(-0.12, 0.12) * h
    return (corners + np.array([cx, cy])).astype(np.float32)


def _blob_mask(rng: random.Random, w: int, h: int, r: float, cx: float, cy: float) -> np.ndarray:
    mask = np.zeros((h, w), np.float32)
    pts = []
    for i in range(12):
        a = i * math.pi / 6
        rr = r * rng.uniform(0.6, 1.2)
        pts.append((int(cx + rr * math.cos(a)), int(cy + rr * math.sin(a))))
    cv2.fillPoly(mask, [np.array(pts, np.int32)], 1.0)
    k = int(r / 2) | 1
    return cv2.GaussianBlur(mask, (k, k), 0)


def make_frame(seed: int, category: str, size: tuple[int, int] = (1280, 720)) -> SynthFrame:
    """Draw one camera frame of the given degradation ``category`` (see ``CATEGORIES``)."""
    rng = random.Random(f"{category}:{seed}:{size}")
    w, h = size
    codes: list[tuple[str, str | bytes]] = [("QRCode", traveler_payload(rng))]
    expected = [ExpectedCode(str(codes[0][1]), "QRCode")]
    if category == "shift_jis":
        text = rng.choice(_SJIS_TEXTS)
        codes = [("QRCode", text.encode("shift_jis"))]
        expected = [ExpectedCode(text, "QRCode")]
    if category == "multi" or rng.random() < 0.2:
        extras: list[tuple[str, str]] = [("Code128", part_number(rng)), ("QRCode", url(rng))]
        rng.shuffle(extras)
        extras = extras[: rng.randint(1, 2)] if category == "multi" else extras[:1]
        codes += extras
        expected += [ExpectedCode(t, f) for f, t in extras]

    # Sheet pixels per module before the warp; the warp scale sets the final module size.
    mpx = 6.0
    scale = rng.uniform(0.55, 0.75) * w / 1280
    if category == "small_modules":
        scale = rng.uniform(0.30, 0.40) * w / 1280
    angle = rng.uniform(-8, 8)
    tilt = rng.uniform(0.0, 0.06)
    if category == "rotation":
        angle = rng.uniform(15, 45) * rng.choice([-1, 1])
    if category == "perspective":
        tilt = rng.uniform(0.12, 0.25)
        angle = rng.uniform(-20, 20)
    sheet, rects = _sheet(rng, codes, mpx)

    bg = np.full((h, w, 3), rng.uniform(70, 120), np.float32)
    bg += np.random.default_rng(seed).normal(0, 6, (h, w, 1)).astype(np.float32)
    src = np.array([[0, 0], [1300, 0], [1300, 900], [0, 900]], np.float32)
    quad = _quad(rng, w, h, scale, angle, tilt)
    m = cv2.getPerspectiveTransform(src, quad)
    # Keep the codes inside the picture: an operator holds the sheet so the code shows.
    pts = np.array([[[x, y], [x + cw, y], [x, y + ch], [x + cw, y + ch]] for x, y, cw, ch in rects])
    pts = cv2.perspectiveTransform(pts.reshape(1, -1, 2).astype(np.float32), m)[0]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    shift = np.maximum(0, 8 - lo) - np.maximum(0, hi - [w - 8, h - 8])
    m = cv2.getPerspectiveTransform(src, (quad + shift).astype(np.float32))
    warped = cv2.warpPerspective(sheet, m, (w, h), flags=cv2.INTER_AREA, borderValue=(-1, -1, -1))
    paper = warped[..., 0] >= 0
    img = np.where(paper[..., None], warped, bg)

    nrng = np.random.default_rng(seed + 7)
    if category == "crease":
        for _ in range(rng.randint(1, 3)):
            x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
            a = rng.uniform(0, math.pi)
            p0 = (int(x0 - 2000 * math.cos(a)), int(y0 - 2000 * math.sin(a)))
            p1 = (int(x0 + 2000 * math.cos(a)), int(y0 + 2000 * math.sin(a)))
            shade: np.ndarray = np.zeros((h, w), np.float32)
            cv2.line(shade, p0, p1, 1.0, rng.randint(3, 7))
            shade = cv2.GaussianBlur(shade, (0, 0), rng.uniform(2, 5))
            img *= 1 - 0.45 * shade[..., None]
            # A fold also shifts the print a little along the crease.
            band = cv2.GaussianBlur(shade, (0, 0), 8) > 0.05
            shifted = np.roll(img, rng.choice([-2, -1, 1, 2]), axis=rng.choice([0, 1]))
            img = np.where(band[..., None], shifted, img)
    if category == "oil":
        for _ in range(rng.randint(2, 4)):
            cx, cy = _near_code(rng, rects, m, w, h)
            mask = _blob_mask(rng, w, h, rng.uniform(30, 80), cx, cy)
            tint = np.array([40, 80, 110], np.float32)  # brownish-yellow in BGR
            alpha = rng.uniform(0.35, 0.6) * mask[..., None]
            img = img * (1 - alpha) + (img * 0.55 + tint * 0.3) * alpha
    if category == "occlusion":
        cx, cy = _near_code(rng, rects, m, w, h, corner=True)
        mask = _blob_mask(rng, w, h, rng.uniform(18, 40), cx, cy)
        skin = np.array([rng.uniform(60, 120), rng.uniform(110, 160), rng.uniform(170, 220)])
        img = img * (1 - mask[..., None]) + skin.astype(np.float32) * mask[..., None]

    # Light: uneven over the sheet, dim in the low-light category, then the sensor's gamma.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    light = 1 + 0.15 * (gx * (xx / w - 0.5) + gy * (yy / h - 0.5))
    gain = rng.uniform(0.85, 1.0)
    if category == "low_light":
        gain = rng.uniform(0.18, 0.32)
    img = img * light[..., None] * gain
    if category == "glare":
        cx, cy = _near_code(rng, rects, m, w, h)
        r = rng.uniform(40, 110)
        glare = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        img = img + rng.uniform(180, 260) * glare[..., None]

    if category == "blur":
        if rng.random() < 0.5:
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(1.4, 2.2))
        else:
            n = rng.randint(7, 11)
            kern: np.ndarray = np.zeros((n, n), np.float32)
            kern[n // 2, :] = 1 / n
            rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), rng.uniform(0, 180), 1)
            kern = cv2.warpAffine(kern, rot, (n, n))
            img = cv2.filter2D(img, -1, kern / kern.sum())
    else:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 0.9))  # lens + demosaicing
    sigma = rng.uniform(14, 24) if category == "noise" else rng.uniform(2, 5)
    if category == "low_light":
        sigma = rng.uniform(3, 6)  # read noise dominates, then amplified by the gain below
    img = img + nrng.normal(0, sigma, img.shape).astype(np.float32)
    if category == "low_light":
        img = 255 * (np.clip(img, 0, 255) / 255) ** rng.uniform(1.0, 1.3)
    frame = np.clip(img, 0, 255).astype(np.uint8)
    quality = rng.randint(60, 75) if category == "noise" else rng.randint(75, 90)
    _, jpg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    frame = np.asarray(cv2.imdecode(jpg, cv2.IMREAD_COLOR))
    return SynthFrame(frame, expected, category, seed, {"angle": angle, "scale": scale})


def _near_code(
    rng: random.Random, rects: list[Rect], m: np.ndarray, w: int, h: int, corner: bool = False
) -> tuple[float, float]:
    """A point over a code (the traveler QR when ``corner``), in frame coordinates."""
    x, y, cw, ch = rects[0] if corner else rng.choice(rects)
    q = 0.12  # the quiet zone is 4 of ~65 modules
    if corner:
        dx, dy = rng.choice([(q, q), (1 - q, q), (q, 1 - q), (1 - q, 1 - q)])
    else:
        dx, dy = rng.uniform(q, 1 - q), rng.uniform(q, 1 - q)
    dx, dy = dx * cw, dy * ch
    p = cv2.perspectiveTransform(np.array([[[x + dx, y + dy]]], np.float32), m)[0, 0]
    return float(np.clip(p[0], 0, w - 1)), float(np.clip(p[1], 0, h - 1))


def frame_set(n_per_category: int, size: tuple[int, int] = (1280, 720)) -> list[tuple[str, int]]:
    """The (category, seed) pairs of a set: ``n_per_category`` seeds for every category."""
    return [(c, s) for c in CATEGORIES for s in range(n_per_category)]
