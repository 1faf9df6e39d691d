"""The printed traveler: an A4 sheet or a 62 mm label, as a PDF with real, selectable text.

Drawn with Qt's PDF writer (``QPdfWriter``/``QPainter``): the QR is vector rectangles
(crisp on any laser printer at any scale), text is embedded fonts: DejaVu Sans for
Latin letters and digits, Noto Sans CJK JP for Japanese. Two measured reasons for
that pairing and for the clean-up after writing:

* with Noto CJK alone, Qt's shaper picks proportional digit glyphs that have no entry
  in the font's cmap, so ``pdftotext`` loses every digit of the job number;
* Qt builds the ToUnicode map from the font's cmap, which maps one glyph to both 工
  and the Kangxi radical ⼯ (U+2F2F); it picks the radical, so searching the PDF for
  工程 finds nothing. ``fix_to_unicode`` rewrites those entries in place (same length,
  so the PDF's byte offsets stay right).
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)
from PySide6.QtWidgets import QApplication

from app.core import catalog, commands
from app.core.commands import Actor
from app.core.traveler import Traveler
from app.store.firms import firm_names
from app.store.store import Store
from app.store.travelers import PreparedTraveler, Refusal, prepare, record_issued

DPI = 600
A4, LABEL = "a4", "label"
LABEL_SIZE_MM = (62.0, 100.0)  # Brother QL 62 mm continuous tape, cut at 100 mm
# Chosen with bench/traveler_qr.py (12-op traveler, one crease plus oil blots over 5 %
# of the symbol): L reads 3 %, M 25 %, Q 68 %, H 57 % of damaged codes; H costs two more
# versions (smaller modules) and gains only past 10 % damage. Q it is.
QR_ERROR = "q"
QR_BORDER = 4  # quiet zone in modules, as the standard asks
FAMILIES = ["DejaVu Sans", "Noto Sans CJK JP"]
_PROCESSES = catalog.processes()

TEXT: dict[str, tuple[str, str]] = {
    "title": ("工程表 / 現品票", "Traveler"),
    "job": ("注番", "Job No."),
    "part": ("品番", "Part No."),
    "drawing": ("図番", "Drawing No."),
    "qty": ("数量", "Quantity"),
    "of_order": ("受注数", "order"),
    "due": ("納期", "Due"),
    "lot": ("ロット", "Lot"),
    "parent": ("親ロット", "Parent lot"),
    "issuer": ("発行", "Issued by"),
    "seq": ("工程", "Op"),
    "firm": ("事業者", "Firm"),
    "process": ("加工", "Process"),
    "received": ("受入数", "Received"),
    "good": ("良品", "Good"),
    "defect": ("不良", "Defect"),
    "date": ("日付", "Date"),
    "sign": ("印", "Sign"),
    "scan": (
        "QRコードを読み取ると注番・工程が表示されます。手入力は不要です。",
        "Scan the QR code to open this job and its route; no typing needed.",
    ),
    "pcs": ("個", "pcs"),
}
WEEKDAYS = {"ja": "月火水木金土日", "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}


def t(key: str, lang: str) -> str:
    ja, en = TEXT[key]
    return ja if lang == "ja" else en


def day(d: date, lang: str) -> str:
    return f"{d.isoformat()} ({WEEKDAYS[lang][d.weekday()]})"


def process_name(code: str, lang: str) -> str:
    entry = _PROCESSES.get(code)
    return entry.name(lang) if entry else code


@dataclass(frozen=True, slots=True)
class QrFacts:
    """What was printed: symbol version, modules across (with quiet zone), module size."""

    version: int
    error: str
    modules: int
    module_mm: float


def qr_symbol(text: str) -> segno.QRCode:
    # Never a Micro QR (segno picks one for short texts; most webcam decoders skip them).
    return segno.make(text, error=QR_ERROR, micro=False, boost_error=False)


def ensure_app() -> QGuiApplication:
    """The running application, or a new one for fonts; offscreen, since writing a PDF
    needs no screen. A widgets application, so the app and its tests can share it."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "nakama", "-platform", "offscreen"])
    assert isinstance(app, QGuiApplication)
    return app


class _Sheet:
    """Drawing helpers in millimetres over a painter at ``DPI``."""

    def __init__(self, painter: QPainter) -> None:
        self.p = painter
        # The device's own resolution: DPI for the PDF writer, whatever a printer uses.
        device = painter.device()
        self.k = (device.logicalDpiX() if device is not None else DPI) / 25.4

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(x * self.k, y * self.k, w * self.k, h * self.k)

    def font(self, pt: float, bold: bool = False) -> None:
        f = QFont()
        f.setFamilies(FAMILIES)
        f.setPointSizeF(pt)
        f.setBold(bold)
        self.p.setFont(f)

    def text(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        s: str,
        pt: float,
        *,
        bold: bool = False,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        wrap: bool = False,
    ) -> None:
        self.font(pt, bold)
        if not wrap:
            # Shrink a long value (an English process name, a long lot id) to fit its box
            # rather than cut it: a clipped word on a traveler is a misread waiting.
            room = w * self.k
            while (
                pt > 5 and QFontMetricsF(self.p.font(), self.p.device()).horizontalAdvance(s) > room
            ):
                pt -= 0.5
                self.font(pt, bold)
        flags = align | Qt.AlignmentFlag.AlignVCenter
        box = self.rect(x, y, w, h)
        if wrap:
            flags |= Qt.TextFlag.TextWordWrap
            # The same for wrapped text: smaller type until every line is inside the box.
            while pt > 5 and self.height(box, int(flags), s) > box.height():
                pt -= 0.5
                self.font(pt, bold)
        self.p.drawText(box, int(flags), s)

    def fits(self, x: float, y: float, w: float, h: float, s: str, pt: float) -> bool:
        """Whether ``s`` wrapped at ``pt`` points stays inside the box."""
        self.font(pt)
        box = self.rect(x, y, w, h)
        return self.height(box, int(Qt.TextFlag.TextWordWrap), s) <= box.height()

    def height(self, box: QRectF, flags: int, s: str) -> float:
        metrics = QFontMetricsF(self.p.font(), self.p.device())
        return metrics.boundingRect(QRectF(0, 0, box.width(), 1e6), flags, s).height()

    def box(self, x: float, y: float, w: float, h: float, width_mm: float = 0.3) -> None:
        self.p.setPen(QPen(QColor("black"), width_mm * self.k))
        self.p.setBrush(Qt.BrushStyle.NoBrush)
        self.p.drawRect(self.rect(x, y, w, h))

    def line(self, x1: float, y1: float, x2: float, y2: float, width_mm: float = 0.3) -> None:
        self.p.setPen(QPen(QColor("black"), width_mm * self.k))
        self.p.drawLine(self.rect(x1, y1, 0, 0).topLeft(), self.rect(x2, y2, 0, 0).topLeft())

    def qr(self, text: str, x: float, y: float, size: float) -> QrFacts:
        """Draw the QR, quiet zone included, in a ``size`` mm square at (x, y)."""
        symbol = qr_symbol(text)
        rows = [list(r) for r in symbol.matrix]
        n = len(rows) + 2 * QR_BORDER
        module = size / n
        path = QPainterPath()
        # One path of merged horizontal runs, filled with the winding rule, so no hairline
        # seams appear between neighbouring modules when a printer driver rasterises it.
        path.setFillRule(Qt.FillRule.WindingFill)
        for r, row in enumerate(rows):
            c = 0
            while c < len(row):
                if row[c] & 1:
                    start = c
                    while c < len(row) and row[c] & 1:
                        c += 1
                    path.addRect(
                        self.rect(
                            x + (start + QR_BORDER) * module,
                            y + (r + QR_BORDER) * module,
                            (c - start) * module,
                            module,
                        )
                    )
                else:
                    c += 1
        self.p.fillPath(path, QColor("black"))
        return QrFacts(int(symbol.version), symbol.error or QR_ERROR, n, round(module, 3))


def write_pdf(
    traveler: Traveler,
    qr_text: str,
    out: Path,
    *,
    lang: str = "ja",
    fmt: str = A4,
    firm_names: Mapping[str, str] | None = None,
) -> QrFacts:
    """Write the traveler sheet (``a4``) or label (``label``) to ``out``; returns QR facts.
    ``firm_names`` (code -> name, the firm directory) puts names beside the codes."""
    facts = _write(traveler, qr_text, Path(out), lang, fmt, firm_names or {})
    out = Path(out)
    out.write_bytes(fix_to_unicode(out.read_bytes()))
    return facts


def _write(
    traveler: Traveler, qr_text: str, out: Path, lang: str, fmt: str, names: Mapping[str, str]
) -> QrFacts:
    ensure_app()
    writer = QPdfWriter(str(out))
    writer.setResolution(DPI)
    writer.setTitle(f"{t('title', lang)} {traveler.job_id} {traveler.lot_id}")
    writer.setCreator("Nakama")
    return paint(writer, traveler, qr_text, lang, fmt, names)


def page_layout(fmt: str) -> QPageLayout:
    if fmt == LABEL:
        size = QPageSize(QRectF(0, 0, *LABEL_SIZE_MM).size(), QPageSize.Unit.Millimeter, "label")
    else:
        size = QPageSize(QPageSize.PageSizeId.A4)
    return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))


def paint(
    device: QPagedPaintDevice,
    traveler: Traveler,
    qr_text: str,
    lang: str,
    fmt: str,
    names: Mapping[str, str],
) -> QrFacts:
    """Paint the sheet on ``device`` (the PDF writer, or a printer: the same page)."""
    device.setPageLayout(page_layout(fmt))
    painter = QPainter(device)
    if not painter.isActive():
        raise OSError("the printer could not be opened")
    try:
        sheet = _Sheet(painter)
        if fmt == LABEL:
            facts = _label(sheet, traveler, qr_text, lang, names)
        else:
            facts = _a4(sheet, traveler, qr_text, lang, names)
    finally:
        painter.end()
    return facts


def _qty_text(tr: Traveler, lang: str) -> str:
    s = f"{tr.qty:,} {t('pcs', lang)}"
    if tr.order_qty != tr.qty:
        s += f"  ({t('of_order', lang)} {tr.order_qty:,})"
    return s


def _firm(code: str, names: Mapping[str, str]) -> str:
    name = names.get(code)
    return f"{name} ({code})" if name else code


def _a4(s: _Sheet, tr: Traveler, qr_text: str, lang: str, names: Mapping[str, str]) -> QrFacts:
    left, top, width = 12.0, 12.0, 186.0
    s.text(left, top, 110, 12, t("title", lang), 20, bold=True)
    # The shop's own clock on paper (JST in Ota), with its offset so it is unambiguous.
    issued = tr.issued_at.astimezone().strftime("%Y-%m-%d %H:%M (UTC%z)")
    issuer = _firm(tr.issuer, names)
    s.text(left, top + 12, 110, 6, f"{t('issuer', lang)}: {issuer}  {issued}", 8)

    qr_size = 72.0
    facts = s.qr(qr_text, left + width - qr_size, top, qr_size)

    fields = [
        ("job", tr.job_id, 16.0),
        ("part", tr.part_no, 13.0),
        ("drawing", tr.drawing_no or "—", 11.0),
        ("qty", _qty_text(tr, lang), 13.0),
        ("due", day(tr.due, lang), 13.0),
        ("lot", tr.lot_id, 11.0),
    ]  # fmt: skip
    if tr.parent_lot:
        fields.append(("parent", tr.parent_lot, 10.0))
    y, label_w, value_w, row_h = top + 20, 26.0, 84.0, 9.0
    for key, value, pt in fields:
        s.box(left, y, label_w, row_h)
        s.box(left + label_w, y, value_w, row_h)
        s.text(left + 1.5, y, label_w - 2, row_h, t(key, lang), 9)
        s.text(left + label_w + 2, y, value_w - 3, row_h, value, pt, bold=key in ("job", "part"))
        y += row_h

    y = max(y, top + qr_size) + 6
    cols = [("seq", 12), ("process", 32), ("firm", 38), ("received", 18), ("good", 18),
            ("defect", 18), ("date", 26), ("sign", 24)]  # fmt: skip
    footer_h = 14.0
    head_h = 8.0
    rows_h = 297 - 10 - footer_h - y - head_h
    row_h = min(16.0, rows_h / max(1, len(tr.route.ops)))
    x = left
    for key, w in cols:
        s.box(x, y, w, head_h, 0.5)
        s.text(x, y, w, head_h, t(key, lang), 9, bold=True, align=Qt.AlignmentFlag.AlignHCenter)
        x += w
    y += head_h
    for op in tr.route.ops:
        x = left
        for key, w in cols:
            s.box(x, y, w, row_h)
            name = names.get(op.firm) if key == "firm" else None
            if name:  # the name to read at a glance, the code to match the screen
                mid = Qt.AlignmentFlag.AlignHCenter
                s.text(x + 1.5, y + 1, w - 3, row_h * 0.6 - 1, name, 11.0, align=mid)
                s.text(x + 1.5, y + row_h * 0.55, w - 3, row_h * 0.4, op.firm, 8.0, align=mid)
                x += w
                continue
            value = {"seq": str(op.seq), "process": process_name(op.process, lang),
                     "firm": op.firm}.get(key, "")  # fmt: skip
            if value:
                pt = 12.0 if key != "seq" else 11.0
                s.text(x + 1.5, y, w - 3, row_h, value, pt, align=Qt.AlignmentFlag.AlignHCenter)
            x += w
        y += row_h
    s.line(left, y + 4, left + width, y + 4, 0.2)
    s.text(left, y + 5, width, 8, t("scan", lang), 8, wrap=True)
    return facts


def _label(s: _Sheet, tr: Traveler, qr_text: str, lang: str, names: Mapping[str, str]) -> QrFacts:
    w, _h = LABEL_SIZE_MM
    m = 3.0
    s.text(m, m, w - 2 * m, 7, tr.job_id, 12, bold=True)
    s.text(m, m + 7, w - 2 * m, 5, f"{t('part', lang)} {tr.part_no}", 8)
    qty_due = f"{t('qty', lang)} {_qty_text(tr, lang)}   {t('due', lang)} {tr.due.isoformat()}"
    s.text(m, m + 12, w - 2 * m, 5, qty_due, 8)
    qr_size = w - 2 * m
    facts = s.qr(qr_text, m, m + 18, qr_size)
    y = m + 18 + qr_size
    box = (m, y, w - 2 * m, 100 - y - m - 4)
    steps = " → ".join(
        f"{o.seq} {process_name(o.process, lang)} {names.get(o.firm, o.firm)}" for o in tr.route.ops
    )
    if not s.fits(*box, steps, 6.0):  # a long route with long names: codes take less room
        steps = " → ".join(
            f"{o.seq} {process_name(o.process, lang)} {o.firm}" for o in tr.route.ops
        )
    s.text(*box, steps, 6.5, wrap=True)
    s.text(m, 100 - m - 4, w - 2 * m, 4, f"{t('lot', lang)} {tr.lot_id}", 6.5)
    return facts


_BFBLOCK = re.compile(rb"beginbf(range|char)(.*?)endbf(?:range|char)", re.S)
_HEX4 = re.compile(rb"<([0-9A-Fa-f]{4})>")


def _unify(m: re.Match[bytes]) -> bytes:
    cp = int(m.group(1), 16)
    if 0x2E80 <= cp <= 0x2FDF:
        norm = unicodedata.normalize("NFKC", chr(cp))
        if len(norm) == 1 and ord(norm) <= 0xFFFF and norm != chr(cp):
            return b"<%04X>" % ord(norm)
    return m.group(0)


# CJK Radicals Supplement code points that Noto Sans CJK JP draws with the glyph of a
# unified ideograph (read from the font's cmap, format 12): Qt's ToUnicode map names the
# radical, so 全長 would extract as 全⻑ (U+2ED1) and a search for 長 would miss it. These
# have no NFKC mapping, so the traveler's ``fix_to_unicode`` (Kangxi radicals) keeps them.
RADICAL_IDEOGRAPHS: dict[int, int] = {
    0x2E82: 0x4E5B, 0x2E83: 0x4E5A, 0x2E85: 0x4EBB, 0x2E89: 0x5202, 0x2E8B: 0x353E,
    0x2E8E: 0x5140, 0x2E8F: 0x5C23, 0x2E90: 0x5C22, 0x2E92: 0x5DF3, 0x2E93: 0x5E7A,
    0x2E94: 0x5F51, 0x2E96: 0x5FC4, 0x2E98: 0x624C, 0x2E99: 0x6535, 0x2E9B: 0x65E1,
    0x2E9E: 0x6B7A, 0x2E9F: 0x6BCD, 0x2EA0: 0x6C11, 0x2EA1: 0x6C35, 0x2EA3: 0x706C,
    0x2EA6: 0x4E2C, 0x2EA8: 0x72AD, 0x2EAB: 0x7F52, 0x2EAD: 0x793B, 0x2EAF: 0x7CF9,
    0x2EB0: 0x7E9F, 0x2EB1: 0x7F53, 0x2EB2: 0x7F52, 0x2EB9: 0x8002, 0x2EBA: 0x8080,
    0x2EBE: 0x8279, 0x2EC2: 0x8864, 0x2EC3: 0x8980, 0x2EC4: 0x897F, 0x2EC5: 0x89C1,
    0x2EC8: 0x8BA0, 0x2EC9: 0x8D1D, 0x2ECB: 0x8F66, 0x2ECD: 0x8FB6, 0x2ED0: 0x9485,
    0x2ED1: 0x9577, 0x2ED2: 0x9578, 0x2ED3: 0x957F, 0x2ED6: 0x961D, 0x2ED8: 0x9752,
    0x2ED9: 0x97E6, 0x2EDA: 0x9875, 0x2EDB: 0x98CE, 0x2EDC: 0x98DE, 0x2EDF: 0x98E0,
    0x2EE0: 0x9963, 0x2EE2: 0x9A6C, 0x2EE5: 0x9C7C, 0x2EE6: 0x9E1F, 0x2EE7: 0x5364,
    0x2EE8: 0x9EA6, 0x2EE9: 0x9EC4, 0x2EEA: 0x9EFE, 0x2EEB: 0x6589, 0x2EEC: 0x9F50,
    0x2EED: 0x6B6F, 0x2EEE: 0x9F7F, 0x2EEF: 0x7ADC, 0x2EF0: 0x9F99, 0x2EF2: 0x4E80,
    0x2EF3: 0x9F9F,
    0x2027: 0x30FB,  # the font's one middle-dot glyph: ・ (katakana), not ‧ (hyphenation)
}  # fmt: skip
_ENTRY = re.compile(rb"<([0-9A-Fa-f]{4})>")


def _fix_radicals(pdf: bytes) -> bytes:
    """Point ToUnicode entries at 長 and the like instead of their radical look-alikes.

    Like the Kangxi fix: only the Unicode side of a one-glyph entry changes, to a code of
    the same length, so every byte offset in the PDF stays valid."""

    def unify(e: re.Match[bytes]) -> bytes:
        cp = RADICAL_IDEOGRAPHS.get(int(e.group(1), 16))
        return b"<%04X>" % cp if cp is not None else e.group(0)

    def block(m: re.Match[bytes]) -> bytes:
        is_range = m.group(1) == b"range"
        lines = []
        for line in m.group(0).split(b"\n"):
            codes = list(_ENTRY.finditer(line))
            if is_range and len(codes) > 2:
                # <g1> <g2> [<u> <u> …] maps glyph by glyph; <g1> <g2> <u> counts up from
                # u, so it is changed only when it maps a single glyph.
                if b"[" in line or codes[0].group(1) == codes[1].group(1):
                    cut = codes[2].start()
                    line = line[:cut] + _ENTRY.sub(unify, line[cut:])
            elif not is_range and len(codes) == 2:
                cut = codes[1].start()
                line = line[:cut] + _ENTRY.sub(unify, line[cut:])
            lines.append(line)
        return b"\n".join(lines)

    return _BFBLOCK.sub(block, pdf)


def fix_to_unicode(pdf: bytes) -> bytes:
    """Point ToUnicode entries at unified ideographs instead of their radical look-alikes.

    Only the Unicode side of each entry changes (a bfrange line starts with two glyph
    codes, a bfchar line with one), and each replacement keeps its length, so every
    byte offset in the PDF stays valid."""

    def block(m: re.Match[bytes]) -> bytes:
        skip = 2 if m.group(1) == b"range" else 1
        lines = []
        for line in m.group(0).split(b"\n"):
            codes = list(_HEX4.finditer(line))
            if len(codes) > skip:
                cut = codes[skip].start()
                line = line[:cut] + _HEX4.sub(_unify, line[cut:])
            lines.append(line)
        return b"\n".join(lines)

    return _fix_radicals(_BFBLOCK.sub(block, pdf))


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
            prepared.traveler, prepared.text, tmp, lang=lang, fmt=fmt, firm_names=firm_names(store)
        )
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OSError(f"nothing written to {tmp}")
        if printer is not None:  # the same page again, on paper; the PDF is kept too
            paint(printer, prepared.traveler, prepared.text, lang, fmt, firm_names(store))
        res = record_issued(store, prepared, actor)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if not res.ok:
        tmp.unlink(missing_ok=True)
        return Refusal(res.reason or "refused")
    os.replace(tmp, out)
    return Issued(prepared, facts, out)
