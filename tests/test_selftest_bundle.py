"""``nakama selftest`` from the source tree (in the normal suite), and the same self-test
of the BUILT bundle (``dist/nakama``), run only when a bundle has been built
(``packaging/build_linux.sh``; the build takes minutes, so it is not part of every run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_support import Hub, fresh_db_url, running_hub

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = Path(os.environ.get("NAKAMA_BUNDLE", ROOT / "dist" / "nakama"))


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url("sqlite", tmp_path)) as h:
        h.add_firm("F001")
        yield h


def _selftest(program: list[str], tmp_path: Path, hub: Hub) -> dict[str, object]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "NAKAMA_SETTINGS": str(tmp_path / "settings.json"),
        "NAKAMA_LOG_DIR": str(tmp_path / "log"),
        "NAKAMA_DB": str(tmp_path / "unused.db"),
        "PYTHONPATH": str(ROOT),  # the source tree's program (the bundle ignores it)
    }
    done = subprocess.run(
        [
            *program,
            "selftest",
            "--out",
            str(tmp_path),
            "--hub",
            hub.url,
            "--code",
            hub.code("F001"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return dict(result)


def _check(result: dict[str, object], tmp_path: Path, hub: Hub) -> None:
    for step in ("screen", "traveler", "gauge", "sync"):
        assert result[step]["ok"], (step, result[step])  # type: ignore[index]
    assert result["traveler"]["verdicts"] == ["valid"]  # type: ignore[index]
    assert (tmp_path / "selftest_main.png").stat().st_size > 10_000
    assert hub.count("events") >= 10  # the demo shop's records reached the hub


def test_selftest_from_source(tmp_path: Path, hub: Hub) -> None:
    _check(_selftest([sys.executable, "-m", "app"], tmp_path, hub), tmp_path, hub)


@pytest.mark.skipif(not (BUNDLE / "nakama").exists(), reason="no built bundle (build_linux.sh)")
def test_built_bundle_selftest(tmp_path: Path, hub: Hub) -> None:
    program = BUNDLE / "nakama"
    version = subprocess.run([str(program), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("nakama ")
    _check(_selftest([str(program)], tmp_path, hub), tmp_path, hub)
    # Nothing of the hub's server or of Qt's QML/WebEngine went into the bundle.
    names = {p.name for p in BUNDLE.rglob("*")}
    for absent in ("fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg"):
        assert absent not in names
    assert not [n for n in names if n.startswith(("libQt6Qml", "libQt6Quick", "libQt6WebEngine"))]
