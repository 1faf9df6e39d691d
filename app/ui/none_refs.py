"""A guard against a reference-count bug in PySide6 6.12.0 on Python 3.11.

Measured: every call of a void PySide6 method (``QObject.setObjectName``,
``QPainter.drawRect``, ``QFont.setBold`` ...) drops one reference to ``None`` that it
never took. On Python 3.12+ ``None`` is immortal and nothing happens; on 3.11 the count
runs down and the interpreter aborts at exit with "none_dealloc: deallocating None"
(or earlier, in a long-running app). Drawing one A4 traveler makes ~2,000 such calls.

``balanced_none_refs`` gives back what a block of Qt calls took. Giving back too many
(another thread let go of ``None`` meanwhile) is harmless: ``None`` is never freed.
The real fix is a PySide6 build without the bug or Python 3.12+; until then, wrap
bursts of Qt calls that run outside the event loop in this.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None
NEEDED = sys.version_info < (3, 12)


@contextmanager
def balanced_none_refs() -> Iterator[None]:
    if not NEEDED:
        yield
        return
    before = sys.getrefcount(None)
    try:
        yield
    finally:
        lost = before - sys.getrefcount(None)
        for _ in range(max(0, lost)):
            _incref(None)
