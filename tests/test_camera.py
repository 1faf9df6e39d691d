"""Camera source: latest-frame slot, simulated cameras, reopening after an unplug."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from drivers.camera import CameraSource, open_capture
from drivers.qr.scanner import CameraScanner
from drivers.qr.synth import make_frame


def _images(tmp_path: Path, n: int = 3) -> Path:
    for i in range(n):
        img = np.full((72, 128, 3), i * 40, np.uint8)
        cv2.imwrite(str(tmp_path / f"f{i:02d}.png"), img)
    return tmp_path


def test_images_folder_is_played_in_order_and_loops(tmp_path: Path) -> None:
    cap = open_capture(f"sim://camera?images={_images(tmp_path)}&fps=500")
    values = []
    for _ in range(5):
        ok, img = cap.read()
        assert ok and img is not None
        values.append(int(img[0, 0, 0]))
    assert values == [0, 40, 80, 0, 40]


def test_latest_frame_only_and_reopen_after_unplug(tmp_path: Path) -> None:
    url = f"sim://camera?images={_images(tmp_path)}&fps=200&unplug_after=10&away_s=0.2"
    cam = CameraSource(url, retry_s=0.05).start()
    try:
        first = cam.wait_frame(timeout=2)
        assert first is not None
        deadline = time.monotonic() + 5
        while cam.reopens == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cam.reopens >= 1
        # Frames flow again after the camera came back.
        after = cam.wait_frame(after_seq=10, timeout=3)
        assert after is not None and after.seq > 10
        assert cam.state == "running"
        latest = cam.latest()
        assert latest is not None and latest.seq >= after.seq
    finally:
        cam.stop()


def test_video_file_source(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 100, (128, 72))
    for i in range(4):
        out.write(np.full((72, 128, 3), i * 50, np.uint8))
    out.release()
    cap = open_capture(str(path))
    reads = [cap.read()[0] for _ in range(6)]  # loops past the end
    assert all(reads)


def test_camera_scanner_reports_a_sheet_once() -> None:
    got: list[str] = []
    cam = CameraSource("sim://camera?synth=clean&fps=20").start()
    scanner = CameraScanner(cam, lambda codes: got.extend(c.text for c in codes)).start()
    try:
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        scanner.stop()
        cam.stop()
    assert got and got[0] == make_frame(0, "clean").codes[0].text
    assert len(got) == len(set(got))  # seen in many frames, reported once
