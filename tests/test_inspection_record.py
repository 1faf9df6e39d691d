"""The 検査成績書 (inspection record): a job walked by the core commands across firms,
measured at two steps by two firms (one value out of tolerance, one corrected), printed
as a PDF and read back with ``pdftotext``; the figures checked against the raw events;
a long record runs onto further pages; a split lot carries its parent's readings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from app.cli import main
from app.core import commands as C
from app.core import lots
from app.core.commands import Actor, Command, Refusal
from app.core.state import JobState, fold
from app.store import Store
from app.store.firms import save_firms
from app.store.inspection import gather, instrument_name
from tests.factories import ROUTE, Terminal, job_created
from wire.events import Event

JOB = "F001-J1"
L1, L2 = lots.first_lot(JOB), lots.lot_id(JOB, 2)
LEAD = Actor("F001", "F001-OP-1", C.OPERATOR)
BOSS = Actor("F001", "F001-OP-9", C.OWNER)
HEAT = Actor("F007", "F007-OP-1", C.OPERATOR)
GRIND = Actor("F012", "F012-OP-1", C.OPERATOR)
GRIND_BOSS = Actor("F012", "F012-OP-9", C.OWNER)
FIRMS = [
    {"code": "F001", "name": "山田精機", "region": "大田区"},
    {"code": "F007", "name": "蒲田熱処理", "region": "大田区"},
    {"code": "F012", "name": "羽田研削", "region": "大田区"},
]
OD = {"characteristic": "外径 OD", "nominal": "10.000", "tol_minus": "0.010", "tol_plus": "0.010"}
LEN = {"characteristic": "全長 L", "nominal": "50.00", "tol_minus": "0", "tol_plus": "0.10"}

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed"
)


class Shop:
    """Events of one job, made by the core commands on one terminal per firm."""

    def __init__(self) -> None:
        self.terms = {f: Terminal(f"T{f}", f) for f in ("F001", "F007", "F012")}
        self.events: list[Event] = [job_created(self.terms["F001"], qty=100, route=ROUTE)]
        self.roster: list[Event] = []

    @property
    def job(self) -> JobState | None:
        return fold(self.events)

    def _stamp(self, actor: Actor, out: Command) -> Event:
        t = self.terms[actor.firm]
        t.ms = max(t.ms, max(e.hlc >> 16 for e in self.events + self.roster))
        ev = t.event(out.type, dict(out.payload), job_id=out.job_id, op=out.op)
        return Event(**{**ev.to_wire(), "operator": out.operator})  # type: ignore[arg-type]

    def ok(self, actor: Actor, decide: Callable[[JobState | None], Command | Refusal]) -> Event:
        out = decide(self.job)
        assert isinstance(out, Command), out
        ev = self._stamp(actor, out)
        self.events.append(ev)
        return ev

    def person(self, actor: Actor, operator_id: str, name: str, role: str = C.OPERATOR) -> None:
        roster = {
            e.payload["operator_id"]: e for e in self.roster if e.firm_id == actor.firm
        }  # only "is it empty" and badges matter to the command
        out = C.save_operator(roster, actor, operator_id=operator_id, name=name, role=role)
        assert isinstance(out, Command), out
        self.roster.append(self._stamp(actor, out))

    def measure(self, actor: Actor, lot: str, op: int, spec: dict[str, str], value: str,
                gauge: str = "") -> Event:  # fmt: skip
        return self.ok(actor, lambda j: C.measure(j, actor, lot, op, **spec, value=value,
                                                  gauge=gauge))  # fmt: skip

    def firm_events(self, firm: str) -> list[Event]:
        """What a firm's terminal holds once synced: every job event, its own roster."""
        return [*self.events, *(e for e in self.roster if e.firm_id == firm)]


def walked() -> tuple[Shop, Event]:
    """Lathe (F001) measures OD three times and the length once; one OD typed wrong and
    corrected; heat treatment (F007) passes through; grinding (F012) measures OD twice,
    one out of tolerance. Returns the shop and the corrected measurement."""
    s = Shop()
    s.person(BOSS, "F001-OP-9", "佐藤 花子", C.OWNER)
    s.person(BOSS, "F001-OP-1", "山田 太郎")
    s.person(GRIND_BOSS, "F012-OP-9", "羽田 一郎", C.OWNER)
    s.person(GRIND_BOSS, "F012-OP-1", "鈴木 次郎")
    s.ok(LEAD, lambda j: C.receive(j, LEAD, L1, 10, 100))
    s.ok(LEAD, lambda j: C.start(j, LEAD, L1, 10))
    s.measure(LEAD, L1, 10, OD, "10.002", "sim://mitutoyo")
    s.measure(LEAD, L1, 10, OD, "9.995", "serial-usb://0FE7:4001/A1B2")
    typo = s.measure(LEAD, L1, 10, OD, "10.300")  # typed, a slip of the finger
    s.measure(LEAD, L1, 10, LEN, "50.05")
    s.measure(LEAD, L1, 10, LEN, "50.08", "sim://mitutoyo")
    s.ok(LEAD, lambda j: C.correct(j, LEAD, s.events, typo.event_id, {"value": "10.003"}))
    s.ok(LEAD, lambda j: C.finish(j, LEAD, L1, 10, 100, 0, 0))
    s.ok(LEAD, lambda j: C.hand_off(j, LEAD, L1, 10, 100))
    s.ok(HEAT, lambda j: C.receive(j, HEAT, L1, 20, 100))
    s.ok(HEAT, lambda j: C.start(j, HEAT, L1, 20))
    s.ok(HEAT, lambda j: C.finish(j, HEAT, L1, 20, 100, 0, 0))
    s.ok(HEAT, lambda j: C.hand_off(j, HEAT, L1, 20, 100))
    s.ok(GRIND, lambda j: C.receive(j, GRIND, L1, 30, 100))
    s.ok(GRIND, lambda j: C.start(j, GRIND, L1, 30))
    s.measure(GRIND, L1, 30, OD, "10.012", "serial:///dev/ttyUSB0")  # out of tolerance
    s.measure(GRIND, L1, 30, OD, "10.001", "sim://mitutoyo")
    return s, typo


def open_firm(tmp_path: Path, s: Shop, firm: str) -> Store:
    store = Store.open(tmp_path / f"{firm}.db", firm_id=firm)
    store.ingest(s.firm_events(firm))
    save_firms(store, FIRMS)
    return store


# ``pdftotext -bbox`` word boxes are ascent + descent high: 1.16 em in DejaVu Sans and
# more in Noto CJK, so 8 pt text is at least 9.3 pt tall and 7.5 pt text 8.7 pt.
MIN_WORD_HEIGHT = 9.3


def word_heights(pdf: Path) -> list[float]:
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    boxes = re.findall(r'yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)"', out)
    assert boxes
    return [float(b) - float(a) for a, b in boxes]


def pdftotext(pdf: Path) -> list[str]:
    """The text of each page, as a customer's search or copy-paste would find it."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


def expected(events: list[Event], lot: str) -> dict[str, tuple[int, Decimal, Decimal, bool]]:
    """n, min, max and all-pass per characteristic, straight from the raw events: each
    measurement's value, or its correction's, against its own nominal and tolerance."""
    fixed = {
        e.payload["supersedes"]: e.payload["replacement"]["payload"]
        for e in events
        if e.type == "EventCorrected" and e.payload.get("replacement")
    }
    out: dict[str, list[tuple[Decimal, bool]]] = {}
    for e in events:
        if e.type != "MeasurementTaken" or e.payload["lot_id"] != lot:
            continue
        p = fixed.get(e.event_id, e.payload)
        v, nom = Decimal(p["value"]), Decimal(p["nominal"])
        ok = nom - Decimal(p["tol_minus"]) <= v <= nom + Decimal(p["tol_plus"])
        out.setdefault(p["characteristic"], []).append((v, ok))
    return {
        k: (len(vs), min(v for v, _ in vs), max(v for v, _ in vs), all(ok for _, ok in vs))
        for k, vs in out.items()
    }


def test_the_figures_are_the_raw_events_figures(tmp_path: Path) -> None:
    s, typo = walked()
    with open_firm(tmp_path, s, "F001") as store:
        rec = gather(store, JOB)  # the job's only lot
    assert rec.lot_id == L1 and rec.customer == "Secret Motors"
    got = {c.name: (c.n, c.minimum, c.maximum, c.all_pass) for c in rec.characteristics}
    assert got == expected(s.events, L1)
    assert got["外径 OD"] == (5, Decimal("9.995"), Decimal("10.012"), False)
    # Route order: the lathe's characteristics first; each reading names who and where.
    od = rec.characteristics[0]
    assert [(r.op, r.firm, str(r.value)) for r in od.readings] == [
        (10, "F001", "10.002"),
        (10, "F001", "9.995"),
        (10, "F001", "10.003"),
        (30, "F012", "10.012"),
        (30, "F012", "10.001"),
    ]
    corrected = od.readings[2]
    assert corrected.corrected_from == Decimal("10.300") and corrected.in_tolerance
    assert corrected.operator_id == "F001-OP-1" and corrected.instrument == ""
    fix = next(e for e in s.events if e.event_id == corrected.event_id)
    assert fix.type == "EventCorrected" and fix.payload["supersedes"] == typo.event_id
    assert [r.operator_name for r in od.readings] == ["山田 太郎"] * 3 + ["", ""]
    assert [r.operator_id for r in od.readings][3:] == ["F012-OP-1"] * 2
    assert not rec.all_pass


def test_instrument_names() -> None:
    assert instrument_name("") == ""
    assert instrument_name("sim://mitutoyo") == "Mitutoyo (sim)"
    assert instrument_name("serial-usb://0fe7:4001/A1B2") == "Mitutoyo USB-ITN S/N A1B2"
    assert instrument_name("serial-usb://1234:5678") == "USB 1234:5678"
    assert instrument_name("serial:///dev/ttyUSB0") == "RS-232C ttyUSB0"
    assert instrument_name("serial:///COM3") == "RS-232C COM3"


@needs_poppler
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_printed_record_says_everything(
    tmp_path: Path, lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s, _typo = walked()
    for firm in ("F001", "F012"):
        open_firm(tmp_path, s, firm).close()
    pages: dict[str, list[str]] = {}
    for firm in ("F001", "F012"):
        out = tmp_path / f"{firm}-{lang}.pdf"
        capsys.readouterr()
        argv = ["--db", str(tmp_path / f"{firm}.db"), "report", "inspection", JOB]
        assert main([*argv, "--out", str(out), "--lang", lang]) == 0
        said = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert said["lot_id"] == L1 and said["readings"] == 7 and said["all_pass"] is False
        pages[firm] = pdftotext(out)
    # Runs of spaces are layout, not text: one space for each.
    lead, grind = (re.sub(" +", " ", "\n".join(pages[f])) for f in ("F001", "F012"))
    ja = lang == "ja"
    for text in (lead, grind):
        for must in [
            "検査成績書" if ja else "Inspection Record",
            "SHAFT-1", "D-1", L1, JOB, "100",
            "外径 OD", "全長 L", "10.000", "±0.010", "+0.10 / -0", "9.990", "10.010",
            "10.002", "9.995", "10.003", "10.012", "10.001", "50.05",
            "10.300",  # the value the correction replaced, named as such
            "山田精機", "羽田研削", "F001-OP-1", "F012-OP-1",
            "Mitutoyo (sim)", "Mitutoyo USB-ITN", "S/N A1B2", "RS-232C ttyUSB0",
            "手入力" if ja else "Typed",
            "検査者" if ja else "Inspector", "承認者" if ja else "Approved by",
            "1 / 1 ページ" if ja else "Page 1 of 1",
            "10 旋盤" if ja else "10 Turning", "30 研削" if ja else "30 Grinding",
        ]:  # fmt: skip
            assert must in text, (must, lang)
        # Word and mark: five passes and one failure among the OD and length readings.
        word_pass, word_fail = ("○ 合格", "✖ 不合格") if ja else ("○ PASS", "✖ FAIL")
        rows_fail = [ln for ln in text.splitlines() if "10.012" in ln and "=" not in ln]
        assert len(rows_fail) == 1 and word_fail in rows_fail[0]
        for v in ("10.002", "9.995", "10.001", "50.05", "50.08"):
            row = next(ln for ln in text.splitlines() if v in ln and "=" not in ln)
            assert word_pass in row and word_fail not in row, row
        summary = " 最小 9.995 最大 10.012" if ja else " min 9.995 max 10.012"
        assert re.search(r"n ?= ?5" + summary, text), summary
        assert ("✖ 不合格 1 / 5" if ja else "✖ 1 of 5 fail") in text
        assert ("○ 全数合格" if ja else "○ all pass") in text  # the length
        assert "全事業者・全工程" in text or not ja
    assert min(word_heights(tmp_path / f"F001-{lang}.pdf")) >= MIN_WORD_HEIGHT
    # Operator names: each firm's roster names its own people, and only them.
    assert "山田 太郎" in lead and "鈴木 次郎" not in lead
    assert "鈴木 次郎" in grind and "山田 太郎" not in grind
    # The customer is on the lead firm's record only, even though this test fed the
    # grinder the lead's unredacted JobCreated.
    assert "Secret Motors" in lead and ("顧客" if ja else "Customer") in lead
    assert "Secret Motors" not in grind and ("顧客" if ja else "Customer") not in grind


@needs_poppler
def test_forty_characteristics_run_onto_a_second_page_with_the_header(tmp_path: Path) -> None:
    s = Shop()
    s.ok(LEAD, lambda j: C.receive(j, LEAD, L1, 10, 100))
    for i in range(40):
        spec = {**OD, "characteristic": f"寸法 D{i + 1:02d}"}
        s.measure(LEAD, L1, 10, spec, f"10.00{i % 10}")
    with open_firm(tmp_path, s, "F001") as store:
        rec = gather(store, JOB, L1)
    assert len(rec.characteristics) == 40
    from app.ui.inspection_print import write_pdf

    out = tmp_path / "long.pdf"
    n = write_pdf(rec, out)
    pages = pdftotext(out)
    assert n == len(pages) >= 2
    for i, page in enumerate(pages, 1):
        for must in ("検査成績書", "SHAFT-1", L1, JOB, "測定値", f"{i} / {n} ページ"):
            assert must in page, (i, must)
    text = "\n".join(pages)
    for i in range(40):  # every characteristic printed, none lost at a page break
        assert f"寸法 D{i + 1:02d}" in text
    assert "検査者" in pages[-1] and "検査者" not in pages[0]
    # One reading is its own summary: no "n = 1" rows to fill the pages.
    assert not re.search(r"n ?= ?1\b", text)
    assert min(word_heights(out)) >= MIN_WORD_HEIGHT  # nothing shrunk below 8 pt


def test_a_split_lot_carries_its_parents_readings_from_before_the_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = Shop()
    s.ok(LEAD, lambda j: C.receive(j, LEAD, L1, 10, 100))
    s.ok(LEAD, lambda j: C.start(j, LEAD, L1, 10))
    s.measure(LEAD, L1, 10, OD, "10.004")
    s.ok(LEAD, lambda j: C.finish(j, LEAD, L1, 10, 100, 0, 0))
    s.ok(LEAD, lambda j: C.split(j, LEAD, L1, 10, 30))
    s.measure(LEAD, L1, 10, OD, "10.007")  # the parent's, after the split: not the child's
    s.measure(LEAD, L2, 10, OD, "9.999")  # the child's own
    with open_firm(tmp_path, s, "F001") as store:
        child = gather(store, JOB, L2)
        parent = gather(store, JOB, L1)
    assert child.parent_lot == L1 and child.lot_qty == 30
    assert [(str(r.value), r.lot_id) for r in child.characteristics[0].readings] == [
        ("10.004", L1),
        ("9.999", L2),
    ]
    assert [str(r.value) for r in parent.characteristics[0].readings] == ["10.004", "10.007"]
    # The command line asks which lot when there are several, naming them.
    argv = ["--db", str(tmp_path / "F001.db"), "report", "inspection", JOB]
    assert main([*argv, "--out", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err
    assert "choose_lot" in err and L1 in err and L2 in err
    assert not (tmp_path / "x.pdf").exists()
    assert main([*argv, "--lot", f"{JOB}-L9", "--out", str(tmp_path / "x.pdf")]) == 1
    assert "unknown_lot" in capsys.readouterr().err
