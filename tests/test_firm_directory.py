"""The terminal's firm directory: names beside codes on screens and travelers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.store import Store
from app.store.firms import firm_directory, firm_names, save_firms


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "t.db", firm_id="F001")


def test_rows_are_merged_and_malformed_ones_skipped(store: Store) -> None:
    rows: list[Any] = [
        {"code": "F007", "name": " 大森熱処理 ", "region": "ota"},
        {"code": "F020", "name": "川崎めっき工業", "region": "kawasaki"},
        {"code": "F099", "name": ""},  # no name
        {"code": 5, "name": "数字"},  # not a code
        {"code": "F098", "name": "x" * 101},  # too long for a screen
        "F097",
        None,
    ]
    assert save_firms(store, rows) == 2
    assert firm_names(store) == {"F007": "大森熱処理", "F020": "川崎めっき工業"}
    # A renamed firm replaces its row; the others stay.
    assert save_firms(store, [{"code": "F007", "name": "大森熱処理工業", "region": "ota"}]) == 1
    assert firm_names(store)["F007"] == "大森熱処理工業"
    assert [f["code"] for f in firm_directory(store)] == ["F007", "F020"]


def test_the_directory_is_not_a_projection(store: Store, tmp_path: Path) -> None:
    save_firms(store, [{"code": "F007", "name": "大森熱処理", "region": "ota"}], source="demo")
    store.rebuild()
    assert firm_names(store) == {"F007": "大森熱処理"}
    store.close()
    with Store.open(tmp_path / "t.db") as again:
        assert firm_directory(again)[0]["source"] == "demo"


def test_unknown_source_is_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError):
        save_firms(store, [], source="fax")


def test_screens_show_names_once_the_directory_arrives(qapp: Any, tmp_path: Path) -> None:
    from app.ui.session import Session

    store = Store.open(tmp_path / "shop.db", firm_id="F007")
    session = Session(store)
    assert session.firm_label("F001") == "F001"  # a real shop before its first sync
    # The sync loop writes on its own connection, then the screens are told to re-read.
    with Store.open(tmp_path / "shop.db") as loop_store:
        save_firms(loop_store, [{"code": "F001", "name": "山田精機", "region": "ota"}])
    assert session.firm_label("F001") == "F001"  # not re-read until told
    session.changed.emit()
    assert session.firm_label("F001") == "山田精機 (F001)"
    assert session.firm_label("F404") == "F404" and session.firm_label(None) == "—"
    store.close()
