"""A firm's own defect codes and pause reasons by the names their events carry: in the
review's Pareto and day table, in the lot history, in both languages (the 日報 is in
tests/test_daily_report.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from app.core import commands as C
from app.core.catalog import CatalogueEntry
from app.store.code_names import code_name, own_names
from tests.test_daily_report import DAY, FIRM, JST, SATO, Shop

KAKE = CatalogueEntry("KAKE", "欠け", "Chipped")


def _shop(tmp_path: Path) -> Shop:
    shop = Shop(tmp_path / "own.db")
    lot = shop.at(8, 0).job("F001-J5", "GEAR-5", 10)
    shop.do(C.receive, "F001-J5", SATO, lot, 10, 10)
    shop.do(C.start, "F001-J5", SATO, lot, 10)
    shop.at(10, 0).do(C.record_defect, "F001-J5", SATO, lot, 10, "KAKE", 3, "scrap", own=KAKE)
    shop.at(10, 5).do(C.record_defect, "F001-J5", SATO, lot, 10, "BURR", 1, "rework")
    shop.at(11, 0).do(C.record_defect, "F001-J5", SATO, lot, 10, "KAKE", 1, "scrap",
                      own=CatalogueEntry("KAKE", "欠け・割れ", "Chipped or cracked"))  # fmt: skip
    return shop


def test_the_latest_event_names_a_code_and_built_in_ones_keep_theirs(tmp_path: Path) -> None:
    shop = _shop(tmp_path)
    names = own_names(shop.store, "defect", ["KAKE", "BURR", "NOPE"])
    assert names == {"KAKE": ("欠け・割れ", "Chipped or cracked")}  # reworded later
    assert code_name("KAKE", "ja", "defect", names) == "欠け・割れ (KAKE)"
    assert code_name("KAKE", "en", "defect", names) == "Chipped or cracked (KAKE)"
    assert code_name("BURR", "ja", "defect", names) == "バリ"
    assert code_name("NOPE", "en", "defect", names) == "NOPE"
    assert own_names(shop.store, "pause", ["BREAK"]) == {}
    shop.store.close()


def test_pareto_day_table_and_lot_history_name_the_own_code(tmp_path: Path, qtbot: Any) -> None:
    from app.ui.app import make_application
    from app.ui.review_pages import _what
    from app.ui.review_quality import DefectsPage

    make_application("ja")
    shop = _shop(tmp_path)
    app = QApplication.instance()
    assert app is not None
    for lang, want in (("ja", "欠け・割れ (KAKE)"), ("en", "Chipped or cracked (KAKE)")):
        app.setProperty("nakama_lang", lang)
        page = DefectsPage(shop.store, FIRM, DAY, DAY, tz=JST)
        qtbot.addWidget(page)
        page.refresh()
        assert page.table is not None
        first = [page.table.item(0, c) for c in (0, 1)]
        assert [i.text() if i is not None else "" for i in first] == [want, "4"]
        assert page.chart.shown[0][0] == want
        # The lot history: each defect by the name its own event carried.
        entry = {"code": "KAKE", "count": 3, "name_ja": "欠け", "name_en": "Chipped"}
        assert ("欠け" if lang == "ja" else "Chipped") in _what("DefectRecorded", entry)
    app.setProperty("nakama_lang", "ja")
    shop.store.close()
