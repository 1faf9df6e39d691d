"""Scanning a traveler at a terminal that has never seen the job: it opens, offline,
with this firm's step ready; forged and unknown codes are explained, nothing opens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton
from test_ui import _dialogs_never_block

from app.core.model import JobSpec, Route
from app.store import Store
from app.store.keyring import own_public_key, upsert_keys
from app.store.travelers import PreparedTraveler, prepare
from app.ui.app import make_application
from app.ui.main_window import MainWindow
from app.ui.session import Session
from tests.factories import raw

__all__ = ["_dialogs_never_block"]  # no unscripted dialog may block these tests


def _issue(lead: Store) -> PreparedTraveler:
    from datetime import date

    spec = JobSpec(
        job_id="F001-S-1",
        part_no="SHAFT-S1",
        qty=40,
        due=date(2026, 12, 24),
        lead_firm="F001",
        route=Route.parse("10:LATHE:F001,20:HEAT:F007,30:GRIND:F012"),
        customer="Secret Motors",
        unit_price_yen=900,
    )
    assert lead.record(raw("JobCreated", spec.payload(), job_id=spec.job_id)).ok
    prepared = prepare(lead, spec.job_id)
    assert isinstance(prepared, PreparedTraveler)
    return prepared


@pytest.fixture
def heat(qtbot: Any, tmp_path: Path) -> Iterator[tuple[MainWindow, Store]]:
    make_application("ja")
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    store = Store.open(tmp_path / "heat.db", firm_id="F007")
    w = MainWindow(Session(store))
    w.resize(1280, 800)
    qtbot.addWidget(w)
    w.show()
    yield w, lead
    store.close()
    lead.close()


def test_scanned_traveler_opens_an_unknown_job_offline(heat: tuple[MainWindow, Store]) -> None:
    w, lead = heat
    text = _issue(lead).text
    # Before the lead's key is here, the traveler is not trusted and nothing is created.
    assert w.scans.handle(text) == "unknown_key"
    assert "登録されていません" in w.jobs.feedback.text()
    assert w.session.store.job("F001-S-1") is None
    own = own_public_key(lead)
    assert own is not None
    upsert_keys(w.session.store, [own])
    assert w.scans.handle(text) == "valid"
    assert w.stack.currentWidget() is w.job
    job = w.session.store.job("F001-S-1")
    assert job is not None and job.part_no == "SHAFT-S1"
    assert job.customer == "" and job.unit_price_yen is None  # the lead's secrets stay home
    assert w.session.store.outbox_stats()["pending"] == 0  # taken in, not re-sent


def test_forged_traveler_is_refused(heat: tuple[MainWindow, Store]) -> None:
    w, lead = heat
    text = _issue(lead).text
    own = own_public_key(lead)
    assert own is not None
    upsert_keys(w.session.store, [own])
    # Change one character of the Base45 body: a forged or damaged sheet.
    i = len(text) // 2
    forged = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1 :]
    assert w.scans.handle(forged) in {"bad_signature", "malformed"}
    assert w.session.store.job("F001-S-1") is None
    assert w.jobs.feedback.property("level") == "error"
    assert w.scans.handle("PN-4471-A03") == "not_nakama"
    assert "Nakama の工程表ではありません" in w.jobs.feedback.text()


def test_keyboard_wedge_burst_reaches_the_router(
    heat: tuple[MainWindow, Store], qtbot: Any
) -> None:
    w, lead = heat
    prepared = _issue(lead)
    own = own_public_key(lead)
    assert own is not None
    upsert_keys(w.session.store, [own])
    t = 50_000
    for ch in prepared.text + "\r":
        key = Qt.Key.Key_Return if ch == "\r" else 0
        ev = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch)
        ev.setTimestamp(t)
        QCoreApplication.sendEvent(w, ev)
        t += 9  # a scanner types about every 9 ms
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.job, timeout=3000)
    assert w.job.job_id == "F001-S-1"
    # The sheet is in F007's hands, though F001's hand-off has not synced (both offline):
    # F007 may receive the lot at its heat treatment, expecting the traveler's quantity.
    buttons = [b for b in w.job.findChildren(QPushButton) if b.objectName().startswith("action_")]
    assert [b.objectName() for b in buttons] == ["action_receive"]
    # The heat-treatment shop's machinist signs in with a badge scan, through the scanner.
    _wedge(w, _badge_of(w.session.store))
    qtbot.waitUntil(lambda: w.session.operator is not None, timeout=3000)
    assert w.session.operator is not None and w.session.operator.name == "大森 次郎"
    assert w.operator_button.text() == "作業者：大森 次郎"

    class Answers:
        def counts(self, title: str, fields: Any, maximum: int) -> dict[str, int]:
            assert fields[0][2] == 40
            return {"count": 39}

        def confirm(self, title: str, text: str, yes: str, **_: Any) -> bool:
            # The turning at F001 has no record here: the receipt names it, and skips it.
            self.text = text
            return True

    answers = Answers()
    w.job.asker = answers  # type: ignore[assignment]
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert "10 旋盤 — 山田精機" not in answers.text  # no directory on this terminal yet
    assert "10 旋盤 — F001" in answers.text
    job = w.session.store.job("F001-S-1")
    assert job is not None
    assert job.lots[prepared.traveler.lot_id].ops[20].received == 39
    received = [e for e in w.session.store.job_events("F001-S-1") if e.type == "LotReceived"]
    assert received[0].payload["skipped"] == [10]
    assert received[0].operator == "F007-OP-0001"


def _badge_of(store: Store) -> str:
    """Register the shop's owner (with a badge) at the heat-treatment terminal."""
    from app.core import commands
    from app.core.operators import badge_text

    owner = commands.Actor("F007", "F007-OP-0001", commands.OWNER)
    cmd = commands.save_operator(
        store.operators(),
        owner,
        operator_id="F007-OP-0001",
        name="大森 次郎",
        role=commands.OWNER,
        badge="7001",
    )
    assert store.record(cmd).ok
    return badge_text(store.operators()["F007-OP-0001"])


def _wedge(w: MainWindow, text: str) -> None:
    """Type ``text`` + Enter into the window as a keyboard-wedge scanner does."""
    t = 900_000
    for ch in text + "\r":
        key = Qt.Key.Key_Return if ch == "\r" else 0
        ev = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch)
        ev.setTimestamp(t)
        QCoreApplication.sendEvent(w, ev)
        t += 9


def test_camera_sees_a_printed_traveler(qtbot: Any, tmp_path: Path) -> None:
    """A photographed sheet, through the simulated camera and the real decoder pipeline."""
    import shutil
    import subprocess

    from app.ui.devices import DeviceHub
    from app.ui.traveler_print import write_pdf

    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed")
    make_application("ja")
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    prepared = _issue(lead)
    pdf = tmp_path / "t.pdf"
    write_pdf(prepared.traveler, prepared.text, pdf)
    shots = tmp_path / "camera"
    shots.mkdir()
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(pdf), str(shots / "sheet")], check=True)
    session = Session(lead)
    hub = DeviceHub(session, [], camera=f"sim://camera?images={shots}&fps=5")
    w = MainWindow(session, hub)
    qtbot.addWidget(w)
    w.show()
    hub.start()
    try:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.job, timeout=10_000)
        assert w.job.job_id == "F001-S-1"
    finally:
        hub.stop()
        lead.close()


def test_usb_com_scanner_opens_the_job(qtbot: Any, tmp_path: Path) -> None:
    """A serial (USB-COM) scanner on a real pseudo-terminal sends the traveler's text."""
    from urllib.parse import quote

    from app.ui.devices import DeviceHub

    make_application("ja")
    lead = Store.open(tmp_path / "lead.db", firm_id="F001")
    prepared = _issue(lead)
    session = Session(lead)
    hub = DeviceHub(session, [f"sim://scanner?rate=2&codes={quote(prepared.text, safe='')}"])
    w = MainWindow(session, hub)
    qtbot.addWidget(w)
    hub.start()
    try:
        qtbot.waitUntil(lambda: w.stack.currentWidget() is w.job, timeout=10_000)
        assert w.job.job_id == "F001-S-1"
    finally:
        hub.stop()
        lead.close()
