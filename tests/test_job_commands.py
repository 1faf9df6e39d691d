"""``nakama job create/import/list`` and ``nakama keys``: clear refusals, nothing half-done."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.core.job_input import JobInputError, job_spec
from app.store import Store

ROUTE = "10:LATHE:F001,20:HEAT:F007"


@pytest.fixture(autouse=True)
def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own settings file (never the user's)."""
    monkeypatch.setenv("NAKAMA_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.delenv("NAKAMA_PIN", raising=False)


def _owner(db: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The store's first operator (an owner); returns their id."""
    capsys.readouterr()
    assert main(["--db", db, "operators", "add", "社長", "--role", "owner"]) == 0
    return str(json.loads(capsys.readouterr().out)["operator_id"])


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"qty": "1", "due": "2026-12-01", "route": ROUTE}, "missing_field"),
        ({"part": "P", "qty": "0", "due": "2026-12-01", "route": ROUTE}, "bad_qty"),
        ({"part": "P", "qty": "x", "due": "2026-12-01", "route": ROUTE}, "bad_qty"),
        ({"part": "P", "qty": "1", "due": "12/01/2026", "route": ROUTE}, "bad_date"),
        ({"part": "P", "qty": "1", "due": "2026-12-01", "route": "10:LATHE"}, "bad_route"),
        ({"part": "P", "qty": "1", "due": "2026-12-01", "route": "20:A:F,10:B:F"}, "bad_route"),
        ({"part": "P", "qty": "1", "due": "2026-12-01", "route": ROUTE, "colour": "red"},
         "unknown_field"),
    ],
)  # fmt: skip
def test_job_input_mistakes_have_codes(fields: dict[str, str], code: str) -> None:
    with pytest.raises(JobInputError) as err:
        job_spec(fields, firm="F001", today=date(2026, 11, 29))
    assert err.value.code == code


def test_job_ids_name_the_firm_and_day() -> None:
    spec = job_spec(
        {"part": "P", "qty": 3, "due": "2026-12-01", "route": ROUTE},
        firm="F001",
        today=date(2026, 11, 29),
    )
    assert spec.job_id.startswith("F001-261129-") and len(spec.job_id) == 16
    assert spec.lead_firm == "F001"


def test_create_needs_a_firm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "n.db")
    args = ["--db", db, "job", "create", "--part", "P", "--qty", "1", "--due", "2026-12-01"]
    assert main([*args, "--route", ROUTE]) == 2
    err = capsys.readouterr().err
    assert "[no_firm]" in err and "会社が設定されていません" in err and "--firm" in err


def test_create_takes_the_firm_from_the_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``nakama settings set firm F001`` is what ``job create`` uses (and the store keeps)."""
    db = str(tmp_path / "n.db")
    assert main(["settings", "set", "firm", "F001"]) == 0
    owner = _owner(db, capsys)
    args = ["--db", db, "job", "create", "--part", "P", "--qty", "1", "--due", "2026-12-01"]
    assert main([*args, "--route", ROUTE]) == 1  # nobody signed in
    assert "[no_operator]" in capsys.readouterr().err
    assert main([*args, "--route", ROUTE, "--operator", owner]) == 0
    job_id = json.loads(capsys.readouterr().out)["job_id"]
    assert job_id.startswith("F001-")
    with Store.open(db) as s:
        assert s.firm_id == "F001"
        assert s.job_events(job_id)[0].operator == owner


def test_firm_flag_overrides_and_is_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "n.db")
    assert main(["settings", "set", "firm", "F001"]) == 0
    assert main(["--db", db, "keys", "show", "--own", "--firm", "F007"]) == 0
    with Store.open(db) as s:
        assert s.firm_id == "F007"
    capsys.readouterr()
    assert main(["--db", db, "db", "check"]) == 0  # the store's own firm wins over the setting
    assert json.loads(capsys.readouterr().out)["firm_id"] == "F007"


def test_import_is_all_or_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "n.db")
    bad = tmp_path / "jobs.csv"
    bad.write_text(
        "\ufeffid,part,qty,due,route\n"
        f'F001-J1,P1,10,2026-12-01,"{ROUTE}"\n'
        f'F001-J2,P2,ten,2026-12-01,"{ROUTE}"\n',
        encoding="utf-8",
    )
    assert main(["--db", db, "job", "import", str(bad), "--firm", "F001"]) == 1
    assert "[no_operator]" in capsys.readouterr().err
    owner = _owner(db, capsys)
    assert main(["settings", "set", "operator", owner]) == 0
    capsys.readouterr()
    assert main(["--db", db, "job", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "row 2" in err and "bad_qty" in err and "Nothing was imported" in err
    with Store.open(db) as s:
        assert s.jobs() == []
    good = tmp_path / "jobs.json"
    good.write_text(
        json.dumps(
            [
                {"id": "F001-J1", "part": "P1", "qty": 10, "due": "2026-12-01", "route": ROUTE},
                {
                    "id": "F001-J2",
                    "part": "P2",
                    "qty": 5,
                    "due": "2026-12-02",
                    "route": [{"seq": 10, "process": "MC", "firm": "F001"}],
                },
            ]
        ),
        encoding="utf-8",
    )
    assert main(["--db", db, "job", "import", str(good)]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == ["F001-J1", "F001-J2"]
    assert main(["--db", db, "job", "import", str(good)]) == 1  # again: they exist
    assert main(["--db", db, "job", "list", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {j["job_id"] for j in listed} == {"F001-J1", "F001-J2"}


def test_keys_show_and_import_between_terminals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, other = str(tmp_path / "lead.db"), str(tmp_path / "other.db")
    assert main(["--db", lead, "keys", "show", "--own", "--firm", "F001"]) == 0
    own = json.loads(capsys.readouterr().out)
    keyfile = tmp_path / "k.json"
    keyfile.write_text(json.dumps([own]), encoding="utf-8")
    assert main(["--db", other, "keys", "import", str(keyfile)]) == 0
    capsys.readouterr()
    assert main(["--db", other, "keys", "show"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [r["key_id"] for r in shown["directory"]] == [own["key_id"]]
    keyfile.write_text(json.dumps([dict(own, public_key="00" * 31)]), encoding="utf-8")
    assert main(["--db", other, "keys", "import", str(keyfile)]) == 1
    assert "bad_public_key" in capsys.readouterr().err
