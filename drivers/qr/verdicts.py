"""What a scanned text is: a Nakama traveler (and whether it verifies), or another code.

``classify`` is the one place that calls the traveler verifier. Until ``app.core.traveler``
is on this branch it only recognises the prefix and answers ``unverified``; when the module
is there, its ``verify(text, directory, now)`` decides.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

PREFIX = "NK1:"


def _verifier() -> Any | None:
    try:
        return importlib.import_module("app.core.traveler")
    except ImportError:
        return None


def kind(text: str, fmt: str = "QRCode") -> str:
    """``traveler``, ``url``, ``part_number`` (a linear code) or ``text``."""
    prefix = getattr(_verifier(), "PREFIX", PREFIX)
    if text.startswith(prefix):
        return "traveler"
    if text.lower().startswith(("http://", "https://")):
        return "url"
    if fmt != "QRCode" and fmt not in ("DataMatrix", "MicroQRCode"):
        return "part_number"
    return "text"


def classify(text: str, fmt: str = "QRCode", directory: Any = None) -> dict[str, Any]:
    """``{"kind", "verdict", "traveler"}`` for one scanned text.

    ``verdict`` is ``not_nakama`` for other codes, ``unverified`` for a traveler when no
    verifier or key directory is available, else the verifier's verdict code.
    """
    k = kind(text, fmt)
    if k != "traveler":
        return {"kind": k, "verdict": "not_nakama", "traveler": None}
    module = _verifier()
    if module is None or directory is None:
        return {"kind": k, "verdict": "unverified", "traveler": None}
    result = module.verify(text, directory, datetime.now(UTC))
    traveler = getattr(result, "traveler", None)
    if traveler is not None and hasattr(traveler, "to_dict"):
        traveler = traveler.to_dict()
    return {"kind": k, "verdict": str(result.verdict), "traveler": traveler}
