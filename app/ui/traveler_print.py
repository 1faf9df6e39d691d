"""The printed traveler (工程表・現品票): an A4 sheet or a 62 × 100 mm label, as a PDF with
real, selectable text, laid out with ``app.ui.paper`` (fonts, wrapping, pages, ToUnicode).

The A4 sheet, as a shop reads it: title, issuer and issue time (local, short zone); the QR
at the top right of every page; the job's header (注番, 品番, 品名, 図番/版, 材質, 数量,
納期, ロット) and the job's note (備考) on the first page; then the route, one row per
step (工程No., 工程名 with the step's instruction under it, 加工先, the step's 納期, and
blank boxes for 受入日, 出荷日, 出荷数, 不良数, 担当者 written by hand). Rows are at
least 12 mm (room for a handwritten date) and grow with a long instruction; they run
onto further pages, each with the QR, the job, the lot and the column heads again.

The label: 注番 and ロット large, 品番, 図番, 数量, 納期, the QR, then the route one
step per line (number, process, firm); a short route is one label, a long one runs on
to further labels, each with 注番, ロット and the QR.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from PySide6.QtGui import QPagedPaintDevice

from app.core import catalog, commands
from app.core.commands import Actor
from app.core.model import Operation
from app.core.state import JobState
from app.core.traveler import Traveler
from app.store.firms import firm_names
from app.store.store import Store
from app.store.travelers import PreparedTraveler, Refusal, prepare, record_issued
from app.ui.paper import (
    A4_MM,
    CENTER,
    LABEL_MM,
    MIN_PT,
    RIGHT,
    Document,
    Draw,
    Flow,
    Page,
    QrFacts,
    document,
    ensure_app,
    fix_to_unicode,
    on_device,
)

A4, LABEL = "a4", "label"
LABEL_SIZE_MM = LABEL_MM
_PROCESSES = catalog.processes()
__all__ = ["A4", "LABEL", "PaperJob", "ensure_app", "fix_to_unicode", "issue_pdf", "write_pdf"]

TEXT: dict[str, tuple[str, str]] = {
    "title": ("工程表 / 現品票", "Traveler"),
    "job": ("注番", "Job No."),
    "part": ("品番", "Part No."),
    "part_name": ("品名", "Part name"),
    "drawing": ("図番 / 版", "Drawing / rev."),
    "drawing_no": ("図番", "Dwg."),  # the label: the number only, no revision
    "material": ("材質", "Material"),
    "qty": ("数量", "Quantity"),
    "of_order": ("受注数", "order"),
    "due": ("納期", "Due"),
    "lot": ("ロット", "Lot"),
    "parent": ("親ロット", "Parent lot"),
    "issuer": ("発行", "Issued by"),
    "note": ("備考", "Note"),
    "seq": ("工程No.", "Step"),
    "process": ("工程名 / 指示", "Process / instructions"),
    "firm": ("加工先", "Done by"),
    "step_due": ("納期", "Due"),
    "received_on": ("受入日", "Date in"),
    "shipped_on": ("出荷日", "Date out"),
    "shipped": ("出荷数", "Qty out"),
    "defect": ("不良数", "Rej."),
    "person": ("担当者", "Worker"),
    "route": ("工程", "Route"),
    "page": ("{n} / {of} ページ", "Page {n} of {of}"),
    "cont": ("(続き)", "(continued)"),
    "scan": (
        "QRコードを読み取ると注番・工程が表示されます。手入力は不要です。"
        "受入日・出荷日・出荷数・不良数・担当者は各工程で記入してください。",
        "Scan the QR code to open this job and its route; no typing needed. "
        "Write the dates, counts and your name in each step's boxes.",
    ),
    "pcs": ("個", "pcs"),
    "remarks": ("連絡事項 (各工程で記入)", "Remarks (written by each shop)"),
}
WEEKDAYS = {"ja": "月火水木金土日", "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}


def t(key: str, lang: str) -> str:
    ja, en = TEXT[key]
    return ja if lang == "ja" else en


def day(d: date, lang: str) -> str:
    return f"{d.isoformat()} ({WEEKDAYS[lang][d.weekday()]})"


def short_day(d: date, lang: str) -> str:
    """``12/05 (金)``: a step's due date in a narrow column."""
    return f"{d.month}/{d.day:02d} ({WEEKDAYS[lang][d.weekday()]})"


def process_name(code: str, lang: str) -> str:
    entry = _PROCESSES.get(code)
    return entry.name(lang) if entry else code


def issued_text(at: datetime) -> str:
    """The issue time in the shop's own zone with its short name: ``2026-12-02 09:30 JST``
    (an offset only where the zone has no name)."""
    local = at.astimezone()
    zone = local.tzname() or ""
    if not zone or zone[0] in "+-":
        zone = local.strftime("UTC%z")
    return f"{local:%Y-%m-%d %H:%M} {zone}"


@dataclass(frozen=True, slots=True)
class PaperJob:
    """What the sheet prints beyond the QR: the job's note (備考), 品名, 材質, the
    drawing's revision, and per step a due date and an instruction. From ``JobCreated``."""

    note: str = ""
    part_name: str = ""
    material: str = ""
    revision: str = ""
    step_info: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, job: JobState | None) -> PaperJob:
        if job is None:
            return cls()
        return cls(job.note, job.part_name, job.material, job.revision, job.step_info)

    def step_due(self, seq: int) -> date | None:
        due = self.step_info.get(str(seq), {}).get("due")
        return date.fromisoformat(due) if due else None

    def instruction(self, seq: int) -> str:
        return self.step_info.get(str(seq), {}).get("note", "")


def write_pdf(
    traveler: Traveler,
    qr_text: str,
    out: Path,
    *,
    lang: str = "ja",
    fmt: str = A4,
    firm_names: Mapping[str, str] | None = None,
    paper: PaperJob | None = None,
) -> QrFacts:
    """Write the traveler sheet (``a4``) or label (``label``) to ``out``; returns QR facts
    (``pages``: how many pages or labels). ``firm_names`` (code -> name, the firm
    directory) puts names beside the codes; ``paper`` adds the job's printed-only fields."""
    names = firm_names or {}
    paper = paper or PaperJob()
    title = f"{t('title', lang)} {traveler.job_id} {traveler.lot_id}"
    size = LABEL_MM if fmt == LABEL else A4_MM
    with document(Path(out), title, size) as doc:
        return _draw(doc, traveler, qr_text, lang, fmt, names, paper)


def print_on(
    printer: QPagedPaintDevice,
    traveler: Traveler,
    qr_text: str,
    *,
    lang: str = "ja",
    fmt: str = A4,
    firm_names: Mapping[str, str] | None = None,
    paper: PaperJob | None = None,
) -> QrFacts:
    """The same sheet as ``write_pdf``'s, on a printer (at its own resolution)."""
    with on_device(printer, LABEL_MM if fmt == LABEL else A4_MM) as doc:
        return _draw(doc, traveler, qr_text, lang, fmt, firm_names or {}, paper or PaperJob())


def _draw(
    doc: Document,
    traveler: Traveler,
    qr_text: str,
    lang: str,
    fmt: str,
    names: Mapping[str, str],
    paper: PaperJob,
) -> QrFacts:
    if fmt == LABEL:
        pages = _label_pages(doc.page, traveler, lang, names)
    else:
        pages = _a4_pages(doc.page, traveler, qr_text, lang, names, paper)
    facts: QrFacts | None = None
    for i, blocks in enumerate(pages):
        if i:
            doc.new_page()
        if fmt == LABEL:
            f = _label_head(doc.page, traveler, qr_text, lang, i + 1, len(pages))
        else:
            f = _a4_head(doc.page, traveler, qr_text, lang, names, paper, i + 1, len(pages))
        facts = facts or f
        for y, draw in blocks:
            draw(doc.page, y)
    assert facts is not None
    return replace(facts, pages=len(pages))


def _qty_text(tr: Traveler, lang: str) -> str:
    s = f"{tr.qty:,} {t('pcs', lang)}"
    if tr.order_qty != tr.qty:
        s += f"  ({t('of_order', lang)} {tr.order_qty:,})"
    return s


def _firm(code: str, names: Mapping[str, str]) -> str:
    name = names.get(code)
    return f"{name} ({code})" if name else code


# -- A4 ----------------------------------------------------------------------------------
LEFT, TOP, WIDTH = 12.0, 10.0, 186.0
BOTTOM = A4_MM[1] - 12.0
QR_MM = 72.0
FIELD_LABEL, FIELD_VALUE, FIELD_H = 24.0, 86.0, 8.0
ROW_MIN = 12.0  # a handwritten date needs this
HEAD_H = 9.0
# (key, width mm, printed text size); blank columns are written by hand.
COLS: list[tuple[str, float]] = [
    ("seq", 15.0), ("process", 40.0), ("firm", 35.0), ("step_due", 17.0),
    ("received_on", 16.0), ("shipped_on", 16.0), ("shipped", 14.0), ("defect", 13.0),
    ("person", 20.0),
]  # fmt: skip
BLANK = {"received_on", "shipped_on", "shipped", "defect", "person"}


def _fields(tr: Traveler, lang: str, paper: PaperJob) -> list[tuple[str, str, float, bool]]:
    drawing = tr.drawing_no or "—"
    if paper.revision:
        drawing += f"  / {paper.revision}"
    rows = [
        ("job", tr.job_id, 15.0, True),
        ("part", tr.part_no, 13.0, True),
        ("part_name", paper.part_name or "—", 11.0, False),
        ("drawing", drawing, 11.0, False),
        ("material", paper.material or "—", 11.0, False),
        ("qty", _qty_text(tr, lang), 12.0, False),
        ("due", day(tr.due, lang), 12.0, True),
        ("lot", tr.lot_id, 13.0, True),
    ]
    if tr.parent_lot:
        rows.append(("parent", tr.parent_lot, 10.0, False))
    return rows


def _field_heights(pg: Page, tr: Traveler, lang: str, paper: PaperJob) -> list[float]:
    return [
        max(FIELD_H, pg.height(v, FIELD_VALUE - 3, pt, bold) + 1.5)
        for _k, v, pt, bold in _fields(tr, lang, paper)
    ]


def _later_fields(tr: Traveler) -> list[tuple[str, str, float]]:
    return [("job", tr.job_id, 15.0), ("lot", tr.lot_id, 13.0), ("part", tr.part_no, 12.0)]


def _later_height(pg: Page, value: str, pt: float) -> float:
    return max(FIELD_H + 2, pg.height(value, FIELD_VALUE - 3, pt, True) + 1.5)


def _later_top(pg: Page, tr: Traveler) -> float:
    """Where the flow starts on further pages: below the job, lot and part, the
    "continued" line, and the QR."""
    fields = TOP + 18 + sum(_later_height(pg, v, pt) for _k, v, pt in _later_fields(tr)) + 8
    return max(fields, TOP + 14 + QR_MM + 2)


def _first_top(pg: Page, tr: Traveler, lang: str, paper: PaperJob) -> float:
    """Where the flow starts on page 1: below the fields and the QR."""
    return max(TOP + 18 + sum(_field_heights(pg, tr, lang, paper)), TOP + 14 + QR_MM) + 4


def _a4_head(
    pg: Page,
    tr: Traveler,
    qr_text: str,
    lang: str,
    names: Mapping[str, str],
    paper: PaperJob,
    n: int,
    of: int,
) -> QrFacts:
    """What every page carries: title, issuer, page number, the QR; page 1 the fields,
    further pages the job, lot and part in large type."""
    pg.text(LEFT, TOP, 110, 11, t("title", lang), 20, bold=True)
    issuer = f"{t('issuer', lang)}: {_firm(tr.issuer, names)}  {issued_text(tr.issued_at)}"
    pg.text(LEFT, TOP + 11, WIDTH - QR_MM - 2, 6, issuer, MIN_PT)
    page = t("page", lang).format(n=n, of=of)
    pg.text(LEFT, BOTTOM + 3, WIDTH, 5, f"{tr.job_id}  {tr.lot_id}", MIN_PT)
    pg.text(LEFT, BOTTOM + 3, WIDTH, 5, page, 9, align=RIGHT)
    facts = pg.qr(qr_text, LEFT + WIDTH - QR_MM, TOP, QR_MM)
    y = TOP + 18
    if n == 1:
        for (key, value, pt, bold), h in zip(
            _fields(tr, lang, paper), _field_heights(pg, tr, lang, paper), strict=True
        ):
            pg.field(LEFT, y, FIELD_LABEL, FIELD_VALUE, h, t(key, lang), value, pt, bold=bold)
            y += h
        return facts
    for key, value, pt in _later_fields(tr):
        h = _later_height(pg, value, pt)
        pg.field(LEFT, y, FIELD_LABEL, FIELD_VALUE, h, t(key, lang), value, pt, bold=True)
        y += h
    pg.text(LEFT, y + 2, FIELD_LABEL + FIELD_VALUE, 6, f"{t('route', lang)} {t('cont', lang)}",
            11, bold=True)  # fmt: skip
    return facts


def _step_cells(
    pg: Page, op: Operation, lang: str, names: Mapping[str, str], paper: PaperJob
) -> dict[str, list[tuple[str, float, bool]]]:
    """Per column: lines of (text, pt, bold), top to bottom. A firm's name is set on one
    line if it fits at 8 pt or more (a name broken in two is read as two), else wrapped."""
    instruction = paper.instruction(op.seq)
    process = [(process_name(op.process, lang), 11.0, True)]
    if instruction:
        process.append((instruction, 9.0, False))
    name = names.get(op.firm)
    if name:
        pt = 10.0
        while pt > MIN_PT and not pg.fits(name, dict(COLS)["firm"] - 2 * PAD, pt, True):
            pt -= 0.5
        firm = [(name, pt, True), (op.firm, MIN_PT, False)]
    else:
        firm = [(op.firm, 11.0, True)]
    due = paper.step_due(op.seq)
    return {
        "seq": [(str(op.seq), 12.0, True)],
        "process": process,
        "firm": firm,
        "step_due": [(short_day(due, lang), 9.0, False)] if due else [],
    }


PAD = 1.2


def _cell_height(pg: Page, lines: list[tuple[str, float, bool]], w: float) -> float:
    return sum(pg.height(s, w - 2 * PAD, pt, bold) for s, pt, bold in lines)


def _a4_pages(
    pg: Page,
    tr: Traveler,
    qr_text: str,
    lang: str,
    names: Mapping[str, str],
    paper: PaperJob,
) -> list[list[tuple[float, Draw]]]:
    later_top = _later_top(pg, tr)
    flow = Flow(top=_first_top(pg, tr, lang, paper), bottom=BOTTOM, next_top=later_top)
    if paper.note:
        note_h = pg.height(paper.note, WIDTH - FIELD_LABEL - 3, 10.5) + 2.5
        note_h = max(FIELD_H, note_h)

        def draw_note(p: Page, y: float, h: float = note_h) -> None:
            p.field(LEFT, y, FIELD_LABEL, WIDTH - FIELD_LABEL, h, t("note", lang), paper.note, 10.5)

        flow.block(note_h + 4, draw_note)

    heads = [pg.lines(t(k, lang), w - 2 * PAD, 8.5, True) for k, w in COLS]
    head_h = max(HEAD_H, max(len(h) for h in heads) * pg.line_h(8.5) + 1.5)

    def draw_head(p: Page, y: float) -> None:
        x = LEFT
        for key, w in COLS:
            p.fill(x, y, w, head_h)
            p.box(x, y, w, head_h, 0.4)
            p.text(x + PAD, y, w - 2 * PAD, head_h, t(key, lang), 8.5, bold=True, align=CENTER)
            x += w

    flow.need(head_h + ROW_MIN)
    flow.put(head_h, draw_head)
    flow.repeat = [(head_h, draw_head)]
    for op in tr.route.ops:
        cells = _step_cells(pg, op, lang, names, paper)
        widths = dict(COLS)
        row_h = max(ROW_MIN, *(_cell_height(pg, v, widths[k]) + 2 * PAD for k, v in cells.items()))

        def draw_row(
            p: Page,
            y: float,
            cells: dict[str, list[tuple[str, float, bool]]] = cells,
            row_h: float = row_h,
        ) -> None:
            x = LEFT
            for key, w in COLS:
                p.box(x, y, w, row_h, 0.3)
                lines = cells.get(key, [])
                if key == "process":  # the process at the top, its instruction below
                    at = y + PAD
                    for s, pt, bold in lines:
                        at += p.text(x + PAD, at, w - 2 * PAD, 0, s, pt, bold=bold, top=True)
                elif lines:
                    total = _cell_height(p, lines, w)
                    at = y + (row_h - total) / 2
                    for s, pt, bold in lines:
                        h = p.height(s, w - 2 * PAD, pt, bold)
                        p.text(x + PAD, at, w - 2 * PAD, h, s, pt, bold=bold, align=CENTER)
                        at += h
                x += w

        flow.block(row_h, draw_row)
    flow.repeat = []
    scan_h = pg.height(t("scan", lang), WIDTH, MIN_PT) + 3

    def draw_scan(p: Page, y: float) -> None:
        p.line(LEFT, y + 1.5, LEFT + WIDTH, y + 1.5, 0.2)
        p.text(LEFT, y + 2.5, WIDTH, scan_h - 3, t("scan", lang), MIN_PT, top=True)

    flow.block(scan_h, draw_scan)
    room = flow.bottom - flow.y - 4
    if room >= 25:  # what is left of the page: ruled lines for the shops' own notes

        def draw_remarks(p: Page, y: float, h: float = min(room, 70.0)) -> None:
            p.text(LEFT, y + 2, WIDTH, 6, t("remarks", lang), 10, bold=True)
            p.box(LEFT, y + 8, WIDTH, h - 8, 0.3)
            for i in range(1, int((h - 8) // 10)):
                p.line(LEFT + 3, y + 8 + i * 10, LEFT + WIDTH - 3, y + 8 + i * 10, 0.15, True)

        flow.put(min(room, 70.0), draw_remarks)
    return flow.pages


# -- label -------------------------------------------------------------------------------
LM = 3.0
LABEL_QR = 50.0  # 0.59 mm modules at version 15: 7 dots each on a 300 dpi label printer
STEP_PT = MIN_PT  # 7 kana of a process name (ワイヤーカット) fit its column
LABEL_FOOT = 4.0  # the "1 / 2" line at the foot of a label in a run


def _label_steps(
    pg: Page, tr: Traveler, lang: str, names: Mapping[str, str]
) -> list[tuple[float, Draw]]:
    """One block per step: its number right-aligned, the process, the firm (name, or the
    code when no name is known); a long firm name wraps under itself, never mid-word
    across the columns. The number and process columns are as wide as this route's
    longest (a process column of at most 21 mm), so a firm's name has the rest."""
    w = LABEL_MM[0] - 2 * LM
    procs = [process_name(op.process, lang) for op in tr.route.ops]
    seq_w = max(pg.width(str(op.seq), STEP_PT, True) for op in tr.route.ops) + 2.5
    proc_w = min(21.0, max(pg.width(proc, STEP_PT) for proc in procs) + 2.5)
    firm_w = w - seq_w - proc_w
    out: list[tuple[float, Draw]] = []
    for op, proc in zip(tr.route.ops, procs, strict=True):
        firm = names.get(op.firm, op.firm)
        h = max(pg.height(proc, proc_w - 1, STEP_PT), pg.height(firm, firm_w, STEP_PT, True)) + 0.8

        def draw(
            p: Page, y: float, op: Operation = op, proc: str = proc, firm: str = firm, h: float = h
        ) -> None:
            p.text(LM, y, seq_w - 1.5, h, str(op.seq), STEP_PT, bold=True, align=RIGHT, top=True)
            p.text(LM + seq_w, y, proc_w - 1, h, proc, STEP_PT, top=True)
            p.text(LM + seq_w + proc_w, y, firm_w, h, firm, STEP_PT, bold=True, top=True)
            p.line(LM, y + h - 0.2, LABEL_MM[0] - LM, y + h - 0.2, 0.1, grey=True)

        out.append((h, draw))
    return out


def _label_lines(tr: Traveler, lang: str) -> list[tuple[str, float, bool]]:
    """The first label's lines above the QR, below 注番 and ロット."""
    qty_due = f"{t('qty', lang)} {_qty_text(tr, lang)}   {t('due', lang)} {tr.due.isoformat()}"
    return [
        (f"{t('part', lang)} {tr.part_no}", 9.0, True),
        (f"{t('drawing_no', lang)} {tr.drawing_no or '—'}", 9.0, True),
        (qty_due, MIN_PT, False),
    ]


def _label_qr_top(pg: Page, tr: Traveler, lang: str) -> float:
    w = LABEL_MM[0] - 2 * LM
    return LM + 12.5 + sum(pg.height(s, w, pt, b) for s, pt, b in _label_lines(tr, lang)) + 0.5


def _label_later_qr_top() -> float:
    """A further label's QR: right under 注番 and ロット (工程 (続き) is at its foot)."""
    return LM + 12.5


def _label_pages(
    pg: Page, tr: Traveler, lang: str, names: Mapping[str, str]
) -> list[list[tuple[float, Draw]]]:
    """The steps over as few labels as they need. One label has no page line at its foot,
    so its steps may go down to the margin; a run of labels keeps room for "1 / 2"."""
    top = _label_qr_top(pg, tr, lang) + LABEL_QR + 0.5
    later = _label_later_qr_top() + LABEL_QR + 0.5
    steps = _label_steps(pg, tr, lang, names)
    for bottom in (LABEL_MM[1] - LM, LABEL_MM[1] - LM - LABEL_FOOT):
        flow = Flow(top=top, bottom=bottom, next_top=later)
        for h, draw in steps:
            flow.block(h, draw)
        if len(flow.pages) == 1:
            break
    return flow.pages


def _label_head(pg: Page, tr: Traveler, qr_text: str, lang: str, n: int, of: int) -> QrFacts:
    """注番 and ロット large on every label, then on the first the part, drawing,
    quantity and due date; the QR on every label (each travels on its own)."""
    w = LABEL_MM[0] - 2 * LM
    pg.text(LM, LM, w, 6.5, tr.job_id, 14, bold=True, shrink=True)
    pg.text(LM, LM + 6.5, 10, 5.5, t("lot", lang), MIN_PT)
    pg.text(LM + 10, LM + 6.5, w - 10, 5.5, tr.lot_id, 12, bold=True, shrink=True)
    if n == 1:
        y = LM + 12.5
        for s, pt, bold in _label_lines(tr, lang):
            y += pg.text(LM, y, w, 0, s, pt, bold=bold, top=True)
        qr_top = _label_qr_top(pg, tr, lang)
    else:
        qr_top = _label_later_qr_top()
    facts = pg.qr(qr_text, (LABEL_MM[0] - LABEL_QR) / 2, qr_top, LABEL_QR)
    if of > 1:
        foot = LABEL_MM[1] - LM - LABEL_FOOT
        if n > 1:
            cont = f"{t('route', lang)} {t('cont', lang)}"
            pg.text(LM, foot, w, LABEL_FOOT, cont, MIN_PT, bold=True)
        page = t("page", lang).format(n=n, of=of)
        pg.text(LM, foot, w, LABEL_FOOT, page, MIN_PT, align=RIGHT)
    return facts


@dataclass(frozen=True, slots=True)
class Issued:
    prepared: PreparedTraveler
    facts: QrFacts
    out: Path


def issue_pdf(
    store: Store,
    job_id: str,
    lot_id: str | None,
    out: Path,
    *,
    lang: str = "ja",
    fmt: str = A4,
    actor: Actor | None = None,
    printer: QPagedPaintDevice | None = None,
) -> Issued | Refusal:
    """Sign a traveler, write its PDF to ``out`` and record ``TravelerIssued`` as done by
    ``actor`` (the core command decides, before anything is signed or written).

    The sheet is written beside the target first: the event is recorded only for a sheet
    that exists, and a failure never leaves half a PDF behind. Raises ``TravelerError``
    (too large), ``OSError`` (cannot write) and ``StoreError`` (storage). ``actor`` is who
    printed it (the signed-in operator at the terminal). ``printer`` (a ``QPrinter``)
    gets the same page as the PDF."""
    actor = actor or store.actor
    prepared = prepare(store, job_id, lot_id)
    if isinstance(prepared, Refusal):
        return prepared
    may = commands.issue_traveler(
        store.job(job_id), actor, prepared.traveler.lot_id, prepared.key_id, 1, "-"
    )
    if isinstance(may, Refusal):
        return may
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        facts = write_pdf(
            prepared.traveler, prepared.text, tmp, lang=lang, fmt=fmt,
            firm_names=firm_names(store), paper=PaperJob.of(store.job(job_id)),
        )  # fmt: skip
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OSError(f"nothing written to {tmp}")
        if printer is not None:  # the same page again, on paper; the PDF is kept too
            print_on(
                printer, prepared.traveler, prepared.text, lang=lang, fmt=fmt,
                firm_names=firm_names(store), paper=PaperJob.of(store.job(job_id)),
            )  # fmt: skip
        res = record_issued(store, prepared, actor)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if not res.ok:
        tmp.unlink(missing_ok=True)
        return Refusal(res.reason or "refused")
    os.replace(tmp, out)
    return Issued(prepared, facts, out)
