"""Keep the Japanese translation in step with the UI's strings.

``python packaging/i18n.py`` finds every ``tr("…")`` literal under ``app/ui``, adds new
ones to ``resources/translations/nakama_ja.ts`` (unfinished, for a translator or Qt
Linguist), drops vanished ones, and compiles ``nakama_ja.qm`` with Qt's lrelease.
``python packaging/i18n.py "Source=訳"`` sets one translation. ``--check`` only reports
strings that lack a finished translation (the tests use it).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "translations" / "nakama_ja.ts"
QM = TS.with_suffix(".qm")
CONTEXT = "Nakama"


def ui_strings() -> list[str]:
    found: dict[str, None] = {}
    for path in sorted((ROOT / "app" / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "tr"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found[node.args[0].value] = None
    return list(found)


def read_ts() -> dict[str, str | None]:
    if not TS.exists():
        return {}
    out: dict[str, str | None] = {}
    for msg in ET.parse(TS).getroot().iter("message"):
        source = msg.findtext("source") or ""
        t = msg.find("translation")
        done = t is not None and t.get("type") not in ("unfinished", "vanished") and t.text
        out[source] = t.text if done and t is not None else None
    return out


def write_ts(entries: dict[str, str | None]) -> None:
    root = ET.Element("TS", version="2.1", language="ja_JP", sourcelanguage="en")
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    for source, text in entries.items():
        msg = ET.SubElement(ctx, "message")
        ET.SubElement(msg, "source").text = source
        t = ET.SubElement(msg, "translation")
        if text:
            t.text = text
        else:
            t.set("type", "unfinished")
    ET.indent(root)
    TS.parent.mkdir(parents=True, exist_ok=True)
    body = ET.tostring(root, encoding="unicode")
    TS.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )


def lrelease() -> str:
    exe = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    return exe


def missing() -> list[str]:
    have = read_ts()
    return [s for s in ui_strings() if not have.get(s)]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        gaps = missing()
        for s in gaps:
            print(f"untranslated: {s}")
        return 1 if gaps else 0
    have = read_ts()
    # --set "English=日本語" records a translation without opening Qt Linguist.
    for arg in argv:
        if "=" in arg and not arg.startswith("--"):
            source, _, text = arg.partition("=")
            have[source] = text
    write_ts({s: have.get(s) for s in ui_strings()})
    subprocess.run([lrelease(), "-silent", str(TS), "-qm", str(QM)], check=True)
    gaps = missing()
    print(f"{len(ui_strings())} strings, {len(gaps)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
