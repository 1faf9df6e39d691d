"""CSV exports for Japanese Excel: the bytes Excel needs (BOM, CRLF, dates it reads, bare
numbers), and every row compared with the shop's raw events replayed here by hand."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.core import commands as C
from app.store.export import COLUMNS, KINDS, Period, rows, to_csv, write_csv
from tests.test_daily_report import DAY, JST, SATO, Shop, build_day

EXCEL_TIME = "%Y/%m/%d %H:%M"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    s = Shop(tmp_path_factory.mktemp("export") / "shop.db")
    build_day(s)
    # Measurements, one of them out of tolerance, and a day later a second lot's work.
    spec = {"characteristic": "外径 φ12", "nominal": "12.000", "tol_minus": "0.010",
            "tol_plus": "0.010"}  # fmt: skip
    s.at(11, 0).do(C.measure, "F001-J1", SATO, "F001-J1-L1", 10, **spec, value="12.004")
    s.at(11, 5).do(C.measure, "F001-J1", SATO, "F001-J1-L1", 10, **spec, value="12.013")
    later = s.at(9, 0, DAY + timedelta(days=2))
    note = '端面, "C0.5" 不足'
    later.do(C.record_defect, "F001-J2", SATO, "F001-J2-L1", 10, "BURR", 3, "rework", note=note)
    return s


def _parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    text = data[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline="")))


def _events(shop: Shop) -> list[Any]:
    return [e for e in shop.store.events() if e.job_id]


def _excel(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(JST).strftime(EXCEL_TIME)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_bytes_are_what_japanese_excel_reads(shop: Shop, kind: str, lang: str) -> None:
    heads, data = rows(shop.store, kind, Period(tz=JST), lang)
    table = _parse(to_csv(heads, data))
    want = [ja if lang == "ja" else en for _k, ja, en in COLUMNS[kind]]
    assert table[0] == want
    assert len(table) == len(data) + 1 and data
    # Numbers stand bare (Excel sums them); dates in the form Excel takes as dates.
    raw = to_csv(heads, data)[3:].decode()
    for row in data:
        for v in row:
            if isinstance(v, int | Decimal):
                assert f'"{v}"' not in raw
    if kind == "steps":
        assert ",17,1,2," in raw  # good, defect, scrap of F001-J1-L1 at step 10
    for row in table[1:]:
        for cell in row:
            if cell[:4].isdigit() and "/" in cell and ":" in cell:
                datetime.strptime(cell, EXCEL_TIME)


def test_jobs_match_their_jobcreated_events(shop: Shop) -> None:
    _heads, data = rows(shop.store, "jobs", Period(tz=JST))
    got = {r[0]: dict(zip([k for k, *_ in COLUMNS["jobs"]], r, strict=True)) for r in data}
    created = [e for e in _events(shop) if e.type == "JobCreated"]
    assert sorted(got) == sorted(e.job_id for e in created)
    for e in created:
        row = got[e.job_id]
        assert row["part_no"] == e.payload["part_no"] and row["qty"] == e.payload["qty"]
        assert row["due"] == e.payload["due"].replace("-", "/")
        assert row["created_at"] == _excel(e.occurred_at)
        assert row["steps"] == len(e.payload["route"])


def test_steps_match_a_replay_of_the_raw_events(shop: Shop) -> None:
    want: dict[tuple[str, int], dict[str, int]] = defaultdict(
        lambda: {"received": 0, "good": 0, "defect": 0, "scrap": 0}
    )
    started: dict[tuple[str, int], str] = {}
    for e in _events(shop):
        key = (e.payload.get("lot_id", ""), e.op)
        if e.type == "LotReceived":
            want[key]["received"] += e.payload["count"]
        elif e.type == "OpFinished":
            for k in ("good", "defect", "scrap"):
                want[key][k] += e.payload[k]
        elif e.type == "OpStarted":
            started.setdefault(key, e.occurred_at)
    keys = [k for k, *_ in COLUMNS["steps"]]
    got = {
        (r["lot_id"], r["seq"]): r
        for r in (dict(zip(keys, row, strict=True)) for row in rows(shop.store, "steps")[1])
    }
    for key, counts in want.items():
        for k, v in counts.items():
            assert got[key][k] == v, (key, k)
        if key in started:
            assert got[key]["started_at"] == _excel(started[key])


def test_defects_and_measurements_match_the_raw_events(shop: Shop, tmp_path: Path) -> None:
    out = tmp_path / "defects.csv"
    assert write_csv(shop.store, "defects", out, period=Period(tz=JST)) == 4
    table = _parse(out.read_bytes())
    raw = [e for e in _events(shop) if e.type == "DefectRecorded"]
    raw.sort(key=lambda e: e.occurred_at)
    assert [(r[0], r[2], r[7], int(r[9])) for r in table[1:]] == [
        (_excel(e.occurred_at), e.payload["lot_id"], e.payload["code"], e.payload["count"])
        for e in raw
    ]
    assert table[-1][-1] == '端面, "C0.5" 不足'  # a comma and quotes survive the round trip
    assert table[-1][6] == "F001" and table[-1][10] == "手直し"

    heads, data = rows(shop.store, "measurements", Period(tz=JST))
    measured = [e for e in _events(shop) if e.type == "MeasurementTaken"]
    assert [(str(r[11]), r[13]) for r in data] == [
        (
            e.payload["value"],
            "合格"
            if abs(Decimal(e.payload["value"]) - Decimal(e.payload["nominal"])) <= Decimal("0.01")
            else "不合格",
        )
        for e in measured
    ]
    table = _parse(to_csv(heads, data))
    assert table[1][11] == "12.004" and table[2][13] == "不合格"


def test_a_period_keeps_only_its_days(shop: Shop) -> None:
    day = Period(DAY, DAY, JST)
    assert len(rows(shop.store, "defects", day)[1]) == 3
    later = Period(DAY + timedelta(days=1), None, JST)
    assert [r[7] for r in rows(shop.store, "defects", later)[1]] == ["BURR"]
    assert rows(shop.store, "measurements", later)[1] == []


def test_export_command(shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(shop.store.path)
    out = tmp_path / "m.csv"
    args = ["--db", db, "export", "defects", "--from", "2026-12-01", "--to", "2026-12-01"]
    assert main([*args, "--out", str(out), "--lang", "en"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result == {"ok": True, "kind": "defects", "out": str(out), "rows": 3}
    assert _parse(out.read_bytes())[0][:3] == ["Time", "Job No.", "Lot"]
    assert main([*args[:4], "--from", "2026-13-01", "--out", str(out)]) == 2
