"""Starting the touchscreen app: fonts, language, style, the store, the main window."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from app.commands.common import explain_store_error
from app.settings import Settings
from app.store import Store, StoreError
from app.ui.devices import DEMO_DEVICES, DeviceHub
from app.ui.language import set_language
from app.ui.main_window import MainWindow
from app.ui.session import Session
from app.ui.syncing import SyncBridge, start_demo_hub
from app.ui.text import CatalogueTranslator

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def make_application(lang: str = "ja", argv: list[str] | None = None) -> QApplication:
    """Create (or reuse) the QApplication with Japanese fonts, translations and the style."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Nakama")
    families = QFontDatabase.families()
    for family in ("Noto Sans CJK JP", "Noto Sans JP"):
        if family in families:
            app.setFont(QFont(family, 16))
            break
    if app.findChild(CatalogueTranslator) is None:
        # Reason and verdict sentences come from the one catalogue (app/texts.py), in
        # whichever language the application speaks.
        app.installTranslator(CatalogueTranslator(app))
    set_language(app, lang)
    style = RESOURCES / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
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
        if demo_mode and (not store.meta("hub_token") or store.meta("demo_hub")):
            # No hub of its own yet: a consortium hub in this process, on loopback.
            self.stop_hub = start_demo_hub(store.path.parent, store, demo.DEMO_FIRMS)
            store.set_meta({"demo_hub": "1"})
        self.syncing = SyncBridge(self.session)
        self.syncing.start()
        self.window = MainWindow(self.session, self.devices, self.syncing, settings)
        self.window.resize(1280, 800)

    def close(self) -> None:
        self.syncing.stop()
        self.devices.stop()
        if self.stop_hub is not None:
            self.stop_hub()
        self.store.close()


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    app = make_application(args.lang or settings["lang"])
    try:
        store = Store.open(args.db, firm_id=args.firm or settings["firm"] or None)
    except StoreError as exc:
        QMessageBox.critical(None, "Nakama", explain_store_error(exc))
        print(explain_store_error(exc), file=sys.stderr)
        return 3
    terminal = Terminal(store, settings, demo_mode=settings["demo"] and not args.no_demo)
    window = terminal.window
    if args.screenshot:
        window.show()
        app.processEvents()
        window.grab().save(args.screenshot)
        code = 0
    else:
        window.showFullScreen() if "--kiosk" in sys.argv else window.show()
        code = app.exec()
    terminal.close()
    return int(code)
