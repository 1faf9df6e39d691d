"""A job as the machinists really do it, on the real widgets, at every panel size in both
languages: the lead prints the traveler first; a machinist signs in with their badge,
scans the sheet, receives, starts (undoes the start by mistake, starts again), pauses,
resumes, records a defect, measures, finishes, splits the lot and hands the rest on; the
next firm's terminal, which has never seen the job, scans the same sheet offline and
receives; after a restart both terminals show the same state.

Every button tapped must be on screen, inside the window, at least 15 mm each way at
the panel's density; the dialogs' answers are scripted (their layout is checked in
tests/test_ui_layout.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel, QPushButton
from test_ui import ScriptedAsker, _dialogs_never_block

from app.core import commands, lots
from app.core.model import JobSpec, Route
from app.core.operators import badge_text
from app.store import Store
from app.store.keyring import own_public_key, upsert_keys
from app.ui.catalogue import SIZES
from app.ui.main_window import MainWindow
from app.ui.session import Session
from app.ui.traveler_print import issue_pdf
from app.ui.widgets import TOUCH_MM, mm

__all__ = ["_dialogs_never_block"]

LEAD_OWNER = commands.Actor("F001", "F001-OP-0001", commands.OWNER)
HEAT_OWNER = commands.Actor("F007", "F007-OP-0001", commands.OWNER)


def _people(store: Store, owner: commands.Actor, worker: str, name: str) -> str:
    """The firm's owner and one machinist with a badge; the machinist's badge text."""
    for oid, who, role, badge in (
        (owner.operator, "社長", commands.OWNER, "B1"),
        (worker, name, commands.OPERATOR, "B2"),
    ):
        done = store.record(
            commands.save_operator(
                store.operators(), owner, operator_id=oid, name=who, role=role, badge=badge
            )
        )
        assert done.ok, done.reason
    return badge_text(store.operators()[worker])


def _window(store: Store, size: tuple[int, int], qtbot: Any) -> tuple[MainWindow, ScriptedAsker]:
    w = MainWindow(Session(store))
    w.resize(*size)
    qtbot.addWidget(w)
    w.show()
    asker = ScriptedAsker()
    w.job.asker = asker  # type: ignore[assignment]
    return w, asker


def _tap(qtbot: Any, w: MainWindow, name: str, lot: str = "") -> None:
    """Tap the visible button ``name`` (of the step row of ``lot`` when given): it must be
    inside the window and a fingertip wide and tall."""

    def candidates() -> list[QPushButton]:
        out = []
        for b in w.findChildren(QPushButton, name):
            if not b.isVisible():
                continue
            if lot:
                label = b.parentWidget().findChild(QLabel) if b.parentWidget() else None
                if label is None or not label.text().startswith(lot):
                    continue
            out.append(b)
        return out

    qtbot.waitUntil(lambda: bool(candidates()), timeout=3000)
    qtbot.wait(20)  # laid out, as the event loop does before a finger gets there
    b = candidates()[0]
    where = QRect(b.mapTo(w, QPoint(0, 0)), b.size())
    assert w.rect().contains(where), f"{name} at {where} is outside the window {w.rect()}"
    least = mm(TOUCH_MM) - 2
    assert b.width() >= least and b.height() >= least, f"{name} is {b.width()}×{b.height()}"
    assert w.childAt(where.center()) is b, f"{name} is covered"
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def _said(w: MainWindow) -> str:
    return w.job.feedback.text()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", list(SIZES), ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_job_across_two_firms_by_taps(
    qtbot: Any, tmp_path: Path, size: tuple[int, int], lang: str
) -> None:
    from app.ui.app import make_application

    make_application(lang, dpi=SIZES[size])
    try:
        _flow(qtbot, tmp_path, size)
    finally:
        make_application("ja", dpi=0)


def _flow(qtbot: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    heat = Store.open(tmp_path / "heat.db", firm_id="F007")
    sato = _people(lead, LEAD_OWNER, "F001-OP-0002", "佐藤 花子")
    kato = _people(heat, HEAT_OWNER, "F007-OP-0002", "加藤 健")
    job_id = "F001-FLOW-1"
    spec = JobSpec(
        job_id, "SHAFT-9", 40, date.today() + timedelta(days=10), "F001",
        Route.parse("10:LATHE:F001,20:HEAT:F007"),
    )  # fmt: skip
    assert lead.record(commands.create_job(None, LEAD_OWNER, spec)).ok
    # The traveler is printed first, before the material arrives.
    issued = issue_pdf(lead, job_id, None, tmp_path / "traveler.pdf", actor=LEAD_OWNER)
    sheet = issued.prepared.text  # type: ignore[union-attr]
    l1 = lots.first_lot(job_id)

    w, asker = _window(lead, size, qtbot)
    assert w.scans.handle(sato) == "signed_in"
    assert w.session.operator is not None and w.session.operator.name == "佐藤 花子"
    assert w.scans.handle(sheet) == "valid"
    assert w.stack.currentWidget() is w.job and w.job.job_id == job_id

    asker.answers = [{"count": 40}]
    _tap(qtbot, w, "action_receive")
    _tap(qtbot, w, "action_start")
    # Started by mistake: the undo bar takes it back (a correction, never a delete).
    assert w.undo_bar.isVisible()
    w.job.asker = asker  # the bar asks through the job screen's asker
    asker.answers = [True]
    qtbot.mouseClick(w.undo_bar.button, Qt.MouseButton.LeftButton)
    assert [e.type for e in lead.job_events(job_id)][-1] == "EventCorrected"
    job = lead.job(job_id)
    assert job is not None and job.lots[l1].ops[10].status == "waiting"
    _tap(qtbot, w, "action_start")
    asker.answers = ["TOOL"]
    _tap(qtbot, w, "action_pause")
    _tap(qtbot, w, "action_resume")
    asker.answers = ["BURR", {"count": 2}, "rework"]
    _tap(qtbot, w, "action_defect")
    asker.answers = [
        {"characteristic": "OD", "nominal": "12.000", "tol_minus": "0.010", "tol_plus": "0.010",
         "value": "12.004", "unit": "mm", "gauge": ""},
    ]  # fmt: skip
    _tap(qtbot, w, "action_measure")
    # The finish starts from the defect records: 38 good, 2 to rework.
    asker.answers = [{}]
    _tap(qtbot, w, "action_finish")
    job = lead.job(job_id)
    assert job is not None
    prog = job.lots[l1].ops[10]
    assert (prog.status, prog.good, prog.defect) == ("done", 38, 2)
    # Ten good parts go ahead under their own lot (no child traveler printed now).
    asker.answers = [{"count": 10}, False]
    _tap(qtbot, w, "action_split", lot="L1")
    assert "分割" in _said(w) or "Split" in _said(w), _said(w)
    asker.answers = [{"count": 28}]
    _tap(qtbot, w, "action_hand_off", lot="L1")
    job = lead.job(job_id)
    assert job is not None and job.lots[l1].in_transit_to == "F007"
    assert job.lots[lots.lot_id(job_id, 2)].qty == 10
    before = _state(lead, job_id)
    w.close()

    # The heat treater has never seen the job and is offline: the sheet carries it.
    key = own_public_key(lead)
    assert key is not None
    upsert_keys(heat, [key])
    h, hasker = _window(heat, size, qtbot)
    assert h.scans.handle(kato) == "signed_in"
    assert h.scans.handle(sheet) == "valid"
    assert h.stack.currentWidget() is h.job and h.job.job_id == job_id
    hasker.answers = [{"count": 28}, True]  # the lead's hand-off has not synced: confirm
    _tap(qtbot, h, "action_receive")
    hjob = heat.job(job_id)
    assert hjob is not None and hjob.lots[l1].ops[20].received == 28, hasker.asked
    h.close()

    # A restart shows the same state on both terminals.
    for store, path in ((lead, "lead.db"), (heat, "heat.db")):
        state = _state(store, job_id)
        store.close()
        again = Store.open(tmp_path / path)
        assert _state(again, job_id) == state
        w2, _ = _window(again, size, qtbot)
        w2.open_job(job_id)
        assert w2.job.job_id == job_id
        w2.close()
        again.close()
    assert before["L1"][10] == ("done", 38, 2, 28)


def _state(store: Store, job_id: str) -> dict[str, Any]:
    job = store.job(job_id)
    assert job is not None
    return {
        lot_id.rsplit("-", 1)[-1]: {
            seq: (p.status, p.good, p.defect, p.handed_off) for seq, p in lot.ops.items()
        }
        for lot_id, lot in job.lots.items()
    }
