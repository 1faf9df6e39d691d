"""``python -m bench ui``: the touchscreen app as a machinist meets it, measured.

Each figure comes from the real app (``app.ui.app.Terminal`` in demo mode: the simulated
caliper on a pseudo-terminal, the simulated machine, the hub in its own process, a camera)
run in a child process of its own, so no earlier run warms it up:

* ``cold_start_s``: process start → the first screen shown, ready to scan (``nakama run
  --screenshot`` writes its PNG at that moment; the bench watches for the file). The median
  of ``--starts`` starts of a terminal that already has its database, as on a shop PC each
  morning; ``first_start_s`` is the very first start (empty directory: the demo's data
  is written and the demo hub enrols the terminal). The operating system's file cache is
  warm after the first start (this bench cannot empty it without root).
* ``scan_to_screen_ms_p50``/``_p95``: a traveler of a job this terminal has never seen,
  from the camera frame in which it first appears (or the Enter key that ends a keyboard
  wedge burst) until the job is taken into the store and the job screen showing it has
  been painted. Travelers come from a second terminal (the lead firm), photographed as a
  1280×720 webcam frame; camera and wedge scans alternate through a 60 s session.
* ``gui_stall_ms_max``: the longest the GUI thread was late to a 5 ms timer during that
  session (camera at 15 fps, the gauge streaming, the machine cycling, sync running).
* ``rss_mb``: resident memory after the session.
* ``idle_cpu_percent``: CPU time over wall time (one core = 100) for ``--idle-s`` seconds
  after the session with nothing scanned and the camera on, looking at an empty bench.

The last line is the JSON object. ``--session-s`` shortens the session for a quick look.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FPS = 15
BLANK_FRAMES = 14  # about a second of an empty bench between two sheets
SHEET_FRAMES = 8  # a sheet held up for about half a second


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM=env.get("QT_QPA_PLATFORM", "offscreen"),
        NAKAMA_SETTINGS=str(tmp / "settings.json"),
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    return env


def _start_once(tmp: Path, shot: Path) -> float:
    """Seconds from spawning ``nakama run --screenshot`` to its screenshot appearing."""
    shot.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "app", "--db", str(tmp / "terminal.db"), "run"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, "--screenshot", str(shot)],
        env=_env(tmp),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    while not (shot.exists() and shot.stat().st_size > 0):
        if proc.poll() is not None and not shot.exists():
            raise RuntimeError(f"the app exited {proc.returncode}: {proc.stderr.read()!r}")
        time.sleep(0.002)
    took = time.perf_counter() - t0
    proc.wait(timeout=60)
    return took


def cold_start(starts: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="nakama-bench-ui-") as d:
        tmp = Path(d)
        first = _start_once(tmp, tmp / "first.png")
        later = [_start_once(tmp, tmp / f"start{i}.png") for i in range(starts)]
    return {
        "first_start_s": round(first, 3),
        "cold_start_s": round(statistics.median(later), 3),
        "cold_start_s_max": round(max(later), 3),
    }


# -- the session, in its own process --------------------------------------------------


def _frame(text: str | None, seed: int) -> Any:
    """A 1280×720 webcam frame: an empty bench, or a traveler's QR on a sheet held up."""
    import cv2
    import numpy as np
    import segno

    rng = np.random.default_rng(seed)
    img = np.full((720, 1280, 3), (88, 96, 104), np.uint8)  # the workbench
    img = cv2.add(img, rng.integers(0, 12, img.shape, dtype=np.uint8))
    if text is not None:
        qr = segno.make(text, error="m", boost_error=False)
        mods = np.array([[0 if v else 255 for v in row] for row in qr.matrix], np.uint8)
        mods = np.pad(mods, 4, constant_values=255)
        px = max(2, 520 // mods.shape[0])
        code = cv2.resize(mods, None, fx=px, fy=px, interpolation=cv2.INTER_NEAREST)
        sheet = np.full((620, 820), 238, np.uint8)
        sheet[40 : 40 + code.shape[0], 40 : 40 + code.shape[1]] = code[:580, :780]
        sheet = cv2.cvtColor(sheet, cv2.COLOR_GRAY2BGR)
        h, w = sheet.shape[:2]
        angle = float(rng.uniform(-8, 8))
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        m[:, 2] += (1280 - w) / 2 + rng.uniform(-60, 60), (720 - h) / 2 + rng.uniform(-20, 20)
        mask = cv2.warpAffine(np.full((h, w), 255, np.uint8), m, (1280, 720))
        warped = cv2.warpAffine(sheet, m, (1280, 720))
        img[mask > 0] = warped[mask > 0]
    ok, jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return jpg


def _prepare(tmp: Path, sheets: int) -> tuple[list[str], list[tuple[str, str]], Path, Path]:
    """The lead firm's terminal issues travelers for ``sheets`` jobs; half are
    photographed for the camera folder, half kept for the wedge. Returns (camera job
    ids, wedge (job id, text) pairs, camera folder, an empty-bench folder)."""
    from datetime import date

    from app.core import commands
    from app.core.model import JobSpec, Route
    from app.store import Store
    from app.store.keyring import own_public_key
    from app.store.travelers import PreparedTraveler, prepare

    lead = Store.open(tmp / "lead.db", firm_id="F001")
    actor = commands.Actor("F001", "F001-OP-LEAD", commands.OWNER)
    texts: list[tuple[str, str]] = []
    for i in range(sheets):
        job_id = f"F001-BENCH-{i:03d}"
        spec = JobSpec(
            job_id,
            f"SHAFT-{i:03d}",
            40,
            date(2026, 12, 24),
            "F001",
            Route.parse("10:LATHE:F001,20:HEAT:F007,30:GRIND:F012"),
        )
        result = lead.record(commands.create_job(None, actor, spec))
        assert result.ok, result.reason
        prepared = prepare(lead, job_id)
        assert isinstance(prepared, PreparedTraveler), prepared
        texts.append((job_id, prepared.text))
    key = own_public_key(lead)
    assert key is not None
    (tmp / "lead_key.json").write_text(json.dumps(key, default=str))
    lead.close()

    camera, blank = tmp / "camera", tmp / "blank"
    camera.mkdir()
    blank.mkdir()
    n = 0
    cam_jobs = [job for job, _ in texts[0::2]]
    for k, (_, text) in enumerate(texts[0::2]):
        for j in range(BLANK_FRAMES + SHEET_FRAMES):
            jpg = _frame(text if j >= BLANK_FRAMES else None, seed=k * 100 + j)
            (camera / f"{n:05d}.jpg").write_bytes(jpg.tobytes())
            n += 1
    for j in range(FPS):
        (blank / f"{j:05d}.jpg").write_bytes(_frame(None, seed=10_000 + j).tobytes())
    return cam_jobs, texts[1::2], camera, blank


def session(args: argparse.Namespace) -> dict[str, Any]:
    """Run in the child process: the real app, a 60 s session, then idle."""
    tmp = Path(args.dir)
    # The travelers and camera frames were made by the parent process: this process holds
    # the app alone, so its memory is the app's.
    made = json.loads((tmp / "prepared.json").read_text())
    cam_jobs = made["cam_jobs"]
    wedge_texts = [tuple(x) for x in made["wedge"]]
    camera_dir, blank_dir = tmp / "camera", tmp / "blank"
    per_sheet = BLANK_FRAMES + SHEET_FRAMES

    from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QEventLoop, Qt, QTimer
    from PySide6.QtGui import QKeyEvent

    from app.settings import Settings
    from app.store import Store
    from app.store.keyring import upsert_keys
    from app.ui.app import Terminal, make_application

    app = make_application("ja")
    settings = Settings()
    settings.values["camera"] = f"sim://camera?images={camera_dir}&fps={FPS}&loop=0"
    store = Store.open(tmp / "terminal.db", firm_id="F007")
    upsert_keys(store, [json.loads((tmp / "lead_key.json").read_text())])
    terminal = Terminal(store, settings, demo_mode=True)
    window = terminal.window
    window.resize(1280, 800)
    window.show()
    app.processEvents()

    frame_t: dict[int, float] = {}  # camera frame number -> monotonic time it arrived
    camera = terminal.devices.camera
    assert camera is not None
    camera.on_frame = lambda f: frame_t.setdefault(f.seq, f.t)
    started: dict[str, tuple[str, float]] = {}  # job -> (source, monotonic start)
    latencies: dict[str, list[float]] = {"camera": [], "wedge": []}
    unstored: list[str] = []

    def shown(job_id: str, _lot: str, _qty: int) -> None:
        # Connected after the window's own slot: the job screen is already switched.
        window.repaint()  # painted, not only scheduled
        now = time.monotonic()
        if store.job(job_id) is None:
            unstored.append(job_id)
        if job_id in started:
            source, t0 = started.pop(job_id)
            latencies[source].append((now - t0) * 1000)
        elif job_id in cam_jobs:
            k = cam_jobs.index(job_id)
            first = k * per_sheet + BLANK_FRAMES
            seen = [t for seq, t in frame_t.items() if first <= seq < first + SHEET_FRAMES]
            if seen:
                latencies["camera"].append((now - min(seen)) * 1000)

    window.scans.open_job.connect(shown)

    wedge_queue = list(wedge_texts)

    def wedge_burst() -> None:
        if not wedge_queue:
            return
        job_id, text = wedge_queue.pop(0)
        ts = int(time.monotonic() * 1000)
        for ch in text:
            ev = QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, ch)
            ev.setTimestamp(ts)
            QCoreApplication.sendEvent(window, ev)
            ts += 9  # a scanner types about every 9 ms
        started[job_id] = ("wedge", time.monotonic())
        ev = QKeyEvent(
            QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r"
        )
        ev.setTimestamp(ts)
        QCoreApplication.sendEvent(window, ev)

    # GUI stalls: how late a 5 ms timer fires.
    clock = QElapsedTimer()
    clock.start()
    worst = [0.0]
    last = [clock.nsecsElapsed()]

    def tick() -> None:
        now = clock.nsecsElapsed()
        worst[0] = max(worst[0], (now - last[0]) / 1e6 - 5.0)
        last[0] = now

    stall = QTimer()
    stall.setTimerType(Qt.TimerType.PreciseTimer)
    stall.timeout.connect(tick)
    stall.start(5)
    wedge = QTimer()
    wedge.timeout.connect(wedge_burst)
    # Between two camera sheets, one wedge scan.
    wedge.start(int(per_sheet / FPS * 1000))

    # A real event loop, as ``app.exec()`` runs it: widgets a screen let go of are freed
    # (deferred deletes), which polling ``processEvents`` never does.
    session_loop = QEventLoop()
    QTimer.singleShot(int(args.session_s * 1000), session_loop.quit)
    session_loop.exec()
    stall.stop()
    wedge.stop()

    rss_mb = _rss_mb()
    # Idle: the camera looks at an empty bench; nothing is scanned.
    terminal.devices.stop()
    terminal.devices.camera_url = f"sim://camera?images={blank_dir}&fps={FPS}"
    terminal.devices.start()
    settle = QEventLoop()
    QTimer.singleShot(3000, settle.quit)
    settle.exec()
    cpu0, wall0 = time.process_time(), time.monotonic()
    idle = QEventLoop()
    QTimer.singleShot(int(args.idle_s * 1000), idle.quit)
    idle.exec()
    idle_cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0) * 100
    scanner = terminal.devices.camera_scanner
    assert scanner is not None
    decoded, still = scanner.frames_decoded, scanner.frames_still
    scans = latencies["camera"] + latencies["wedge"]
    terminal.close()
    return {
        "scans": len(scans),
        "camera_scans": len(latencies["camera"]),
        "wedge_scans": len(latencies["wedge"]),
        "scans_not_stored": len(unstored),
        "scan_to_screen_ms_p50": round(statistics.median(scans), 1) if scans else None,
        "scan_to_screen_ms_p95": round(_p95(scans), 1) if scans else None,
        "camera_scan_ms_p50": _median(latencies["camera"]),
        "wedge_scan_ms_p50": _median(latencies["wedge"]),
        "gui_stall_ms_max": round(worst[0], 1),
        "rss_mb": round(rss_mb, 1),
        "idle_cpu_percent": round(idle_cpu, 1),
        "idle_frames_decoded": decoded,
        "idle_frames_still": still,
        "session_s": args.session_s,
    }


def _median(xs: list[float]) -> float | None:
    return round(statistics.median(xs), 1) if xs else None


def _p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench ui", description=__doc__)
    p.add_argument("--starts", type=int, default=5, help="later starts timed (median)")
    p.add_argument("--session-s", type=float, default=60.0)
    p.add_argument("--idle-s", type=float, default=20.0)
    p.add_argument("--session", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--dir", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    sheets = int(args.session_s * FPS / (BLANK_FRAMES + SHEET_FRAMES)) * 2 + 2
    args.sheets = sheets
    if args.session:
        print(json.dumps(session(args)))
        return 0
    out: dict[str, Any] = {}
    print("cold start …", file=sys.stderr)
    out.update(cold_start(args.starts))
    print(json.dumps(out), file=sys.stderr)
    print("60 s session …", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="nakama-bench-ui-") as d:
        cam_jobs, wedge, _camera, _blank = _prepare(Path(d), args.sheets)
        (Path(d) / "prepared.json").write_text(json.dumps({"cam_jobs": cam_jobs, "wedge": wedge}))
        cmd = [sys.executable, "-m", "bench", "ui", "--session", "--dir", d]
        cmd += ["--session-s", str(args.session_s), "--idle-s", str(args.idle_s)]
        done = subprocess.run(cmd, env=_env(Path(d)), capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        out.update(json.loads(done.stdout.strip().splitlines()[-1]))
    targets = {
        "scan_to_screen_ms_p95": 150,
        "cold_start_s": 1.5,
        "gui_stall_ms_max": 50,
        "rss_mb": 250,
        "idle_cpu_percent": 10,
    }
    out["meets_targets"] = {k: out.get(k) is not None and out[k] <= v for k, v in targets.items()}
    print(json.dumps(out))
    return 0
