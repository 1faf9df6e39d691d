"""The three decoders behind one shape: a grey image in, ``Code`` objects out.

zxing-cpp, pyzbar (ZBar) and OpenCV's QR detector each return their own result types,
formats and text encodings; this module turns them into ``Code`` with the raw payload
bytes, the text, the symbology (zxing-cpp's names: ``QRCode``, ``Code128`` …) and the four
corners in image pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar

Point = tuple[float, float]

# What a shop floor meets: our QR, a customer's Code 128 part number, and now and then
# a Data Matrix or an EAN on bought-in parts.
SHOP_FORMATS = ("QRCode", "Code128", "DataMatrix", "EAN13", "Code39")
MATRIX_FORMATS = ("QRCode", "MicroQRCode", "DataMatrix", "Aztec", "PDF417")

_ZBAR_NAMES = {
    "QRCODE": "QRCode",
    "CODE128": "Code128",
    "CODE39": "Code39",
    "CODE93": "Code93",
    "EAN13": "EAN13",
    "EAN8": "EAN8",
    "UPCA": "UPCA",
    "UPCE": "UPCE",
    "I25": "ITF",
    "DATABAR": "DataBar",
    "PDF417": "PDF417",
}


@dataclass(frozen=True)
class Code:
    """One code found in an image."""

    text: str
    format: str
    corners: tuple[Point, ...]
    raw: bytes = b""
    encoding: str = "utf-8"
    decoder: str = ""

    def center(self) -> Point:
        xs = [p[0] for p in self.corners] or [0.0]
        ys = [p[1] for p in self.corners] or [0.0]
        return sum(xs) / len(xs), sum(ys) / len(ys)


def payload_text(raw: bytes, fallback: str | None = None) -> tuple[str, str]:
    """Text and encoding name of a code's payload bytes.

    UTF-8 first (ASCII is UTF-8, and ECI-less UTF-8 is what phones write), then Shift_JIS
    (cp932, Microsoft's superset that Japanese label printers use); a decoder's own guess
    ``fallback`` or Latin-1 last, so a payload is never dropped for its encoding.
    """
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp932"), "shift_jis"
    except UnicodeDecodeError:
        pass
    if fallback is not None:
        return fallback, "decoder"
    return raw.decode("latin-1"), "latin-1"


def zxing_formats(names: Sequence[str]) -> zxingcpp.BarcodeFormats:
    return zxingcpp.barcode_formats_from_str(",".join(names))


def _zxing_format(b: zxingcpp.Barcode) -> str:
    return str(getattr(b.format, "name", b.format)).replace(" ", "")


def read_zxing(
    gray: np.ndarray,
    formats: zxingcpp.BarcodeFormats,
    *,
    try_downscale: bool = True,
    try_rotate: bool = False,
    try_invert: bool = False,
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage,
    scale: float = 1.0,
    offset: Point = (0.0, 0.0),
    name: str = "zxing",
) -> tuple[list[Code], list[tuple[Point, ...]]]:
    """zxing-cpp: the codes it decoded, and the corners of symbols it found but could not read.

    ``scale`` and ``offset`` map a resized crop's coordinates back to the frame.
    """
    found = zxingcpp.read_barcodes(
        gray,
        formats=formats,
        try_rotate=try_rotate,
        try_downscale=try_downscale,
        try_invert=try_invert,
        binarizer=binarizer,
        return_errors=True,
    )
    codes, failed = [], []
    for b in found:
        p = b.position
        corners = tuple(
            (pt.x / scale + offset[0], pt.y / scale + offset[1])
            for pt in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        )
        if b.error is not None or not b.valid:
            failed.append(corners)
            continue
        raw = bytes(b.bytes)
        text, enc = payload_text(raw, fallback=b.text)
        codes.append(Code(text, _zxing_format(b), corners, raw, enc, name))
    return codes, failed


def read_zbar(
    gray: np.ndarray,
    *,
    qr_only: bool = False,
    linear_only: bool = False,
    scale: float = 1.0,
    offset: Point = (0.0, 0.0),
    name: str = "pyzbar",
) -> list[Code]:
    """pyzbar (ZBar). ZBar converts QR byte-mode text to UTF-8 itself, guessing Shift_JIS."""
    symbols = [pyzbar.ZBarSymbol.QRCODE] if qr_only else None
    if linear_only:
        symbols = [s for s in pyzbar.ZBarSymbol if s.name in _ZBAR_NAMES and s.name != "QRCODE"]
    codes = []
    for d in pyzbar.decode(gray, symbols=symbols):
        text, enc = payload_text(d.data)
        fmt = _ZBAR_NAMES.get(d.type, d.type)
        pts = d.polygon or [
            (d.rect.left, d.rect.top),
            (d.rect.left + d.rect.width, d.rect.top + d.rect.height),
        ]
        corners = tuple((x / scale + offset[0], y / scale + offset[1]) for x, y in pts)
        codes.append(Code(text, fmt, corners, d.data, enc, name))
    return codes


_opencv_detector: cv2.QRCodeDetector | None = None


def read_opencv(gray: np.ndarray, *, name: str = "opencv") -> list[Code]:
    """OpenCV's QRCodeDetector (QR only), all codes in the image."""
    global _opencv_detector
    if _opencv_detector is None:
        _opencv_detector = cv2.QRCodeDetector()
    try:
        ok, texts, points, _ = _opencv_detector.detectAndDecodeMulti(gray)
    except cv2.error:
        return []
    if not ok or points is None:
        return []
    codes = []
    for text, quad in zip(texts, points, strict=False):
        if text:
            corners = tuple((float(x), float(y)) for x, y in quad)
            codes.append(Code(text, "QRCode", corners, text.encode("utf-8"), "utf-8", name))
    return codes
