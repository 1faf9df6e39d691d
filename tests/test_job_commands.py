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
    assert "事業者コード" in capsys.readouterr().err


def test_import_is_all_or_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "n.db")
    bad = tmp_path / "jobs.csv"
    bad.write_text(
        "\ufeffid,part,qty,due,route\n"
        f'J-1,P1,10,2026-12-01,"{ROUTE}"\n'
        f'J-2,P2,ten,2026-12-01,"{ROUTE}"\n',
        encoding="utf-8",
    )
    assert main(["--db", db, "job", "import", str(bad), "--firm", "F001"]) == 1
    err = capsys.readouterr().err
    assert "row 2" in err and "bad_qty" in err and "Nothing was imported" in err
    with Store.open(db) as s:
        assert s.jobs() == []
    good = tmp_path / "jobs.json"
    good.write_text(
        json.dumps(
            [
                {"id": "J-1", "part": "P1", "qty": 10, "due": "2026-12-01", "route": ROUTE},
                {
                    "id": "J-2",
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
    assert json.loads(capsys.readouterr().out)["created"] == ["J-1", "J-2"]
    assert main(["--db", db, "job", "import", str(good)]) == 1  # again: they exist
    assert main(["--db", db, "job", "list", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {j["job_id"] for j in listed} == {"J-1", "J-2"}


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
