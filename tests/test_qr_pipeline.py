"""The frame pipeline on synthetic traveler photographs, payload encodings and de-duplication."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import segno

from app.scanned import classify
from drivers.qr.decoders import payload_text
from drivers.qr.pipeline import FramePipeline, RecentCodes
from drivers.qr.synth import make_frame


@pytest.fixture(scope="module")
def pipeline() -> FramePipeline:
    return FramePipeline(budget_ms=None)


@pytest.mark.parametrize("category", ["clean", "rotation", "glare", "low_light", "crease"])
def test_traveler_read_with_corners(pipeline: FramePipeline, category: str) -> None:
    frame = make_frame(3, category)
    result = pipeline.decode(frame.image)
    texts = {c.text: c for c in result.codes}
    traveler = frame.codes[0].text
    assert traveler in texts
    (x, y) = texts[traveler].center()
    assert len(texts[traveler].corners) == 4
    assert 0 <= x < 1280 and 0 <= y < 720


def test_several_codes_and_code128_reported_as_what_they_are(pipeline: FramePipeline) -> None:
    frame = make_frame(2, "multi")  # traveler QR, Code 128 part number, URL QR
    found = {(c.format, c.text) for c in pipeline.decode(frame.image).codes}
    assert {(e.format, e.text) for e in frame.codes} <= found
    assert any(e.format == "Code128" for e in frame.codes)
    assert classify("PN-4471-A03", "Code128")["kind"] == "part_number"
    assert classify("https://nakama.example.jp/j/1", "QRCode")["kind"] == "url"
    assert classify("NK1:ABC", "QRCode") == {
        "kind": "traveler",
        "verdict": "unverified",
        "traveler": None,
    }


def test_bars_fallback_reads_code128_the_fast_path_missed() -> None:
    # multi seed 106: zxing-cpp alone does not even locate the rotated part number.
    frame = make_frame(106, "multi")
    pipe = FramePipeline(budget_ms=None)
    result = pipe.decode(frame.image)
    want = [e.text for e in frame.codes if e.format == "Code128"]
    assert want and want[0] in {c.text for c in result.codes}
    assert "bars" in {c.decoder for c in result.codes}


def test_shift_jis_payload_is_decoded_not_dropped(pipeline: FramePipeline) -> None:
    frame = make_frame(0, "shift_jis")
    codes = pipeline.decode(frame.image).codes
    assert frame.codes[0].text in {c.text for c in codes}
    assert payload_text("検査済".encode("shift_jis")) == ("検査済", "shift_jis")
    assert payload_text(b"\xff\xfe\xfa")[1] == "latin-1"


def test_pure_shift_jis_qr_image(pipeline: FramePipeline) -> None:
    qr = segno.make_qr("仲間まわし 研削".encode("shift_jis"), error="m")
    img = np.array(list(qr.matrix_iter(scale=8, border=4)), dtype=np.uint8)
    img = ((1 - img) * 255).astype(np.uint8)
    assert [c.text for c in pipeline.decode(img).codes] == ["仲間まわし 研削"]


def test_budget_is_kept_and_fallbacks_spread_across_frames() -> None:
    frame = make_frame(5, "blur").image
    fake_now = [0.0]
    pipe = FramePipeline(budget_ms=10.0, clock=lambda: fake_now[0])

    def costs_6ms(gray, failed):  # type: ignore[no-untyped-def]
        fake_now[0] += 0.006
        return []

    for s in pipe.stages:  # every fallback takes 6 ms: one fits in a 10 ms budget
        s.prior_ms = s.cost_ms = 6.0
        s.run = costs_6ms
    seen = [pipe.decode(frame).stages[1:] for _ in range(4)]
    assert all(len(s) == 1 for s in seen), seen
    # The cursor moves on from frame to frame ("regions" only runs with a located symbol).
    assert {s[0] for s in seen} >= {"bars", "upscale", "zbar"}


def test_a_fallback_that_worked_runs_first_next_frame() -> None:
    frame = make_frame(106, "multi").image
    pipe = FramePipeline(budget_ms=None)
    pipe.decode(frame)
    assert pipe._winner is not None and pipe._winner.name == "bars"
    assert pipe._order()[0].name == "bars"


def test_recent_codes_drop_repeats_within_the_window() -> None:
    from drivers.qr.decoders import Code

    now = [0.0]
    recent = RecentCodes(window_s=2.0, clock=lambda: now[0])
    c = Code("NK1:A", "QRCode", ((0, 0),) * 4)
    assert recent.fresh([c]) == [c]
    now[0] = 1.0
    assert recent.fresh([c]) == []
    now[0] = 5.0
    assert recent.fresh([c]) == [c]


def test_grey_and_colour_frames_give_the_same_codes(pipeline: FramePipeline) -> None:
    img = make_frame(2, "clean").image
    a = {c.text for c in pipeline.decode(img).codes}
    b = {c.text for c in pipeline.decode(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)).codes}
    assert a == b and a
