"""``nakama op …`` and ``nakama operators …``: the screens' commands from the command line.

Two halves: a table of command lines run in order on one terminal, each with the reason
code and exit status it must give (and the same Japanese and English sentence the
screens show); and a whole job walked across three firms' terminals through a real hub
on loopback with nothing but ``nakama`` commands.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app import texts
from app.cli import main
from app.core.rules import Reason
from app.store import Store
from tests.hub_support import Hub, fresh_db_url, running_hub


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAKAMA_PIN", raising=False)


@dataclass
class Term:
    """One terminal: its database and its own settings file (one PC, one shop)."""

    db: Path
    settings: Path
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch

    def run(self, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        self.monkeypatch.setenv("NAKAMA_SETTINGS", str(self.settings))
        if stdin is not None:
            self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        self.capsys.readouterr()
        args = list(argv) if argv and argv[0] == "--db" else ["--db", str(self.db), *argv]
        code = main(args)
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *argv: str, stdin: str | None = None) -> Any:
        code, out, err = self.run(*argv, stdin=stdin)
        assert code == 0, (argv, err)
        lines = out.strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def refused(self, code: str, *argv: str, status: int = 1) -> str:
        got, out, err = self.run(*argv)
        assert (got, f"[{code}]") == (status, _code_in(err)), (argv, err)
        ja, en = texts.pair(code)
        assert ja in err and en in err, err
        assert out == ""
        return err


def _code_in(err: str) -> str:
    m = re.search(r"\[[a-z_]+\]", err)
    return m.group(0) if m else err


def _term(tmp_path: Path, name: str, capsys: Any, monkeypatch: Any) -> Term:
    return Term(tmp_path / f"{name}.db", tmp_path / f"{name}.json", capsys, monkeypatch)


def _events(db: Path) -> int:
    with Store.open(db) as s:
        return s.count_events()


# -- the table: every refusal the command line can meet ---------------------------------

ROUTE_A = "10:LATHE:F001,20:MC:F001,30:HEAT:F007"
MEASURE = ["--characteristic", "Ø20", "--nominal", "20", "--tol-plus", "0.02"]
NEW = ["job", "create", "--part", "P-1", "--qty", "10", "--due", "2026-12-24"]

# (name for the printed event, command line, expected reason code or None, exit status).
# ``{name}`` in a command line is the event id printed by an earlier row of that name.
TABLE: list[tuple[str, list[str], str | None, int]] = [
    ("", ["--db", "{other}", "op", "start", "F001-A"], "no_firm", 1),
    ("", ["settings", "set", "firm", "F001"], None, 0),
    ("", ["--db", "{other}", "operators", "add", "見習い"], "not_owner", 1),  # first: owner
    ("", ["operators", "add", "社長", "--role", "owner", "--badge", "BOSS", "--pin-stdin"],
     None, 0),
    ("", ["op", "start", "F001-A"], "no_operator", 1),
    ("", ["operators", "add", "佐藤", "--badge", "SATO"], "no_operator", 1),
    ("", ["operators", "add", "佐藤", "--badge", "SATO", "--by", "BOSS"], "pin_required", 1),
    ("", ["operators", "add", "佐藤", "--badge", "SATO", "--by", "BOSS", "--by-pin", "0000"],
     "bad_pin", 1),
    ("", ["operators", "add", "佐藤", "--badge", "SATO", "--by", "BOSS", "--by-pin", "1234"],
     None, 0),
    ("", ["operators", "add", "田中", "--badge", "TANAKA", "--by", "SATO"], "not_owner", 1),
    ("", ["operators", "add", "田中", "--badge", "SATO", "--by", "BOSS", "--by-pin", "1234"],
     "badge_taken", 1),
    ("", ["operators", "add", "田中", "--role", "chief", "--by", "BOSS", "--by-pin", "1234"],
     "bad_field", 1),
    ("", ["operators", "add", "田中", "--badge", "TANAKA", "--by", "BOSS", "--by-pin", "1234"],
     None, 0),
    ("", ["operators", "retire", "TANAKA", "--by", "BOSS", "--by-pin", "1234"], None, 0),
    ("", ["operators", "retire", "TANAKA", "--by", "BOSS", "--by-pin", "1234"],
     "unknown_operator", 1),
    ("", ["settings", "set", "operator", "SATO"], None, 0),
    # jobs
    ("", [*NEW, "--route", ROUTE_A, "--id", "F001-A"], None, 0),
    ("", [*NEW, "--route", ROUTE_A, "--id", "F001-A"], "job_exists", 1),
    ("", [*NEW, "--route", ROUTE_A, "--id", "F999-A"], "job_id_not_yours", 1),
    ("", [*NEW, "--route", "20:LATHE:F001,10:MC:F001", "--id", "F001-Q"], "bad_route", 2),
    ("", [*NEW, "--route", "10:HEAT:F007,20:GRIND:F001", "--id", "F001-B"], None, 0),
    ("", [*NEW, "--route", "10:LATHE:F001,20:HEAT:F007", "--id", "F001-C"], None, 0),
    ("", [*NEW, "--route", "10:LATHE:F001,20:HEAT:F007,30:GRIND:F001", "--id", "F001-E"], None, 0),
    # who acts
    ("", ["op", "start", "F001-NOPE"], "unknown_job", 1),
    ("", ["op", "start", "F001-A", "--operator", "NOBODY"], "unknown_operator", 1),
    ("", ["op", "start", "F001-A", "--operator", "TANAKA"], "unknown_operator", 1),  # retired
    ("", ["op", "start", "F001-A", "--operator", "BOSS"], "pin_required", 1),
    ("", ["op", "start", "F001-A", "--operator", "BOSS", "--pin", "9999"], "bad_pin", 1),
    # which lot, which step
    ("", ["op", "start", "F001-A", "--op", "99"], "unknown_op", 1),
    ("", ["op", "start", "F001-A", "--op", "30"], "op_not_for_this_firm", 1),
    ("", ["op", "start", "F001-A", "--lot", "LOT-7"], "bad_lot_id", 1),
    ("", ["op", "start", "F001-A", "--lot", "L1"], "unknown_lot", 1),
    ("", ["op", "start", "F001-B"], "no_lot_here", 1),
    ("", ["op", "start", "F001-E", "--lot", "L2"], "choose_op", 1),
    ("", ["op", "receive", "F001-B", "--count", "10"], "skips_steps", 1),
    ("", ["op", "receive", "F001-B", "--count", "10", "--confirm-skip"], None, 0),
    ("", ["op", "receive", "F001-C", "--count", "10"], None, 0),
    ("", ["op", "split", "F001-C", "--count", "3"], None, 0),
    ("", ["op", "start", "F001-C"], "choose_lot", 1),
    # the lot at its step
    ("recv", ["op", "receive", "F001-A", "--count", "10"], None, 0),
    ("", ["op", "receive", "F001-A", "--count", "10", "--lot", "L1", "--op", "10"],
     "already_received", 1),
    ("", ["op", "receive", "F001-A", "--count", "11", "--op", "20"], "count_exceeds_lot", 1),
    ("", ["op", "start", "F001-A", "--op", "20"], "lot_not_received", 1),
    ("", ["op", "finish", "F001-A", "--good", "10"], "op_not_started", 1),
    ("", ["op", "pause", "F001-A", "--reason", "BREAK"], "op_not_running", 1),
    ("", ["op", "resume", "F001-A"], "op_not_paused", 1),
    ("", ["op", "split", "F001-A", "--count", "10"], "split_exceeds_lot", 1),
    ("start", ["op", "start", "F001-A"], None, 0),
    ("", ["op", "start", "F001-A"], "op_already_started", 1),
    ("", ["op", "split", "F001-A", "--count", "2"], "split_while_running", 1),
    ("", ["op", "pause", "F001-A", "--reason", "NAP"], "unknown_pause_reason", 1),
    ("", ["op", "defect", "F001-A", "--code", "UGLY", "--count", "1"], "unknown_defect_code", 1),
    ("", ["op", "defect", "F001-A", "--code", "BURR", "--count", "1", "--disposition", "burn"],
     "bad_disposition", 1),
    ("", ["op", "defect", "F001-A", "--code", "BURR", "--count", "11"],
     "defects_exceed_received", 1),
    ("", ["op", "measure", "F001-A", *MEASURE, "--tol-minus=-0.1", "--value", "20"],
     "bad_tolerance", 1),
    ("", ["op", "measure", "F001-A", *MEASURE, "--tol-minus", "0.02", "--value", "twenty"],
     "bad_field", 1),
    ("m1", ["op", "measure", "F001-A", *MEASURE, "--tol-minus", "0.02", "--value", "20.3"],
     None, 0),
    ("m2", ["op", "measure", "F001-A", *MEASURE, "--tol-minus", "0.02", "--value", "20.01",
            "--operator", "BOSS", "--pin", "1234"], None, 0),
    ("", ["op", "finish", "F001-A", "--good", "8", "--defect", "2", "--scrap", "1"],
     "counts_exceed_received", 1),
    ("", ["op", "defect", "F001-A", "--code", "DIM", "--count", "1", "--disposition", "scrap"],
     None, 0),
    ("", ["op", "finish", "F001-A", "--good", "9"], "scrap_below_recorded", 1),
    ("fin", ["op", "finish", "F001-A", "--good", "9", "--scrap", "1"], None, 0),
    ("", ["op", "finish", "F001-A", "--good", "10", "--op", "10"], "op_already_finished", 1),
    ("", ["op", "handoff", "F001-A", "--count", "10", "--op", "10"], "handoff_to_self", 1),
    ("", ["op", "receive", "F001-A", "--count", "9", "--op", "20"], None, 0),
    ("", ["op", "start", "F001-A", "--op", "20"], None, 0),
    ("", ["op", "handoff", "F001-A", "--op", "20", "--count", "1"], "op_not_finished", 1),
    ("", ["op", "finish", "F001-A", "--op", "20", "--good", "9"], None, 0),
    ("", ["op", "handoff", "F001-A", "--op", "20", "--count", "10"], "handoff_exceeds_good", 1),
    ("", ["op", "handoff", "F001-A", "--op", "20", "--count", "9"], None, 0),
    ("", ["op", "split", "F001-A", "--lot", "L1", "--op", "20", "--count", "1"],
     "not_at_this_step", 1),
    # corrections
    ("", ["op", "undo", "01900000-0000-7000-8000-000000000000"], "unknown_event", 1),
    ("", ["op", "correct", "{start}", "--set", "count=3"], "cannot_correct", 1),
    ("", ["op", "correct", "{fin}", "--set", "colour=red"], "cannot_correct", 1),
    ("", ["op", "correct", "{fin}", "--set", "good=many"], "bad_field", 1),
    ("", ["op", "undo", "{recv}"], "unknown_lot", 1),  # later work rests on the receipt
    ("", ["op", "undo", "{m2}"], "not_owner", 1),  # a machinist undoes only their own
    ("", ["op", "correct", "F001-A", "{m1}", "--set", "value=20.01"], None, 0),
    ("", ["op", "correct", "{m1}", "--set", "value=20.02"], "already_corrected", 1),
    ("", ["op", "undo", "{m2}", "--operator", "BOSS", "--pin", "1234"], None, 0),
]  # fmt: skip

# Reasons no command line can meet: the core builds these commands itself, so what would
# break the rule is never asked for. They come only from other terminals' events (and are
# shown as anomalies, which ``job show`` lists).
UNREACHABLE = {
    Reason.UNKNOWN_PROCESS: "job entry accepts any process code; the catalogue names it",
    Reason.LOT_EXISTS: "a split's new lot is always the job's next free number",
    Reason.BAD_MACHINE_STATE: "machine states come from device drivers, not from `op`",
    Reason.JOB_MISMATCH: "a correction is built from the corrected event itself",
    Reason.REPLACEMENT_TYPE: "a correction keeps the corrected event's type",
    Reason.BAD_COUNT: "counts are whole numbers from argparse; the wire checks them",
    Reason.NOT_YOUR_FIRM: "operator ids are made here, from the terminal's own firm",
    Reason.NOT_A_JOB_EVENT: "machine signals and operators are recorded with no job by the core",
    # Sign-off is the review screen's (tests/test_ui_review.py, tests/test_core_commands.py).
    Reason.NOT_APPROVER: "`op` does not approve records",
    Reason.NOT_ON_ROUTE: "`op` does not approve records",
    Reason.NOTHING_TO_APPROVE: "`op` does not approve records",
}
# Met in the walk across three firms below (they need another firm's terminal).
ACROSS_FIRMS = {Reason.NOT_YOUR_EVENT, Reason.NOT_LEAD_FIRM}


def test_every_refusal_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _term(tmp_path, "f001", capsys, monkeypatch)
    other = str(tmp_path / "other.db")
    ids: dict[str, str] = {}
    seen: set[str] = set()
    for name, argv, reason, status in TABLE:
        line = [a.format(other=other, **ids) if "{" in a else a for a in argv]
        stdin = "1234\n" if "--pin-stdin" in line else None
        if reason is None:
            got = t.ok(*line, stdin=stdin)
            if name:
                ids[name] = got["event_id"]
            continue
        db = Path(line[1]) if line[0] == "--db" else t.db
        before = _events(db)
        t.refused(reason, *line, status=status)
        assert _events(db) == before, line  # a refusal writes nothing
        seen.add(reason)
    expected = {r.value for r in Reason} - {r.value for r in set(UNREACHABLE) | ACROSS_FIRMS}
    assert expected <= seen, sorted(expected - seen)
    # the table's job shows what happened, as the screen would
    view = t.ok("job", "show", "F001-A", "--json")
    (lot,) = view["lots"]
    assert [(s["op"], s["status"], s["good"], s["handed_off"]) for s in lot["steps"]] == [
        (10, "done", 9, 0),
        (20, "done", 9, 9),
    ]
    assert lot["in_transit_to"] == "F007"
    assert [m["value"] for m in view["measurements"]] == ["20.01"]  # corrected; one undone
    skips = t.ok("job", "show", "F001-B", "--json")["open_skips"]
    assert skips == [{"lot_id": "F001-B-L1", "op": 20, "missing": [10]}]


def test_pin_typed_twice_and_pin_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _term(tmp_path, "f001", capsys, monkeypatch)
    t.ok("settings", "set", "firm", "F001")
    answers = iter(["1234", "1243"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    t.refused("pin_mismatch", "operators", "add", "社長", "--role", "owner", "--pin")
    code, _out, err = t.run(
        "operators", "add", "社長", "--role", "owner", "--pin-stdin", stdin="12"
    )
    assert code == 1 and "[pin_format]" in err
    answers = iter(["4321", "4321"])
    boss = t.ok("operators", "add", "社長", "--role", "owner", "--pin")
    assert boss["has_pin"] is True
    monkeypatch.setenv("NAKAMA_PIN", "4321")  # the environment gives the PIN
    t.ok(*NEW, "--route", "10:LATHE:F001", "--id", "F001-P", "--operator", boss["operator_id"])
    listed = t.run("operators", "list", "--json")[1] + t.run("operators", "list")[1]
    assert "scrypt" not in listed and "pin_hash" not in listed
    with Store.open(t.db) as s:
        assert s.operators()[boss["operator_id"]].pin_hash.startswith("scrypt$")


def test_badge_cards_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _term(tmp_path, "f001", capsys, monkeypatch)
    t.ok("settings", "set", "firm", "F001")
    boss = t.ok("operators", "add", "山田 太郎", "--role", "owner", "--badge", "B0SS")
    t.ok("operators", "add", "佐藤 花子", "--badge", "SATO", "--by", boss["operator_id"])
    t.ok("operators", "add", "辞めた人", "--badge", "GONE", "--by", "B0SS")
    t.ok("operators", "retire", "GONE", "--by", "B0SS")
    out = tmp_path / "badges.pdf"
    assert t.ok("operators", "badges", "--out", str(out)) == {
        "ok": True,
        "out": str(out),
        "cards": 2,
    }
    assert out.read_bytes().startswith(b"%PDF")
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    text = subprocess.run(
        ["pdftotext", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "山田 太郎" in text and "佐藤 花子" in text and "辞めた人" not in text
    assert boss["operator_id"] in text
    if shutil.which("pdftoppm") is not None:
        from tests.test_traveler_print import _decode, _render

        codes = set(_decode(_render(out, 200)))
        assert f"NKOP:{boss['operator_id']}:B0SS" in codes


# -- one job across three firms, through a real hub -------------------------------------


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url("sqlite", tmp_path)) as h:
        for firm in ("F001", "F007", "F012"):
            h.add_firm(firm)
        yield h


def _shop(t: Term, hub: Hub, firm: str, owner: str, *, pin: str | None, via_setting: bool) -> str:
    """Set a terminal up: firm, its owner as the first operator, enrolled at the hub."""
    t.ok("settings", "set", "firm", firm)
    extra = ["--pin-stdin"] if pin else []
    rec = t.ok("operators", "add", owner, "--role", "owner", *extra, stdin=f"{pin}\n")
    t.ok("settings", "set", "operator", rec["operator_id"])
    if via_setting:  # the address from the settings, as the app has it
        t.ok("settings", "set", "hub_url", hub.url)
        answer = t.ok("enroll", hub.code(firm))
    else:
        answer = t.ok("enroll", hub.url, hub.code(firm))
    assert answer["firm_id"] == firm and answer["hub_url"] == hub.url
    return str(rec["operator_id"])


def _sync(*terms: Term) -> None:
    for t in terms:
        t.ok("sync", "--once")


def test_a_job_across_three_firms_by_command_line(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    f1, f7, f12 = (_term(tmp_path, n, capsys, monkeypatch) for n in ("f001", "f007", "f012"))
    boss1 = _shop(f1, hub, "F001", "山田 太郎", pin="1234", via_setting=False)
    _shop(f7, hub, "F007", "大森 一郎", pin=None, via_setting=True)
    _shop(f12, hub, "F012", "蒲田 次郎", pin=None, via_setting=True)
    sato = f1.ok("operators", "add", "佐藤", "--badge", "SATO", "--by-pin", "1234")
    # enrol wrote the address into the settings; sync and the settings agree
    assert json.loads(f1.settings.read_text())["hub_url"] == hub.url

    job = "F001-W1"
    route = "10:LATHE:F001,20:HEAT:F007,30:GRIND:F012,40:INSPECT:F001"
    created = f1.run(*NEW, "--route", route, "--id", job, "--pin", "1234")
    assert created[0] == 0, created[2]
    as_sato = ["--operator", "SATO"]

    # F001 turns: receive, start, pause, resume, measure, defect, finish, hand off
    f1.ok("op", "receive", job, "--count", "10", *as_sato)
    f1.ok("op", "start", job, *as_sato)
    paused = f1.ok("op", "pause", job, "--reason", "SETUP", *as_sato)
    assert paused["payload"] == {"lot_id": f"{job}-L1", "reason": "SETUP"}
    f1.ok("op", "resume", job, *as_sato)
    m = f1.ok("op", "measure", job, *MEASURE, "--tol-minus", "0.02", "--value", "20.01",
              "--gauge", "Mitutoyo", *as_sato)  # fmt: skip
    assert m["type"] == "MeasurementTaken" and m["operator"] == sato["operator_id"]
    f1.ok("op", "defect", job, "--code", "BURR", "--count", "1", "--note", "面取り", *as_sato)
    f1.ok("op", "finish", job, "--good", "9", "--defect", "1", *as_sato)
    handed = f1.ok("op", "handoff", job, "--count", "9", *as_sato)
    assert handed["payload"]["to_firm"] == "F007" and handed["op"] == 10
    # F007 cannot act before its terminal has heard of the job
    f7.refused("unknown_job", "op", "receive", job, "--count", "9")
    _sync(f1, f7)

    # F007 heats, splits four parts off to go ahead, hands both lots on separately
    assert f7.ok("op", "receive", job, "--count", "9")["op"] == 20
    f7.ok("op", "start", job)
    f7.ok("op", "finish", job, "--good", "9")
    split = f7.ok("op", "split", job, "--count", "4")
    assert split["payload"]["child_lot_id"] == f"{job}-L2"
    err = f7.refused("choose_lot", "op", "handoff", job, "--count", "4")
    assert f"{job}-L1" in err and f"{job}-L2" in err
    f7.ok("op", "handoff", job, "--lot", "L2", "--count", "4")
    f7.refused("not_lead_firm", "traveler", "print", job, "--lot", "L2",
               "--out", str(tmp_path / "x.pdf"))  # fmt: skip
    f7.refused("not_your_event", "op", "undo", handed["event_id"])  # F001's record
    _sync(f7, f12)

    # F012 grinds the child lot first (the parent is still at F007), counting 3 by mistake
    wrong = f12.ok("op", "receive", job, "--count", "3")
    assert wrong["payload"]["lot_id"] == f"{job}-L2"
    fixed = f12.ok("op", "correct", wrong["event_id"], "--set", "count=4", "--reason", "数え直し")
    assert fixed["payload"]["replacement"]["payload"]["count"] == 4
    f12.ok("op", "start", job)
    f12.ok("op", "finish", job, "--good", "4")
    f12.ok("op", "handoff", job, "--count", "4")
    _sync(f12, f7)
    f7.ok("op", "handoff", job, "--count", "5")  # now the parent's only lot left here
    _sync(f7, f12)
    f12.ok("op", "receive", job, "--count", "5")
    f12.ok("op", "start", job, "--lot", "L1")
    f12.ok("op", "finish", job, "--lot", "L1", "--good", "5")
    f12.ok("op", "handoff", job, "--lot", "L1", "--count", "5")
    _sync(f12, f1)

    # F001 inspects both lots: the last step, finished
    f1.refused("choose_lot", "op", "receive", job, "--count", "4", *as_sato)
    for lot, n in (("L2", "4"), ("L1", "5")):
        assert f1.ok("op", "receive", job, "--lot", lot, "--count", n, *as_sato)["op"] == 40
        f1.ok("op", "start", job, "--lot", lot, *as_sato)
        f1.ok("op", "finish", job, "--lot", lot, "--good", n, *as_sato)
    f1.refused("no_lot_here", "op", "start", job, *as_sato)
    _sync(f1, f7, f12, f1)

    views = [t.ok("job", "show", job, "--json") for t in (f1, f7, f12)]
    for v in views:
        assert v["status"] == "done" and v["anomalies"] == [] and v["open_skips"] == []

    def numbers(v: dict[str, Any]) -> list[Any]:
        return [
            (lot["lot_id"], [(s["op"], s["status"], s["received"], s["good"], s["defect"],
                              s["handed_off"], s["last_operator"], s["inherited"])
                             for s in lot["steps"]])
            for lot in v["lots"]
        ]  # fmt: skip

    assert numbers(views[0]) == numbers(views[1]) == numbers(views[2])
    lots = {lot["lot_id"]: lot for lot in views[0]["lots"]}
    parent, child = lots[f"{job}-L1"], lots[f"{job}-L2"]
    assert child["parent"] == parent["lot_id"] and child["split_at"] == 20
    assert [s["op"] for s in parent["steps"]] == [10, 20, 30, 40]
    assert [(s["op"], s["inherited"]) for s in child["steps"]] == [
        (10, True),
        (20, False),
        (30, False),
        (40, False),
    ]
    p10 = parent["steps"][0]
    assert (p10["received"], p10["good"], p10["defect"], p10["defects_recorded"]) == (10, 9, 1, 1)
    assert p10["last_operator"] == sato["operator_id"] and p10["last_operator_name"] == "佐藤"
    assert child["steps"][2]["received"] == 4  # the corrected receipt
    assert parent["steps"][1]["split_off"] == 4 and parent["steps"][1]["handed_off"] == 5
    assert views[0]["measurements"][0]["value"] == "20.01"
    assert boss1 != sato["operator_id"]
    # the owner's own terminal shows who created the job
    with Store.open(f1.db) as s:
        assert s.job_events(job)[0].operator == boss1


def test_sync_follows_the_hub_url_setting(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One address: enrol writes the setting; a changed setting is where sync goes."""
    t = _term(tmp_path, "f001", capsys, monkeypatch)
    t.ok("settings", "set", "firm", "F001")
    t.refused("no_hub_url", "enroll", hub.code("F001"), status=2)
    t.ok("enroll", hub.url + "/", hub.code("F001"))
    assert t.ok("sync", "status")["hub_url"] == hub.url
    t.ok("settings", "set", "hub_url", "http://127.0.0.1:9")  # nothing listens there
    code, _out, err = t.run("sync", "--once")
    assert code == 1 and "[offline]" in err
    assert t.ok("sync", "status")["hub_url"] == "http://127.0.0.1:9"
    t.ok("settings", "set", "hub_url", hub.url)
    assert t.ok("sync", "--once")["rejected"] == 0
