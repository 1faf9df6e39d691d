"""Strip the symbols and debug sections out of a built bundle's shared libraries.

PyInstaller's own ``strip=True`` breaks the libraries that auditwheel repaired with
patchelf (NumPy's OpenBLAS, OpenCV's codecs): ``strip`` rewrites them with load segments
the dynamic loader refuses ("ELF load command address/offset not page-aligned"). Here
each library is stripped into a copy, and the copy replaces it only when every load
segment of the copy is still loadable; the rest stay as they came.

    python packaging/strip_bundle.py dist/nakama
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

PAGE = 4096  # the largest page size the loader checks against on x86-64 and aarch64
PT_LOAD = 1


def is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def loadable(path: Path) -> bool:
    """True when every PT_LOAD segment's file offset and address agree modulo the page."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:  # 64-bit only (the bundles are x86-64)
        return False
    endian = "<" if data[5] == 1 else ">"
    phoff = struct.unpack_from(endian + "Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from(endian + "HH", data, 0x36)
    for i in range(phnum):
        p_type, _flags, offset, vaddr = struct.unpack_from(
            endian + "IIQQ", data, phoff + i * phentsize
        )
        if p_type == PT_LOAD and (vaddr - offset) % PAGE:
            return False
    return True


def strip_bundle(root: Path) -> tuple[int, int, list[str]]:
    """Strip what can be stripped safely; returns (bytes before, bytes after, kept as is)."""
    before = after = 0
    kept: list[str] = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file() or ".so" not in path.name or not is_elf(path):
            continue
        size = path.stat().st_size
        before += size
        tmp = path.with_name(path.name + ".strip")
        shutil.copy2(path, tmp)
        done = subprocess.run(["strip", "--strip-unneeded", str(tmp)], capture_output=True)
        if done.returncode == 0 and loadable(tmp) and tmp.stat().st_size < size:
            os.replace(tmp, path)
        else:
            tmp.unlink()  # already stripped, or stripping would break it
            kept.append(str(path.relative_to(root)))
        after += path.stat().st_size
    return before, after, kept


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "dist/nakama")
    before, after, kept = strip_bundle(root)
    print(
        f"strip: {before / 1e6:.0f} → {after / 1e6:.0f} MB of libraries"
        f" ({len(kept)} left as they were)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
