"""The Qt binding itself: a kiosk runs for weeks, so its reference counting must balance.

PySide6-Essentials 6.12.0 on Python 3.11 dropped one reference to ``None`` on every Qt
call returning nothing; after a few thousand calls (about an hour of the clock in the
top bar) CPython aborted with "deallocating None". The project pins a release without
it; this test fails if a binding with that bug comes back.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel

from app.ui.app import make_application


def test_qt_calls_keep_none_alive(qtbot: Any) -> None:
    make_application("ja")
    obj, label, font = QObject(), QLabel(), QFont()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        obj.setObjectName("x")
        label.setText("良品")
        label.setProperty("warn", True)
        font.setStrikeOut(True)
    assert abs(sys.getrefcount(None) - before) < 100
