"""The interface language: Qt's translator for the screens' own words, swapped at runtime."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

QM = Path(__file__).resolve().parents[2] / "resources" / "translations" / "nakama_ja.qm"


def set_language(app: QApplication, lang: str) -> None:
    """Speak ``lang`` (``ja`` or ``en``) from now on: widgets made after this use it."""
    for old in app.findChildren(QTranslator, "nakamaScreens"):
        app.removeTranslator(old)
        old.setParent(None)  # gone now, not at the next event loop turn
    app.setProperty("nakama_lang", lang)
    if lang == "ja":
        translator = QTranslator(app)
        translator.setObjectName("nakamaScreens")
        if translator.load(str(QM)):
            app.installTranslator(translator)
        QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    else:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
