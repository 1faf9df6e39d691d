"""The hub's alembic migrations: they build exactly the schema the code declares, and a
hub upgraded from an older revision keeps its data and its terminals' cursors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from hub_support import fresh_db_url
from sqlalchemy import create_engine, text

from hub import schema
from hub.db import MIGRATIONS, HubDB
from hub.feed import parse_cursor, pull
from hub.registry import Credential, firm_directory


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migrations_build_the_declared_schema(kind: str, tmp_path: Path) -> None:
    db = HubDB(fresh_db_url(kind, tmp_path))
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
        assert diff == []
    finally:
        db.close()


def test_firms_registered_before_the_directory_reach_old_cursors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:  # a hub as the first release left it
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO hub_meta VALUES ('hub_id', 'a1b2c3d4e5f60718')"))
        conn.execute(text("INSERT INTO hub_meta VALUES ('key_rev', '3')"))
        for code, name in (("FA01", "山田精機"), ("FB02", "大森熱処理")):
            conn.execute(
                text("INSERT INTO firms VALUES (:c, :n, 'ota', '[]', '[]', :t)"),
                {"c": code, "n": name, "t": time.time()},
            )
            conn.execute(text("INSERT INTO feed_counters VALUES (:c, 0, 0)"), {"c": code})
    engine.dispose()

    db = HubDB(url)  # opening migrates to the newest revision
    try:
        assert db.hub_id == "a1b2c3d4e5f60718"
        old_cursor = "v1.a1b2c3d4e5f60718.0.3"  # a terminal that had seen key revision 3
        page = pull(db, Credential("T1", "FA01", "terminal"), old_cursor)
        answer = json.loads(page)
        assert {f["code"]: f["name"] for f in answer["firms"]} == {
            "FA01": "山田精機",
            "FB02": "大森熱処理",
        }
        assert parse_cursor(answer["cursor"], db.hub_id).key_rev == 4
        with db.read_raw() as q:
            assert firm_directory(q, 4) == ([], 4)
    finally:
        db.close()
