"""The camera as the machinist sees it: a still bench is not decoded at full rate, a sheet
coming into view is read at once, a code seen but not read is outlined and explained."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import segno

from app.ui.app import make_application
from app.ui.camera_view import CameraView
from drivers.camera import Frame
from drivers.qr.hints import BRIGHTER, CLOSER, STEADY, advice
from drivers.qr.pipeline import FramePipeline, FrameResult
from drivers.qr.scanner import CameraScanner


def _bench(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((720, 1280, 3), 96, np.uint8)
    return cv2.add(img, rng.integers(0, 6, img.shape, dtype=np.uint8))


def _with_code(text: str, px: int = 6, at: tuple[int, int] = (400, 150)) -> np.ndarray:
    img = _bench()
    qr = segno.make_qr(text, error="m")
    mods = np.array([[0 if v else 255 for v in row] for row in qr.matrix], np.uint8)
    mods = np.pad(mods, 4, constant_values=255)
    code = cv2.resize(mods, None, fx=px, fy=px, interpolation=cv2.INTER_NEAREST)
    x, y = at
    img[y : y + code.shape[0], x : x + code.shape[1]] = code[..., None]
    return img


class FakeCamera:
    """Hands out the frames it is given, in order, like ``CameraSource``."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.cond = threading.Condition()
        self.state = "running"

    def push(self, image: np.ndarray) -> None:
        with self.cond:
            self.frames.append(Frame(len(self.frames), 0.0, image))
            self.cond.notify_all()

    def wait_frame(self, after_seq: int = -1, timeout: float | None = None) -> Frame | None:
        with self.cond:
            self.cond.wait_for(lambda: len(self.frames) - 1 > after_seq, timeout)
            return self.frames[after_seq + 1] if len(self.frames) - 1 > after_seq else None

    def latest(self) -> Frame | None:
        return self.frames[-1] if self.frames else None


def test_a_still_bench_is_rarely_decoded_and_a_sheet_is_read_at_once() -> None:
    cam = FakeCamera()
    now = [0.0]
    seen: list[str] = []
    scanner = CameraScanner(
        cam,  # type: ignore[arg-type]
        lambda codes: seen.extend(c.text for c in codes),
        clock=lambda: now[0],
    )
    scanner.start()
    try:
        # Fifteen frames of an empty bench within 0.2 s: one decode, the rest still.
        for i in range(15):
            cam.push(_bench(i))
            now[0] += 0.013
        _wait(lambda: scanner.frames_decoded + scanner.frames_still == 15)
        assert scanner.frames_decoded == 1
        # Later than the recheck time, a still picture is looked at again.
        now[0] += 1.0
        cam.push(_bench(99))
        _wait(lambda: scanner.frames_decoded == 2)
        # A sheet comes into view: the very next frame is decoded and the code reported.
        cam.push(_with_code("NAKAMA-TEST-1"))
        _wait(lambda: seen == ["NAKAMA-TEST-1"])
        assert scanner.frames_decoded == 3
    finally:
        scanner.stop()


def _wait(cond: Any, timeout: float = 5.0) -> None:
    import time

    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


def test_advice_follows_the_unread_symbol() -> None:
    quad_big = ((400.0, 150.0), (700.0, 150.0), (700.0, 450.0), (400.0, 450.0))
    quad_small = ((400.0, 150.0), (460.0, 150.0), (460.0, 210.0), (400.0, 210.0))
    sharp = _with_code("NAKAMA-TEST-2", px=8)
    gray = cv2.cvtColor(sharp, cv2.COLOR_BGR2GRAY)
    assert advice(gray, []) == ""
    assert advice(gray, [quad_big]) == ""  # large, bright and sharp: nothing to advise
    assert advice(gray, [quad_small]) == CLOSER
    assert advice(cv2.GaussianBlur(gray, (31, 31), 0), [quad_big]) == STEADY
    assert advice((gray * 0.15).astype(np.uint8), [quad_big]) == BRIGHTER
    # zxing-cpp's specks (a side of a few pixels) are no symbol to advise about.
    speck = ((400.0, 150.0), (403.0, 150.0), (403.0, 153.0), (400.0, 153.0))
    assert advice(gray, [speck]) == ""


def test_a_read_code_is_not_listed_as_unread() -> None:
    result = FramePipeline(budget_ms=None).decode(_with_code("NAKAMA-TEST-3"))
    assert [c.text for c in result.codes] == ["NAKAMA-TEST-3"]
    assert result.unread == [] and result.advice == ""


def _view(qtbot: Any, lang: str, result: FrameResult, image: np.ndarray) -> CameraView:
    make_application(lang)
    cam = FakeCamera()
    cam.push(image)
    devices = SimpleNamespace(camera=cam, camera_scanner=SimpleNamespace(last=result))
    view = CameraView(devices)
    qtbot.addWidget(view)
    view.resize(480, 420)
    view.show()
    view.refresh(now=100.0)
    return view


def test_the_view_outlines_codes_and_says_what_to_do(qtbot: Any, tmp_path: Path) -> None:
    image = _with_code("NAKAMA-TEST-4")
    read = FramePipeline(budget_ms=None).decode(image).codes
    unread_quad = ((900.0, 400.0), (960.0, 400.0), (960.0, 460.0), (900.0, 460.0))
    result = FrameResult(read, 3.0, ["fast"], [unread_quad], CLOSER)
    view = _view(qtbot, "ja", result, image)
    assert view.picture.image is not None
    assert view.picture.read == [read[0].corners]
    assert view.picture.unread == [unread_quad]
    # The outline lies on the code's place in the shrunken picture.
    box = view.picture.mapped(read[0].corners)
    assert view.picture.rect().contains(box.toRect())
    assert "近づけて" in view.advice.text()
    view.grab().save(str(tmp_path / "camera-ja.png"))

    # The advice holds a moment after the symbol is read, then goes.
    view.devices.camera_scanner.last = FrameResult(read, 3.0, ["fast"])
    view.devices.camera.push(image)
    view.refresh(now=100.5)
    assert "近づけて" in view.advice.text()
    view.devices.camera.push(image)
    view.refresh(now=102.0)
    assert view.advice.text() == ""


def test_the_view_reports_a_lost_camera(qtbot: Any) -> None:
    image = _bench()
    view = _view(qtbot, "ja", FrameResult([], 3.0, ["fast"], [], STEADY), image)
    assert view.advice.text() == "⚠ 用紙を止めて"
    view.devices.camera.state = "lost"
    view.refresh(now=101.0)
    assert view.status.text() == "カメラが応答しません。ケーブルを確認してください。"
