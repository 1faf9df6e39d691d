"""Screenshots of the job screen and the sign-in dialog at the shop's 1280 × 800, in
Japanese and English, with a check that no button or label text is cut off.

Each language renders in its own process (a Qt application has one translator set).
The PNGs go to ``$NAKAMA_UI_SHOTS`` (default ``/tmp/ui-shots``) for a person to look at.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("NAKAMA_UI_SHOTS", "/tmp/ui-shots"))
SIZE = (1280, 800)


def clipped(root: object) -> list[str]:
    """Visible buttons and one-line labels whose text is wider (or taller) than they are."""
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    assert isinstance(root, QWidget)
    out = []
    widgets: list[QWidget] = [*root.findChildren(QPushButton), *root.findChildren(QLabel)]
    for w in widgets:
        if not w.isVisible() or not w.text():  # type: ignore[attr-defined]
            continue
        if isinstance(w, QLabel) and w.wordWrap():
            need_h = w.heightForWidth(w.width())
            if need_h > w.height() + 2:
                out.append(f"{w.objectName() or 'label'}: {w.text()!r} needs {need_h}px high")
            continue
        fm = w.fontMetrics()
        lines = w.text().split("\n")  # type: ignore[attr-defined]
        need_w = max(fm.horizontalAdvance(line) for line in lines)
        need_h = fm.height() * len(lines)
        pad = 16 if isinstance(w, QPushButton) else 0  # the style's padding and border
        if need_w + pad > w.width() + 1 or need_h > w.height() + 1:
            out.append(f"{w.objectName() or type(w).__name__}: {w.text()!r} in {w.width()}px")  # type: ignore[attr-defined]
    return out


def render_in_child(script: str, lang: str, shots: Path, db: Path) -> dict[str, Any]:
    """Run ``script``'s ``render`` in a process of its own (one language per Qt
    application) and return what it printed as its last JSON line."""
    shots.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
    }
    r = subprocess.run(
        [sys.executable, script, lang, str(shots), str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return dict(json.loads(r.stdout.strip().splitlines()[-1]))


def render(lang: str, out_dir: Path, db: Path) -> dict[str, list[str]]:
    """Render the two screens of a demo shop with a split lot and a receipt that skipped
    steps; returns what was clipped in each."""
    from datetime import timedelta

    from PySide6.QtWidgets import QApplication

    from app import demo
    from app.core import commands, lots
    from app.core.model import JobSpec, Route
    from app.core.operators import hash_pin
    from app.store import Store
    from app.ui.app import make_application
    from app.ui.main_window import MainWindow
    from app.ui.session import Session
    from app.ui.sign_in import SignInDialog

    make_application(lang)
    store = Store.open(db, firm_id="F001")
    demo.seed(store)
    session = Session(store)
    assert session.sign_in_id(demo.DEMO_OPERATORS[1][0])
    actor = session.actor
    pin7 = next(r["job_id"] for r in store.jobs() if r["part_no"] == "PIN-7")
    lot = lots.first_lot(pin7)
    session.record(commands.split(store.job(pin7), actor, lot, 10, 200))
    session.record(commands.start(store.job(pin7), actor, lot, 10))
    # A receipt at the last step of a job whose earlier firms have not synced yet.
    owner = commands.Actor("F001", demo.DEMO_OPERATORS[0][0], commands.OWNER)
    route = Route.parse("10:LATHE:F007,20:HEAT:F012,30:INSPECT:F001")
    spec = JobSpec("F001-SHOT-1", "COLLAR-5", 60, date.today() + timedelta(days=5), "F001", route)
    session.record(commands.create_job(None, owner, spec))
    session.record(
        commands.save_operator(
            store.operators(),
            owner,
            operator_id="F001-OP-0004",
            name="田中 美咲",
            pin_hash=hash_pin("0420"),
        )
    )
    w = MainWindow(session)
    w.resize(*SIZE)
    w.show()
    w.open_job(pin7)
    for _ in range(5):
        QApplication.processEvents()
    found = {"job": clipped(w)}
    w.grab().save(str(out_dir / f"job-{lang}.png"))
    w.open_scanned("F001-SHOT-1", lots.first_lot("F001-SHOT-1"), 60)
    r = commands.receive(
        store.job("F001-SHOT-1"), actor, "F001-SHOT-1-L1", 30, 60, confirm_skip=True
    )
    session.record(r)
    for _ in range(5):
        QApplication.processEvents()
    found["skip"] = clipped(w)
    w.grab().save(str(out_dir / f"job-skipped-{lang}.png"))
    dlg = SignInDialog(session, w)
    dlg.resize(*SIZE)
    dlg.show()
    for _ in range(5):
        QApplication.processEvents()
    found["sign_in"] = clipped(dlg)
    dlg.grab().save(str(out_dir / f"sign-in-{lang}.png"))
    dlg.choose(session.roster()["F001-OP-0004"])  # she has a PIN: the PIN pad
    for key in "042":
        dlg.pad.press(key)
    for _ in range(5):
        QApplication.processEvents()
    found["pin"] = clipped(dlg)
    dlg.grab().save(str(out_dir / f"sign-in-pin-{lang}.png"))
    dlg.close()
    w.close()
    store.close()
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_screens_render_unclipped(lang: str, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    found = render_in_child(__file__, lang, SHOTS, tmp_path / "shots.db")
    assert found == {"job": [], "skip": [], "sign_in": [], "pin": []}
    for name in ("job", "job-skipped", "sign-in", "sign-in-pin"):
        img = QImage(str(SHOTS / f"{name}-{lang}.png"))
        assert (img.width(), img.height()) == SIZE, name


if __name__ == "__main__":
    print(json.dumps(render(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
