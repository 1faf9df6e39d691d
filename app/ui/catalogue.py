"""Every screen and dialog of the terminal, built with demo data, for screenshots and for
the layout test (``nakama screenshots``, ``tests/test_ui_layout.py``).

One registration per screen::

    @entry("settings")
    def _settings(shop: Shop) -> QWidget:
        shop.window.open_settings()
        return shop.window          # a screen: the main window showing it

    @entry("defect_photo")
    def _defect_photo(shop: Shop) -> QWidget:
        return shop.dialog(lambda: DefectPhotoDialog(..., shop.window))   # a dialog

A dialog the job screen opens is best caught from the real flow: ``shop.ask(...)``
runs an action with an asker that answers the first questions and keeps the dialog
that comes next, so the catalogue shows what the machinist sees, titles included.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from app import demo
from app.core import commands, lots, setup
from app.core.model import JobSpec, Route
from app.core.operators import hash_pin
from app.settings import Settings
from app.store import Store
from app.ui.job_screen import Asker
from app.ui.layout_check import problems
from app.ui.main_window import MainWindow
from app.ui.measure_dialog import MeasureDialog
from app.ui.scan import verdict_text
from app.ui.session import Session
from app.ui.setup_pages import FirmPage, PeoplePage
from app.ui.setup_wizard import SetupWizard
from app.ui.sign_in import SignInDialog
from app.ui.text import lang, tr
from app.ui.widgets import ChoiceDialog, ConfirmDialog, CountDialog

# The panels a shop buys, each with the density of its usual diagonal: layouts are
# checked in millimetres, so the pair (pixels, dpi) is what matters.
SIZES: dict[tuple[int, int], float] = {
    (1024, 768): 106,  # 12.1" industrial panel PC
    (1280, 800): 125,  # 12.1" wide panel PC (the shortest screen: 163 mm tall)
    (1366, 768): 100,  # 15.6" laptop-class panel
    (1920, 1080): 141,  # 15.6" full-HD panel
}
LANGS = ("ja", "en")
PIN_OPERATOR = ("F001-OP-0004", "田中 美咲", "0420")


@dataclass(frozen=True)
class Entry:
    name: str
    build: Callable[[Shop], QWidget]


ENTRIES: dict[str, Entry] = {}


def entry(name: str) -> Callable[[Callable[[Shop], QWidget]], Callable[[Shop], QWidget]]:
    """Register a screen or dialog under ``name`` (the PNG's name)."""

    def register(build: Callable[[Shop], QWidget]) -> Callable[[Shop], QWidget]:
        assert name not in ENTRIES, name
        ENTRIES[name] = Entry(name, build)
        return build

    return register


class CatalogueAsker(Asker):
    """Answers the first questions from ``answers`` and keeps the next dialog, unanswered."""

    def __init__(self, parent: QWidget, answers: list[Any]) -> None:
        super().__init__(parent)
        self.answers = list(answers)
        self.kept: QDialog | None = None

    def _keep(self, dialog: QDialog) -> Any:
        if self.answers:
            dialog.deleteLater()
            return self.answers.pop(0)
        if self.kept is None:
            self.kept = dialog
        return None

    def counts(self, title: str, fields: list[tuple[str, str, int]], maximum: int) -> Any:
        return self._keep(CountDialog(title, fields, maximum, self.parent))

    def measurement(self, title: str, last_specs: dict[str, dict[str, str]]) -> Any:
        return self._keep(MeasureDialog(title, last_specs, self.parent))

    def choice(self, title: str, choices: list[tuple[str, str]]) -> Any:
        return self._keep(ChoiceDialog(title, choices, self.parent))

    def confirm(self, title: str, text: str, yes: str, *, danger: bool = False) -> Any:
        return self._keep(ConfirmDialog(title, text, yes, self.parent, danger=danger))

    def sign_in(self, session: Session) -> bool:
        return True


def seed(store: Store) -> None:
    """The demo shop, plus what makes every screen show something: a split lot, a
    receipt that skipped steps, an operator with a PIN, a measurement out of tolerance."""
    demo.seed(store)
    if store.job("F001-SHOT-1") is not None:
        return
    owner = demo.DEMO_OWNER
    worker = commands.Actor(demo.DEMO_FIRM, demo.DEMO_OPERATORS[1][0])
    pin7 = job_of(store, "PIN-7")
    lot = lots.first_lot(pin7)
    store.record(commands.split(store.job(pin7), worker, lot, 10, 200))
    store.record(commands.start(store.job(pin7), worker, lot, 10))
    route = Route.parse("10:LATHE:F007,20:HEAT:F012,30:INSPECT:F001")
    spec = JobSpec("F001-SHOT-1", "COLLAR-5", 60, date.today() + timedelta(days=5), "F001", route)
    store.record(commands.create_job(None, owner, spec))
    flange = job_of(store, "FLANGE-88")
    store.record(
        commands.measure(
            store.job(flange),
            worker,
            lots.first_lot(flange),
            10,
            characteristic="OD",
            nominal="12.000",
            tol_minus="0.010",
            tol_plus="0.010",
            value="12.025",
            unit="mm",
            gauge="",
        )
    )
    store.record(
        commands.record_defect(
            store.job(flange), worker, lots.first_lot(flange), 10, "BURR", 3, "rework"
        )
    )
    sleeve = JobSpec(
        "F001-SHOT-2",
        "SLEEVE-12",
        80,
        date.today() + timedelta(days=3),
        "F001",
        Route.parse("10:LATHE:F001,20:PLATE:F020"),
    )
    store.record(commands.create_job(None, owner, sleeve))
    lot = lots.first_lot("F001-SHOT-2")
    store.record(commands.receive(store.job("F001-SHOT-2"), worker, lot, 10, 80))
    store.record(commands.start(store.job("F001-SHOT-2"), worker, lot, 10))
    store.record(commands.finish(store.job("F001-SHOT-2"), worker, lot, 10, 80, 0, 0))
    _seed_drawing(store, owner, flange)
    oid, name, pin = PIN_OPERATOR
    store.record(
        commands.save_operator(
            store.operators(), owner, operator_id=oid, name=name, pin_hash=hash_pin(pin)
        )
    )


def _seed_drawing(store: Store, owner: commands.Actor, job_id: str) -> None:
    """A drawing for the lead's job: a picture with its number and a revision that differs
    from the job's (the viewer's warning shows)."""
    from PySide6.QtGui import QFont, QImage

    from app import attachments
    from app.ui.paper import ensure_app

    ensure_app()  # painting text needs an application (fonts)
    image = QImage(1600, 1130, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setPen(QColor("black"))
    p.drawRect(20, 20, 1560, 1090)
    p.drawEllipse(500, 300, 600, 600)
    p.drawEllipse(700, 500, 200, 200)
    p.setFont(QFont("Noto Sans CJK JP", 28))
    p.drawText(1100, 1060, "D-88-A  rev C  FLANGE-88")
    p.end()
    path = store.path.parent / "D-88-A_revC.png"
    image.save(str(path))
    attachments.attach_drawing(
        store, store.record, store.job(job_id), owner, path, drawing_no="D-88-A", revision="C"
    )


def job_of(store: Store, part: str) -> str:
    return next(r["job_id"] for r in store.jobs() if r["part_no"] == part)


class Shop:
    """The demo shop's main window at one size, dpi and language."""

    def __init__(self, store: Store, size: tuple[int, int]) -> None:
        self.store = store
        self.size = QSize(*size)
        self.session = Session(store)
        self.session.sign_in_id(demo.DEMO_OPERATORS[1][0])
        self.window = MainWindow(self.session)
        self.window.resize(self.size)
        self.window.show()
        self.extra: list[QWidget] = []
        self.setup: SetupWizard | None = None
        self.blank: Store | None = None
        self.blank_dir: tempfile.TemporaryDirectory[str] | None = None

    def job(self, part: str) -> str:
        return job_of(self.store, part)

    def open_job(self, part: str) -> MainWindow:
        self.window.open_job(self.job(part))
        return self.window

    def step(self, part: str, action: str) -> commands.Step:
        """The step of ``part``'s job offering ``action``, as its job screen shows it."""
        screen = self.window.job
        if screen.job_id != self.job(part):
            self.open_job(part)
        job = screen.job()
        assert job is not None
        return next(s for s in screen.steps(job) if action in s.actions)

    def ask(self, part: str, run: Callable[[Any], object], answers: Sequence[Any] = ()) -> QDialog:
        """Run ``run(job_screen)`` on ``part``'s job with a catalogue asker; the dialog
        it opens after ``answers`` have been given."""
        screen = self.window.job
        if screen.job_id != self.job(part):
            self.open_job(part)
        self.window.stack.setCurrentWidget(screen)
        asker = CatalogueAsker(screen, list(answers))
        real, screen.asker = screen.asker, asker
        screen.history.asker = asker
        try:
            run(screen)
        finally:
            screen.asker = screen.history.asker = real
        assert asker.kept is not None, "no dialog was opened"
        return self.dialog(asker.kept)

    def dialog(self, dialog: QDialog) -> QDialog:
        dialog.show()
        self.extra.append(dialog)
        return dialog

    def wizard(self) -> SetupWizard:
        """The first-run wizard on a store of its own (the shop's is long set up), its
        firm and people entered as the wizard enters them, the simulated camera chosen."""
        if self.setup is None:
            self.blank_dir = tempfile.TemporaryDirectory()
            folder = Path(self.blank_dir.name)
            self.blank = Store.open(folder / "new.db")
            settings = Settings(folder / "settings.json")
            settings.values.update(lang=lang(), demo=False, camera="sim://camera?fps=10")
            self.setup = SetupWizard(Session(self.blank), settings)
            _enter_people(self.setup)
            self.setup.resize(self.size)
        self.setup.show()
        return self.setup

    def reset(self) -> None:
        if self.setup is not None:
            self.setup.hide()
        for w in self.extra:
            w.close()
            w.deleteLater()
        self.extra.clear()
        worker = demo.DEMO_OPERATORS[1][0]
        if self.session.operator is None or self.session.operator.operator_id != worker:
            self.session.sign_in_id(worker)
        self.window.undo_bar.dismiss()
        self.window.flash.stop()
        self.window.dismiss_held()
        self.window.open_jobs()

    def close(self) -> None:
        self.reset()
        self.window.close()
        self.window.deleteLater()
        if self.setup is not None:
            self.setup.stop()
            self.setup.close()
            self.setup.deleteLater()
            settle()
        if self.blank is not None and self.blank_dir is not None:
            self.blank.close()
            self.blank_dir.cleanup()


def settle() -> None:
    """Let layouts and style sheets settle; free what was closed (``deleteLater`` waits
    for an event loop that a script never returns to)."""
    for _ in range(3):
        QApplication.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def picture(shop: Shop, shown: QWidget) -> QPixmap:
    """The screen as the machinist sees it: the window, and a dialog over it."""
    if getattr(shown, "whole_screen", False):
        return shown.grab()  # a screen of its own (the first-run wizard)
    image = shop.window.grab()
    if shown is not shop.window:
        painter = QPainter(image)
        painter.fillRect(image.rect(), QColor(0, 0, 0, 90))  # the window dimmed behind
        painter.drawPixmap(_offset(shop, shown), shown.grab())
        painter.end()
    return image


def _offset(shop: Shop, shown: QWidget) -> QPoint:
    return shown.mapToGlobal(QPoint(0, 0)) - shop.window.mapToGlobal(QPoint(0, 0))


@contextmanager
def shop_at(
    store: Store, size: tuple[int, int], lang: str, dpi: float | None = None
) -> Iterator[Shop]:
    """The application speaking ``lang``, laid out for the panel of ``size``."""
    from app.ui.app import make_application

    make_application(lang, dpi=SIZES.get(size, 96) if dpi is None else dpi)
    shop = Shop(store, size)
    try:
        yield shop
    finally:
        shop.close()
        settle()


def render(shop: Shop, name: str, out_dir: Path | None = None, tag: str = "") -> list[str]:
    """Build entry ``name`` in ``shop``; returns its layout problems and writes its PNG
    (``NAME-TAG.png``) to ``out_dir`` when given."""
    shop.reset()
    shown = ENTRIES[name].build(shop)
    settle()
    found = problems(shown, shop.size)
    if out_dir is not None:
        picture(shop, shown).save(str(out_dir / f"{name}{'-' + tag if tag else ''}.png"))
    return found


# -- the screens -------------------------------------------------------------------------


@entry("jobs")
def _jobs(shop: Shop) -> QWidget:
    return shop.window


@entry("job")
def _job(shop: Shop) -> QWidget:
    return shop.open_job("FLANGE-88")


@entry("job_lots")
def _job_lots(shop: Shop) -> QWidget:
    return shop.open_job("PIN-7")


@entry("job_skipped")
def _job_skipped(shop: Shop) -> QWidget:
    w = shop.window
    w.open_scanned("F001-SHOT-1", lots.first_lot("F001-SHOT-1"), 60)
    return w


@entry("held_scan")
def _held(shop: Shop) -> QWidget:
    shop.open_job("FLANGE-88")
    shop.window.offer_held("traveler", "PIN-7 · L1")
    return shop.window


@entry("scan_refused")
def _scan_refused(shop: Shop) -> QWidget:
    """The flash over the screen after a scan: red, ✖ and a word, and the reason."""
    shop.open_job("FLANGE-88")
    shop.window.scan_feedback("refused", verdict_text("bad_signature"))
    return shop.window


@entry("signed_out")
def _signed_out(shop: Shop) -> QWidget:
    shop.session.sign_out()
    return shop.window


@entry("new_job")
def _new_job(shop: Shop) -> QWidget:
    w = shop.window
    w.stack.setCurrentWidget(w.new_job)
    form = w.new_job
    form.part.setText("BUSHING-310")
    form.part_name.setText("ブッシュ（長尺）" if lang() == "ja" else "Bushing, long")
    form.drawing.setText("D-310-A")
    form.revision.setText("C")
    form.material.setText("SCM435")
    form.qty.setText("250")
    form.note.setText("熱処理後 HRC58〜62" if lang() == "ja" else "HRC 58-62 after heat treatment")
    for seq, process, firm in ((10, "LATHE", "F001"), (20, "HEAT", "F007"), (30, "GRIND", "F012")):
        form.steps.append({"seq": seq, "process": process, "firm": firm})
    form.show_steps()
    form.rows[1].note.setText(
        "HRC58〜62、歪み 0.05 以下" if lang() == "ja" else "HRC 58-62, warp ≤ 0.05"
    )
    form.rows[1].set_due(date.today() + timedelta(days=7))
    return w


@entry("new_job_route")
def _new_job_route(shop: Shop) -> QWidget:
    """The new job's route, swiped up to: a row a step with its instructions and date."""
    _new_job(shop)
    settle()
    bar = shop.window.new_job.body_scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    return shop.window


@entry("due_calendar")
def _due_calendar(shop: Shop) -> QWidget:
    """The new job's due date, its month open under a finger."""
    _new_job(shop)
    due = shop.window.new_job.due
    settle()
    arrow = QPoint(due.width() - due.height() // 2, due.height() // 2)
    QTest.mouseClick(due, Qt.MouseButton.LeftButton, pos=arrow)
    popup = due.calendarWidget().window()
    shop.extra.append(popup)
    return popup


def _as_owner(shop: Shop) -> None:
    """The owner signed in (the review and the settings are theirs; ``reset`` signs the
    machinist in again)."""
    shop.session.sign_in_id(demo.DEMO_OPERATORS[0][0])


@entry("review")
def _review(shop: Shop) -> QWidget:
    _as_owner(shop)
    shop.window.open_review()
    return shop.window


def _review_page(name: str) -> None:
    @entry(f"review_{name}")
    def _page(shop: Shop) -> QWidget:
        _as_owner(shop)
        shop.window.open_review()
        review = shop.window.review
        review.pages.setCurrentWidget(getattr(review, name))
        return shop.window


for _name in ("steps", "late", "door", "lot", "sign_off", "defects", "measurements", "machines"):
    _review_page(_name)


@entry("settings")
def _settings(shop: Shop) -> QWidget:
    _as_owner(shop)
    shop.window.open_settings()
    return shop.window


def _settings_section(key: str) -> None:
    @entry(f"settings_{key}")
    def _section(shop: Shop) -> QWidget:
        _as_owner(shop)
        shop.window.open_settings()
        shop.window.settings_page.show_section(key)
        return shop.window


for _key in ("operators", "devices", "camera", "hub", "printer", "codes"):
    _settings_section(_key)


def _enter_people(wizard: SetupWizard) -> None:
    """The firm, the owner (PIN twice) and one machinist, typed and tapped as a shop
    owner does on the wizard's pages."""
    wizard.show_page(setup.PAGES.index("firm"))
    firm = wizard.page
    assert isinstance(firm, FirmPage)
    firm.name.setText("山田精機")
    firm.code.setText("F001")
    wizard.go_next()
    people = wizard.page
    assert isinstance(people, PeoplePage)
    for name, pins in (("山田 太郎", ("2468", "2468")), ("佐藤 花子", ("",))):
        people.name.setText(name)
        for pin in pins:
            for digit in pin:
                people.pad.press(digit)
            people.confirm()


def _wizard_page(key: str) -> None:
    @entry(f"wizard_{key}")
    def _page(shop: Shop) -> QWidget:
        wizard = shop.wizard()
        # The simulated camera shows travelers: on the hub page (which reads only the
        # enrolment QR) it would say so; there the shop without a camera is shown.
        wizard.settings.values["camera"] = "" if key == "hub" else "sim://camera?fps=10"
        wizard.show_page(setup.PAGES.index(key))
        if key == "camera":
            _wait_for_picture(wizard)
        return wizard


def _wait_for_picture(wizard: SetupWizard) -> None:
    """The simulated camera's first frames (a live picture, not an empty box)."""
    import time

    view = getattr(wizard.page, "view", None)
    until = time.monotonic() + 5
    while view is not None and view.picture.image is None and time.monotonic() < until:
        QApplication.processEvents()
        time.sleep(0.02)


for _key in setup.PAGES:
    _wizard_page(_key)


@entry("undo_bar")
def _undo_bar(shop: Shop) -> QWidget:
    worker = demo.DEMO_OPERATORS[1][0]
    last = next(
        e
        for e in reversed(shop.store.job_events(shop.job("PIN-7")))
        if e.operator == worker and e.type == "OpStarted"
    )
    shop.open_job("PIN-7")
    shop.window.undo_bar.offer(last)
    return shop.window


# -- the dialogs ---------------------------------------------------------------------


@entry("owner_pin")
def _owner_pin(shop: Shop) -> QWidget:
    from app.ui.owner_gate import OwnerPinDialog

    return shop.dialog(OwnerPinDialog(shop.session, tr("Settings are for the owner."), shop.window))


@entry("kiosk_leave")
def _kiosk_leave(shop: Shop) -> QWidget:
    from app.ui.kiosk import LeaveKioskDialog

    return shop.dialog(LeaveKioskDialog(shop.session, shop.window))


@entry("defect_photo")
def _defect_photo(shop: Shop) -> QWidget:
    from app.ui.defect_photo import DefectPhotoDialog

    return shop.dialog(DefectPhotoDialog("バリ × 3", None, shop.window))


@entry("drawing")
def _drawing(shop: Shop) -> QWidget:
    from app.store import files
    from app.ui.drawing_viewer import DrawingDialog

    job = shop.store.job(shop.job("FLANGE-88"))
    assert job is not None and job.drawings
    drawing = job.drawings[-1]
    path = files.path_of(shop.store, drawing.sha256)
    assert path is not None
    return shop.dialog(DrawingDialog(job, drawing, path, shop.window))


@entry("sign_in")
def _sign_in(shop: Shop) -> QWidget:
    return shop.dialog(SignInDialog(shop.session, shop.window))


@entry("sign_in_pin")
def _sign_in_pin(shop: Shop) -> QWidget:
    dlg = SignInDialog(shop.session, shop.window)
    dlg.choose(shop.session.roster()[PIN_OPERATOR[0]])
    for key in "042":
        dlg.pad.press(key)
    return shop.dialog(dlg)


def _scanned_collar(shop: Shop) -> commands.Step:
    """The traveler of COLLAR-5 in hand: its receipt skips the steps not yet synced."""
    shop.window.open_scanned("F001-SHOT-1", lots.first_lot("F001-SHOT-1"), 60)
    return shop.step("COLLAR-5", "receive")


@entry("receive")
def _receive(shop: Shop) -> QWidget:
    step = _scanned_collar(shop)
    return shop.ask("COLLAR-5", lambda s: s.act("receive", step))


@entry("skip_confirm")
def _skip_confirm(shop: Shop) -> QWidget:
    step = _scanned_collar(shop)
    return shop.ask("COLLAR-5", lambda s: s.act("receive", step), [{"count": 60}])


@entry("scan_in_dialog")
def _scan_in_dialog(shop: Shop) -> QWidget:
    """A badge scanned while the hand-off dialog is open: refused inside the dialog."""
    dlg = _hand_off(shop)
    shop.window.scans.in_dialog(dlg, "NKOP:F001-OP-0003:1003")
    return dlg


@entry("finish")
def _finish(shop: Shop) -> QWidget:
    return shop.ask("FLANGE-88", lambda s: s.act("finish", shop.step("FLANGE-88", "finish")))


@entry("pause_reason")
def _pause(shop: Shop) -> QWidget:
    return shop.ask("FLANGE-88", lambda s: s.act("pause", shop.step("FLANGE-88", "pause")))


@entry("defect_choice")
def _defect_choice(shop: Shop) -> QWidget:
    return shop.ask("FLANGE-88", lambda s: s.act("defect", shop.step("FLANGE-88", "defect")))


@entry("defect_count")
def _defect_count(shop: Shop) -> QWidget:
    step = shop.step("FLANGE-88", "defect")
    return shop.ask("FLANGE-88", lambda s: s.act("defect", step), ["DIM"])


@entry("defect_disposition")
def _disposition(shop: Shop) -> QWidget:
    step = shop.step("FLANGE-88", "defect")
    return shop.ask("FLANGE-88", lambda s: s.act("defect", step), ["DIM", {"count": 2}])


@entry("measure")
def _measure(shop: Shop) -> QWidget:
    dlg = shop.ask("FLANGE-88", lambda s: s.act("measure", shop.step("FLANGE-88", "measure")))
    assert isinstance(dlg, MeasureDialog)
    dlg.select("value")
    for key in "12.0250":
        dlg.press(key)
    return dlg


@entry("hand_off")
def _hand_off(shop: Shop) -> QWidget:
    return shop.ask("SLEEVE-12", lambda s: s.act("hand_off", shop.step("SLEEVE-12", "hand_off")))


@entry("split")
def _split(shop: Shop) -> QWidget:
    return shop.ask("PIN-7", lambda s: s.act("split", shop.step("PIN-7", "split")))


@entry("print_lot")
def _print_lot(shop: Shop) -> QWidget:
    return shop.ask("PIN-7", lambda s: s.ask_traveler())


@entry("print_child")
def _print_child(shop: Shop) -> QWidget:
    def run(screen: Any) -> None:
        job = shop.store.job(shop.job("PIN-7"))
        assert job is not None
        first = lots.first_lot(job.job_id)
        child = next(lot for lot in job.lots if lot != first)
        screen._offer_child_traveler({"child_lot_id": child, "lot_id": first, "count": 200})

    return shop.ask("PIN-7", run)


@entry("correct_choice")
def _correct_choice(shop: Shop) -> QWidget:
    return shop.ask("FLANGE-88", lambda s: s.history.correct(_defect_event(shop)))


@entry("correct_numbers")
def _correct_numbers(shop: Shop) -> QWidget:
    return shop.ask("FLANGE-88", lambda s: s.history.correct(_defect_event(shop)), ["fix"])


@entry("undo_confirm")
def _undo_confirm(shop: Shop) -> QWidget:
    return shop.ask("FLANGE-88", lambda s: s.history.correct(_defect_event(shop)), ["undo"])


@entry("new_job_process")
def _new_job_process(shop: Shop) -> QWidget:
    return _new_job_dialog(shop, [])


@entry("new_job_firm")
def _new_job_firm(shop: Shop) -> QWidget:
    return _new_job_dialog(shop, ["HEAT"])


def _new_job_dialog(shop: Shop, answers: list[Any]) -> QWidget:
    screen = shop.window.new_job
    shop.window.stack.setCurrentWidget(screen)
    asker = CatalogueAsker(screen, answers)
    real, screen.asker = screen.asker, asker
    try:
        screen.ask_step()
    finally:
        screen.asker = real
    assert asker.kept is not None
    return shop.dialog(asker.kept)


def _defect_event(shop: Shop) -> Any:
    events = shop.store.job_events(shop.job("FLANGE-88"))
    return next(e for e in events if e.type == "DefectRecorded")


def render_all(
    out_dir: Path,
    langs: Sequence[str] = LANGS,
    sizes: Sequence[tuple[int, int]] = tuple(SIZES),
    names: Sequence[str] = (),
    dpi: float | None = None,
) -> dict[str, list[str]]:
    """Write ``NAME-LANG-WxH.png`` for every entry (or ``names``) in every language and
    size, into ``out_dir``, from a demo shop made in a temporary folder. Returns the
    layout problems found, by PNG name (empty lists when all is well)."""
    import tempfile

    out_dir.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "catalogue.db", firm_id=demo.DEMO_FIRM)
        try:
            seed(store)
            for lang in langs:
                for size in sizes:
                    with shop_at(store, size, lang, dpi) as shop:
                        for name in names or list(ENTRIES):
                            tag = f"{lang}-{size[0]}x{size[1]}"
                            found[f"{name}-{tag}"] = render(shop, name, out_dir, tag)
        finally:
            store.close()
    return found
