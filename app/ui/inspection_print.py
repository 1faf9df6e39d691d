"""The printed 検査成績書 (inspection record) of one lot: an A4 PDF with real text.

Laid out with ``app.ui.paper`` (the one layout module of every printed document: fonts,
wrapping never below 8 pt, the ToUnicode fix so that 工程 and 検査 are found by a search
and by ``pdftotext``, the stamp boxes). The data come from
``app.store.inspection.gather``; this module only lays them out.

Layout: every page repeats the header (title, page number, part, drawing, job, lot,
quantity, the customer on the lead firm's copy, the overall verdict) and the table's
column heads. Each characteristic is a band: its specification, one row per reading
(step, value, verdict by word and mark, instrument, firm, operator, time) and, for more
than one reading, a summary row (n, min, max, all in tolerance?). A band that does not fit
runs on to the next page under its name marked (続き); type is never smaller than 8 pt
(long text wraps, the row grows). The last page ends with the 検査者 and 承認者
boxes, left blank for a stamp.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.store.approvals import ApprovalStatus
from app.store.inspection import Characteristic, InspectionRecord, Reading, local_time
from app.ui.approval_text import approval_lines
from app.ui.paper import MIN_PT, Document, Page, document
from app.ui.traveler_print import process_name

BODY_PT = 9.0
LEFT, TOP, WIDTH = 12.0, 12.0, 186.0
BOTTOM = 284.0  # the table stops here; the footer line sits below
RED = QColor("#C00000")
BAND = QColor("#E8E8E8")
HEAD = QColor("#D0D0D0")
FAIL_BG = QColor("#FBE3E3")

TEXT: dict[str, tuple[str, str]] = {
    "title": ("検査成績書", "Inspection Record"),
    "page": ("{n} / {of} ページ", "Page {n} of {of}"),
    "part": ("品番", "Part No."),
    "drawing": ("図番", "Drawing No."),
    "job": ("注番", "Job No."),
    "lead": ("元請", "Lead firm"),
    "lot": ("ロット", "Lot"),
    "parent": ("親ロット", "Parent lot"),
    "qty": ("数量", "Quantity"),
    "pcs": ("個", "pcs"),
    "of_order": ("受注数", "order"),
    "customer": ("顧客", "Customer"),
    "verdict": ("総合判定", "Overall"),
    "issued": ("作成", "Issued by"),
    "op": ("工程", "Step"),
    "value": ("測定値", "Value"),
    "result": ("判定", "Result"),
    "gauge": ("測定器", "Instrument"),
    "firm": ("事業者", "Firm"),
    "operator": ("測定者", "Measured by"),
    "when": ("測定日時", "Measured at"),
    "spec": ("規格", "Spec"),
    "range": ("{lo} 〜 {hi}", "{lo} to {hi}"),
    "cont": ("(続き)", "(continued)"),
    "pass": ("○ 合格", "○ PASS"),
    "fail": ("✖ 不合格", "✖ FAIL"),
    "typed": ("手入力", "Typed"),
    "was": ("訂正 (元 {v})", "corrected (was {v})"),
    "summary": (
        "n = {n}    最小 {lo}    最大 {hi}",
        "n = {n}    min {lo}    max {hi}",
    ),
    "all_pass": ("○ 全数合格", "○ all pass"),
    "some_fail": ("✖ 不合格 {f} / {n}", "✖ {f} of {n} fail"),
    "overall_pass": ("○ 合格 ({c} 特性, {r} 測定)", "○ PASS ({c} characteristics, {r} readings)"),
    "overall_fail": (
        "✖ 不合格 ({c} 特性中 {f} 特性に不合格あり)",
        "✖ FAIL ({f} of {c} characteristics out of tolerance)",
    ),
    "none": ("このロットの測定記録はありません。", "No measurements recorded for this lot."),
    "inspector": ("検査者", "Inspector"),
    "approver": ("承認者", "Approved by"),
    "date": ("日付", "Date"),
    "source": (
        "{at} 時点でこの端末に同期済みの測定記録 (全事業者・全工程) から作成。"
        "訂正された測定は訂正後の値を記載。",
        "Made from the measurements of every firm and step synced to this terminal "
        "by {at}. Corrected readings show the corrected value.",
    ),
}


def t(key: str, lang: str, **kw: object) -> str:
    ja, en = TEXT[key]
    return (ja if lang == "ja" else en).format(**kw)


def num(d: Decimal) -> str:
    """A value as recorded (its own decimals), never in exponent form."""
    return format(d, "f")


def spec_text(c: Characteristic, lang: str) -> str:
    if c.tol_minus == c.tol_plus:
        tol = f"±{num(c.tol_plus)}"
    else:
        tol = f"+{num(c.tol_plus)} / -{num(c.tol_minus)}"
    rng = t("range", lang, lo=num(c.lower), hi=num(c.upper))
    return f"{t('spec', lang)} {num(c.nominal)} {tol} {c.unit}   ({rng} {c.unit})"


# Table columns: key, width in mm (sum = WIDTH).
COLS: list[tuple[str, float]] = [
    ("op", 22.0),
    ("value", 25.0),
    ("result", 19.0),
    ("gauge", 34.0),
    ("firm", 32.0),
    ("operator", 30.0),
    ("when", 24.0),
]


@dataclass(slots=True)
class Row:
    """One laid-out row of the table: what kind, its height, how to draw it."""

    kind: str  # "band", "reading", "summary", "none"
    height: float
    char: Characteristic | None = None
    reading: Reading | None = None
    index: int = 0


class _Page(Page):
    """Paper's page with the record's table cell: padded, wrapped, never below 8 pt."""

    def wrapped_height(self, w: float, s: str, pt: float, bold: bool = False) -> float:
        """Millimetres that ``s`` takes wrapped in ``w`` mm at ``pt`` points."""
        return self.height(s, w, pt, bold)

    def cell(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        s: str,
        pt: float = BODY_PT,
        *,
        bold: bool = False,
        color: QColor | None = None,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> None:
        pad = 1.2
        self.text(x + pad, y, w - 2 * pad, h, s, pt, bold=bold, color=color, align=align,
                  shrink=True)  # fmt: skip


def _firm_cell(r: Reading) -> str:
    return f"{r.firm_name}\n{r.firm}" if r.firm_name else r.firm


def _operator_cell(r: Reading) -> str:
    if r.operator_name:
        return f"{r.operator_name}\n{r.operator_id}"
    return r.operator_id or "—"


def _when_cell(r: Reading) -> str:
    return local_time(r.occurred_at).replace(" ", "\n", 1)


def _remark(r: Reading, lang: str) -> str:
    """Under a corrected value: the value the correction replaced."""
    return t("was", lang, v=num(r.corrected_from)) if r.corrected_from is not None else ""


def reading_cells(r: Reading, lang: str) -> dict[str, str]:
    return {
        "op": f"{r.op} {process_name(r.process, lang)}",
        "value": num(r.value),
        "result": t("pass" if r.in_tolerance else "fail", lang),
        "gauge": r.instrument or t("typed", lang),
        "firm": _firm_cell(r),
        "operator": _operator_cell(r),
        "when": _when_cell(r),
    }


def _summary_text(c: Characteristic, lang: str) -> str:
    return t("summary", lang, n=c.n, lo=num(c.minimum), hi=num(c.maximum))


def _verdict_text(c: Characteristic, lang: str) -> str:
    if c.all_pass:
        return t("all_pass", lang)
    return t("some_fail", lang, f=c.failures, n=c.n)


def _band_text(i: int, c: Characteristic, lang: str) -> str:
    return f"{i}. {c.name}    {spec_text(c, lang)}"


class _Layout:
    def __init__(self, page: _Page, rec: InspectionRecord, lang: str) -> None:
        self.s, self.rec, self.lang = page, rec, lang

    # -- heights -------------------------------------------------------------------------
    def reading_height(self, r: Reading) -> float:
        cells = reading_cells(r, self.lang)
        need = max(self.s.wrapped_height(w - 2.4, cells[k], BODY_PT) for k, w in COLS)
        remark = _remark(r, self.lang)
        if remark:
            w = dict(COLS)["value"] - 2.4
            value_h = self.s.wrapped_height(w, cells["value"], BODY_PT, True)
            need = max(need, value_h + self.s.wrapped_height(w, remark, MIN_PT) + 0.6)
        return max(7.0, need + 1.6)

    def band_height(self, i: int, c: Characteristic, cont: bool = False) -> float:
        text = _band_text(i, c, self.lang) + (f"  {t('cont', self.lang)}" if cont else "")
        return max(7.0, self.s.wrapped_height(WIDTH - 2.4, text, 9.5, True) + 1.6)

    def rows(self) -> list[Row]:
        out: list[Row] = []
        for i, c in enumerate(self.rec.characteristics, 1):
            out.append(Row("band", self.band_height(i, c), c, index=i))
            out.extend(Row("reading", self.reading_height(r), c, r, i) for r in c.readings)
            if c.n > 1:  # one reading is its own summary: its row says it all
                out.append(Row("summary", 7.0, c, index=i))
        if not out:
            out.append(Row("none", 10.0))
        return out


def header_fields(rec: InspectionRecord, lang: str) -> tuple[list[tuple[str, str]], ...]:
    qty = f"{rec.lot_qty:,} {t('pcs', lang)}"
    if rec.order_qty != rec.lot_qty:
        qty += f"  ({t('of_order', lang)} {rec.order_qty:,})"
    lead = f"{rec.lead_firm_name} ({rec.lead_firm})" if rec.lead_firm_name else rec.lead_firm
    left = [
        ("part", rec.part_no),
        ("drawing", rec.drawing_no or "—"),
        ("job", rec.job_id),
        ("lead", lead),
    ]
    right = [("lot", rec.lot_id)]
    if rec.parent_lot:
        right.append(("parent", rec.parent_lot))
    right.append(("qty", qty))
    if rec.customer is not None:  # the lead firm's own copy only
        right.append(("customer", rec.customer))
    return left, right


def _draw_header(s: _Page, rec: InspectionRecord, lang: str, n: int, of: int, at: str) -> float:
    """The page header; returns where the table starts."""
    s.cell(LEFT - 1.2, TOP, 120, 11, t("title", lang), 18, bold=True)
    s.cell(
        LEFT + WIDTH - 50, TOP, 50, 6, t("page", lang, n=n, of=of), 10,
        align=Qt.AlignmentFlag.AlignRight,
    )  # fmt: skip
    who = f"{rec.printed_by_name} ({rec.printed_by})" if rec.printed_by_name else rec.printed_by
    s.cell(
        LEFT + WIDTH - 100, TOP + 6, 100, 5, f"{t('issued', lang)}: {who}  {at}", 8,
        align=Qt.AlignmentFlag.AlignRight,
    )  # fmt: skip
    left, right = header_fields(rec, lang)
    y0, row_h, label_w, half = TOP + 13, 7.0, 22.0, WIDTH / 2
    rows = max(len(left), len(right))
    for col, fields in enumerate((left, right)):
        x = LEFT + col * half
        for j in range(len(fields), rows):  # a shorter column: its boxes, left empty
            s.box(x, y0 + j * row_h, label_w, row_h, 0.2)
            s.box(x + label_w, y0 + j * row_h, half - label_w, row_h, 0.2)
        for j, (key, value) in enumerate(fields):
            y = y0 + j * row_h
            s.fill(x, y, label_w, row_h, BAND)
            s.box(x, y, label_w, row_h, 0.2)
            s.box(x + label_w, y, half - label_w, row_h, 0.2)
            s.cell(x, y, label_w, row_h, t(key, lang), 8.5)
            bold = key in ("part", "lot")
            s.cell(x + label_w, y, half - label_w, row_h, value, 10.5, bold=bold)
    y = y0 + rows * row_h
    ok = rec.all_pass
    if rec.characteristics:
        fails = sum(1 for c in rec.characteristics if not c.all_pass)
        c, r = len(rec.characteristics), rec.readings
        verdict = t("overall_pass", lang, c=c, r=r) if ok else t("overall_fail", lang, c=c, f=fails)
    else:
        verdict = "—"
    s.fill(LEFT, y, label_w, row_h, BAND)
    s.box(LEFT, y, label_w, row_h, 0.2)
    s.box(LEFT + label_w, y, WIDTH - label_w, row_h, 0.2)
    s.cell(LEFT, y, label_w, row_h, t("verdict", lang), 8.5, bold=True)
    s.cell(
        LEFT + label_w, y, WIDTH - label_w, row_h, verdict, 11, bold=True,
        color=None if ok else RED,
    )  # fmt: skip
    y += row_h + 4
    # The column heads.
    x = LEFT
    for key, w in COLS:
        s.fill(x, y, w, 7, HEAD)
        s.box(x, y, w, 7, 0.3)
        s.cell(x, y, w, 7, t(key, lang), 8.5, bold=True, align=Qt.AlignmentFlag.AlignHCenter)
        x += w
    return y + 7


def _draw_row(s: _Page, row: Row, y: float, lang: str, cont: bool = False) -> None:
    c = row.char
    if row.kind == "none":
        s.cell(LEFT, y, WIDTH, row.height, t("none", lang), 10)
        return
    assert c is not None
    if row.kind == "band":
        s.fill(LEFT, y, WIDTH, row.height, BAND)
        s.box(LEFT, y, WIDTH, row.height, 0.3)
        text = _band_text(row.index, c, lang) + (f"  {t('cont', lang)}" if cont else "")
        s.cell(LEFT, y, WIDTH, row.height, text, 9.5, bold=True)
        return
    if row.kind == "summary":
        split = sum(w for _k, w in COLS[:2])
        s.box(LEFT, y, WIDTH, row.height, 0.5)
        s.cell(LEFT, y, WIDTH - split, row.height, _summary_text(c, lang), 9, bold=True)
        s.cell(
            LEFT + WIDTH - split, y, split, row.height, _verdict_text(c, lang), 9.5, bold=True,
            color=None if c.all_pass else RED, align=Qt.AlignmentFlag.AlignRight,
        )  # fmt: skip
        return
    r = row.reading
    assert r is not None
    cells = reading_cells(r, lang)
    x = LEFT
    for key, w in COLS:
        bad = not r.in_tolerance and key in ("value", "result")
        if bad:
            s.fill(x, y, w, row.height, FAIL_BG)
        s.box(x, y, w, row.height, 0.2)
        mid = key in ("result",)
        remark = _remark(r, lang) if key == "value" else ""
        if remark:  # the corrected value above, what it replaced below, smaller
            half = row.height / 2
            right = Qt.AlignmentFlag.AlignRight
            s.cell(x, y, w, half + 0.5, cells[key], BODY_PT, bold=True, align=right)
            s.cell(x, y + half - 0.5, w, half, remark, MIN_PT, align=right)
            x += w
            continue
        s.cell(
            x, y, w, row.height, cells[key], BODY_PT, bold=bad or key == "value",
            color=RED if bad else None,
            align=Qt.AlignmentFlag.AlignHCenter if mid else (
                Qt.AlignmentFlag.AlignRight if key == "value" else Qt.AlignmentFlag.AlignLeft),
        )  # fmt: skip
        x += w


SIGN_H = 44.0  # the closing block: the source note and the two stamp boxes


def _draw_close(
    s: _Page, y: float, lang: str, at: str, approval: ApprovalStatus | None = None
) -> None:
    y += 4
    s.cell(LEFT, y, WIDTH - 74, 16, t("source", lang, at=at), 8)
    box_w = 34.0
    # The sign-off as recorded: the approver's name and when in the 承認者 box; a later
    # correction or record said plainly, in red.
    inside: list[list[str]] = []
    if approval is not None:
        lines = approval_lines(approval, lang, short=True)
        lines[0] = approval.approver_name or approval.approver
        inside = [[], lines]
    s.sign_boxes(
        LEFT + WIDTH - 2 * box_w, y, [t("inspector", lang), t("approver", lang)],
        w=box_w, h=30.0, head=7.0, foot=f"{t('date', lang)}   .   .", inside=inside,
    )  # fmt: skip


def paginate(
    rows: list[Row], table_top: float, band_h: Callable[[Row], float]
) -> list[list[tuple[Row, float, bool]]]:
    """Rows placed on pages: (row, y, drawn as a continued band). A band keeps its first
    reading with it; a characteristic cut by a page break gets its band again, (続き)."""
    pages: list[list[tuple[Row, float, bool]]] = [[]]
    y = table_top
    current_band: Row | None = None
    for i, row in enumerate(rows):
        need = row.height
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if nxt is not None and (row.kind == "band" or nxt.kind == "summary"):
            # A band keeps its first reading, a summary its last reading: neither stands
            # alone at the top or foot of a page.
            need += nxt.height
        if y + need > BOTTOM and pages[-1]:
            pages.append([])
            y = table_top
            if row.kind != "band" and current_band is not None:
                pages[-1].append((current_band, y, True))
                y += band_h(current_band)
        if row.kind == "band":
            current_band = row
        pages[-1].append((row, y, False))
        y += row.height
    if y + SIGN_H > BOTTOM + 8:  # the stamp boxes may use the footer's margin, not more
        pages.append([])
    return pages


def write_pdf(rec: InspectionRecord, out: Path, *, lang: str = "ja") -> int:
    """Write the inspection record to ``out`` (A4); returns the number of pages."""
    title = f"{t('title', lang)} {rec.job_id} {rec.lot_id}"
    with document(Path(out), title) as doc:
        return _write(rec, doc, lang)


def _write(rec: InspectionRecord, doc: Document, lang: str) -> int:
    at = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    s = _Page(doc.page.p)
    layout = _Layout(s, rec, lang)
    rows = layout.rows()
    # The header's height is the same on every page: measure it on a throw-away pass
    # by the number of field rows (7 mm each) rather than by drawing.
    left, right = header_fields(rec, lang)
    table_top = TOP + 13 + (max(len(left), len(right)) + 1) * 7.0 + 4 + 7
    pages = paginate(
        rows,
        table_top,
        lambda r: layout.band_height(r.index, r.char, True) if r.char else r.height,
    )
    for n, placed in enumerate(pages, 1):
        if n > 1:
            doc.new_page()
        top = _draw_header(s, rec, lang, n, len(pages), at)
        assert abs(top - table_top) < 0.01
        y = top
        for row, y, cont in placed:
            if cont:
                assert row.char is not None
                h = layout.band_height(row.index, row.char, True)
                _draw_row(s, Row("band", h, row.char, index=row.index), y, lang, cont=True)
            else:
                _draw_row(s, row, y, lang)
            y += row.height
        footer = f"Nakama  {t('title', lang)}  {rec.job_id}  {rec.lot_id}"
        s.line(LEFT, 287, LEFT + WIDTH, 287, 0.2)
        s.cell(LEFT - 1.2, 287.5, WIDTH / 2, 5, footer, 8)
        s.cell(
            LEFT + WIDTH / 2, 287.5, WIDTH / 2, 5, t("page", lang, n=n, of=len(pages)), 8,
            align=Qt.AlignmentFlag.AlignRight,
        )  # fmt: skip
        if n == len(pages):
            _draw_close(s, y if placed else top, lang, at, rec.approval)
    return len(pages)
