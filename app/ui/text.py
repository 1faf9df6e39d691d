"""Names for the core's codes (reasons, statuses, catalogue entries) in the UI language.

The core returns stable codes; this is where they become words. Catalogue entries carry
their own Japanese and English names; everything else goes through Qt's translator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QTranslator

from app import texts
from app.core import catalog
from app.core.state import payload_in_tolerance

_PROCESSES = catalog.processes()
_DEFECTS = catalog.defects()
_PAUSES = catalog.pause_reasons()


def lang() -> str:
    app = QCoreApplication.instance()
    value = app.property("nakama_lang") if app is not None else None
    return value if value in ("ja", "en") else "ja"


def tr(text: str) -> str:
    return QCoreApplication.translate("Nakama", text)


def process_name(code: str) -> str:
    e = _PROCESSES.get(code)
    return e.name(lang()) if e else code


def _own_name(code: str, p: Mapping[str, Any] | None) -> str:
    """A firm's own code by the names its event carries (in this screen's language)."""
    if not p:
        return code
    ja, en = p.get("name_ja") or "", p.get("name_en") or ""
    return (ja if lang() == "ja" else en) or ja or en or code


def defect_name(code: str, p: Mapping[str, Any] | None = None) -> str:
    e = _DEFECTS.get(code)
    return e.name(lang()) if e else _own_name(code, p)


def pause_name(code: str, p: Mapping[str, Any] | None = None) -> str:
    e = _PAUSES.get(code)
    return e.name(lang()) if e else _own_name(code, p)


def status_name(status: str) -> str:
    return {
        "waiting": tr("Waiting"),
        "running": tr("Running"),
        "paused": tr("Paused"),
        "done": tr("Done"),
        "open": tr("Not started"),
        "in_progress": tr("In progress"),
    }.get(status, status)


def action_name(action: str) -> str:
    return {
        "receive": tr("Receive"),
        "start": tr("Start"),
        "pause": tr("Pause"),
        "resume": tr("Resume"),
        "finish": tr("Finish"),
        "defect": tr("Defect"),
        "measure": tr("Measure"),
        "hand_off": tr("Hand off"),
        "split": tr("Split"),
    }.get(action, action)


REASONS_CONTEXT = "Reasons"


class CatalogueTranslator(QTranslator):
    """Serves the one catalogue of reason and verdict sentences (``app/texts.py``, also
    the CLI's) through Qt's translator: ``translate("Reasons", code)`` gives the sentence
    in the application's language. Installed by ``make_application``."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        if context != REASONS_CONTEXT:
            return None  # not ours (a null string): the next translator answers

        return texts.sentence(source, lang())

    def isEmpty(self) -> bool:
        return False


def reason_text(code: str) -> str:
    """A refusal reason from the core or the store, as a sentence for the machinist."""
    return QCoreApplication.translate(REASONS_CONTEXT, code)


def characteristic_name(code: str) -> str:
    return {
        "OD": tr("Outer diameter"),
        "ID": tr("Inner diameter"),
        "LEN": tr("Length"),
        "WEIGHT": tr("Weight"),
    }.get(code, code)


PASS_ICON, FAIL_ICON = "✔", "✖"


def verdict_text(ok: bool) -> str:
    """合格 / 不合格 by word and icon (the colour is the widget's)."""
    return (
        f"{PASS_ICON} {tr('Within tolerance')}" if ok else f"{FAIL_ICON} {tr('OUT OF TOLERANCE')}"
    )


def measurement_detail(p: dict[str, Any]) -> str:
    """A measurement in a few words: what, the value, its verdict, typed or from a gauge."""
    ok = payload_in_tolerance(p)
    verdict = "" if ok is None else f"  {verdict_text(ok)}"
    how = tr("typed") if not p.get("gauge") else tr("gauge")
    return f"{characteristic_name(p['characteristic'])} {p['value']} {p['unit']}{verdict} ({how})"


def event_name(type_: str) -> str:
    return {
        "JobCreated": tr("Job created"),
        "LotReceived": tr("Received"),
        "LotSplit": tr("Lot split"),
        "OpStarted": tr("Started"),
        "OpPaused": tr("Paused"),
        "OpResumed": tr("Resumed"),
        "OpFinished": tr("Finished"),
        "DefectRecorded": tr("Defect"),
        "MeasurementTaken": tr("Measured"),
        "LotHandedOff": tr("Handed off"),
        "MachineStateChanged": tr("Machine"),
        "TravelerIssued": tr("Traveler issued"),
        "DrawingAttached": tr("Drawing attached"),
        "EventCorrected": tr("Corrected"),
    }.get(type_, type_)


def event_detail(type_: str, p: dict[str, Any]) -> str:
    """The numbers of an event in a few words."""
    if type_ == "LotReceived":
        if p.get("skipped"):
            steps = ", ".join(str(s) for s in p["skipped"])
            return f"{p['count']}  " + tr("(skipping steps {0})").format(steps)
        return f"{p['count']}"
    if type_ == "LotSplit":
        child = str(p["child_lot_id"]).rsplit("-", 1)[-1]
        return f"→ {child}  {p['count']}"
    if type_ == "OpPaused":
        return pause_name(p["reason"], p)
    if type_ == "OpFinished":
        return tr("Good {0} / Defect {1} / Scrap {2}").format(p["good"], p["defect"], p["scrap"])
    if type_ == "DefectRecorded":
        shots = len(p.get("photos") or ())
        photos = "  " + tr("photos: {0}").format(shots) if shots else ""
        return f"{defect_name(p['code'], p)} × {p['count']}{photos}"
    if type_ == "DrawingAttached":
        return tr("{0} rev {1}  ({2})").format(
            p.get("drawing_no") or "—", p.get("revision") or "—", p["file_name"]
        )
    if type_ == "MeasurementTaken":
        return measurement_detail(p)
    if type_ == "LotHandedOff":
        return f"→ {p['to_firm']}  {p['count']}"
    if type_ == "EventCorrected":
        rep = p.get("replacement")
        if rep:
            return f"{event_name(rep['type'])} → {event_detail(rep['type'], rep['payload'])}"
        return tr("Undone")
    return ""
