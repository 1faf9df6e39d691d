"""Screenshots of the defect-photo dialog, the record with photo thumbnails and the drawing
viewer (a PDF, and an image revised after its traveler), at 1024 × 768 and 1920 × 1080,
in Japanese and English, each checked for text cut off. The PNGs go to
``$NAKAMA_MEDIA_SHOTS`` (default ``/tmp/media-shots``) for a person to look at."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_ui_shots import clipped, render_in_child

SHOTS = Path(os.environ.get("NAKAMA_MEDIA_SHOTS", "/tmp/media-shots"))
SIZES = ((1024, 768), (1920, 1080))


def render(lang: str, out_dir: Path, db: Path) -> dict[str, list[str]]:
    from media_helpers import drawing_pdf, drawing_png, part_frames
    from PySide6.QtWidgets import QApplication, QWidget

    from app import attachments, demo
    from app.core import commands, lots
    from app.core.model import JobSpec, Route
    from app.store import Store
    from app.ui.app import make_application
    from app.ui.defect_photo import DefectPhotoDialog
    from app.ui.drawing_viewer import DrawingDialog
    from app.ui.job_screen import JobScreen
    from app.ui.session import Session
    from app.ui.zoom_view import STEP
    from drivers.camera import CameraSource, encode_jpeg

    make_application(lang)
    work = db.parent
    store = Store.open(db, firm_id="F001")
    demo.seed(store)
    session = Session(store)
    assert session.sign_in_id(demo.DEMO_OPERATORS[0][0])
    actor = session.actor
    route = Route.parse("10:LATHE:F001,20:HEAT:F007,30:GRIND:F012")
    due = date.today() + timedelta(days=9)
    spec = JobSpec("F001-SHOT-7", "SHAFT-2041", 40, due, "F001", route, "SD-2041 rev B")
    session.record(commands.create_job(None, actor, spec))
    job_id, lot = spec.job_id, lots.first_lot(spec.job_id)
    session.record(commands.receive(store.job(job_id), actor, lot, 10, 40))
    session.record(commands.start(store.job(job_id), actor, lot, 10))
    frames = part_frames(work / "frames", 3)
    import cv2

    shots = [encode_jpeg(cv2.imread(str(p))) for p in sorted(frames.iterdir())[:2]]
    attachments.record_defect_with_photos(
        store, session.record, store.job(job_id), actor, lot, 10, "BURR", 2, "rework", shots
    )
    pdf = drawing_pdf(work / "SD-2041_revC.pdf", "SD-2041", "C", pages=2)
    attachments.attach_drawing(store, session.record, store.job(job_id), actor, pdf)

    # A second job: drawing B, traveler printed, then revision C as an image.
    spec2 = JobSpec("F001-SHOT-8", "FLANGE-88", 12, due, "F001", route, "FL-0088")
    session.record(commands.create_job(None, actor, spec2))
    png_b = drawing_png(work / "FL-0088_revB.png", "FL-0088", "B")
    attachments.attach_drawing(store, session.record, store.job(spec2.job_id), actor, png_b)
    lot2 = lots.first_lot(spec2.job_id)
    session.record(
        commands.issue_traveler(store.job(spec2.job_id), actor, lot2, "k-demo", 2, "0" * 16)
    )
    png_c = drawing_png(work / "FL-0088_revC.png", "FL-0088", "C")
    attachments.attach_drawing(store, session.record, store.job(spec2.job_id), actor, png_c)

    def settle() -> None:
        for _ in range(6):
            QApplication.processEvents()

    def shoot(widget: QWidget, name: str) -> list[str]:
        settle()
        widget.grab().save(str(out_dir / name))
        return clipped(widget)

    found: dict[str, list[str]] = {}
    camera = CameraSource(f"sim://camera?images={frames}&fps=15").start()
    assert camera.wait_frame(timeout=5) is not None
    try:
        for w, h in SIZES:
            tag = f"{w}x{h}-{lang}"
            screen = JobScreen(session)
            screen.resize(w, h)
            screen.show()
            screen.show_job(job_id)
            settle()
            found[f"record-{tag}"] = shoot(screen, f"record-thumbnails-{tag}.png")

            dlg = DefectPhotoDialog("バリ × 2" if lang == "ja" else "Burr × 2", camera, screen)
            dlg.show()
            settle()
            dlg.refresh_preview()
            dlg.take()
            dlg.refresh_preview()
            found[f"defect-{tag}"] = shoot(dlg, f"defect-photo-{tag}.png")
            dlg.reject()

            job = store.job(job_id)
            assert job is not None
            viewer = DrawingDialog(
                job,
                job.drawings[-1],
                store.path.with_name(store.path.name + ".files") / job.drawings[-1].sha256,
                screen,
            )
            viewer.show()
            settle()
            viewer.view.fit()
            found[f"pdf-{tag}"] = shoot(viewer, f"drawing-pdf-mismatch-{tag}.png")
            viewer.view.zoom_by(STEP**4)
            viewer.press("right")
            found[f"pdf-zoom-{tag}"] = shoot(viewer, f"drawing-pdf-zoomed-{tag}.png")
            viewer.reject()

            job2 = store.job(spec2.job_id)
            assert job2 is not None
            d2 = job2.drawings[-1]
            viewer2 = DrawingDialog(
                job2, d2, store.path.with_name(store.path.name + ".files") / d2.sha256, screen
            )
            viewer2.show()
            settle()
            viewer2.view.fit()
            found[f"image-{tag}"] = shoot(viewer2, f"drawing-image-revised-{tag}.png")
            viewer2.reject()
            screen.show_job(spec2.job_id)
            found[f"job-warn-{tag}"] = shoot(screen, f"job-drawing-warning-{tag}.png")
            screen.close()
    finally:
        camera.stop()
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_media_screens_render_without_clipping(lang: str, tmp_path: Path) -> None:
    found = render_in_child(__file__, lang, SHOTS, tmp_path / "shots.db")
    assert len(found) == 6 * len(SIZES)
    for name, problems in found.items():
        assert problems == [], (name, problems)


if __name__ == "__main__":
    print(json.dumps(render(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
