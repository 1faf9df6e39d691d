"""``python -m bench reports``: the owner's review, a lot's history and the two printed
documents on the one-year shop (``bench/yeargen.py``, about 200,000 events).

The shop is generated once and kept in the cache directory (``--cache``, default
``$XDG_CACHE_HOME/nakama-bench`` or ``~/.cache/nakama-bench``), keyed by the generator's
version and seed; each run works on a copy, so the cached file is never written. Each
figure is the median of ``--runs`` runs (after one warm-up) on a mid-year Wednesday,
its week (Monday to Sunday), and the lot of a job finished that day.

Last line: ``{"owner_day_ms", "owner_week_ms", "lot_history_ms", "daily_report_pdf_ms",
"inspection_pdf_ms", "events", "generate_s"}``. Targets: day ≤ 300 ms, week ≤ 800 ms,
each PDF ≤ 1,000 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.yeargen import JST, VERSION, YearSpec, generate

DAY = date(2026, 6, 17)  # a Wednesday in the middle of the generated year


def cache_dir(given: str | None = None) -> Path:
    base = given or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nakama-bench" if not given else Path(given)


def year_store_file(cache: Path, seed: int) -> tuple[Path, float]:
    """The cached one-year shop (generated now if missing); seconds it took, or 0."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"year-v{VERSION}-seed{seed}.db"
    if path.exists():
        return path, 0.0
    tmp = cache / f".{path.name}.{os.getpid()}.tmp"
    t0 = time.perf_counter()
    store = generate(tmp, YearSpec(seed=seed))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    took = time.perf_counter() - t0
    for extra in ("-wal", "-shm"):
        Path(f"{tmp}{extra}").unlink(missing_ok=True)
    tmp.rename(path)
    return path, took


def _median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up: the page cache and the job cache, as on a terminal already in use
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 1)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench reports")
    ap.add_argument("--cache", help="where the generated year is kept")
    ap.add_argument("--seed", type=int, default=YearSpec().seed)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.store import Store
    from app.store.daily import daily_report
    from app.store.inspection import gather
    from app.store.review import lot_history, period_review
    from app.ui import daily_report_print, inspection_print

    source, generate_s = year_store_file(cache_dir(args.cache), args.seed)
    took = f" (generated in {generate_s:.0f} s)" if generate_s else ""
    print(f"one-year shop: {source}{took}")
    work = Path(tempfile.mkdtemp(prefix="nakama-bench-reports-"))
    try:
        db = work / "year.db"
        shutil.copy(source, db)
        end = YearSpec().start + timedelta(days=YearSpec().days)
        now = f"{end.isoformat()}T00:00:00.000+09:00"
        store = Store.open(db, now=lambda: now)
        events = store.count_events()
        monday = DAY - timedelta(days=DAY.weekday())
        finished = [s for s in period_review(store, DAY, 1, tz=JST).steps if s.finished]
        job_id, lot_id = finished[0].job_id, finished[0].lot_id
        out = {
            "owner_day_ms": _median_ms(lambda: period_review(store, DAY, 1, tz=JST), args.runs),
            "owner_week_ms": _median_ms(lambda: period_review(store, monday, 7, tz=JST), args.runs),
            "lot_history_ms": _median_ms(lambda: lot_history(store, job_id, lot_id), args.runs),
            "daily_report_pdf_ms": _median_ms(
                lambda: daily_report_print.write_pdf(
                    daily_report(store, DAY, tz=JST), work / "daily.pdf"
                ),
                args.runs,
            ),
            "inspection_pdf_ms": _median_ms(
                lambda: inspection_print.write_pdf(gather(store, job_id, lot_id), work / "ins.pdf"),
                args.runs,
            ),
            "events": events,
            "generate_s": round(generate_s, 1),
            "day": DAY.isoformat(),
            "lot": lot_id,
        }
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out))
    return 0
