"""Render every page of the owner's review at 1024 × 768 and 1920 × 1080 in one
language: ``python tests/review_shots.py LANG OUT_DIR DB`` (DB: a generated shop, opened
read-mostly on a copy). Prints a JSON line: {page: [clipped texts]}."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

SIZES = ((1024, 768), (1920, 1080))
DAY = date(2025, 12, 17)


def render(lang: str, out_dir: Path, db: Path) -> dict[str, list[str]]:
    from PySide6.QtWidgets import QApplication
    from test_ui_shots import clipped

    from app.store import Store
    from app.ui.app import make_application
    from app.ui.review_screen import ReviewScreen
    from app.ui.session import Session

    make_application(lang)
    work = Path(tempfile.mkdtemp())
    copy = work / "shop.db"
    shutil.copy(db, copy)
    now = datetime(2025, 12, 31, 9, 0, tzinfo=UTC).isoformat(timespec="milliseconds")
    store = Store.open(copy, now=lambda: now)
    session = Session(store)
    session.sign_in(store.operators()["F001-OP-01"])
    out: dict[str, list[str]] = {}
    screen = ReviewScreen(session)
    for w, h in SIZES:
        screen.resize(w, h)
        screen.show()
        for days in (1, 7):
            screen.set_days(days)
            screen.show_day(DAY)
            for i in range(screen.pages.count()):
                screen.pages.setCurrentIndex(i)
                if screen.pages.widget(i) is screen.lot and screen.steps.review:
                    s = screen.steps.review.steps[0]
                    screen.lot.show_lot(s.job_id, s.lot_id)
                QApplication.processEvents()
                name = f"{lang}-{w}x{h}-{'day' if days == 1 else 'week'}-{i}"
                screen.grab().save(str(out_dir / f"{name}.png"))
                out[name] = clipped(screen)
    store.close()
    shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["TZ"] = "Asia/Tokyo"  # the generated shop's clock: its days are JST days
    time.tzset()
    lang, out_dir, db = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    out_dir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(render(lang, out_dir, db), ensure_ascii=False))
