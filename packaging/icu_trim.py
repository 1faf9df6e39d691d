"""Cut the bundle's ICU data down to the locales the terminal speaks (Japanese, English).

Qt from PyPI links ICU, whose data library (``libicudata.so.NN``, 32 MB) holds every
locale's names, currencies, units, time zones and collation. Qt asks ICU for case mapping,
collation, text codecs and time-zone names; the terminal runs in Japanese or English.
Here the data package inside the library (the symbol ``icudtNN_dat``) is read out, every
locale but the root, Japanese and English is removed with ICU's own ``icupkg`` (which
refuses a removal that leaves a kept item without its parent), and a library of the
same name and symbol is assembled from what is left. What every locale shares (character
properties, normalisation, the codecs, time-zone rules, plural rules) stays.

The new library is tried before it replaces the old one: ICU is opened through the
bundle's own ``libicuuc`` and ``libicui18n`` with it, and Japanese collation, a Shift_JIS
codec and the Japanese locale must come from the data, not the root's fallback.

    python packaging/icu_trim.py dist/nakama     # needs icupkg (Debian: icu-devtools), gcc
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Locale ids (2-3 letter language, optional script/region/variant); root, the pools and
# the index are kept.
LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*$")
SHARED = {"root", "pool", "res_index"}
KEEP_LOCALES = re.compile(r"^(ja|ja_JP|en|en_US|en_US_POSIX|en_001|en_150|en_GB|en_JP)$")
# Code pages (Qt reaches them only for a codec asked for by name): the Japanese ones
# (Shift_JIS, EUC-JP, JIS X 0212), Windows' and DOS's Western European ones and ISO 8859;
# UTF-8/16/32, ASCII, Latin-1 and ISO-2022 are built into ICU's code, not its data.
KEEP_CODEPAGES = re.compile(
    r"^(euc-jp|ibm-33722|ibm-942|ibm-943|ibm-954|jisx-212|ibm-125\d|ibm-53[45]\d|ibm-437|"
    r"ibm-850|ibm-91[2-6]|ibm-92[0-3]|iso-8859|icu-internal-25546)"
)


def data_symbol(lib: Path) -> tuple[str, int, int]:
    """(symbol, file offset, size) of the ICU data package inside the library."""
    out = subprocess.run(
        ["nm", "-D", "-S", "--defined-only", str(lib)], capture_output=True, text=True, check=True
    ).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and re.fullmatch(r"icudt\d+_dat", parts[3]):
            addr, size, name = int(parts[0], 16), int(parts[1], 16), parts[3]
            break
    else:
        raise SystemExit(f"{lib}: no icudtNN_dat symbol")
    # Map the address to a file offset through the section that holds it.
    sections = subprocess.run(
        ["readelf", "-W", "-S", str(lib)], capture_output=True, text=True, check=True
    ).stdout
    for line in sections.splitlines():
        m = re.search(r"\]\s+(\S+)\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m:
            sh_addr, sh_off, sh_size = (int(m.group(i), 16) for i in (2, 3, 4))
            if sh_addr <= addr < sh_addr + sh_size:
                return name, sh_off + (addr - sh_addr), size
    raise SystemExit(f"{lib}: {name} is in no PROGBITS section")


def dropped(item: str) -> bool:
    """True for an item of the package the terminal does without."""
    tree, _, leaf = item.rpartition("/")
    stem, _, ext = leaf.rpartition(".")
    if tree == "translit":
        return stem not in SHARED  # Qt opens no transliterator
    if not tree and ext == "cnv":
        return not KEEP_CODEPAGES.match(stem)
    if ext == "res" and LOCALE.match(stem):
        return stem not in SHARED and not KEEP_LOCALES.match(stem)
    return False


def items_to_remove(items: list[str]) -> list[str]:
    return [item for item in items if dropped(item)]


CHECK = r"""
import ctypes, sys
v = sys.argv[1]
uc = ctypes.CDLL("libicuuc.so." + v, mode=ctypes.RTLD_GLOBAL)
i18n = ctypes.CDLL("libicui18n.so." + v, mode=ctypes.RTLD_GLOBAL)
def fn(lib, name):
    return getattr(lib, name + "_" + v)
err = ctypes.c_int(0)
fn(uc, "u_init")(ctypes.byref(err)); assert err.value <= 0, ("u_init", err.value)
open_coll = fn(i18n, "ucol_open"); open_coll.restype = ctypes.c_void_p
err = ctypes.c_int(0); c = open_coll(b"ja", ctypes.byref(err))
assert c and err.value == 0, ("ucol_open ja", err.value)   # -127 would be the root's fallback
open_cnv = fn(uc, "ucnv_open"); open_cnv.restype = ctypes.c_void_p
for name in (b"Shift_JIS", b"EUC-JP", b"windows-1252"):
    err = ctypes.c_int(0); cnv = open_cnv(name, ctypes.byref(err))
    assert cnv and err.value <= 0, ("ucnv_open", name, err.value)
open_res = fn(uc, "ures_open"); open_res.restype = ctypes.c_void_p
for loc in (b"ja", b"en_US"):
    err = ctypes.c_int(0); r = open_res(None, loc, ctypes.byref(err))
    assert r and err.value == 0, ("ures_open", loc, err.value)
print("ok")
"""


def trim(root: Path) -> tuple[int, int]:
    for tool in ("icupkg", "gcc", "nm", "readelf"):
        if not shutil.which(tool):
            raise SystemExit(
                f"icu_trim: {tool} not found (Debian: apt-get install icu-devtools gcc binutils)"
            )
    libs = sorted(p for p in root.rglob("libicudata.so.*") if not p.is_symlink())
    if not libs:
        print("icu_trim: no libicudata in the bundle, nothing to do")
        return 0, 0
    lib = libs[0]
    version = lib.name.rsplit(".", 1)[-1]
    symbol, offset, size = data_symbol(lib)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        full = t / f"icudt{version}l.dat"
        with lib.open("rb") as f:
            f.seek(offset)
            full.write_bytes(f.read(size))
        listing = subprocess.run(
            ["icupkg", "-l", str(full)], capture_output=True, text=True, check=True
        ).stdout.split()
        (t / "remove.txt").write_text("\n".join(items_to_remove(listing)) + "\n")
        small = t / "out" / full.name  # icupkg names the items after the package file
        small.parent.mkdir()
        subprocess.run(
            ["icupkg", "-r", str(t / "remove.txt"), str(full), str(small)],
            check=True,
            capture_output=True,
        )
        # The same library, smaller: one read-only symbol holding the package, 16-aligned
        # as ICU's own genccode writes it.
        (t / "data.S").write_text(
            f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n"
            f'\t.balign 16\n{symbol}:\n\t.incbin "{small}"\n'
            f"\t.size {symbol}, . - {symbol}\n"
            '\t.section .note.GNU-stack,"",@progbits\n'
        )
        new = t / lib.name
        subprocess.run(
            [
                "gcc",
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{lib.name}",
                "-o",
                str(new),
                str(t / "data.S"),
            ],
            check=True,
        )
        # Try it with the bundle's own ICU before it goes in.
        trial = t / "trial"
        trial.mkdir()
        for sibling in lib.parent.glob(f"libicu*.so.{version}"):
            shutil.copy2(sibling, trial / sibling.name)
        shutil.copy2(new, trial / lib.name)
        env = dict(os.environ, LD_LIBRARY_PATH=str(trial))
        done = subprocess.run(
            [sys.executable, "-c", CHECK, version], env=env, capture_output=True, text=True
        )
        if done.returncode != 0 or done.stdout.strip() != "ok":
            raise SystemExit(f"icu_trim: the trimmed ICU data fails its check:\n{done.stderr}")
        before = lib.stat().st_size
        shutil.copy2(new, lib)
        return before, lib.stat().st_size


if __name__ == "__main__":
    before, after = trim(Path(sys.argv[1]))
    if before:
        print(f"icu_trim: ICU data {before / 1e6:.1f} -> {after / 1e6:.1f} MB (ja, en, root kept)")
