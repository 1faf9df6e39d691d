"""Standard catalogues of processes and defect codes for metal work.

Codes are stable ASCII identifiers that go into events and the traveler QR; the
names are for people. A firm can add its own entries (``Catalogue.add``); built-in
codes cannot be redefined, so two terminals never disagree on what ``BURR`` means.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    code: str
    ja: str
    en: str

    def name(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


PROCESSES: tuple[CatalogueEntry, ...] = (
    CatalogueEntry("LATHE", "旋盤", "Turning"),
    CatalogueEntry("MILL", "フライス", "Milling"),
    CatalogueEntry("MC", "マシニング", "Machining centre"),
    CatalogueEntry("GRIND", "研削", "Grinding"),
    CatalogueEntry("POLISH", "研磨", "Polishing"),
    CatalogueEntry("HEAT", "熱処理", "Heat treatment"),
    CatalogueEntry("PLATE", "めっき", "Plating"),
    CatalogueEntry("WELD", "溶接", "Welding"),
    CatalogueEntry("SHEET", "板金", "Sheet metal"),
    CatalogueEntry("PRESS", "プレス", "Pressing"),
    CatalogueEntry("WIRE", "ワイヤーカット", "Wire EDM"),
    CatalogueEntry("PAINT", "塗装", "Painting"),
    CatalogueEntry("INSPECT", "検査", "Inspection"),
    CatalogueEntry("ASSY", "組立", "Assembly"),
)

DEFECTS: tuple[CatalogueEntry, ...] = (
    CatalogueEntry("DIM", "寸法不良", "Out of tolerance"),
    CatalogueEntry("SCRATCH", "キズ", "Scratch"),
    CatalogueEntry("DENT", "打痕", "Dent"),
    CatalogueEntry("BURR", "バリ", "Burr"),
    CatalogueEntry("RUST", "錆", "Rust"),
    CatalogueEntry("DEFORM", "変形", "Deformation"),
    CatalogueEntry("PLATING", "めっき不良", "Plating defect"),
    CatalogueEntry("HEAT", "熱処理不良", "Heat-treatment defect"),
    CatalogueEntry("MATERIAL", "材料不良", "Material defect"),
    CatalogueEntry("OTHER", "その他", "Other"),
)

PAUSE_REASONS: tuple[CatalogueEntry, ...] = (
    CatalogueEntry("BREAK", "休憩", "Break"),
    CatalogueEntry("SETUP", "段取り", "Set-up"),
    CatalogueEntry("TOOL", "工具交換", "Tool change"),
    CatalogueEntry("MACHINE", "機械トラブル", "Machine trouble"),
    CatalogueEntry("MATERIAL", "材料待ち", "Waiting for material"),
    CatalogueEntry("URGENT", "割り込み作業", "Urgent job"),
    CatalogueEntry("END_OF_DAY", "終業", "End of day"),
    CatalogueEntry("OTHER", "その他", "Other"),
)


class Catalogue:
    """Built-in entries plus a firm's own additions."""

    def __init__(self, builtin: tuple[CatalogueEntry, ...]) -> None:
        self._builtin = {e.code: e for e in builtin}
        self._entries = dict(self._builtin)

    def add(self, code: str, ja: str, en: str) -> CatalogueEntry:
        """Add a firm-specific entry. Codes are upper-case ASCII, letters, digits and '_'."""
        code = code.strip().upper()
        if not code or not all(c.isascii() and (c.isalnum() or c == "_") for c in code):
            raise ValueError("code must be ASCII letters, digits or '_'")
        if code in self._builtin:
            raise ValueError(f"{code} is a built-in code")
        entry = CatalogueEntry(code, ja, en)
        self._entries[code] = entry
        return entry

    def get(self, code: str) -> CatalogueEntry | None:
        return self._entries.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._entries

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


def parse_own(line: str) -> CatalogueEntry | None:
    """A firm's own entry as the settings keep it, ``CODE=日本語名/English name``."""
    code, sep, names = line.partition("=")
    ja, _, en = names.partition("/")
    code, ja, en = code.strip().upper(), ja.strip(), en.strip()
    if not sep or not is_code(code) or not (ja or en):
        return None
    return CatalogueEntry(code, ja or en, en or ja)


def own_line(entry: CatalogueEntry) -> str:
    return f"{entry.code}={entry.ja}/{entry.en}"


def is_code(code: str) -> bool:
    """Codes are upper-case ASCII letters, digits and '_', at most 32 characters."""
    return 0 < len(code) <= 32 and all(
        c.isascii() and (c.isupper() or c.isdigit() or c == "_") for c in code
    )


def named_own(code: str, payload: Mapping[str, Any]) -> bool:
    """A firm's own code on an event: well formed and carrying its name."""
    return is_code(code) and bool(payload.get("name_ja") or payload.get("name_en"))


def with_own(builtin: Catalogue, lines: list[str]) -> Catalogue:
    """The built-in catalogue plus the firm's own entries (bad or built-in lines skipped)."""
    for line in lines:
        entry = parse_own(line)
        if entry is not None and entry.code not in builtin:
            builtin.add(entry.code, entry.ja, entry.en)
    return builtin


def processes() -> Catalogue:
    return Catalogue(PROCESSES)


def defects() -> Catalogue:
    return Catalogue(DEFECTS)


def pause_reasons() -> Catalogue:
    return Catalogue(PAUSE_REASONS)
