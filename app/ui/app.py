"""Starting the touchscreen app: fonts, language, style, the store, the main window."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSize, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import texts
from app.commands.common import explain_store_error
from app.core import setup
from app.core.operators import kiosk_leavable
from app.settings import Settings, backup_dir
from app.store import Store, StoreError
from app.store import backup as backups
from app.store.db import default_path
from app.ui.devices import DEMO_DEVICES, DeviceHub
from app.ui.kiosk import LEFT_BY_OWNER, Kiosk, SingleInstance
from app.ui.language import set_language
from app.ui.main_window import MainWindow
from app.ui.session import Session
from app.ui.setup_wizard import SetupWizard, wizard_needed
from app.ui.syncing import SyncBridge, start_demo_hub
from app.ui.text import CatalogueTranslator
from app.ui.widgets import apply_units

log = logging.getLogger("nakama.app")
RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def make_application(
    lang: str = "ja", argv: list[str] | None = None, *, dpi: float | None = None
) -> QApplication:
    """Create (or reuse) the QApplication with Japanese fonts, translations and the style
    sized for the panel (``dpi``: the ``screen_dpi`` setting when None; 0 asks the
    screen)."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Nakama")
    if app.findChild(CatalogueTranslator) is None:
        # Reason and verdict sentences come from the one catalogue (app/texts.py), in
        # whichever language the application speaks.
        app.installTranslator(CatalogueTranslator(app))
    set_language(app, lang)
    apply_units(app, Settings()["screen_dpi"] if dpi is None else dpi)
    return app


class Terminal:
    """Everything the running app owns, started in order and stopped in reverse."""

    def __init__(self, store: Store, settings: Settings, *, demo_mode: bool) -> None:
        from app import demo

        self.store = store
        if not store.firm_id:
            store.set_meta({"firm_id": demo.DEMO_FIRM})
            store.firm_id = demo.DEMO_FIRM
        if demo_mode:
            demo.seed(store)
        self.session = Session(store)
        if demo_mode:
            # Usable at once: the demo starts with one of its machinists signed in.
            self.session.sign_in_id(demo.DEMO_OPERATORS[1][0])  # 佐藤 花子
        urls = settings["devices"] or (DEMO_DEVICES if demo_mode else [])
        self.devices = DeviceHub(self.session, urls, camera=settings["camera"])
        self.devices.start()
        self.stop_hub = None
        # A built bundle carries no hub server: its demo runs without one.
        frozen = bool(getattr(sys, "frozen", False))
        if demo_mode and not frozen and (not store.meta("hub_token") or store.meta("demo_hub")):
            # No hub of its own yet: a consortium hub in this process, on loopback.
            self.stop_hub = start_demo_hub(store.path.parent, store, demo.DEMO_FIRMS)
            store.set_meta({"demo_hub": "1"})
        self.syncing = SyncBridge(self.session)
        self.syncing.start()
        self.window = MainWindow(self.session, self.devices, self.syncing, settings)
        # The shop's usual 1280 × 800, or the whole screen when it is smaller.
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else QSize(1280, 800)
        self.window.resize(QSize(1280, 800).boundedTo(room))
        # Today's backup now (if there is none), and a look every hour for a new day.
        self.backup_timer = QTimer()
        self.backup_timer.timeout.connect(lambda: self.daily_backup(settings))
        self.backup_timer.start(3600 * 1000)
        self.daily_backup(settings)

    def daily_backup(self, settings: Settings) -> threading.Thread:
        """Take the daily backup in a thread of its own (its own read connection: the
        screen and the writer never wait for it)."""
        path, keep, folder = self.store.path, int(settings["backup_keep"]), backup_dir(settings)

        def work() -> None:
            try:
                made = backups.daily_backup_file(path, keep, folder)
            except StoreError as exc:
                log.error("daily backup failed", extra={"code": exc.code, "detail": exc.detail})
                return
            if made is not None:
                log.info("daily backup written", extra={"file": str(made)})

        thread = threading.Thread(target=work, name="daily-backup", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.backup_timer.stop()
        self.syncing.stop()
        self.devices.stop()
        if self.stop_hub is not None:
            self.stop_hub()
        self.store.close()


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    app = make_application(args.lang or settings["lang"], dpi=settings["screen_dpi"])
    guard = SingleInstance(Path(args.db) if args.db else default_path())
    if not args.screenshot and not guard.claim():
        # Never two apps writing beside each other: the running one comes to the front.
        print(
            "Nakama はこのデータベースで起動中です。その画面を前面に出しました。\n"
            "Nakama is already running on this database; its window was brought to the front.",
            file=sys.stderr,
        )
        return 0
    try:
        store = Store.open(args.db, firm_id=args.firm or settings["firm"] or None)
    except StoreError as exc:
        QMessageBox.critical(None, "Nakama", explain_store_error(exc))
        print(explain_store_error(exc), file=sys.stderr)
        return 3
    demo_mode = settings["demo"] and not args.no_demo
    set_up = False
    if not demo_mode and not args.screenshot:
        set_up = wizard_needed(Session(store))
        if set_up and not run_wizard(store, settings):
            # Closed half-way: what was given is kept, and the next start goes on there.
            guard.release()
            store.close()
            return 0
    terminal = Terminal(store, settings, demo_mode=demo_mode)
    window = terminal.window
    if args.kiosk and not kiosk_leavable(store.operators()):
        print(texts.explain("owner_pin_required"), file=sys.stderr)
        terminal.close()
        return 2
    kiosk = Kiosk(window, terminal.session) if args.kiosk else None
    if args.screenshot:
        kiosk.show() if kiosk is not None else window.show()
        app.processEvents()
        window.grab().save(args.screenshot)
        code = 0
    else:
        if kiosk is not None:
            guard.raise_requested.connect(kiosk.bring_to_front)
            kiosk.show()
        else:
            guard.raise_requested.connect(lambda: bring_to_front(window))
            window.show()
        if set_up:
            # The wizard's last page leads to the sign-in, with the new owner on it.
            QTimer.singleShot(0, window.open_sign_in)
        code = app.exec()
        if kiosk is not None and kiosk.unlocked:
            code = LEFT_BY_OWNER
    guard.release()
    terminal.close()
    return int(code)


def run_wizard(store: Store, settings: Settings) -> bool:
    """The first-run wizard over the whole screen until its last page is left (True) or
    its window is closed half-way (False: the page reached is kept for the next start)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    wizard = SetupWizard(Session(store), settings)
    loop = QEventLoop()
    wizard.completed.connect(loop.quit)
    # Not ``lastWindowClosed``: Qt sends it only from inside ``app.exec()``.
    wizard.closed.connect(loop.quit)
    wizard.showFullScreen()
    loop.exec()
    finished = bool(store.meta(setup.DONE_META))
    wizard.stop()
    wizard.hide()
    wizard.deleteLater()
    return finished


def bring_to_front(window: QWidget) -> None:
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()
