"""The 日報 (daily report): a shop's day built through the core commands with an explicit
clock, its figures computed again here from the raw events, and the printed PDF read
back with ``pdftotext``."""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from app.core import commands as C
from app.core.commands import Actor
from app.core.model import JobSpec, Route
from app.store import Store
from app.store.daily import daily_report
from app.store.firms import save_firms
from app.store.reports import day_review
from wire.events import Event

JST = timezone(timedelta(hours=9))
DAY = date(2026, 12, 1)
FIRM = "F001"
ROUTE = Route.from_dicts(
    [{"seq": 10, "process": "LATHE", "firm": FIRM}, {"seq": 20, "process": "HEAT", "firm": "F007"}]
)
BOSS = Actor(FIRM, "F001-OP-YAMADA", C.OWNER)
SATO = Actor(FIRM, "F001-OP-SATO")
SUZUKI = Actor(FIRM, "F001-OP-SUZUKI")
MACHINE = Actor(FIRM)
DATES = {"ja": "2026年12月1日 (火)", "en": "Tue 1 Dec 2026"}
NAMES = {BOSS.operator: "山田 太郎", SATO.operator: "佐藤 花子", SUZUKI.operator: "鈴木 一郎"}

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


class Shop:
    """A store whose clock is set by the test: ``at(hh, mm)`` on the report's day."""

    def __init__(self, path: Path) -> None:
        self.t = datetime(2026, 11, 30, 7, 0, tzinfo=JST)
        self.store = Store.open(path, firm_id=FIRM, now=self.now)
        save_firms(self.store, [{"code": FIRM, "name": "山田精機", "region": "ota"}])
        roster: dict[str, Any] = {}
        for actor in (BOSS, SATO, SUZUKI):
            assert actor.operator is not None
            role = C.OWNER if actor is BOSS else C.OPERATOR
            cmd = C.save_operator(
                roster, BOSS, operator_id=actor.operator, name=NAMES[actor.operator], role=role
            )
            assert self.store.record(cmd).ok
            roster = self.store.operators()

    def now(self) -> str:
        return self.t.astimezone(UTC).isoformat(timespec="milliseconds")

    def at(self, hh: int, mm: int = 0, d: date = DAY) -> Shop:
        self.t = datetime(d.year, d.month, d.day, hh, mm, tzinfo=JST)
        return self

    def do(self, make: Callable[..., Any], job_id: str | None, *args: Any, **kw: Any) -> None:
        job = self.store.job(job_id) if job_id else None
        cmd = make(job, *args, **kw) if job_id else make(*args, **kw)
        res = self.store.record(cmd)
        assert res.ok, (make.__name__, res.reason, res.detail)

    def job(self, job_id: str, part: str, qty: int) -> str:
        spec = JobSpec(job_id, part, qty, date(2026, 12, 20), FIRM, ROUTE)
        self.do(C.create_job, job_id, BOSS, spec)
        return f"{job_id}-L1"

    def machine(self, name: str, state: str) -> None:
        self.do(C.machine_state, None, MACHINE, name, state, None)


def build_day(shop: Shop) -> None:
    j1 = shop.at(7, 30).job("F001-J1", "SHAFT-100-A2-HRC58", 20)
    j2 = shop.job("F001-J2", "PIN-22", 10)
    # The day before: one machine stopped in the evening, one ran into the night.
    shop.at(18, 0, DAY - timedelta(days=1)).machine("MC-1", "stop")
    shop.at(20, 0, DAY - timedelta(days=1)).machine("LATHE-2", "run")
    shop.at(2, 0).machine("LATHE-2", "stop")
    shop.at(8, 0).do(C.receive, "F001-J1", SATO, j1, 10, 20)
    shop.do(C.receive, "F001-J2", SUZUKI, j2, 10, 10)
    shop.at(8, 5).do(C.start, "F001-J1", SATO, j1, 10)
    shop.at(8, 10).machine("MC-1", "run")
    shop.at(9, 5).do(C.pause, "F001-J1", SATO, j1, 10, "SETUP")
    shop.at(9, 20).do(C.resume, "F001-J1", SATO, j1, 10)
    shop.do(C.start, "F001-J2", SUZUKI, j2, 10)
    shop.at(10, 0).do(C.pause, "F001-J1", SATO, j1, 10, "BREAK")
    shop.at(10, 10).do(C.resume, "F001-J1", SATO, j1, 10)
    shop.at(10, 40).do(C.pause, "F001-J2", SUZUKI, j2, 10, "TOOL")
    shop.at(10, 55).do(C.resume, "F001-J2", SUZUKI, j2, 10)
    shop.at(11, 30).do(C.record_defect, "F001-J1", SATO, j1, 10, "DIM", 2, "scrap")
    shop.do(C.record_defect, "F001-J1", SATO, j1, 10, "SCRATCH", 1, "rework")
    shop.at(11, 40).machine("MC-1", "stop")
    shop.at(11, 45).do(C.finish, "F001-J1", SATO, j1, 10, 17, 1, 2)
    shop.at(12, 0).do(C.pause, "F001-J2", SUZUKI, j2, 10, "BREAK")
    shop.at(13, 0).do(C.resume, "F001-J2", SUZUKI, j2, 10)
    shop.machine("MC-1", "run")
    shop.at(13, 30).do(C.record_defect, "F001-J2", SATO, j2, 10, "SCRATCH", 1, "rework")
    shop.at(14, 0).do(C.finish, "F001-J2", SUZUKI, j2, 10, 9, 1, 0)
    shop.at(15, 0).machine("MC-1", "alarm")
    shop.at(15, 20).machine("MC-1", "stop")
    # The report is printed the next morning: the whole day is over.
    shop.at(8, 0, DAY + timedelta(days=1))


def _t(e: Event) -> datetime:
    return datetime.fromisoformat(e.occurred_at)


def independent(events: list[Event], lo: datetime, hi: datetime) -> dict[str, Any]:
    """The day's figures straight from the raw events, without the core's state."""
    work: dict[str, float] = defaultdict(float)
    paused: dict[str, float] = defaultdict(float)
    counts = {"received": 0, "good": 0, "defect": 0, "scrap": 0}
    defects: dict[str, int] = defaultdict(int)
    running: dict[str, datetime] = {}
    pausing: dict[str, tuple[str, datetime]] = {}
    machines: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    machine_at: dict[str, tuple[str, datetime]] = {}

    def clip(a: datetime, b: datetime) -> float:
        return max(0.0, (min(b, hi) - max(a, lo)).total_seconds())

    for e in sorted(events, key=_t):
        key, at = f"{e.job_id}/{e.op}", _t(e)
        if e.type == "MachineStateChanged":
            m = e.payload["machine"]
            if m in machine_at:
                state, since = machine_at[m]
                machines[m][state] += clip(since, at)
            machine_at[m] = (e.payload["state"], at)
            continue
        if e.type in ("OpStarted", "OpResumed"):
            if e.type == "OpResumed":
                reason, since = pausing.pop(key)
                paused[reason] += clip(since, at)
            running[key] = at
        elif e.type in ("OpPaused", "OpFinished"):
            work[key] += clip(running.pop(key), at)
            if e.type == "OpPaused":
                pausing[key] = (e.payload["reason"], at)
        in_day = lo <= at < hi
        if e.type == "OpFinished" and in_day:
            for k in ("good", "defect", "scrap"):
                counts[k] += e.payload[k]
        if e.type == "LotReceived" and in_day:
            counts["received"] += e.payload["count"]
        if e.type == "DefectRecorded" and in_day:
            defects[e.payload["code"]] += e.payload["count"]
    for m, (state, since) in machine_at.items():
        machines[m][state] += clip(since, hi)
    return {
        "work": {k: v / 60 for k, v in work.items()},
        "paused": {k: v / 60 for k, v in paused.items()},
        "counts": counts,
        "defects": dict(defects),
        "machines": {m: {s: v / 60 for s, v in st.items()} for m, st in machines.items()},
    }


def hm(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60}:{m % 60:02d}"


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", "-layout", *pages, str(pdf), "-"], check=True, capture_output=True, text=True
    )
    return out.stdout


def test_daily_figures_match_the_raw_events_and_the_review(tmp_path: Path) -> None:
    shop = Shop(tmp_path / "d.db")
    build_day(shop)
    s = shop.store
    r = daily_report(s, DAY, FIRM, JST)
    lo = datetime(2026, 12, 1, tzinfo=JST)
    want = independent(s.events(), lo, lo + timedelta(days=1))
    # Hand-checked: J1 60 + 40 + 95, J2 80 + 65 + 60 minutes of work.
    assert want["work"] == {"F001-J1/10": 195, "F001-J2/10": 205}
    assert want["paused"] == {"SETUP": 15, "BREAK": 70, "TOOL": 15}
    steps = {f"{x.job_id}/{x.seq}": x for x in r.steps}
    assert {k: v.worked_s / 60 for k, v in steps.items()} == want["work"]
    assert {k: v / 60 for k, v in r.paused_s.items()} == want["paused"]
    assert {k: r.total(k) for k in want["counts"]} == want["counts"]
    assert want["counts"] == {"received": 30, "good": 26, "defect": 2, "scrap": 2}
    assert {d.code: d.count for d in r.defects} == want["defects"] == {"DIM": 2, "SCRATCH": 2}
    machines = {m.machine: {k: v / 60 for k, v in m.seconds.items()} for m in r.machines}
    assert machines == want["machines"]
    assert machines["MC-1"] == {"stop": 490 + 80 + 520, "run": 210 + 120, "alarm": 20}
    assert machines["LATHE-2"] == {"run": 120, "stop": 22 * 60}
    assert steps["F001-J1/10"].operators == (SATO.operator,)
    assert steps["F001-J2/10"].operators == (SUZUKI.operator, SATO.operator)
    assert r.firm_name == "山田精機"

    # The review screen's figures are the same ones.
    review = day_review(s, DAY, FIRM, JST)
    assert review.good_today == r.total("good")
    assert review.defective_today == r.total("defect") + r.total("scrap")
    assert {d["code"]: d["count"] for d in review.defects} == {d.code: d.count for d in r.defects}
    assert review.working_hours_today == round(400 / 60, 2)
    s.close()


def test_work_across_midnight_counts_only_the_days_hours(tmp_path: Path) -> None:
    shop = Shop(tmp_path / "m.db")
    lot = shop.at(21, 0, DAY - timedelta(days=1)).job("F001-J9", "NIGHT", 5)
    shop.do(C.receive, "F001-J9", SATO, lot, 10, 5)
    shop.at(22, 0, DAY - timedelta(days=1)).do(C.start, "F001-J9", SATO, lot, 10)
    shop.at(1, 30).do(C.pause, "F001-J9", SATO, lot, 10, "MATERIAL")
    shop.at(3, 0).do(C.resume, "F001-J9", SATO, lot, 10)
    shop.at(4, 0)  # still running when the report is made: counted up to now
    before = daily_report(shop.store, DAY - timedelta(days=1), FIRM, JST)
    today = daily_report(shop.store, DAY, FIRM, JST)
    assert before.worked_s == 2 * 3600  # 22:00 to midnight
    assert today.worked_s == (90 + 60) * 60
    assert today.paused_s == {"MATERIAL": 90 * 60}
    (step,) = today.steps
    assert (step.status, step.finished, step.received, step.operators) == (
        "running",
        False,
        0,
        (SATO.operator,),
    )
    shop.store.close()


@needs_poppler
def test_printed_report_shows_every_figure(tmp_path: Path) -> None:
    from app.ui.daily_report_print import write_pdf

    shop = Shop(tmp_path / "p.db")
    build_day(shop)
    r = daily_report(shop.store, DAY, FIRM, JST)
    shots = Path("/tmp/daily-shots")
    for lang in ("ja", "en"):
        pdf = tmp_path / f"daily-{lang}.pdf"
        assert write_pdf(r, pdf, lang=lang) == 1
        text = pdf_text(pdf)
        flat = " ".join(text.split())
        assert DATES[lang] in text and "山田精機" in text
        for name in ("佐藤 花子", "鈴木 一郎"):
            assert name in text
        # Long values wrap onto more lines: none is cut or shrunk away.
        for part in ("SHAFT-100-A2-HRC58", "PIN-22", "F001-J1-L1", "F001-J2-L1"):
            assert part in "".join(text.split())
        # Working time per step and in all, pauses by reason, counts, defects, machines.
        assert "3:15" in text and "3:25" in text and "6:40" in text
        reasons = {"ja": ("段取り", "休憩", "工具交換"), "en": ("Set-up", "Break", "Tool change")}
        for reason, minutes in zip(reasons[lang], (15, 70, 15), strict=True):
            assert f"{reason} {hm(minutes)}" in flat
        assert "17 1 2" in flat and "9 1 0" in flat  # good, defect, scrap per step
        assert "30 26 2 2" in flat  # the day's totals: received, good, defect, scrap
        codes = {"ja": ("寸法不良", "キズ"), "en": ("Out of tolerance", "Scratch")}
        assert f"{codes[lang][0]} 2 SHAFT-100-A2-HRC58" in flat
        assert f"{codes[lang][1]} 2 SHAFT-100-A2-HRC58, PIN-22" in flat
        assert "MC-1 5:30 18:10 0:20 0:00" in flat
        assert "LATHE-2 2:00 22:00 0:00 0:00" in flat
        seal = {"ja": ("社長印", "確認", "特記事項"), "en": ("Owner", "Checked", "Remarks")}
        assert all(w in text for w in seal[lang])
        assert ("1 / 1" if lang == "ja" else "Page 1 of 1") in text
        shots.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "150",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(shots / f"daily-{lang}"),
            ],
            check=True,
        )
    shop.store.close()


@needs_poppler
def test_a_firms_own_defect_code_and_pause_reason_print_by_name(tmp_path: Path) -> None:
    """A firm's own codes (not in the built-in catalogue) are named by their events:
    欠け (KAKE) in the Japanese 日報, Chipped (KAKE) in the English, never the bare code."""
    from app.core.catalog import CatalogueEntry
    from app.ui.daily_report_print import write_pdf

    shop = Shop(tmp_path / "own.db")
    lot = shop.at(8, 0).job("F001-J5", "GEAR-5", 10)
    shop.do(C.receive, "F001-J5", SATO, lot, 10, 10)
    shop.do(C.start, "F001-J5", SATO, lot, 10)
    wait = CatalogueEntry("WAIT_QC", "検査待ち", "Waiting for QC")
    shop.at(9, 0).do(C.pause, "F001-J5", SATO, lot, 10, "WAIT_QC", own=wait)
    shop.at(9, 40).do(C.resume, "F001-J5", SATO, lot, 10)
    kake = CatalogueEntry("KAKE", "欠け", "Chipped")
    shop.at(10, 0).do(C.record_defect, "F001-J5", SATO, lot, 10, "KAKE", 3, "scrap", own=kake)
    shop.at(11, 0).do(C.finish, "F001-J5", SATO, lot, 10, 7, 0, 3)
    shop.at(8, 0, DAY + timedelta(days=1))
    r = daily_report(shop.store, DAY, FIRM, JST)
    assert r.defect_names == {"KAKE": ("欠け", "Chipped")}
    assert r.pause_names == {"WAIT_QC": ("検査待ち", "Waiting for QC")}
    for lang, defect, pause in (("ja", "欠け", "検査待ち"), ("en", "Chipped", "Waiting for QC")):
        pdf = tmp_path / f"own-{lang}.pdf"
        write_pdf(r, pdf, lang=lang)
        flat = " ".join(pdf_text(pdf).split())
        assert f"{defect} (KAKE) 3 GEAR-5" in flat, flat
        assert f"{pause} (WAIT_QC) 0:40" in flat, flat
    shop.store.close()


@needs_poppler
def test_a_long_day_runs_onto_a_second_page_with_the_header(tmp_path: Path) -> None:
    from app.ui.daily_report_print import write_pdf

    shop = Shop(tmp_path / "long.db")
    for n in range(30):
        jid = f"F001-K{n:02d}"
        lot = shop.at(8, n).job(jid, f"PART-{n:02d}", 4)
        shop.do(C.receive, jid, SATO, lot, 10, 4)
        shop.do(C.start, jid, SATO, lot, 10)
        shop.at(9, n).do(C.finish, jid, SATO, lot, 10, 4, 0, 0)
    # Printed at 09:29, the moment the last step was finished: it is finished.
    r = daily_report(shop.store, DAY, FIRM, JST)
    assert len(r.steps) == 30 and all(x.finished for x in r.steps)
    assert r.total("good") == 120 and r.worked_s == 30 * 3600
    for lang in ("ja", "en"):
        pdf = tmp_path / f"long-{lang}.pdf"
        pages = write_pdf(r, pdf, lang=lang)
        assert pages == 2
        first, second = pdf_text(pdf, 1), pdf_text(pdf, 2)
        rows = [f"PART-{n:02d}" for n in range(30)]
        on_first = [p for p in rows if p in first]
        on_second = [p for p in rows if p in second]
        assert on_first and on_second and sorted(on_first + on_second) == rows
        for page, text in ((1, first), (2, second)):
            assert DATES[lang] in text and "山田精機" in text
            assert (f"{page} / 2" if lang == "ja" else f"Page {page} of 2") in text
        # The column heads come again on the second page.
        assert ("作業者" if lang == "ja" else "Operators") in second
    shop.store.close()


@needs_poppler
def test_cli_writes_the_days_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse
    import json

    from app.cli import main
    from app.commands.report import report_parser

    monkeypatch.setenv("NAKAMA_SETTINGS", str(tmp_path / "settings.json"))
    shop = Shop(tmp_path / "c.db")
    build_day(shop)
    shop.store.close()
    out = tmp_path / "nippo.pdf"
    argv = ["--db", str(tmp_path / "c.db"), "report", "daily", "--date", "2026-12-01"]
    assert main([*argv, "--out", str(out), "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["pages"], printed["steps"], printed["worked_min"]) == (1, 2, 400)
    assert "Daily report" in pdf_text(out) and not out.with_name("nippo.pdf.part").exists()
    assert main([*argv, "--out", str(out), "--tz", "Mars/Olympus"]) == 2
    # One `report` command, whichever report module registers first.
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    assert report_parser(sub) is report_parser(sub)
    assert list(sub.choices) == ["report"]
