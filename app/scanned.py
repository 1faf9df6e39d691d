"""What a scanned text means: a Nakama traveler (and whether it verifies), an operator's
badge, or another code.

The drivers only report what they read (text, format, corners); this is the one place
the app decides what that text is, asking the traveler verifier
(``app.core.traveler.verify``, pure and offline) what a traveler is worth.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.core.operators import BADGE_PREFIX
from app.core.traveler import KeyDirectory, looks_like_traveler, traveler_to_dict, verify


def kind(text: str, fmt: str = "QRCode") -> str:
    """``traveler``, ``badge``, ``url``, ``part_number`` (a linear code) or ``text``."""
    if looks_like_traveler(text):
        return "traveler"
    if text.startswith(BADGE_PREFIX):
        return "badge"
    if text.lower().startswith(("http://", "https://")):
        return "url"
    if fmt != "QRCode" and fmt not in ("DataMatrix", "MicroQRCode"):
        return "part_number"
    return "text"


def classify(
    text: str, fmt: str = "QRCode", directory: KeyDirectory | None = None
) -> dict[str, Any]:
    """``{"kind", "verdict", "traveler"}`` for one scanned text.

    ``verdict`` is ``not_nakama`` for other codes, ``unverified`` for a traveler when no
    key directory is given, else the verifier's verdict. ``traveler`` is filled whenever
    its payload could be read, even when it does not verify, so a screen can say whose
    code failed; only ``valid`` means it can be trusted.
    """
    k = kind(text, fmt)
    if k != "traveler":
        return {"kind": k, "verdict": "not_nakama", "traveler": None}
    if directory is None:
        return {"kind": k, "verdict": "unverified", "traveler": None}
    result = verify(text, directory, datetime.now(UTC))
    t = result.traveler
    return {
        "kind": k,
        "verdict": result.verdict.value,
        "traveler": traveler_to_dict(t) if t is not None else None,
    }
