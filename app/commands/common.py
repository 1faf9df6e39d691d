"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.store import Store, StoreError

STORE_ERROR_TEXT = {
    "not_a_database": (
        "このファイルは Nakama のデータベースではありません。",
        "This file is not a database. Nothing was written to it.",
    ),
    "foreign_database": (
        "別のプログラムのデータベースです。変更していません。",
        "This is another program's SQLite database. Nothing was written to it.",
    ),
    "schema_too_new": (
        "新しいバージョンの Nakama で作られたデータベースです。アプリを更新してください。",
        "The database was made by a newer Nakama. Update this program; the file is untouched.",
    ),
    "integrity_failed": (
        "データベースが壊れています。バックアップ (*.bak) から復元してください。",
        "The database is damaged. Restore it from a backup (*.bak); it was not modified.",
    ),
    "disk_full": (
        "ディスクがいっぱいです。記録は保存されていません。空き容量を作ってください。",
        "The disk is full. This record was NOT saved; earlier records are safe. Free some space.",
    ),
    "read_only": (
        "データベースに書き込めません (読み取り専用)。",
        "The database is read-only; nothing could be saved.",
    ),
    "locked": (
        "データベースが別のプログラムで使用中です。",
        "The database is busy in another program; try again.",
    ),
    "io_error": (
        "データベースの読み書きに失敗しました。",
        "Reading or writing the database failed.",
    ),
}


def explain_store_error(exc: StoreError) -> str:
    ja, en = STORE_ERROR_TEXT.get(exc.code, STORE_ERROR_TEXT["io_error"])
    where = f"\n  file: {exc.path}" if exc.path else ""
    return f"{ja}\n{en}\n  [{exc.code}] {exc.detail}{where}"


def open_store(args: argparse.Namespace, **kwargs: Any) -> Store:
    return Store.open(getattr(args, "db", None), **kwargs)


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


__all__ = ["StoreError", "explain_store_error", "open_store", "print_json"]
