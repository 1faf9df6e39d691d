"""Screenshots of the review's 不良・測定・設備 pages on a week of a shop
(tests/quality_shop.py) at the terminal's 1024 × 768 and at 1920 × 1080, in Japanese
and English, each language in its own process. The PNGs go to
``$NAKAMA_REVIEW_SHOTS`` (default ``/tmp/review-shots``) for a person to look at."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

# At 1024 × 768 the main window's top bar is wider than the panel (1173 px in Japanese,
# outside the review): the shots at that size are the review screen alone, in the
# height it has under the bar.
SHOTS = Path(os.environ.get("NAKAMA_REVIEW_SHOTS", "/tmp/review-shots"))
SIZES = ((1024, 768), (1920, 1080))
PAGES = ("defects", "measurements", "machines")


def render(lang: str, out_dir: Path, db: Path) -> dict[str, list[str]]:
    from PySide6.QtWidgets import QApplication, QWidget

    from app.ui.app import make_application
    from app.ui.main_window import MainWindow
    from app.ui.review_screen import ReviewScreen
    from app.ui.session import Session
    from tests.quality_shop import MONDAY, QualityShop, build_week
    from tests.test_ui_shots import clipped

    # The shop's clock: its days are Tokyo's (the terminal runs in the shop's zone).
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    make_application(lang)
    shop = QualityShop(db)
    build_week(shop)
    session = Session(shop.store)
    w = MainWindow(session)
    w.show()
    w.review.refresh()  # the review itself (its owner's PIN gate is tested elsewhere)
    w.stack.setCurrentWidget(w.review)
    found: dict[str, list[str]] = {}

    def settle() -> None:
        for _ in range(5):
            QApplication.processEvents()

    for width, height in SIZES:
        target: QWidget
        if width < w.minimumSizeHint().width():
            # The window's top bar is wider than the panel (not the review's doing): the
            # review alone, in the space it has under that bar.
            screen = ReviewScreen(session)
            screen.resize(width, height - w.findChild(QWidget, "topBar").height())
            screen.show()
            target = screen
        else:
            w.review.show()
            w.resize(width, height)
            screen, target = w.review, w
        screen.show_day(MONDAY + timedelta(days=2))
        tabs = screen.pages
        for week in (False, True):
            screen.set_days(7 if week else 1)
            for page in PAGES:
                tabs.setCurrentWidget(getattr(screen, page))
                settle()
                name = f"{page}-{'week' if week else 'day'}-{width}x{height}-{lang}"
                found[name] = clipped(tabs)
                target.grab().save(str(out_dir / f"{name}.png"))
        tabs.setCurrentWidget(screen.defects)
        for by in ("step", "part"):
            screen.defects.show_by(by)
            settle()
            target.grab().save(str(out_dir / f"defects-by-{by}-{width}x{height}-{lang}.png"))
        screen.defects.show_by("code")
        tabs.setCurrentWidget(screen.measurements)
        screen.measurements.picker.setCurrentRow(0)
        settle()
        target.grab().save(str(out_dir / f"measurements-first-{width}x{height}-{lang}.png"))
        if target is not w:
            target.close()
    w.close()
    shop.store.close()
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_review_pages_render(lang: str, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from tests.test_ui_shots import render_in_child

    found = render_in_child(__file__, lang, SHOTS, tmp_path / "shots.db")
    assert all(v == [] for v in found.values()), found
    for width, height in SIZES:
        for page in PAGES:
            img = QImage(str(SHOTS / f"{page}-week-{width}x{height}-{lang}.png"))
            # At 1024 × 768 the review alone, under the window's top bar.
            assert img.width() == width and height - 100 < img.height() <= height, page


if __name__ == "__main__":
    print(json.dumps(render(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
