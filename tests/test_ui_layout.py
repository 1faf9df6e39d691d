"""Every screen and dialog of the catalogue (``app/ui/catalogue.py``) on the four panels a
shop buys, in Japanese and English: nothing clipped or outside the window, every target
at least 15 mm each way at the panel's density, text at least 3.5 mm and key figures
6 mm tall. Then the check itself is shown to catch each kind of fault, and the units and
the ``screen_dpi`` setting are pinned to figures worked out by hand.

Each panel is laid out at a stated density (``catalogue.SIZES``), so the figures do not
depend on what the offscreen platform says its screen is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.store import Store

SIZES = [(1024, 768), (1280, 800), (1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def shop_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from app.ui import catalogue
    from app.ui.app import make_application

    make_application("ja", dpi=96)
    store = Store.open(tmp_path_factory.mktemp("catalogue") / "shop.db", firm_id="F001")
    catalogue.seed(store)
    yield store
    store.close()


@pytest.fixture
def restore_app() -> Iterator[None]:
    """Other tests expect the Japanese application at the screen's own density."""
    yield
    from app.ui.app import make_application

    make_application("ja", dpi=0)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_fits(
    shop_store: Store, restore_app: None, lang: str, size: tuple[int, int]
) -> None:
    from app.ui import catalogue

    found = {}
    with catalogue.shop_at(shop_store, size, lang) as shop:
        for name in catalogue.ENTRIES:
            problems = catalogue.render(shop, name)
            if problems:
                found[name] = problems
    assert found == {}


def test_catalogue_names_every_screen_and_dialog() -> None:
    """The ones the terminal has today; a screen added later registers itself."""
    from app.ui import catalogue

    expected = {
        "jobs", "job", "job_lots", "job_skipped", "held_scan", "new_job", "review",
        "sign_in", "sign_in_pin", "receive", "skip_confirm", "finish", "pause_reason",
        "defect_choice", "defect_count", "defect_disposition", "measure", "hand_off",
        "split", "print_lot", "print_child", "correct_choice", "correct_numbers",
        "undo_confirm", "new_job_process", "new_job_firm", "scan_refused", "signed_out",
        "scan_in_dialog", "due_calendar", "new_job_route",
    }  # fmt: skip
    assert expected <= set(catalogue.ENTRIES)


def test_the_check_catches_each_fault(shop_store: Store, restore_app: None) -> None:
    """A test-only dialog with one of each fault: every one is reported."""
    from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

    from app.ui import catalogue
    from app.ui.widgets import BigButton, mm

    def faulty(shop: catalogue.Shop) -> QWidget:
        dlg = QDialog(shop.window)
        lay = QVBoxLayout(dlg)
        small = QPushButton("OK")
        small.setObjectName("tooSmall")
        small.setFixedSize(mm(10), mm(10))  # 10 mm: a gloved finger misses it
        clipped = QLabel("A sentence far too long for the room it was given")
        clipped.setObjectName("clippedLabel")
        clipped.setFixedWidth(mm(20))
        squeezed = BigButton("Record the measurement")
        squeezed.setObjectName("squeezed")
        squeezed.setFixedWidth(mm(18))  # a fingertip wide, but its words are cut
        tiny = QLabel("small print")
        tiny.setObjectName("tinyText")
        tiny.setStyleSheet(f"font-size: {mm(2)}px")
        lay.addWidget(small)
        lay.addWidget(clipped)
        lay.addWidget(squeezed)
        lay.addWidget(tiny)
        outside = BigButton("Lost", parent=dlg)
        outside.setObjectName("outside")
        outside.move(mm(400), 0)  # beyond the dialog's edge: off-screen
        dlg.resize(shop.size.width() + 50, 300)  # wider than the panel
        dlg.show()
        shop.extra.append(dlg)
        return dlg

    catalogue.ENTRIES["faulty"] = catalogue.Entry("faulty", faulty)
    try:
        with catalogue.shop_at(shop_store, (1024, 768), "en") as shop:
            problems = catalogue.render(shop, "faulty")
    finally:
        del catalogue.ENTRIES["faulty"]
    text = "\n".join(problems)
    for expected in (
        "tooSmall 'OK': target 10.",
        "clippedLabel 'A sentence far too long for the room it was given': text needs",
        "squeezed 'Record the measurement': text needs",
        "tinyText 'small print': text 1.",
        "outside 'Lost': outside its parent",
        "window 1074×",
    ):
        assert expected in text, (expected, text)


def test_rows_that_are_tapped_are_a_fingertip_tall_and_still_tap(
    shop_store: Store, restore_app: None, qtbot: Any
) -> None:
    """The jobs list swipes (QScroller) and a tap on a row still opens its job."""
    from PySide6.QtCore import QPoint, Qt

    from app.ui import catalogue
    from app.ui.widgets import mm

    with catalogue.shop_at(shop_store, (1920, 1080), "ja") as shop:
        table = shop.window.jobs.table
        rect = table.visualRect(table.model().index(1, 0))
        assert table.rowHeight(1) >= mm(15) == 84  # 15 mm at 141 dpi
        with qtbot.waitSignal(shop.window.jobs.job_chosen, timeout=2000) as chosen:
            qtbot.mouseClick(
                table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center() + QPoint(0, 1)
            )
        assert chosen.args == [table.model().rows[1]["job_id"]]


def test_units_follow_the_panel_density(restore_app: None) -> None:
    """15 mm on a 15.6-inch 1920 × 1080 panel (141 dpi) is 84 px; on a 12.1-inch
    1024 × 768 one (106 dpi) 63 px; text is sized by its cap height."""
    from PySide6.QtGui import QFont, QFontMetricsF

    from app.ui import widgets
    from app.ui.app import make_application

    make_application("ja", dpi=141)
    assert widgets.dpi() == 141
    assert widgets.touch() == 84
    assert widgets.mm(25.4) == 141
    font = QFont(list(widgets.FONT_FAMILIES))
    font.setPixelSize(widgets.font_px(widgets.FIGURE_MM))
    assert QFontMetricsF(font).capHeight() >= widgets.mm(6) - 1  # ≥ 6 mm capitals
    make_application("ja", dpi=106)
    assert widgets.touch() == 63
    sheet = widgets.style_sheet()
    assert "${" not in sheet and f"width: {widgets.touch()}px" in sheet


def test_screen_dpi_setting(tmp_path: Path, restore_app: None) -> None:
    """0 asks the screen; a number overrides a panel that misreports itself."""
    from app.settings import Settings, SettingsError
    from app.ui import widgets
    from app.ui.app import make_application

    s = Settings()
    assert s["screen_dpi"] == 0
    s.set("screen_dpi", "141")
    s.save()
    make_application("ja")
    assert widgets.dpi() == 141
    for bad in ("abc", "-5", "5000"):
        with pytest.raises(SettingsError):
            s.set("screen_dpi", bad)
    s.set("screen_dpi", "0")
    s.save()
    make_application("ja")
    assert widgets.dpi() == widgets.screen_dpi(0)


def test_screenshots_command(tmp_path: Path) -> None:
    """``nakama screenshots`` writes one PNG per screen, language and size."""
    import os
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    out = tmp_path / "shots"
    args = ["--out", str(out), "--lang", "en", "--size", "1024x768", "--only", "finish"]
    r = subprocess.run(
        [sys.executable, "-m", "app", "screenshots", *args, "--only", "jobs"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == [
        "finish-en-1024x768.png",
        "jobs-en-1024x768.png",
    ]
    img = QImage(str(out / "finish-en-1024x768.png"))
    assert (img.width(), img.height()) == (1024, 768)
    bad = subprocess.run(
        [sys.executable, "-m", "app", "screenshots", "--out", str(out), "--size", "big"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 2 and "WIDTHxHEIGHT" in bad.stderr
