"""The Qt binding itself: a kiosk runs for weeks, so its reference counting must balance.

PySide6-Essentials 6.12.0 on Python 3.11 dropped one reference to ``None`` on every Qt
call returning nothing; after a few thousand calls (about an hour of the clock in the
top bar) CPython aborted with "deallocating None". The project pins a release without
it; these tests fail if a binding with that bug comes back. Each runs in a fresh
interpreter: other threads of the test session move None's count too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WIDGETS = """
import sys
from PySide6.QtCore import QObject
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(["t", "-platform", "offscreen"])
obj, label, font = QObject(), QLabel(), QFont()
before = sys.getrefcount(None)
for _ in range(2000):
    obj.setObjectName("x"); label.setText("良品"); label.setProperty("warn", True)
    font.setStrikeOut(True)
print(sys.getrefcount(None) - before)
"""

PRINTING = """
import sys
from app.core.traveler import encode
from app.ui.traveler_print import write_pdf
from tests.traveler_helpers import make_key, traveler
k, kid, _ = make_key()
t = traveler(12)
text = encode(t, k, kid)
write_pdf(t, text, sys.argv[1] + "/warm.pdf")  # first use loads fonts, caches...
before = sys.getrefcount(None)
for i in range(3):
    write_pdf(t, text, sys.argv[1] + f"/t{i}.pdf")
print(sys.getrefcount(None) - before)
"""


def _delta(script: str, *args: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert r.returncode == 0, r.stderr
    return int(r.stdout.strip().splitlines()[-1])


def test_widget_calls_keep_none_alive() -> None:
    assert abs(_delta(WIDGETS)) < 100  # 6.12.0: -8000


def test_printing_keeps_none_alive(tmp_path: Path) -> None:
    assert abs(_delta(PRINTING, str(tmp_path))) < 100  # 6.12.0: about -6000
