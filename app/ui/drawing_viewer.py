"""The job's drawing at the machine, and the photos of a defect, full size.

PDF pages are rendered with PDFium (pypdfium2): QtPdf lives in PySide6-Addons, which the
terminal does not carry (PySide6-Essentials only), and poppler would be a system
package. A page is rendered when first shown, at a resolution that keeps its lines sharp
at a few times the fitted size, and kept while the dialog is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import overload

import pypdfium2 as pdfium
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from app.core import drawings
from app.core.state import DrawingEntry, JobState
from app.ui.text import reason_text, tr
from app.ui.zoom_view import ViewerDialog

LONG_SIDE_PX = 4200  # an A3 sheet at about 250 dpi
MAX_PAGES = 20


class PdfPages(Sequence[QImage]):
    """A PDF's pages, each rendered when first shown (opening a long drawing set costs
    one page, not all of them), about ``long_side`` pixels on its long side."""

    def __init__(self, path: Path, long_side: int = LONG_SIDE_PX) -> None:
        self.pdf = pdfium.PdfDocument(str(path))
        self.long_side = long_side
        self.pages_n = min(len(self.pdf), MAX_PAGES)
        self._done: dict[int, QImage] = {}

    def __len__(self) -> int:
        return self.pages_n

    @overload
    def __getitem__(self, i: int) -> QImage: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[QImage]: ...
    def __getitem__(self, i: int | slice) -> QImage | Sequence[QImage]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.pages_n))]
        if not 0 <= i < self.pages_n:
            raise IndexError(i)
        if i not in self._done:
            page = self.pdf[i]
            w, h = page.get_size()
            bitmap = page.render(scale=self.long_side / max(w, h, 1), rev_byteorder=True)
            arr = bitmap.to_numpy()
            fmt = (
                QImage.Format.Format_RGBA8888 if arr.shape[2] == 4 else QImage.Format.Format_RGB888
            )
            self._done[i] = QImage(arr.data, arr.shape[1], arr.shape[0], arr.strides[0], fmt).copy()
            page.close()
        return self._done[i]

    def close(self) -> None:
        self.pdf.close()


def render_pdf(path: Path, long_side: int = LONG_SIDE_PX) -> list[QImage]:
    """Every page of a PDF as an image (for measurements and tests)."""
    pages = PdfPages(path, long_side)
    try:
        return list(pages)
    finally:
        pages.close()


def load_pages(path: Path, content_type: str) -> Sequence[QImage]:
    """A drawing or photo file as pages (an image is one page); [] if unreadable."""
    if content_type == "application/pdf":
        try:
            return PdfPages(path)
        except pdfium.PdfiumError:
            return []
    img = QImage(str(path))
    return [] if img.isNull() else [img]


def drawing_title(job: JobState, d: DrawingEntry) -> str:
    rev = d.revision or "—"
    return tr("Drawing {0}  rev {1}").format(d.drawing_no or "—", rev) + (
        f"   ·   {job.part_no}  ·  {job.job_id}   ·   {d.file_name}"
    )


def mismatch_lines(job: JobState, d: DrawingEntry) -> list[str]:
    """Each disagreement as a sentence with both sides (shown above the drawing)."""
    out = []
    for m in drawings.mismatches(job, d):
        if m.code == "drawing_no_mismatch":
            sides = tr("drawing {0}, job {1}").format(m.shown, m.expected)
        elif m.code == "drawing_revised_after_traveler":
            sides = tr("now rev {0}, traveler printed at rev {1}").format(m.shown, m.expected)
        elif m.code == "drawing_file_rev_mismatch":
            sides = tr("recorded rev {0}, file name rev {1}").format(m.shown, m.expected)
        else:
            sides = tr("drawing rev {0}, job rev {1}").format(m.shown, m.expected)
        out.append(f"{reason_text(m.code)}  ({sides})")
    return out


class DrawingDialog(ViewerDialog):
    """The job's current drawing (or the one given), with any mismatch plainly above it."""

    def __init__(
        self,
        job: JobState,
        drawing: DrawingEntry,
        path: Path,
        parent: QWidget | None = None,
    ) -> None:
        self.job = job
        self.drawing = drawing
        pages = load_pages(path, drawing.content_type)
        super().__init__(
            drawing_title(job, drawing),
            pages,
            warnings=mismatch_lines(job, drawing),
            parent=parent,
        )
        self.setObjectName("drawingDialog")

    def done(self, result: int) -> None:
        if isinstance(self.pages, PdfPages):
            self.pages.close()
        super().done(result)
