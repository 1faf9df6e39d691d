from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nakama.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path, firm_id="F001")
    yield s
    s.close()
