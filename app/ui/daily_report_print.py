"""The printed 日報 (daily report): A4 pages of real text in embedded fonts, laid out with
``app.ui.paper`` (the one layout module of every printed document: fonts, wrapping,
pages, stamp boxes, the ToUnicode fix).

Layout as a shop's paper 日報 has it: title, shop and date at the top with the
sign-off boxes (社長印 / 確認) at the top right of the first page, where a 判子 goes;
the day's totals; one row per job step worked (part, job and lot, step, operators,
working time, pauses by reason, received / good / defect / scrap); pauses by reason;
defects by code; machine time; a remarks box. Rows run onto further pages, each with
the header (shop, date) and "page n / N", and the table's column heads again. Text is
never smaller than ``MIN_PT`` and never cut: a long value wraps and its row grows.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.store.code_names import code_name
from app.store.daily import DailyReport, StepDay
from app.ui.approval_text import approval_lines
from app.ui.paper import MIN_PT, Column, Draw, Flow, Page, document, table
from app.ui.traveler_print import WEEKDAYS, process_name

PAGE_W, PAGE_H = 210.0, 297.0
LEFT, TOP, WIDTH = 12.0, 10.0, 186.0
BOTTOM = PAGE_H - 10.0  # below it only the page number

TEXT: dict[str, tuple[str, str]] = {
    "title": ("作業日報", "Daily report"),
    "shop": ("事業者", "Shop"),
    "date": ("日付", "Date"),
    "page": ("{n} / {of} ページ", "Page {n} of {of}"),
    "owner_seal": ("社長印", "Owner"),
    "checked": ("確認", "Checked"),
    "totals": ("本日の合計", "Totals for the day"),
    "worked": ("作業時間", "Worked"),
    "paused": ("中断時間", "Paused"),
    "received": ("受入", "Rcvd"),
    "good": ("良品", "Good"),
    "defect": ("不良", "Defect"),
    "def_head": ("不良", "Def."),
    "scrap": ("廃棄", "Scrap"),
    "steps": ("作業内容", "Work done"),
    "steps_more": ("作業内容 (続き)", "Work done (continued)"),
    "part": ("品番", "Part No."),
    "job_lot": ("注番 / ロット", "Job / lot"),
    "step": ("工程", "Step"),
    "hours": ("時刻", "Times"),
    "operators": ("作業者", "Operators"),
    "pauses": ("中断 (理由)", "Pauses"),
    "pause_table": ("中断時間 (理由別)", "Pauses by reason"),
    "reason": ("理由", "Reason"),
    "time": ("時間", "Time"),
    "defects": ("不良 (コード別)", "Defects by code"),
    "code": ("不良内容", "Defect"),
    "count": ("個数", "Count"),
    "parts": ("品番", "Parts"),
    "machines": ("機械稼働", "Machine time"),
    "machine": ("機械", "Machine"),
    "run": ("稼働", "Run"),
    "stop": ("停止", "Stop"),
    "alarm": ("異常", "Alarm"),
    "off": ("電源断", "Off"),
    "unknown": ("不明", "Unknown"),
    "ratio": ("稼働率 (24時間)", "Run % (24 h)"),
    "remarks": ("特記事項・連絡事項", "Remarks"),
    "none": ("記録なし", "Nothing recorded"),
    "hm_note": ("時間は 時:分", "times in h:mm"),
    "running": ("作業中", "running"),
    "paused_now": ("中断中", "paused"),
    "until": ("{t} 時点", "as of {t}"),
    "printed": ("印刷 {t}", "Printed {t}"),
}


def long_day(d: date, lang: str) -> str:
    """``2026年12月1日 (火)`` as a Japanese form is dated; ``Tue 1 Dec 2026`` in English."""
    if lang == "ja":
        return f"{d.year}年{d.month}月{d.day}日 ({WEEKDAYS['ja'][d.weekday()]})"
    return f"{WEEKDAYS['en'][d.weekday()]} {d.day} {d.strftime('%b')} {d.year} ({d.isoformat()})"


def t(key: str, lang: str) -> str:
    ja, en = TEXT[key]
    return ja if lang == "ja" else en


def hm(seconds: float) -> str:
    """Hours and minutes, rounded to the minute: ``1:05``."""
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def pause_name(code: str, lang: str, names: dict[str, tuple[str, str]] | None = None) -> str:
    return code_name(code, lang, "pause", names or {})


def defect_name(code: str, lang: str, names: dict[str, tuple[str, str]] | None = None) -> str:
    return code_name(code, lang, "defect", names or {})


# Column layout of the steps table: key, width in mm, alignment.
_L, _C, _R = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignHCenter, Qt.AlignmentFlag.AlignRight
STEP_COLS: list[tuple[str, float, Qt.AlignmentFlag]] = [
    ("part", 24.0, _L),
    ("job_lot", 29.0, _L),
    ("step", 17.0, _L),
    ("hours", 15.0, _C),
    ("operators", 20.0, _L),
    ("worked", 14.0, _R),
    ("pauses", 25.0, _L),
    ("received", 10.0, _R),
    ("good", 10.0, _R),
    ("def_head", 11.0, _R),
    ("scrap", 11.0, _R),
]
LINE_H = 4.2  # one line of 8–9 pt text, in mm
ROW_MIN = 10.0
HEAD_H = 7.0


def _local(at: datetime | None, r: DailyReport) -> str:
    return at.astimezone(r.tz).strftime("%H:%M") if at is not None else ""


def _step_cells(s: StepDay, r: DailyReport, lang: str) -> dict[str, list[str]]:
    """Each cell as its lines; a cell never shrinks, the row grows instead."""
    pauses = [
        f"{pause_name(code, lang, r.pause_names)}\t{hm(secs)}"
        for code, secs in sorted(s.paused_s.items(), key=lambda kv: -kv[1])
    ]
    state = {"running": t("running", lang), "paused": t("paused_now", lang)}.get(s.status, "")
    first, last = _local(s.first_at, r), _local(s.last_at, r)
    hours = [first, f"– {last}"] if first and last != first else [first]
    return {
        "part": [s.part_no],
        "job_lot": [s.job_id, s.lot_id],
        "step": [str(s.seq), process_name(s.process, lang)],
        "hours": [h for h in hours if h] or ["—"],
        "operators": [r.operator_name(o) for o in s.operators] or ["—"],
        "worked": [hm(s.worked_s), state] if state else [hm(s.worked_s)],
        "pauses": pauses or ["—"],
        "received": [f"{s.received:,}" if s.received else ""],
        "good": [f"{s.good:,}" if s.finished else ""],
        "def_head": [f"{s.defect:,}" if s.finished else ""],
        "scrap": [f"{s.scrap:,}" if s.finished else ""],
    }


def layout(r: DailyReport, lang: str, m: Page) -> list[list[tuple[float, Draw]]]:
    """The report as pages of (y, draw) blocks, measured with ``m``; drawing them is the
    second pass (so every page knows how many pages there are)."""
    flow = Flow(top=TOP + 30, bottom=BOTTOM - 6, next_top=TOP + 16)

    def section(key: str) -> None:
        flow.need(8 + HEAD_H + ROW_MIN)
        flow.put(8, lambda pg, y: pg.text(LEFT, y + 1, WIDTH, 6, t(key, lang), 11, bold=True))

    # Totals of the day.
    section("totals")
    totals = [
        ("worked", hm(r.worked_s)),
        ("paused", hm(sum(r.paused_s.values()))),
        ("received", f"{r.total('received'):,}"),
        ("good", f"{r.total('good'):,}"),
        ("defect", f"{r.total('defect'):,}"),
        ("scrap", f"{r.total('scrap'):,}"),
    ]

    def draw_totals(pg: Page, y: float) -> None:
        w = WIDTH / len(totals)
        for i, (key, value) in enumerate(totals):
            x = LEFT + i * w
            pg.fill(x, y, w, 6)
            pg.box(x, y, w, 6)
            pg.box(x, y + 6, w, 10)
            pg.text(x, y, w, 6, t(key, lang), 9, align=_C)
            pg.text(x, y + 6, w, 10, value, 14, bold=True, align=_C)

    flow.put(18, draw_totals)

    # The steps worked, one row each; the column heads again on every page. A value too
    # long for its column wraps onto more lines (the row grows); it is never shrunk
    # below MIN_PT nor cut: a part or lot number is read off this sheet.
    heads = [m.lines(t(key, lang), w - 1.6, MIN_PT, bold=True) for key, w, _a in STEP_COLS]
    head_h = max(HEAD_H, max(len(h) for h in heads) * LINE_H + 1.5)

    def step_head(pg: Page, y: float) -> None:
        x = LEFT
        for (_key, w, _a), lines in zip(STEP_COLS, heads, strict=True):
            pg.fill(x, y, w, head_h)
            pg.box(x, y, w, head_h)
            top = y + (head_h - len(lines) * LINE_H) / 2
            for i, line in enumerate(lines):
                pg.text(
                    x + 0.8, top + i * LINE_H, w - 1.6, LINE_H, line, MIN_PT, bold=True, align=_C
                )
            x += w

    section("steps")
    flow.put(head_h, step_head)
    flow.repeat = [
        (8, lambda pg, y: pg.text(LEFT, y + 1, WIDTH, 6, t("steps_more", lang), 11, bold=True)),
        (head_h, step_head),
    ]
    if not r.steps:
        flow.put(ROW_MIN, lambda pg, y: pg.text(LEFT + 2, y, WIDTH, ROW_MIN, t("none", lang), 9))
    for s in r.steps:
        cells = _step_cells(s, r, lang)
        big: dict[str, tuple[str, float]] = {}  # a one-line value that fits at its own size
        lines: dict[str, list[tuple[str, str]]] = {}
        for key, w, _a in STEP_COLS:
            value = cells[key]
            pt = 10.0 if key in ("part", "worked", "good") else 9.0
            if (
                len(value) == 1
                and "\t" not in value[0]
                and m.fits(value[0], w - 2, pt, key == "part")
            ):
                big[key] = (value[0], pt)
                continue
            out: list[tuple[str, str]] = []
            for item in value:
                name, _tab, when = item.partition("\t")
                bold = key == "part"
                if when and m.fits(name, w - 12, MIN_PT, bold):
                    out.append((name, when))  # a pause: reason left, its time right
                else:
                    out += [(part, "") for part in m.lines(name, w - 2, MIN_PT, bold)]
                    if when:
                        out.append(("", when))
            lines[key] = out
        row_h = max([ROW_MIN] + [len(v) * LINE_H + 1.6 for v in lines.values()])

        def draw_row(
            pg: Page,
            y: float,
            big: dict[str, tuple[str, float]] = big,
            lines: dict[str, list[tuple[str, str]]] = lines,
            row_h: float = row_h,
        ) -> None:
            x = LEFT
            for key, w, align in STEP_COLS:
                pg.box(x, y, w, row_h)
                if key in big:
                    text, pt = big[key]
                    pg.text(x + 1, y, w - 2, row_h, text, pt, bold=key == "part", align=align)
                    x += w
                    continue
                cell = lines[key]
                top = y + (row_h - len(cell) * LINE_H) / 2
                for i, (left, right) in enumerate(cell):
                    at = top + i * LINE_H
                    bold = key == "part" or (key == "worked" and i == 0)
                    pg.text(x + 1, at, w - 2, LINE_H, left, MIN_PT, bold=bold, align=align)
                    pg.text(x + 1, at, w - 2, LINE_H, right, MIN_PT, align=_R)
                x += w

        flow.block(row_h, draw_row)
    flow.repeat = []

    flow.put(4, lambda pg, y: pg.text(LEFT, y, WIDTH, 4, t("hm_note", lang), 8, align=_R))

    def small_table(
        title: str, cols: list[tuple[str, float, Qt.AlignmentFlag]], rows: list[list[str]]
    ) -> None:
        section(title)
        columns = [Column(t(key, lang), w, align) for key, w, align in cols]
        table(flow, m, columns, rows, x=LEFT, head_pt=MIN_PT, empty=t("none", lang))
        flow.put(3, lambda pg, y: None)

    small_table(
        "pause_table",
        [("reason", 60.0, _L), ("time", 30.0, _R)],
        [[pause_name(c, lang, r.pause_names), hm(s)] for c, s in r.paused_s.items()],
    )
    small_table(
        "defects",
        [("code", 60.0, _L), ("count", 30.0, _R), ("parts", 96.0, _L)],
        [
            [defect_name(d.code, lang, r.defect_names), f"{d.count:,}", ", ".join(d.parts)]
            for d in r.defects
        ],
    )
    span = max(1.0, (r.end - r.start).total_seconds())
    small_table(
        "machines",
        [
            ("machine", 50.0, _L),
            ("run", 25.0, _R),
            ("stop", 25.0, _R),
            ("alarm", 25.0, _R),
            ("off", 25.0, _R),
            ("ratio", 36.0, _R),
        ],
        [
            [
                m.machine,
                hm(m.of("run")),
                hm(m.of("stop")),
                hm(m.of("alarm")),
                hm(m.of("off")),
                f"{100 * m.of('run') / span:.0f} %",
            ]
            for m in r.machines
        ],
    )

    # Remarks: ruled lines to write on, as on the paper form.
    remarks_h = 34.0
    flow.need(8 + remarks_h)
    flow.put(8, lambda pg, y: pg.text(LEFT, y + 1, WIDTH, 6, t("remarks", lang), 11, bold=True))

    def remarks(pg: Page, y: float) -> None:
        pg.box(LEFT, y, WIDTH, remarks_h)
        for i in range(1, 4):
            at = y + i * remarks_h / 4
            pg.line(LEFT + 3, at, LEFT + WIDTH - 3, at, 0.15, grey=True)

    flow.put(remarks_h, remarks)
    return flow.pages


def _header(pg: Page, r: DailyReport, lang: str, n: int, of: int, first: bool) -> None:
    shop = f"{r.firm_name} ({r.firm})" if r.firm_name else r.firm
    date_text = long_day(r.day, lang)
    if first:
        pg.text(LEFT, TOP, 110, 11, t("title", lang), 20, bold=True)
        pg.text(LEFT, TOP + 12, 30, 7, t("date", lang), 9)
        pg.text(LEFT + 16, TOP + 12, 100, 7, date_text, 12, bold=True)
        pg.text(LEFT, TOP + 19, 30, 7, t("shop", lang), 9)
        pg.text(LEFT + 16, TOP + 19, 100, 7, shop, 12, bold=True)
        # The sign-off boxes, top right, where the owner's 判子 goes.
        # The sign-off as recorded in Nakama (who, when) in the owner's box; a record
        # corrected or added after it is said under the boxes, in bold, in red.
        seal = 22.0
        x0 = LEFT + WIDTH - 2 * seal
        lines = approval_lines(r.approval, lang, r.tz, short=True)
        inside = [lines[:2]] if r.approval is not None else []
        pg.sign_boxes(x0, TOP, [t("owner_seal", lang), t("checked", lang)],
                      w=seal, h=seal, inside=inside)  # fmt: skip
        for i, warning in enumerate(lines[2:]):
            pg.text(x0 - 30, TOP + 6 + seal + 1 + 5 * i, 2 * seal + 30, 5, warning, 9,
                    bold=True, align=_R, color=QColor("#b00020"))  # fmt: skip
    else:
        pg.text(LEFT, TOP, 60, 8, t("title", lang), 13, bold=True)
        pg.text(LEFT + 50, TOP, 70, 8, date_text, 11, bold=True)
        pg.text(LEFT + 115, TOP, 71, 8, shop, 11, bold=True, align=_R)
        pg.line(LEFT, TOP + 10, LEFT + WIDTH, TOP + 10, 0.3, grey=True)
    page = t("page", lang).format(n=n, of=of)
    pg.text(LEFT, BOTTOM, WIDTH / 2, 6, f"{date_text}  {shop}", 8)
    pg.text(LEFT + WIDTH / 2, BOTTOM, WIDTH / 2, 6, page, 9, align=_R)


def write_pdf(r: DailyReport, out: Path, *, lang: str = "ja") -> int:
    """Write the report to ``out``; returns the number of pages."""
    with document(Path(out), f"{t('title', lang)} {r.day.isoformat()} {r.firm}") as doc:
        pages = layout(r, lang, doc.page)
        for i, blocks in enumerate(pages):
            if i:
                doc.new_page()
            _header(doc.page, r, lang, i + 1, len(pages), first=i == 0)
            for y, draw in blocks:
                draw(doc.page, y)
    return len(pages)
