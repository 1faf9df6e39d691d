"""The bundle's ICU data cut to Japanese and English (packaging/icu_trim.py)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import PySide6
import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_LIB = Path(PySide6.__file__).parent / "Qt" / "lib"

spec = importlib.util.spec_from_file_location("icu_trim", ROOT / "packaging" / "icu_trim.py")
assert spec and spec.loader
icu_trim = importlib.util.module_from_spec(spec)
spec.loader.exec_module(icu_trim)


def test_keeps_japanese_english_root_and_what_all_share():
    items = [
        "ja.res", "en.res", "en_GB.res", "fr.res", "de_CH.res", "root.res", "pool.res",
        "res_index.res", "supplementalData.res", "coll/ja.res", "coll/zh.res", "coll/de_.res",
        "curr/en_001.res", "curr/fr_CA.res", "zone/root.res", "brkitr/cjdict.dict",
        "brkitr/line.brk", "translit/root.res", "translit/el.res", "uprops.icu", "nfkc.nrm",
        "ibm-943_P15A-2003.cnv", "ibm-5348_P100-1997.cnv", "gb18030.cnv", "ibm-1047_P100-1995.cnv",
    ]  # fmt: skip
    assert sorted(icu_trim.items_to_remove(items)) == [
        "coll/de_.res", "coll/zh.res", "curr/fr_CA.res", "de_CH.res", "fr.res", "gb18030.cnv",
        "ibm-1047_P100-1995.cnv", "translit/el.res",
    ]  # fmt: skip


@pytest.mark.skipif(not list(QT_LIB.glob("libicudata.so.*")), reason="no ICU in this Qt")
def test_trimmed_library_serves_japanese_and_is_small(tmp_path):
    lib = tmp_path / "PySide6" / "Qt" / "lib"
    lib.mkdir(parents=True)
    for f in QT_LIB.glob("libicu*.so.*"):
        shutil.copy2(f, lib / f.name)
    before, after = icu_trim.trim(tmp_path)  # refuses (SystemExit) if its own check fails
    assert before > 25e6 and after < 12e6
    # Qt itself, on the trimmed data: Japanese collation puts kanji in JIS order (亜 before
    # 一); the root's fallback, which a locale cut out gets, puts them in Unicode's order.
    check = (
        "from PySide6.QtCore import QCollator, QLocale\n"
        "for name in ('ja_JP', 'fr_FR'):\n"
        "    c = QCollator(QLocale(name))\n"
        "    print(''.join(sorted(['一', '亜', 'カ', 'あ'], key=c.sortKey)))\n"
    )
    env = {"LD_LIBRARY_PATH": str(lib), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["あカ亜一", "あカ一亜"]
