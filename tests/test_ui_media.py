"""Defect photos and drawings on the real widgets: the defect dialog with the simulated
camera, thumbnails on the record, the photo at the next firm's terminal after a sync
through a real hub on loopback (taken while the hub was unreachable), and the drawing
viewer: attached by the lead from the job screen, fetched by the next firm, zoomed and
panned by buttons, wheel and gestures, with its mismatches shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hub_support import FaultProxy, Terminal, fresh_db_url, make_terminal, route_job, running_hub
from media_helpers import drawing_pdf, drawing_png, operator_saved, part_frames
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QGestureEvent,
    QPanGesture,
    QPinchGesture,
    QPushButton,
)
from test_ui import ScriptedAsker

from app.store import files
from app.sync import photos
from app.sync.errors import Offline
from app.sync.syncer import sync_until_idle
from app.ui.app import make_application
from app.ui.defect_photo import DefectPhotoDialog
from app.ui.devices import DeviceHub
from app.ui.job_screen import Asker, JobScreen
from app.ui.session import Session
from app.ui.zoom_view import STEP, ViewerDialog, ZoomView

ROUTE = "10:LATHE:FA01,20:HEAT:FB02"


class MediaAsker(ScriptedAsker):
    """Scripted counts and choices; the photo dialog is the real one, driven by taps."""

    def __init__(self, qtbot: Any, parent: Any, devices: Any, shots: int = 1) -> None:
        super().__init__()
        self.qtbot, self.parent, self.devices, self.shots = qtbot, parent, devices, shots
        self.drawing: Path | None = None
        self.dialog: DefectPhotoDialog | None = None
        self.decoded_while_open = 0

    def defect_photos(self, title: str) -> list[bytes] | None:
        QTimer.singleShot(0, self._drive)
        return Asker(self.parent, self.devices).defect_photos(title)

    def _drive(self) -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, DefectPhotoDialog)
        self.dialog = dlg
        QTimer.singleShot(30_000, dlg.reject)  # never hang the suite on a failed step
        scanner = self.devices.camera_scanner
        before = scanner.frames_decoded
        self.qtbot.waitUntil(lambda: not dlg.preview.pixmap().isNull(), timeout=10_000)
        for i in range(self.shots):
            self.qtbot.mouseClick(
                dlg.findChild(QPushButton, "takePhoto"), Qt.MouseButton.LeftButton
            )
            thumb = dlg.findChild(QPushButton, f"thumb_{i}")
            assert thumb is not None and not thumb.icon().isNull()
        # The scanner kept decoding the same camera's frames while the dialog was open.
        self.qtbot.waitUntil(lambda: scanner.frames_decoded > before + 2, timeout=10_000)
        self.decoded_while_open = scanner.frames_decoded - before
        save = dlg.findChild(QPushButton, "recordDefect")
        assert save.text() == f"写真 {self.shots} 枚で記録"
        self.qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    def drawing_file(self) -> Path | None:
        return self.drawing


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Any]:
    make_application("ja")
    with running_hub(fresh_db_url("sqlite", tmp_path)) as h:
        for f in ("FA01", "FB02"):
            h.add_firm(f)
        yield h


def _signed_in(t: Terminal) -> Session:
    assert t.store.record(operator_saved(t.firm)).ok
    session = Session(t.store)
    assert session.sign_in_id(f"{t.firm}-OP-0001")
    return session


def _screen(qtbot: Any, session: Session, devices: Any, job: str) -> JobScreen:
    screen = JobScreen(session, devices)
    screen.resize(1280, 800)
    qtbot.addWidget(screen)
    screen.show()
    screen.show_job(job)
    return screen


def _tap(qtbot: Any, root: Any, name: str) -> None:
    def visible() -> list[QPushButton]:
        return [b for b in root.findChildren(QPushButton, name) if b.isVisible()]

    qtbot.waitUntil(lambda: bool(visible()), timeout=3000)
    qtbot.mouseClick(visible()[0], Qt.MouseButton.LeftButton)


def test_defect_photo_taken_offline_reaches_the_next_firm(
    hub: Any, qtbot: Any, tmp_path: Path
) -> None:
    proxy = FaultProxy(hub.url)
    proxy.mode = "drop"  # the hub cannot be reached while the photo is taken
    a = make_terminal(hub, tmp_path, "FA01", via=proxy.url, keepalive=False)
    b = make_terminal(hub, tmp_path, "FB02")
    cam = f"sim://camera?images={part_frames(tmp_path / 'frames')}&fps=15&id={tmp_path.name}"
    sa = _signed_in(a)
    devices = DeviceHub(sa, [], camera=cam)
    devices.start()
    try:
        job = route_job(a, ROUTE)
        lot = f"{job}-L1"
        a.record("LotReceived", {"lot_id": lot, "count": 10}, job_id=job, op=10)
        a.record("OpStarted", {"lot_id": lot}, job_id=job, op=10)
        screen = _screen(qtbot, sa, devices, job)
        asker = MediaAsker(qtbot, screen, devices)
        screen.asker = asker  # type: ignore[assignment]
        asker.answers = ["BURR", {"count": 2}, "rework"]
        _tap(qtbot, screen, "action_defect")
        assert "記録しました" in screen.feedback.text(), screen.feedback.text()
        assert asker.decoded_while_open > 2

        ev = next(e for e in a.store.job_events(job) if e.type == "DefectRecorded")
        (sha,) = ev.payload["photos"]
        assert files.path_of(a.store, sha) is not None
        thumb = screen.history.findChild(QPushButton, "photoThumb_0")
        assert thumb is not None and not thumb.icon().isNull()
        assert photos.stats(a.store) == {"pending": 1}  # queued, not sent

        with pytest.raises(Offline):
            a.syncer.sync_once()
        assert photos.stats(a.store) == {"pending": 1}
        proxy.mode = "pass"  # the network is back
        sync_until_idle(a.syncer)
        assert photos.stats(a.store) == {"done": 1}
        sync_until_idle(b.syncer)
        got = files.path_of(b.store, sha)
        assert got is not None and got.read_bytes() == files.path_of(a.store, sha).read_bytes()  # type: ignore[union-attr]

        # The next firm's terminal shows the thumbnail, and the photo full size on a tap.
        sb = _signed_in(b)
        other = _screen(qtbot, sb, None, job)
        thumb_b = other.history.findChild(QPushButton, "photoThumb_0")
        assert thumb_b is not None and not thumb_b.icon().isNull()
        thumb_b.click()  # its row may be scrolled below the 15 mm rows above it
        viewer = other.history.viewer
        assert isinstance(viewer, ViewerDialog) and viewer.isVisible()
        assert not viewer.view.item.pixmap().isNull()
        viewer.reject()
    finally:
        devices.stop()
        for t in (a, b):
            t.close()
        proxy.close()


def _zoom_checks(qtbot: Any, dlg: ViewerDialog) -> None:
    v: ZoomView = dlg.view
    qtbot.waitExposed(dlg)
    fitted = v.zoom
    for _ in range(4):
        _tap(qtbot, dlg, "viewer_zoom_in")
    assert v.zoom == pytest.approx(fitted * STEP**4, rel=1e-3)
    c0 = v.centre()
    _tap(qtbot, dlg, "viewer_right")
    _tap(qtbot, dlg, "viewer_down")
    c1 = v.centre()
    assert c1.x() > c0.x() + 5 and c1.y() > c0.y() + 5
    _tap(qtbot, dlg, "viewer_left")
    assert v.centre().x() < c1.x()
    _tap(qtbot, dlg, "viewer_zoom_out")
    assert v.zoom == pytest.approx(fitted * STEP**3, rel=1e-3)

    # The wheel zooms about the pointer: the page point under it stays under it (once
    # the page overflows the view; a smaller page stays centred).
    at = QPoint(v.viewport().width() // 3, v.viewport().height() // 3)
    under = v.mapToScene(at)
    wheel = QWheelEvent(
        QPointF(at),
        QPointF(v.viewport().mapToGlobal(at)),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(v.viewport(), wheel)
    assert v.zoom == pytest.approx(fitted * STEP**5, rel=1e-3)
    after = v.mapToScene(at)
    assert abs(after.x() - under.x()) < 3 and abs(after.y() - under.y()) < 3
    _tap(qtbot, dlg, "viewer_fit")
    assert v.zoom == pytest.approx(fitted, rel=1e-3)

    # Two fingers: a pinch doubles the zoom, a pan moves the page.
    pinch = QPinchGesture()
    pinch.setScaleFactor(2.0)
    pinch.setChangeFlags(QPinchGesture.ChangeFlag.ScaleFactorChanged)
    pinch.setCenterPoint(QPointF(v.viewport().mapToGlobal(v.viewport().rect().center())))
    before = v.zoom
    QApplication.sendEvent(v.viewport(), QGestureEvent([pinch]))
    assert v.zoom == pytest.approx(before * 2, rel=1e-3)
    pan = QPanGesture()
    pan.setLastOffset(QPointF(0, 0))
    pan.setOffset(QPointF(-60, -40))
    c = v.centre()
    QApplication.sendEvent(v.viewport(), QGestureEvent([pan]))
    moved = v.centre()
    assert moved.x() > c.x() and moved.y() > c.y()


def test_lead_attaches_a_drawing_the_next_firm_opens_it_with_mismatch(
    hub: Any, qtbot: Any, tmp_path: Path
) -> None:
    a = make_terminal(hub, tmp_path, "FA01")
    b = make_terminal(hub, tmp_path, "FB02")
    try:
        job = route_job(a, ROUTE)
        sa = _signed_in(a)
        screen = _screen(qtbot, sa, None, job)
        assert not screen.findChild(QPushButton, "showDrawing").isVisible()
        # The job says rev B (route_job: "D-2041-C" is a number); the lead attaches rev C.
        # First a file that is no drawing: refused, nothing recorded.
        junk = tmp_path / "notes.txt"
        junk.write_text("not a drawing")
        asker = MediaAsker(qtbot, screen, None)
        screen.asker = asker  # type: ignore[assignment]
        asker.drawing = junk
        n = a.store.count_events()
        _tap(qtbot, screen, "attachDrawing")
        assert a.store.count_events() == n and "PDF" in screen.feedback.text()
        asker.drawing = drawing_pdf(tmp_path / "D-2041-C_revC.pdf", "D-2041-C", "C")
        _tap(qtbot, screen, "attachDrawing")
        assert "記録しました" in screen.feedback.text()
        show = screen.findChild(QPushButton, "showDrawing")
        assert show.isVisible() and show.text() == "図面 C"

        # The lead prints a traveler, then attaches revision D: the sheet is out of date.
        a.record(
            "TravelerIssued",
            {"lot_id": f"{job}-L1", "key_id": "k1", "format_version": 1, "digest": "x"},
            job_id=job,
        )
        asker.drawing = drawing_png(tmp_path / "D-2041-C rev D.png", "D-2041-C", "D")
        _tap(qtbot, screen, "attachDrawing")
        assert show.text() == "⚠ 図面 D 要確認"
        sync_until_idle(a.syncer)
        for _ in range(2):
            b.syncer.sync_once(photos_too=False)  # the events, not yet the files

        # Before the file arrives: the button says so, and a tap explains.
        sb = _signed_in(b)
        other = _screen(qtbot, sb, None, job)
        show_b = other.findChild(QPushButton, "showDrawing")
        qtbot.waitUntil(show_b.isVisible, timeout=3000)
        assert show_b.text().endswith("⏳")
        qtbot.mouseClick(show_b, Qt.MouseButton.LeftButton)
        assert "まだこの端末に届いていません" in other.feedback.text()
        assert other.drawing_buttons.viewer is None
        sync_until_idle(b.syncer)
        other.refresh()
        assert not show_b.text().endswith("⏳")
        assert show_b.isVisible() and not other.findChild(QPushButton, "attachDrawing").isVisible()
        qtbot.mouseClick(show_b, Qt.MouseButton.LeftButton)
        dlg = other.drawing_buttons.viewer
        assert dlg is not None and dlg.isVisible()
        assert "D-2041-C" in dlg.windowTitle() and "改訂 D" in dlg.windowTitle()
        assert dlg.warnings.isVisible()
        assert "現品票の印刷後に図面が改訂されました" in dlg.warnings.text()
        assert "改訂 C" in dlg.warnings.text()  # the traveler's revision, named
        _zoom_checks(qtbot, dlg)
        dlg.reject()
    finally:
        for t in (a, b):
            t.close()


def test_pdf_pages_and_a_revision_the_job_does_not_state(qtbot: Any, tmp_path: Path) -> None:
    """A job that says rev B, a PDF of rev C with two pages: the viewer says so, and ◀ ▶."""
    from app.core.state import DrawingEntry, JobState
    from app.ui.drawing_viewer import DrawingDialog

    make_application("ja")
    job = JobState("F001-J1", part_no="SHAFT-2041", drawing_no="SD-2041 rev B", lead_firm="F001")
    pdf = drawing_pdf(tmp_path / "SD-2041_revC.pdf", "SD-2041", "C", pages=2)
    d = DrawingEntry("e1", "0" * 64, pdf.name, "application/pdf", 1, "SD-2041", "C", "", 5)
    dlg = DrawingDialog(job, d, pdf)
    dlg.resize(1024, 768)
    qtbot.addWidget(dlg)
    dlg.show()
    assert len(dlg.pages) == 2 and dlg.pages[0].width() > 3000
    assert "図面の改訂が案件（現品票）と違います" in dlg.warnings.text()
    assert "図面 改訂 C・案件 改訂 B" in dlg.warnings.text()
    assert dlg.page_label.text() == "2 頁中 1 頁"
    _tap(qtbot, dlg, "viewer_next")
    assert dlg.page == 1 and not dlg.buttons["next"].isEnabled()
    _tap(qtbot, dlg, "viewer_prev")
    assert dlg.page == 0
