"""Paper: the one layout module behind every printed document (traveler, label, 日報,
検査成績書, badge cards).

Real text in embedded fonts, drawn with Qt's PDF writer (``QPdfWriter``/``QPainter``) at
600 dpi and measured in millimetres. What every document gets from here:

* page set-up (A4 portrait, the 62 × 100 mm label), written beside the target and moved
  into place only when complete, so a failure never leaves half a PDF;
* fonts: DejaVu Sans for Latin letters and digits, Noto Sans CJK JP for Japanese. With
  Noto CJK alone Qt's shaper picks proportional digit glyphs that have no cmap entry,
  and ``pdftotext`` loses every digit of a job number;
* text that wraps and is never set below ``MIN_PT`` nor cut: ``Page.lines`` breaks it
  (at a space, a hyphen, a slash, a 、 where one is near; Japanese between any two
  characters, keeping 。、」 off the start of a line), ``Page.height`` says how tall it
  will be, and the caller makes the row that tall (``Flow`` moves it to the next page);
* ``Flow``: blocks laid out top to bottom over as many pages as they need, with what a
  page repeats (table heads) drawn again at the top of each further page;
* ``fix_to_unicode``: Qt builds the PDF's ToUnicode map from the font's cmap, which maps
  one glyph to both 工 and the Kangxi radical ⼯, 長 and ⻑, ・ and ‧; it names the
  look-alike, so a search for 工程 or 黄銅 finds nothing. The fix rewrites those entries
  in place (same length, so the PDF's byte offsets stay right);
* ``sign_boxes``: the stamp boxes (社長印, 検査者, 承認者 …), drawn by one function.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import segno
from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
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

DPI = 600
MIN_PT = 8.0  # nothing on paper is smaller: an older machinist reads it at arm's length
FAMILIES = ["DejaVu Sans", "Noto Sans CJK JP"]
A4_MM = (210.0, 297.0)
LABEL_MM = (62.0, 100.0)  # Brother QL 62 mm continuous tape, cut at 100 mm
LINE = 1.25  # line height as a multiple of the type size
PT_MM = 25.4 / 72
# Chosen with bench/traveler_qr.py (12-op traveler, one crease plus oil blots over 5 %
# of the symbol): L reads 3 %, M 25 %, Q 68 %, H 57 % of damaged codes; H costs two more
# versions (smaller modules) and gains only past 10 % damage. Q it is.
QR_ERROR = "q"
QR_BORDER = 4  # quiet zone in modules, as the standard asks
LEFT, CENTER, RIGHT = (
    Qt.AlignmentFlag.AlignLeft,
    Qt.AlignmentFlag.AlignHCenter,
    Qt.AlignmentFlag.AlignRight,
)
GREY = QColor(232, 232, 232)
BLACK = QColor("black")
# Not at the start of a line (JIS X 4051's 行頭禁則, the common part) …
_NO_START = set(
    "、。，．・：；？！ー－）」』】〕〉》’”ゝゞヽヾぁぃぅぇぉっゃゅょァィゥェォッャュョ々〜%),.:;!?-"
)
# … and not at the end of one.
_NO_END = set("（「『【〔〈《‘“([")
_BREAK_AFTER = " -/"


def _latin(c: str) -> bool:
    """A letter of a word that breaks only at spaces (Latin, digits, µ, ±, é …)."""
    return ord(c) < 0x2000 and not c.isspace()


def ensure_app() -> QGuiApplication:
    """The running application, or a new one for fonts; offscreen, since writing a PDF
    needs no screen. A widgets application, so the app and its tests can share it."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "nakama", "-platform", "offscreen"])
    assert isinstance(app, QGuiApplication)
    return app


@dataclass(frozen=True, slots=True)
class QrFacts:
    """What was printed: symbol version, modules across (with quiet zone), module size."""

    version: int
    error: str
    modules: int
    module_mm: float
    pages: int = 1


def qr_symbol(text: str) -> segno.QRCode:
    # Never a Micro QR (segno picks one for short texts; most webcam decoders skip them).
    return segno.make(text, error=QR_ERROR, micro=False, boost_error=False)


class Page:
    """Drawing in millimetres over a painter at ``DPI``; text never below ``MIN_PT``."""

    def __init__(self, painter: QPainter, dpi: float = DPI) -> None:
        self.p = painter
        self.k = dpi / 25.4  # the device's own: DPI for the PDF writer, a printer's its own
        self._metrics: dict[tuple[float, bool], QFontMetricsF] = {}

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(x * self.k, y * self.k, w * self.k, h * self.k)

    # -- type ---------------------------------------------------------------------------
    @staticmethod
    def qfont(pt: float, bold: bool = False) -> QFont:
        f = QFont()
        f.setFamilies(FAMILIES)
        f.setPointSizeF(max(MIN_PT, pt))
        f.setBold(bold)
        return f

    def metrics(self, pt: float, bold: bool = False) -> QFontMetricsF:
        key = (max(MIN_PT, pt), bold)
        m = self._metrics.get(key)
        if m is None:
            m = self._metrics[key] = QFontMetricsF(self.qfont(*key), self.p.device())
        return m

    def width(self, s: str, pt: float, bold: bool = False) -> float:
        """Millimetres that ``s`` takes on one line."""
        return self.metrics(pt, bold).horizontalAdvance(s) / self.k

    def fits(self, s: str, w: float, pt: float, bold: bool = False) -> bool:
        return self.width(s, pt, bold) <= w

    @staticmethod
    def line_h(pt: float) -> float:
        """The height of one line at ``pt`` points, in mm."""
        return max(MIN_PT, pt) * PT_MM * LINE

    def lines(self, s: str, w: float, pt: float, bold: bool = False) -> list[str]:
        """``s`` broken into lines that fit ``w`` mm at ``pt`` (``\\n`` starts a new line).
        A Latin word breaks only after a space, hyphen or slash (mid-word only when one
        word is wider than the box); Japanese between any two characters, but never with
        。、」ー at the start of a line or （「 at its end (行頭・行末禁則)."""
        out: list[str] = []
        for para in s.split("\n"):
            rest = para
            while rest and not self.fits(rest, w, pt, bold):
                lo, hi = 1, len(rest) - 1  # the longest prefix that fits: lo
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    if self.fits(rest[:mid], w, pt, bold):
                        lo = mid
                    else:
                        hi = mid - 1
                n = lo
                if _latin(rest[n - 1]) and _latin(rest[n]) and rest[n - 1] not in _BREAK_AFTER:
                    cut = max(rest.rfind(c, 0, n) + 1 for c in _BREAK_AFTER)
                    start = n  # or before the word, where Japanese runs into it (面取りC0.5)
                    while start > 0 and _latin(rest[start - 1]):
                        start -= 1
                    if max(cut, start) > 0:
                        n = max(cut, start)
                else:
                    while n > 1 and (rest[n] in _NO_START or rest[n - 1] in _NO_END):
                        n -= 1
                out.append(rest[:n].rstrip())
                rest = rest[n:].lstrip()
            out.append(rest)
        return out or [""]

    def height(self, s: str, w: float, pt: float, bold: bool = False) -> float:
        """Millimetres that ``s`` takes wrapped in ``w`` mm at ``pt``."""
        return len(self.lines(s, w, pt, bold)) * self.line_h(pt)

    def fit_pt(self, s: str, w: float, h: float, pt: float, bold: bool = False) -> float:
        """The largest size from ``pt`` down to ``MIN_PT`` at which ``s`` fits the box
        (wrapped when it must); ``MIN_PT`` when nothing does: the caller grows the box."""
        while pt > MIN_PT and self.height(s, w, pt, bold) > h:
            pt -= 0.5
        return max(pt, MIN_PT)

    def text(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        s: str,
        pt: float = 9.0,
        *,
        bold: bool = False,
        align: Qt.AlignmentFlag = LEFT,
        color: QColor | None = None,
        shrink: bool = False,
        top: bool = False,
    ) -> float:
        """Draw ``s`` in the box, wrapped, centred on its height (``top``: from the top).
        ``shrink`` tries smaller type down to ``MIN_PT`` before wrapping further. Never
        cut: what does not fit runs below the box, so callers size boxes with ``height``.
        Returns the height the text took, in mm."""
        if not s:
            return 0.0
        if shrink:
            pt = self.fit_pt(s, w, h, pt, bold)
        lines = self.lines(s, w, pt, bold)
        lh = self.line_h(pt)
        y0 = y if top else y + max(0.0, (h - len(lines) * lh) / 2)
        self.p.setFont(self.qfont(pt, bold))
        self.p.setPen(color or BLACK)
        flags = int(align | Qt.AlignmentFlag.AlignVCenter)
        for i, line in enumerate(lines):
            self.p.drawText(self.rect(x, y0 + i * lh, w, lh), flags, line)
        self.p.setPen(BLACK)
        return len(lines) * lh

    # -- lines and boxes ----------------------------------------------------------------
    def box(
        self, x: float, y: float, w: float, h: float, width_mm: float = 0.25, *, dash: bool = False
    ) -> None:
        pen = QPen(BLACK, width_mm * self.k)
        if dash:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.p.setPen(pen)
        self.p.setBrush(Qt.BrushStyle.NoBrush)
        self.p.drawRect(self.rect(x, y, w, h))

    def fill(self, x: float, y: float, w: float, h: float, color: QColor = GREY) -> None:
        self.p.fillRect(self.rect(x, y, w, h), color)

    def line(
        self, x1: float, y1: float, x2: float, y2: float, width_mm: float = 0.2, grey: bool = False
    ) -> None:
        self.p.setPen(QPen(QColor(150, 150, 150) if grey else BLACK, width_mm * self.k))
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
        self.p.fillPath(path, BLACK)
        return QrFacts(int(symbol.version), symbol.error or QR_ERROR, n, round(module, 3))

    def field(
        self,
        x: float,
        y: float,
        label_w: float,
        value_w: float,
        h: float,
        label: str,
        value: str,
        pt: float = 10.0,
        *,
        bold: bool = False,
        label_pt: float = 9.0,
    ) -> None:
        """A form's field: its name in a grey cell, the value beside it (wrapped)."""
        self.fill(x, y, label_w, h)
        self.box(x, y, label_w, h)
        self.box(x + label_w, y, value_w, h)
        self.text(x + 1.5, y, label_w - 2, h, label, label_pt, shrink=True)
        self.text(x + label_w + 1.5, y, value_w - 3, h, value, pt, bold=bold)

    def sign_boxes(
        self,
        x: float,
        y: float,
        titles: Sequence[str],
        *,
        w: float = 24.0,
        h: float = 24.0,
        head: float = 6.0,
        foot: str = "",
        inside: Sequence[Sequence[str]] = (),
    ) -> float:
        """Stamp boxes side by side (社長印, 確認, 検査者, 承認者 …): a grey title strip over
        an empty square for a 判子; ``foot`` (e.g. a date line) at the bottom of each
        box left empty. ``inside[i]``: lines written in box ``i`` (a sign-off recorded in
        Nakama: who, when; its foot is then left out). Every document's sign-off goes
        through here. Returns the total height."""
        for i, title in enumerate(titles):
            bx = x + i * w
            self.fill(bx, y, w, head)
            self.box(bx, y, w, head, 0.3)
            self.box(bx, y + head, w, h, 0.3)
            self.text(bx, y, w, head, title, 9, bold=True, align=CENTER, shrink=True)
            lines = inside[i] if i < len(inside) else ()
            for j, line in enumerate(lines):
                self.text(bx + 1, y + head + 1.5 + 5 * j, w - 2, 5, line, MIN_PT,
                          align=CENTER, shrink=True)  # fmt: skip
            if foot and not lines:
                self.text(bx + 1, y + head + h - 5.5, w - 2, 5, foot, MIN_PT)
        return head + h


# -- documents ---------------------------------------------------------------------------


@contextmanager
def document(out: Path, title: str, size_mm: tuple[float, float] = A4_MM) -> Iterator[Document]:
    """A PDF being written to ``out``: yields a ``Document`` (its ``page`` to draw on, its
    ``new_page``). Written beside the target, the ToUnicode map fixed, then moved into
    place; on an error nothing is left behind."""
    ensure_app()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    writer = QPdfWriter(str(tmp))
    writer.setResolution(DPI)
    writer.setTitle(title)
    writer.setCreator("Nakama")
    writer.setPageLayout(
        QPageLayout(_page_size(size_mm), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    )
    painter = QPainter(writer)
    doc = Document(writer, Page(painter), size_mm)
    try:
        try:
            yield doc
        finally:
            painter.end()
            doc.writer = None
        tmp.write_bytes(fix_to_unicode(tmp.read_bytes()))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def on_device(
    device: QPagedPaintDevice, size_mm: tuple[float, float] = A4_MM
) -> Iterator[Document]:
    """The same pages on another device (a printer): yields a ``Document`` drawn at the
    device's own resolution. Raises ``OSError`` when the device cannot be opened."""
    device.setPageLayout(QPageLayout(_page_size(size_mm), QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0)))  # fmt: skip
    painter = QPainter(device)
    if not painter.isActive():
        raise OSError("the printer could not be opened")
    doc = Document(device, Page(painter, device.logicalDpiX()), size_mm)
    try:
        yield doc
    finally:
        painter.end()
        doc.writer = None


def _page_size(size_mm: tuple[float, float]) -> QPageSize:
    if size_mm == A4_MM:
        return QPageSize(QPageSize.PageSizeId.A4)
    return QPageSize(QSizeF(*size_mm), QPageSize.Unit.Millimeter, "label")


@dataclass(slots=True)
class Document:
    writer: QPagedPaintDevice | None
    page: Page
    size_mm: tuple[float, float]
    pages: int = 1

    def new_page(self) -> None:
        assert self.writer is not None, "the document is closed"
        self.writer.newPage()
        self.pages += 1


Draw = Callable[[Page, float], object]  # draws a block at y; what it returns is ignored


@dataclass(slots=True)
class Flow:
    """Blocks laid out top to bottom over pages: (y, draw) per block. ``need`` starts a
    new page when a block of that height does not fit above ``bottom``; ``repeat`` is
    put at the top of every further page (a table's column heads)."""

    top: float
    bottom: float
    next_top: float | None = None
    pages: list[list[tuple[float, Draw]]] = field(default_factory=lambda: [[]])
    y: float = 0.0
    repeat: list[tuple[float, Draw]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.y = self.top

    def need(self, h: float) -> float:
        if self.y + h > self.bottom and self.pages[-1]:
            self.pages.append([])
            self.y = self.top if self.next_top is None else self.next_top
            for rh, draw in self.repeat:
                self.put(rh, draw)
        return self.y

    def put(self, h: float, draw: Draw) -> None:
        self.pages[-1].append((self.y, draw))
        self.y += h

    def block(self, h: float, draw: Draw) -> None:
        """``need`` then ``put``: the block on this page if it fits, else on the next."""
        self.need(h)
        self.put(h, draw)


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: title, width in mm, alignment, type size, bold."""

    title: str
    width: float
    align: Qt.AlignmentFlag = LEFT
    pt: float = 9.0
    bold: bool = False


PAD = 1.2  # mm inside a cell, each side


def table(
    flow: Flow,
    page: Page,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    x: float,
    min_row: float = 7.0,
    head_pt: float = 8.5,
    empty: str = "",
) -> None:
    """A table put on ``flow``: its heads, then rows as tall as their longest wrapped cell
    (never less than ``min_row``); rows run onto further pages with the heads again."""
    heads = [page.lines(c.title, c.width - 2 * PAD, head_pt, True) for c in columns]
    head_h = max(7.0, max(len(h) for h in heads) * page.line_h(head_pt) + 1.5)

    def draw_head(pg: Page, y: float) -> None:
        cx = x
        for c in columns:
            pg.fill(cx, y, c.width, head_h)
            pg.box(cx, y, c.width, head_h, 0.3)
            pg.text(cx + PAD, y, c.width - 2 * PAD, head_h, c.title, head_pt, bold=True,
                    align=CENTER)  # fmt: skip
            cx += c.width

    flow.need(head_h + min_row)
    flow.put(head_h, draw_head)
    saved = flow.repeat
    flow.repeat = [*saved, (head_h, draw_head)]
    if not rows and empty:
        width = sum(c.width for c in columns)
        flow.put(min_row, lambda pg, y: pg.text(x + 2, y, width - 4, min_row, empty, 9))
    for values in rows:
        h = max(
            min_row,
            *(
                pg_h + 2 * PAD
                for pg_h in (
                    page.height(v, c.width - 2 * PAD, c.pt, c.bold)
                    for c, v in zip(columns, values, strict=True)
                )
            ),
        )

        def draw_row(pg: Page, y: float, values: Sequence[str] = values, h: float = h) -> None:
            cx = x
            for c, v in zip(columns, values, strict=True):
                pg.box(cx, y, c.width, h)
                pg.text(cx + PAD, y, c.width - 2 * PAD, h, v, c.pt, bold=c.bold, align=c.align)
                cx += c.width

        flow.block(h, draw_row)
    flow.repeat = saved


# -- ToUnicode ---------------------------------------------------------------------------

_BFBLOCK = re.compile(rb"beginbf(range|char)(.*?)endbf(?:range|char)", re.S)
_HEX4 = re.compile(rb"<([0-9A-Fa-f]{4})>")

# CJK Radicals Supplement code points that Noto Sans CJK JP draws with the glyph of a
# unified ideograph (read from the font's cmap, format 12): Qt's ToUnicode map names the
# radical, so 全長 would extract as 全⻑ (U+2ED1) and a search for 長 would miss it. These
# have no NFKC mapping, unlike the Kangxi radicals (⼯ → 工), which NFKC undoes.
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
    # Found by extracting every JIS X 0208 character (tests/test_paper.py): glyphs the
    # font shares between a JIS character and another one, named by the other.
    0x2035: 0xFF40,  # ‵ -> ｀
    0x2215: 0xFF0F,  # ∕ -> ／
    0x2329: 0x3008,  # 〈 -> 〈
    0x232A: 0x3009,  # 〉 -> 〉
    0x6236: 0x6238,  # 戶 -> 戸 (JIS X 0208 has only 戸; the font draws 戸 for ⼾)
}  # fmt: skip


def _ideograph(cp: int) -> int:
    """The code point a reader searches for, for one the ToUnicode map named."""
    if cp in RADICAL_IDEOGRAPHS:
        return RADICAL_IDEOGRAPHS[cp]
    if 0x2E80 <= cp <= 0x2FDF:  # Kangxi radicals: NFKC gives the unified ideograph
        norm = unicodedata.normalize("NFKC", chr(cp))
        if len(norm) == 1 and ord(norm) <= 0xFFFF:
            # ⼾ (U+2F3E) is 戶 by NFKC, but the glyph is the Japanese 戸
            return RADICAL_IDEOGRAPHS.get(ord(norm), ord(norm))
    return cp


def fix_to_unicode(pdf: bytes) -> bytes:
    """Point ToUnicode entries at unified ideographs (and ・, ／ …) instead of look-alikes.

    A bfchar line is ``<glyph> <unicode>``; a bfrange line ``<g1> <g2> [<u> …]`` maps
    glyph by glyph, and ``<g1> <g2> <u>`` counts up from u. Where only single entries
    change, each keeps its length and every byte offset in the PDF stays valid; a
    counting range with a look-alike inside is written out glyph by glyph, and then the
    stream's ``/Length`` and the cross-reference table are written again."""
    grew = False

    def unify(e: re.Match[bytes]) -> bytes:
        cp = int(e.group(1), 16)
        new = _ideograph(cp)
        return b"<%04X>" % new if new != cp else e.group(0)

    def block(m: re.Match[bytes]) -> bytes:
        nonlocal grew
        is_range = m.group(1) == b"range"
        lines = []
        for line in m.group(0).split(b"\n"):
            codes = list(_HEX4.finditer(line))
            if is_range and len(codes) > 2:
                g1, g2 = int(codes[0].group(1), 16), int(codes[1].group(1), 16)
                if b"[" in line or g1 == g2:
                    cut = codes[2].start()
                    line = line[:cut] + _HEX4.sub(unify, line[cut:])
                else:
                    u = int(codes[2].group(1), 16)
                    mapped = [_ideograph(u + i) for i in range(g2 - g1 + 1)]
                    if mapped != [u + i for i in range(g2 - g1 + 1)]:
                        grew = True
                        items = b" ".join(b"<%04X>" % c for c in mapped)
                        line = line[: codes[2].start()] + b"[" + items + b"]"
            elif not is_range and len(codes) == 2:
                cut = codes[1].start()
                line = line[:cut] + _HEX4.sub(unify, line[cut:])
            lines.append(line)
        return b"\n".join(lines)

    if b"endstream" not in pdf:  # a bare CMap, not a PDF
        return _BFBLOCK.sub(block, pdf)
    fixed = _STREAM.sub(lambda m: _restream(m, block), pdf)
    return _reindex(fixed) if grew else fixed


_STREAM = re.compile(rb"<< /Length (\d+) >>\nstream\n(.*?)\nendstream", re.S)
_OBJ = re.compile(rb"(?m)^(\d+) 0 obj\b")


def _restream(m: re.Match[bytes], block: Callable[[re.Match[bytes]], bytes]) -> bytes:
    """A stream with its ToUnicode ranges fixed and its ``/Length`` set to match."""
    body = m.group(2)
    if b"beginbf" not in body:
        return m.group(0)
    new = _BFBLOCK.sub(block, body)
    if new == body:
        return m.group(0)
    length = int(m.group(1)) + len(new) - len(body)
    return b"<< /Length %d >>\nstream\n" % length + new + b"\nendstream"


def _reindex(pdf: bytes) -> bytes:
    """Write the cross-reference table and ``startxref`` again for objects that moved."""
    xref = pdf.rindex(b"\nxref\n") + 1
    offsets = {int(m.group(1)): m.start() for m in _OBJ.finditer(pdf, 0, xref)}
    size = max(offsets) + 1
    rows = [b"0000000000 65535 f \n"] + [
        b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
        for n in range(1, size)
    ]
    trailer = pdf.index(b"trailer", xref)
    table = b"xref\n0 %d\n" % size + b"".join(rows)
    tail = re.sub(rb"startxref\n\d+", b"startxref\n%d" % xref, pdf[trailer:])
    return pdf[:xref] + table + tail
