"""CSV exports of jobs, steps, defects and measurements that open right in Japanese Excel.

What Excel on a Japanese PC needs, and what it gets here:

* UTF-8 **with a BOM**: without it Excel reads the file as Shift_JIS and 注番 turns to
  mojibake;
* CRLF line ends (RFC 4180; Excel's own);
* times as ``2026/12/01 09:05`` and dates as ``2026/12/24`` in the shop's time zone:
  the forms Excel's Japanese locale takes as a date (ISO ``T…+09:00`` stays text);
* numbers unquoted (Excel sums them), text quoted only where CSV needs it;
* Japanese column heads (English ones with ``lang="en"``).

The rows come from the store's replayed state (``Store.job``), the same state the
screens and the paperwork read; ``rows`` gives them to a screen without writing a file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.core import catalog
from app.core.state import JobState
from app.store.daily import SHOP_TZ
from app.store.inspection import gather
from app.store.store import Store

KINDS = ("jobs", "steps", "defects", "measurements")
SHOP_ZONE = ZoneInfo(SHOP_TZ)
_PROCESSES = catalog.processes()
_DEFECTS = catalog.defects()
_DISPOSITIONS = {
    "rework": ("手直し", "rework"),
    "scrap": ("廃棄", "scrap"),
    "hold": ("保留", "hold"),
    "accept": ("特採", "accept"),
}
_STATUS = {
    "waiting": ("未着手", "waiting"),
    "running": ("作業中", "running"),
    "paused": ("中断中", "paused"),
    "done": ("完了", "done"),
}

# kind -> [(key, 日本語, English)]: the columns, in order.
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "jobs": [
        ("job_id", "注番", "Job No."),
        ("part_no", "品番", "Part No."),
        ("part_name", "品名", "Part name"),
        ("drawing_no", "図番", "Drawing No."),
        ("revision", "版", "Revision"),
        ("material", "材質", "Material"),
        ("qty", "数量", "Quantity"),
        ("due", "納期", "Due"),
        ("lead_firm", "元請", "Lead firm"),
        ("customer", "顧客", "Customer"),
        ("steps", "工程数", "Steps"),
        ("lots", "ロット数", "Lots"),
        ("created_at", "登録日時", "Created"),
        ("note", "備考", "Note"),
    ],
    "steps": [
        ("job_id", "注番", "Job No."),
        ("lot_id", "ロット", "Lot"),
        ("part_no", "品番", "Part No."),
        ("seq", "工程No.", "Step"),
        ("process", "工程名", "Process"),
        ("firm", "加工先", "Firm"),
        ("status", "状態", "Status"),
        ("received", "受入数", "Received"),
        ("good", "良品", "Good"),
        ("defect", "不良", "Defect"),
        ("scrap", "廃棄", "Scrap"),
        ("handed_off", "出荷数", "Handed off"),
        ("worked_min", "作業時間(分)", "Worked (min)"),
        ("paused_min", "中断時間(分)", "Paused (min)"),
        ("started_at", "着手日時", "Started"),
        ("finished_at", "完了日時", "Finished"),
        ("step_due", "工程納期", "Step due"),
    ],
    "defects": [
        ("occurred_at", "日時", "Time"),
        ("job_id", "注番", "Job No."),
        ("lot_id", "ロット", "Lot"),
        ("part_no", "品番", "Part No."),
        ("seq", "工程No.", "Step"),
        ("process", "工程名", "Process"),
        ("firm", "加工先", "Firm"),
        ("code", "不良コード", "Defect code"),
        ("defect", "不良内容", "Defect"),
        ("count", "個数", "Count"),
        ("disposition", "処置", "Disposition"),
        ("operator", "作業者", "Operator"),
        ("note", "備考", "Note"),
    ],
    "measurements": [
        ("occurred_at", "測定日時", "Measured at"),
        ("job_id", "注番", "Job No."),
        ("lot_id", "ロット", "Lot"),
        ("part_no", "品番", "Part No."),
        ("seq", "工程No.", "Step"),
        ("process", "工程名", "Process"),
        ("firm", "事業者", "Firm"),
        ("characteristic", "特性", "Characteristic"),
        ("nominal", "基準値", "Nominal"),
        ("tol_plus", "上の許容差", "Tol. +"),
        ("tol_minus", "下の許容差", "Tol. -"),
        ("value", "測定値", "Value"),
        ("unit", "単位", "Unit"),
        ("result", "判定", "Result"),
        ("instrument", "測定器", "Instrument"),
        ("operator", "測定者", "Measured by"),
        ("corrected_from", "訂正前の値", "Corrected from"),
    ],
}
_RESULT = {True: ("合格", "pass"), False: ("不合格", "fail")}


@dataclass(frozen=True, slots=True)
class Period:
    """Local days ``start``..``end`` (both included) in ``tz``; None: open-ended."""

    start: date | None = None
    end: date | None = None
    tz: tzinfo = SHOP_ZONE

    def holds(self, iso: str | None) -> bool:
        if not iso:
            return False
        day = datetime.fromisoformat(iso).astimezone(self.tz).date()
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def excel_time(iso: str | None, tz: tzinfo) -> str:
    """``2026/12/01 09:05`` in the shop's zone: what Japanese Excel reads as a date-time."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%Y/%m/%d %H:%M")


def excel_date(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%Y/%m/%d") if iso else ""


def _name(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    pair = table.get(code)
    return (pair[0] if lang == "ja" else pair[1]) if pair else code


def _process(code: str, lang: str) -> str:
    e = _PROCESSES.get(code)
    return e.name(lang) if e else code


def _defect(code: str, lang: str) -> str:
    e = _DEFECTS.get(code)
    return e.name(lang) if e else code


def _jobs(store: Store) -> Iterable[JobState]:
    for row in sorted(store.jobs(), key=lambda r: (r.get("created_at") or "", r["job_id"])):
        job = store.job(row["job_id"])
        if job is not None and job.created_at:
            yield job


def _operator_of(job: JobState, event_id: str) -> str:
    for (_terminal, eid), operator in job.operators.items():
        if eid == event_id:
            return operator
    return ""


def _job_rows(store: Store, period: Period, lang: str) -> Iterable[dict[str, Any]]:
    for job in _jobs(store):
        whole = period.start is None and period.end is None
        if not whole and not period.holds(job.created_at):
            continue
        yield {
            "job_id": job.job_id,
            "part_no": job.part_no,
            "part_name": job.part_name,
            "drawing_no": job.drawing_no,
            "revision": job.revision,
            "material": job.material,
            "qty": job.qty,
            "due": excel_date(job.due),
            "lead_firm": job.lead_firm,
            "customer": job.customer,
            "steps": len(job.route.ops),
            "lots": len(job.lots),
            "created_at": excel_time(job.created_at, period.tz),
            "note": job.note,
        }


def _step_rows(store: Store, period: Period, lang: str) -> Iterable[dict[str, Any]]:
    whole = period.start is None and period.end is None
    for job in _jobs(store):
        for lot in job.lots.values():
            for seq in sorted(lot.ops):
                p = lot.ops[seq]
                if not whole and not (period.holds(p.started_at) or period.holds(p.finished_at)):
                    continue
                yield {
                    "job_id": job.job_id,
                    "lot_id": lot.lot_id,
                    "part_no": job.part_no,
                    "seq": seq,
                    "process": _process(p.process, lang),
                    "firm": p.firm,
                    "status": _name(_STATUS, p.status, lang),
                    "received": p.received,
                    "good": p.good,
                    "defect": p.defect,
                    "scrap": p.scrap,
                    "handed_off": p.handed_off,
                    "worked_min": round(p.working_s / 60),
                    "paused_min": round(sum(p.paused_s.values()) / 60),
                    "started_at": excel_time(p.started_at, period.tz),
                    "finished_at": excel_time(p.finished_at, period.tz),
                    "step_due": excel_date(job.step_info.get(str(seq), {}).get("due")),
                }


def _defect_rows(store: Store, period: Period, lang: str) -> Iterable[dict[str, Any]]:
    whole = period.start is None and period.end is None
    rows = []
    for job in _jobs(store):
        for d in job.defects:
            if not whole and not period.holds(d.occurred_at):
                continue
            op = job.route.op(d.op) if d.op is not None else None
            rows.append(
                (
                    d.occurred_at,
                    {
                        "occurred_at": excel_time(d.occurred_at, period.tz),
                        "job_id": job.job_id,
                        "lot_id": d.lot_id,
                        "part_no": job.part_no,
                        "seq": d.op if d.op is not None else "",
                        "process": _process(op.process, lang) if op else "",
                        "firm": op.firm if op else "",
                        "code": d.code,
                        "defect": _defect(d.code, lang),
                        "count": d.count,
                        "disposition": _name(_DISPOSITIONS, d.disposition, lang),
                        "operator": _operator_of(job, d.event_id),
                        "note": d.note,
                    },
                )
            )
    return [r for _at, r in sorted(rows, key=lambda a: a[0])]


def _measurement_rows(store: Store, period: Period, lang: str) -> Iterable[dict[str, Any]]:
    whole = period.start is None and period.end is None
    rows = []
    for job in _jobs(store):
        seen: set[str] = set()  # a child lot's record repeats its parent's readings
        for lot_id in job.lots:
            record = gather(store, job.job_id, lot_id)
            for c in record.characteristics:
                for r in c.readings:
                    if r.event_id in seen or not (whole or period.holds(r.occurred_at)):
                        continue
                    seen.add(r.event_id)
                    rows.append(
                        (
                            r.occurred_at,
                            {
                                "occurred_at": excel_time(r.occurred_at, period.tz),
                                "job_id": job.job_id,
                                "lot_id": r.lot_id,
                                "part_no": job.part_no,
                                "seq": r.op,
                                "process": _process(r.process, lang),
                                "firm": r.firm,
                                "characteristic": c.name,
                                "nominal": c.nominal,
                                "tol_plus": c.tol_plus,
                                "tol_minus": c.tol_minus,
                                "value": r.value,
                                "unit": c.unit,
                                "result": _RESULT[r.in_tolerance][lang != "ja"],
                                "instrument": r.instrument,
                                "operator": r.operator_id,
                                "corrected_from": r.corrected_from
                                if r.corrected_from is not None
                                else "",
                            },
                        )
                    )
    return [r for _at, r in sorted(rows, key=lambda a: a[0])]


_ROWS: dict[str, Callable[[Store, Period, str], Iterable[dict[str, Any]]]] = {
    "jobs": _job_rows,
    "steps": _step_rows,
    "defects": _defect_rows,
    "measurements": _measurement_rows,
}


def rows(
    store: Store, kind: str, period: Period | None = None, lang: str = "ja"
) -> tuple[list[str], list[list[Any]]]:
    """Column heads and rows of one export (``kind`` in ``KINDS``), as a screen shows them.
    Raises ``KeyError`` for an unknown kind."""
    cols = COLUMNS[kind]
    heads = [ja if lang == "ja" else en for _k, ja, en in cols]
    data = [[r[k] for k, _ja, _en in cols] for r in _ROWS[kind](store, period or Period(), lang)]
    return heads, data


def _cell(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")
    return v


def to_csv(heads: list[str], data: list[list[Any]]) -> bytes:
    """The bytes of the CSV file: BOM, CRLF, numbers bare, text quoted where needed."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(heads)
    w.writerows([[_cell(v) for v in row] for row in data])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def write_csv(
    store: Store, kind: str, out: Path, *, period: Period | None = None, lang: str = "ja"
) -> int:
    """Write one export to ``out`` (beside it first, then moved into place); returns the
    number of rows."""
    heads, data = rows(store, kind, period, lang)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_bytes(to_csv(heads, data))
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(data)
