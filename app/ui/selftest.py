"""``nakama selftest``: the program checks itself as a shop would use it, so a built
bundle can be tried without a camera, a gauge or a shop: the main window rendered, a
signed traveler printed as a QR image and decoded back, a simulated gauge read, and
(given a hub and a code) one sync. Each step says ok or why not."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2

from app import demo
from app.scanned import classify
from app.store import Store, travelers
from app.store.keyring import key_directory
from app.ui.app import make_application
from app.ui.main_window import MainWindow
from app.ui.paper import qr_symbol
from app.ui.session import Session
from drivers.qr.pipeline import FramePipeline


def _screen(store: Store, out: Path) -> dict[str, Any]:
    app = make_application("ja")
    window = MainWindow(Session(store))
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    image = window.grab().toImage()
    window.close()
    path = out / "selftest_main.png"
    image.save(str(path))
    # A blank (one-colour) grab means nothing was drawn: fonts or the platform plugin.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in (20, 200, 400)}
    return {"ok": image.width() == 1280 and len(colours) > 3, "png": str(path)}


def _traveler(store: Store, out: Path) -> dict[str, Any]:
    job_id = store.jobs()[0]["job_id"]
    prepared = travelers.prepare(store, job_id)
    if not hasattr(prepared, "text"):
        return {"ok": False, "why": getattr(prepared, "reason", "no traveler")}
    path = out / "selftest_traveler.png"
    qr_symbol(prepared.text).save(str(path), scale=6, border=4)
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        return {"ok": False, "why": "the QR image could not be read back"}
    codes = FramePipeline().decode(image).codes
    verdicts = [classify(c.text, c.format, key_directory(store))["verdict"] for c in codes]
    return {
        "ok": verdicts == ["valid"] and codes[0].text == prepared.text,
        "verdicts": verdicts,
        "decoders": [c.decoder for c in codes],
    }


def _gauge() -> dict[str, Any]:
    from drivers import open_device
    from drivers.readings import Reading

    dev = open_device("sim://mitutoyo")
    try:
        dev.open()
        deadline = time.monotonic() + 10
        for ev in dev.iter_events(seconds=10):
            if isinstance(ev, Reading) and ev.value is not None and ev.stable:
                return {"ok": True, "value": str(ev.value), "unit": ev.unit or ""}
            if time.monotonic() > deadline:
                break
            dev.trigger()
    finally:
        dev.close()
    return {"ok": False, "why": "no reading"}


def _sync(store: Store, hub_url: str, code: str) -> dict[str, Any]:
    from app.sync import Syncer, enroll
    from app.sync.syncer import sync_until_idle

    enroll(store, hub_url, code)
    syncer = Syncer(store)
    try:
        report = sync_until_idle(syncer)
    finally:
        syncer.close()
    waiting = store.outbox_stats()["pending"]
    return {"ok": report.pushed > 0 and waiting == 0, "pushed": report.pushed}


def run(out: Path, hub_url: str = "", code: str = "") -> dict[str, Any]:
    """Every step, in order; ``ok`` only when each passed."""
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="nakama-selftest-") as tmp:
        store = Store.open(Path(tmp) / "selftest.db", firm_id=demo.DEMO_FIRM)
        try:
            demo.seed(store)
            steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
                ("screen", lambda: _screen(store, out)),
                ("traveler", lambda: _traveler(store, out)),
                ("gauge", _gauge),
            ]
            if hub_url:
                steps.append(("sync", lambda: _sync(store, hub_url, code)))
            for name, step in steps:
                t0 = time.perf_counter()
                try:
                    results[name] = step()
                except Exception as exc:  # a self-test reports every failure, never stops
                    results[name] = {"ok": False, "why": f"{type(exc).__name__}: {exc}"}
                results[name]["s"] = round(time.perf_counter() - t0, 2)
        finally:
            store.close()
    results["ok"] = all(r["ok"] for r in results.values() if isinstance(r, dict))
    return results
