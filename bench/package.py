"""``python -m bench package [--build] [--dist DIR] [--runs N]``: the built terminal's size
and cold start. Last line: ``{"bundle_mb", "cold_start_s", "warm_start_s", "deb_mb", …}``, with the
load average the times were taken at.

``cold_start_s`` is the first start of the built program, on a fresh database, until its
first screen is rendered (``nakama run --screenshot``); the page cache is dropped first
when this machine allows it (root outside a container), else it is said
(``cache_dropped: false``). ``warm_start_s`` is the median of the next runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _mb(path: Path) -> float:
    if path.is_file():
        return round(path.stat().st_size / 1e6, 1)
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return round(total / 1e6, 1)


def _drop_caches() -> bool:
    try:
        subprocess.run(["sync"], check=False)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def start_time(program: Path) -> float:
    """Seconds from exec to the first screen written, on a fresh database."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "NAKAMA_SETTINGS": f"{tmp}/settings.json",
            "NAKAMA_LOG_DIR": f"{tmp}/log",
        }
        shot = Path(tmp) / "first.png"
        t0 = time.perf_counter()
        subprocess.run(
            [str(program), "--db", f"{tmp}/n.db", "run", "--no-demo", "--screenshot", str(shot)],
            env=env,
            check=True,
            capture_output=True,
        )
        took = time.perf_counter() - t0
        if not shot.exists():
            raise RuntimeError("no screenshot written")
        return took


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench package")
    p.add_argument("--build", action="store_true", help="run packaging/build_linux.sh first")
    p.add_argument("--dist", default=str(ROOT / "dist"))
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    dist = Path(args.dist)
    build_s = None
    if args.build:
        t0 = time.perf_counter()
        subprocess.run([str(ROOT / "packaging" / "build_linux.sh")], check=True)
        build_s = round(time.perf_counter() - t0, 1)
    program = dist / "nakama" / "nakama"
    if not program.exists():
        print(json.dumps({"error": "no_bundle", "detail": f"{program}: build it first"}))
        return 1
    dropped = _drop_caches()
    cold = start_time(program)
    warm = [start_time(program) for _ in range(max(1, args.runs))]
    debs = sorted(dist.glob("nakama_*.deb"))
    result = {
        "bundle_mb": _mb(dist / "nakama"),
        "cold_start_s": round(cold, 2),
        "warm_start_s": round(statistics.median(warm), 2),
        "deb_mb": _mb(debs[-1]) if debs else None,
        "cache_dropped": dropped,
        "build_s": build_s,
        # PyInstaller puts everything but the launcher under _internal/; Nuitka does not
        "tool": "pyinstaller" if (dist / "nakama" / "_internal").is_dir() else "nuitka",
        # the release's OpenCV and NumPy (packaging/slim_wheels.py) or PyPI's, whose
        # libraries (FFmpeg, OpenBLAS) come in folders of their own
        "native_wheels": "pypi" if any((dist / "nakama" / "_internal").glob("*.libs")) else "slim",
        # times on a machine shared with other builds are not those of an idle one
        "load_avg_1min": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result))
    return 0
