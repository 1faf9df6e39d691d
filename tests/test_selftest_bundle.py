"""``nakama selftest`` from the source tree, and the same self-test of the BUILT bundle
(``$NAKAMA_BUNDLE``, else ``dist/nakama``) and a check of its ``.deb``.

``./bootstrap.sh test`` (CI) builds both or takes them from its cache
(``packaging/ci_bundle.sh``) and sets ``NAKAMA_REQUIRE_BUNDLE=1``: there a missing build
fails instead of skipping. A plain ``pytest`` skips them when nothing was built."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_support import Hub, fresh_db_url, running_hub

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = Path(os.environ.get("NAKAMA_BUNDLE", ROOT / "dist" / "nakama"))
DEB_DIR = Path(os.environ.get("NAKAMA_DEB_DIR", ROOT / "dist"))
REQUIRED = os.environ.get("NAKAMA_REQUIRE_BUNDLE") == "1"
built = pytest.mark.skipif(
    not REQUIRED and not (BUNDLE / "nakama").exists(), reason="no built bundle (build_linux.sh)"
)


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


@built
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
    # ICU's data cut to Japanese and English (packaging/icu_trim.py): 32 MB as PyPI ships it.
    (icu,) = [p for p in BUNDLE.rglob("libicudata.so.*") if not p.is_symlink()]
    assert icu.stat().st_size < 12_000_000
    # The release build (OpenCV and NumPy from packaging/slim_wheels.py: no *.libs folders
    # of FFmpeg and OpenBLAS) is within the 200 MB set for it.
    if not any((BUNDLE / "_internal").glob("*.libs")):
        files = [p for p in BUNDLE.rglob("*") if p.is_file() and not p.is_symlink()]
        assert sum(p.stat().st_size for p in files) <= 200e6  # as bench package counts


def _deb() -> Path:
    debs = sorted(DEB_DIR.glob("nakama_*.deb"))
    if not debs and not REQUIRED:
        pytest.skip("no .deb built (build_linux.sh)")
    assert debs, f"no nakama_*.deb in {DEB_DIR}"
    return debs[-1]


@built
@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="no dpkg-deb")
def test_built_deb() -> None:
    deb = _deb()
    info = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    fields = dict(line.strip().split(": ", 1) for line in info.stdout.splitlines() if ": " in line)
    assert fields["Package"] == "nakama"
    assert fields["Architecture"] == "amd64"
    for dep in ("libzbar0", "fonts-noto-cjk", "libxcb-cursor0"):
        assert dep in fields["Depends"]
    assert "postinst" in info.stdout and "prerm" in info.stdout
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    lines = listing.splitlines()
    # mode owner size date time path[ -> target]; paths may hold spaces
    paths = {line.split(None, 5)[5].split(" -> ")[0] for line in lines}
    for path in (
        "./opt/nakama/nakama",
        "./usr/share/applications/nakama.desktop",
        "./lib/systemd/system/nakama-kiosk.service",
        "./usr/share/icons/hicolor/scalable/apps/nakama.svg",
    ):
        assert path in paths, path
    assert any(line.endswith("./usr/bin/nakama -> /opt/nakama/nakama") for line in lines)
    # the program is executable and owned by root, as dpkg will install it
    program = next(line for line in lines if line.endswith(" ./opt/nakama/nakama"))
    assert program.startswith("-rwx") and "root/root" in program
    # the bundle inside is the one tested above, file for file
    inside = {p[len("./opt/nakama/") :] for p in paths if p.startswith("./opt/nakama/")}
    bundled = {str(p.relative_to(BUNDLE)) for p in BUNDLE.rglob("*") if p.is_file()}
    assert bundled <= inside
