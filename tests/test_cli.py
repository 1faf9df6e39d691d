"""The CLI: every command is documented in the README, and the basic ones work."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.cli import build_parser, main
from tests.factories import raw

ROOT = Path(__file__).resolve().parents[1]


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(parser, prefix=""):  # type: ignore[no-untyped-def]
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                full = f"{prefix} {name}".strip()
                children = list(_commands(sub, full))
                yield from children or [full]


def test_every_command_is_in_the_readme() -> None:
    readme = _readme()
    documented = re.findall(r"`(nakama(?:-hub)? [^`]*)`", readme)

    def has(cmd: str) -> bool:
        return any(d == cmd or d.startswith(cmd + " ") for d in documented)

    missing = [c for c in _commands(build_parser()) if not has(f"nakama {c}")]
    assert not missing, f"commands missing from README: {missing}"


@pytest.fixture(autouse=True)
def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAKAMA_SETTINGS", str(tmp_path / "settings.json"))


def test_events_tail_prints_json_lines(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from app.store import Store

    db = tmp_path / "t.db"
    with Store.open(db, firm_id="F001") as s:
        s.record(raw("MachineStateChanged", {"machine": "M1", "state": "run", "counter": 5}))
        s.record(raw("MachineStateChanged", {"machine": "M1", "state": "stop", "counter": 6}))
    assert main(["--db", str(db), "events", "tail", "-n", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["payload"]["state"] == "stop"


def test_db_check_and_rebuild(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "t.db"
    assert main(["--db", str(db), "db", "rebuild"]) == 0
    assert main(["--db", str(db), "db", "check"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[-1]["ok"] is True


def test_db_check_refuses_foreign_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 10)
    assert main(["--db", str(bad), "db", "check"]) == 3
    err = capsys.readouterr().err
    assert "not_a_database" in err and "データベースではありません" in err
    assert bad.read_bytes().startswith(b"PK\x03\x04")


def test_readme_has_exactly_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", setup, flags=re.S)
    commands = [line for b in blocks for line in b.splitlines() if line.strip()]
    assert commands == ["./bootstrap.sh app", "./bootstrap.sh test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./bootstrap.sh test" in ci


def test_every_setting_is_in_the_readme() -> None:
    from app.settings import OPTIONS

    readme = _readme()
    missing = [o.key for o in OPTIONS if f"| `{o.key}` |" not in readme]
    assert not missing


def test_settings_set_and_show(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NAKAMA_SETTINGS", str(tmp_path / "s.json"))
    assert main(["settings", "set", "devices", "sim://mitutoyo, sim://and"]) == 0
    assert main(["settings", "set", "lang", "fr"]) == 2
    assert "cannot set" in capsys.readouterr().err
    assert main(["settings", "show"]) == 0
    shown = {d["key"]: d["value"] for d in map(json.loads, capsys.readouterr().out.splitlines())}
    assert shown["devices"] == ["sim://mitutoyo", "sim://and"] and shown["lang"] == "ja"
