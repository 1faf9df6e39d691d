"""Screenshots of the measure dialog at the shop's 1280 × 800, in Japanese and English,
with a simulated caliper on a pseudo-terminal: live, frozen (取得), unplugged, and a typed
value out of tolerance; nothing in them may be cut off.

Each language renders in its own process (a Qt application has one translator set).
The PNGs go to ``$NAKAMA_GAUGE_SHOTS`` (default ``/tmp/gauge-shots``) for a person to
look at.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("NAKAMA_GAUGE_SHOTS", "/tmp/gauge-shots"))
SIZE = (1280, 800)
STATES = ("live", "frozen", "unplugged", "typed-fail")


def _until(cond: Any, seconds: float = 5.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError("the dialog did not get there")
        QApplication.processEvents()
        time.sleep(0.02)


def render(lang: str, out_dir: Path, db: Path) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(ROOT / "tests"))
    from test_ui_shots import clipped

    from app.store import Store
    from app.ui.app import make_application
    from app.ui.devices import DeviceHub
    from app.ui.measure_dialog import MeasureDialog
    from app.ui.session import Session

    make_application(lang)
    store = Store.open(db, firm_id="F001")
    url = "sim://mitutoyo?rate=4&value=12.006&noise=0.001&decimals=3"
    hub = DeviceHub(Session(store), [url])
    hub.start()
    found: dict[str, Any] = {}
    try:
        _until(lambda: hub.links.get(url) == "up")
        spec = {"OD": {"nominal": "12.000", "tol_minus": "0.010", "tol_plus": "0.010"}}
        dlg = MeasureDialog("測定: FLANGE-88" if lang == "ja" else "Measure: FLANGE-88", spec,
                            devices=hub)  # fmt: skip
        dlg.resize(*SIZE)
        dlg.show()

        def shot(name: str) -> None:
            for _ in range(5):
                QApplication.processEvents()
            found[name] = clipped(dlg)
            dlg.grab().save(str(out_dir / f"measure-{name}-{lang}.png"))

        _until(lambda: dlg.source == "live")
        shot("live")
        dlg.take()
        shot("frozen")
        hub.devices[url].simulator.unplug()
        _until(lambda: dlg.live.property("level") == "error")
        shot("unplugged")
        for k in "12.025":
            dlg.press(k)
        shot("typed-fail")
        found["payload"] = dlg.payload()
        dlg.reject()
    finally:
        hub.stop()
        store.close()
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_measure_dialog_renders_unclipped(lang: str, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage
    from test_ui_shots import render_in_child

    found = render_in_child(__file__, lang, SHOTS, tmp_path / "shots.db")
    payload = found.pop("payload")
    assert payload["value"] == "12.025" and payload["gauge"] == ""
    assert found == {s: [] for s in STATES}
    for name in STATES:
        img = QImage(str(SHOTS / f"measure-{name}-{lang}.png"))
        assert (img.width(), img.height()) == SIZE, name


if __name__ == "__main__":
    print(json.dumps(render(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
