"""``nakama decode``: one JSON line per image."""

from __future__ import annotations

import json
from pathlib import Path

import cv2

from app.cli import main
from drivers.qr.synth import make_frame


def test_decode_prints_one_json_line_per_image(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    frame = make_frame(1, "multi")
    good = tmp_path / "sheet.png"
    cv2.imwrite(str(good), frame.image)
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    assert main(["--db", str(tmp_path / "t.db"), "decode", str(good), str(bad)]) == 1
    cap = capsys.readouterr()
    lines = [json.loads(x) for x in cap.out.splitlines()]
    assert [x["file"] for x in lines] == [str(good), str(bad)]
    codes = {c["text"]: c for c in lines[0]["codes"]}
    traveler = codes[frame.codes[0].text]
    # The synthetic frame carries a traveler-shaped text that no firm signed.
    assert traveler["verdict"] == "malformed" and traveler["traveler"] is None
    assert all(c["verdict"] == "not_nakama" for t, c in codes.items() if not t.startswith("NK1:"))
    assert lines[0]["ms"] > 0
    assert lines[1]["error"] == "unreadable_image"
    assert "画像を読めません" in cap.err
