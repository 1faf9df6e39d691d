"""``nakama approve day|lot`` and ``nakama approvals``: the sign-off from the command line,
through ``app.cli.main`` against a real store, every step of it made by ``nakama``
commands (operators, a job, work, a measurement, a correction)."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app import texts
from app.store import Store
from tests.test_op_cli import Term, _term

ROUTE = "10:LATHE:F001,20:HEAT:F007"
MEASURE = ["--characteristic", "Ø20", "--nominal", "20", "--tol-plus", "0.02", "--tol-minus",
           "0.02"]  # fmt: skip
BOSS = ["--by-pin", "1234", "--by", "BOSS"]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAKAMA_PIN", raising=False)


def _approvals(db: Path) -> int:
    with Store.open(db) as s:
        sql = "SELECT count(*) FROM events WHERE type = 'RecordsApproved'"
        return int(s.conn.execute(sql).fetchone()[0])


@pytest.fixture
def shop(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[Term, dict[str, str]]:
    t = _term(tmp_path, "shop", capsys, monkeypatch)
    t.ok("settings", "set", "firm", "F001")
    t.ok("operators", "add", "大田 一郎", "--role", "owner", "--badge", "BOSS", "--pin-stdin",
         stdin="1234\n")  # fmt: skip
    t.ok("operators", "add", "検査 花子", "--role", "inspector", "--badge", "INSP", "--pin-stdin",
         *BOSS, stdin="5678\n")  # fmt: skip
    t.ok("operators", "add", "無印 次郎", "--role", "inspector", "--badge", "NOPIN", *BOSS)
    t.ok("operators", "add", "佐藤", "--badge", "SATO", "--pin-stdin", *BOSS, stdin="2468\n")
    t.ok("settings", "set", "operator", "SATO")
    monkeypatch.setenv("NAKAMA_PIN", "2468")  # 佐藤's, for his work (approving reads its own)
    t.ok("job", "create", "--part", "P-1", "--qty", "10", "--due", "2026-12-24", "--route", ROUTE,
         "--id", "F001-A")  # fmt: skip
    ids = {}
    pin: list[str] = []
    t.ok("op", "receive", "F001-A", "--count", "10", *pin)
    t.ok("op", "start", "F001-A", *pin)
    ids["m1"] = t.ok("op", "measure", "F001-A", *MEASURE, "--value", "20.01", *pin)["event_id"]
    ids["fin"] = t.ok("op", "finish", "F001-A", "--good", "10", *pin)["event_id"]
    return t, ids


def test_a_day_approved_by_name_with_pin_then_corrected_then_approved_again(
    shop: tuple[Term, dict[str, str]],
) -> None:
    t, ids = shop
    today = date.today().isoformat()
    approve = ["approve", "day", today, "--pin-stdin"]
    # Refusals, each in both languages, nothing recorded.
    cases = [
        (["--by", "山田 太郎"], "", "unknown_operator"),
        (["--by", "大田 一郎"], "0000\n", "bad_pin"),
        (["--by", "大田 一郎"], "\n", "pin_required"),
        (["--by", "SATO"], "2468\n", "not_approver"),  # right PIN, wrong role
        (["--by", "NOPIN"], "\n", "approver_pin_required"),
    ]
    for by, pin, reason in cases:
        got, out, err = t.run(*approve, *by, stdin=pin)
        assert got == 1 and f"[{reason}]" in err, (by, err)
        ja, en = texts.pair(reason)
        assert ja in err and en in err
    assert _approvals(t.db) == 0
    # The owner by name (spaces as typed or not), PIN from stdin: the day's five records
    # (the job entered, received, started, measured, finished).
    done = t.ok(*approve, "--by", "大田一郎", stdin="1234\n")
    assert done["recorded"] is True and done["records"] == 5
    assert done["event"]["type"] == "RecordsApproved" and done["event"]["payload"]["day"] == today
    assert _approvals(t.db) == 1
    # Again: already approved, says so, records nothing (and asks no PIN).
    code, out, err = t.run(*approve, "--by", "BOSS", stdin="")
    assert code == 0 and "すでに承認済みです" in out and "Already approved" in out
    assert "承認 大田 一郎" in out and "Approved by 大田 一郎" in out
    assert _approvals(t.db) == 1
    # A reading corrected after the approval: shown, and a new approval needs --again.
    t.ok("op", "correct", ids["m1"], "--set", "value=20.015", "--pin", "2468")
    code, out, err = t.run(*approve, "--by", "BOSS", stdin="1234\n")
    assert code == 1 and "[changed_since_approval]" in err and "--again" in err
    assert "承認後に訂正あり (1件)" in out and "Corrected after approval (1)" in out
    assert ids["m1"] in out and "MeasurementTaken" in out
    assert _approvals(t.db) == 1
    # The inspector approves again with her badge and PIN; the approval is clean again.
    again = t.ok(*approve, "--by", "INSP", "--again", stdin="5678\n")
    assert again["recorded"] is True
    listed = t.ok("approvals", "--day", today)
    assert listed["approval"]["approver_name"] == "検査 花子"
    assert listed["approval"]["corrected_after"] == [] and listed["approval"]["added_after"] == 0


def test_a_lot_approved_and_listed(shop: tuple[Term, dict[str, str]]) -> None:
    t, ids = shop
    got, out, err = t.run("approve", "lot", "F001-NOPE-L1", "--by", "BOSS", "--pin-stdin")
    assert got == 1 and "[unknown_job]" in err
    got, out, err = t.run("approve", "lot", "F001-A-L9", "--by", "BOSS", "--pin-stdin")
    assert got == 1 and "[unknown_lot]" in err
    done = t.ok("approve", "lot", "F001-A-L1", "--by", "検査 花子", "--pin-stdin",
                stdin="5678\n")  # fmt: skip
    payload = done["event"]["payload"]
    assert payload["lot_id"] == "F001-A-L1" and payload["records"] == [ids["m1"]]
    code, out, _err = t.run("approve", "lot", "F001-A-L1", "--by", "BOSS", "--pin-stdin")
    assert code == 0 and "Already approved" in out
    # Everything approved, one line each: the lot now, then the day too.
    lines = [ln for ln in t.run("approvals")[1].splitlines() if ln]
    assert len(lines) == 1 and '"lot": "F001-A-L1"' in lines[0]
    t.ok("approve", "day", date.today().isoformat(), "--by", "BOSS", "--pin-stdin", stdin="1234\n")
    code, out, _err = t.run("approvals")
    scopes = [line.split('"scope": "')[1][:3] for line in out.splitlines() if line]
    assert code == 0 and scopes == ["day", "lot"]


def test_the_pin_is_asked_without_echo(
    shop: tuple[Term, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    t, _ids = shop
    asked: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        asked.append(prompt)
        return "1234"

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    done = t.ok("approve", "day", date.today().isoformat(), "--by", "BOSS")
    assert done["recorded"] and asked == ["暗証番号 / PIN: "]
