"""Which printer a traveler goes to: the system's print dialog, the default printer the
owner chose in settings, or none (the PDF only). The PDF is written in every case."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from app.settings import PRINT_ASK, PRINT_PDF


@dataclass
class PrinterChoice:
    """``printer`` to paint on (None: the PDF only); ``cancelled`` when the person closed
    the print dialog (then nothing is issued); ``missing`` names a default printer that
    is not there now."""

    printer: QPrinter | None = None
    cancelled: bool = False
    missing: str = ""


def available_printers() -> list[str]:
    return list(QPrinterInfo.availablePrinterNames())


def ask_printer(parent: QWidget | None) -> QPrinter | None:
    """The system's print dialog; the printer chosen, or None when it was closed."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer


def named_printer(name: str) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPrinterName(name)
    return printer


def choose_printer(setting: str, parent: QWidget | None = None) -> PrinterChoice:
    """What the ``printer`` setting means now. With no printer installed, asking would
    offer nothing: the PDF is written for whoever prints it."""
    if setting == PRINT_PDF:
        return PrinterChoice()
    names = available_printers()
    if setting == PRINT_ASK:
        if not names:
            return PrinterChoice()
        printer = ask_printer(parent)
        return PrinterChoice(printer, cancelled=printer is None)
    if setting not in names:
        return PrinterChoice(missing=setting)
    return PrinterChoice(named_printer(setting))
