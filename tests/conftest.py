from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.store import Store


@pytest.fixture(autouse=True)
def _own_settings_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: Any) -> None:
    """Every test (and every process it starts) gets a settings file of its own, never the
    user's: the CLI writes the hub address and the firm there."""
    path = tmp_path_factory.mktemp("settings") / "settings.json"
    monkeypatch.setenv("NAKAMA_SETTINGS", str(path))
    monkeypatch.setenv("NAKAMA_LOG_DIR", str(path.parent / "log"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nakama.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path, firm_id="F001")
    yield s
    s.close()


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    """The demo shop's main window (firm F001, three jobs, the demo firm directory), in
    Japanese, 1280 × 800 like the shop's touchscreen."""
    from app import demo
    from app.ui.app import make_application
    from app.ui.main_window import MainWindow
    from app.ui.session import Session

    make_application("ja")
    store = Store.open(tmp_path / "ui.db", firm_id="F001")
    demo.seed(store)
    w = MainWindow(Session(store))
    w.resize(1280, 800)
    qtbot.addWidget(w)
    w.show()
    yield w
    store.close()
