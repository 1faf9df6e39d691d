"""Log files (rotating, in the log directory, tokens taken out) and the support bundle
(logs, versions, settings, the store's check and sync status; never a token or a PIN)."""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import logs
from app.cli import main
from app.core import commands
from app.core.commands import Actor
from app.store import Store

TOKEN = "tok_Q9v7XkP2mN4rT8wY1zB6cD3fG5hJ0kL"
PIN = "97531864"


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "log"
    monkeypatch.setenv("NAKAMA_LOG_DIR", str(folder))
    root = logging.getLogger()
    # This process may have set up a log file for an earlier test: start from none.
    old = [h for h in root.handlers if isinstance(h, logs._Handler)]
    for h in old:
        root.removeHandler(h)
    yield folder
    for h in [h for h in root.handlers if isinstance(h, logs._Handler)]:
        root.removeHandler(h)
        h.close()
    for h in old:
        root.addHandler(h)


def test_log_file_rotates_in_the_log_dir_without_tokens(log_dir: Path) -> None:
    path = logs.setup()
    assert path == log_dir / "nakama.log"
    assert logs.setup() == path  # once per process
    log = logging.getLogger("nakama.sync")
    log.info("pushed", extra={"events": 3})
    log.warning("hub said no", extra={"header": f"Bearer {TOKEN}"})
    logging.getLogger("app.ui.syncing").info("by module name too")
    logging.getLogger("somebody.else").info("not ours, below warning")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["msg"] for r in lines] == ["pushed", "hub said no", "by module name too"]
    assert lines[0]["events"] == 3 and lines[0]["level"] == "info"
    assert TOKEN not in path.read_text(encoding="utf-8")
    for n in range(7000):  # ~ 3.3 MB: rotated, never more than 6 files
        log.info("x" * 400, extra={"n": n})
    names = sorted(p.name for p in logs.files())
    assert names[:3] == ["nakama.log", "nakama.log.1", "nakama.log.2"]
    assert len(names) <= logs.BACKUP_COUNT + 1
    assert all(p.stat().st_size <= logs.MAX_BYTES for p in logs.files())


def test_support_bundle_has_what_helps_and_no_secret(
    tmp_path: Path, log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nakama.db"
    with Store.open(db, firm_id="F001") as s:
        from app.core.operators import hash_pin

        owner = commands.save_operator(
            {},
            Actor("F001", "F001-OP-1", commands.OWNER),
            operator_id="F001-OP-1",
            name="山田 太郎",
            role=commands.OWNER,
            pin_hash=hash_pin(PIN),
        )
        assert s.record(owner).ok
        s.set_meta({"hub_url": "http://hub.example:8700", "hub_token": TOKEN})
        pin_hash = next(iter(s.operators().values())).pin_hash
    assert main(["settings", "set", "hub_url", "http://office:pw-Secret1@hub.example:8700"]) == 0
    # A log written by an older version, with the token in it as plain text.
    log_dir.mkdir()
    (log_dir / "nakama.log.1").write_text(
        json.dumps({"msg": "enrolled", "token": TOKEN, "raw": f"got {TOKEN}"}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out" / "bundle.zip"
    capsys.readouterr()
    assert main(["--db", str(db), "support-bundle", "--out", str(out)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["bundle"] == str(out)
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert {"versions.json", "settings.json", "store.json", "db_check.json"} <= names
        assert {"sync_status.json", "backups.json", "logs/nakama.log.1"} <= names
        texts = {n: z.read(n).decode("utf-8") for n in names}
    everything = "\n".join(texts.values())
    for secret in (TOKEN, PIN, pin_hash, "pw-Secret1"):
        assert secret not in everything
    assert json.loads(texts["db_check.json"])["ok"] is True
    assert json.loads(texts["db_check.json"])["events"] == 1
    assert json.loads(texts["sync_status.json"])["enrolled"] is True
    store_facts = json.loads(texts["store.json"])
    assert store_facts["firm_id"] == "F001" and "hub_token" not in store_facts
    assert json.loads(texts["settings.json"])["hub_url"] == "http://***@hub.example:8700"
    v = json.loads(texts["versions.json"])
    assert v["nakama"] and v["sqlite"] and "PySide6_Essentials" in v["packages"]
    assert "enrolled" in texts["logs/nakama.log.1"]


def test_support_bundle_of_a_damaged_store_still_gets_written(
    tmp_path: Path, log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "nakama.db"
    bad.write_bytes(b"PK\x03\x04 not a database" * 20)
    out = tmp_path / "b.zip"
    assert main(["--db", str(bad), "support-bundle", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        assert json.loads(z.read("store.json"))["error"] == "not_a_database"
