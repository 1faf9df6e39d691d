#!/usr/bin/env bash
# Build the terminal as a one-folder bundle (dist/nakama/) and a .deb (dist/nakama_*.deb).
#   packaging/build_linux.sh            # bundle + .deb
#   packaging/build_linux.sh --no-deb   # bundle only
# Uses .venv/bin/python (or $PYTHON) with PyInstaller installed; takes several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
# PyInstaller, as pinned in the [package] extra of pyproject.toml.
"$PY" -m PyInstaller --version >/dev/null 2>&1 || "$PY" -m pip install "pyinstaller==6.22.3"
export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" packaging/nakama.spec
"$PY" packaging/strip_bundle.py "$ROOT/dist/nakama"
echo "bundle: dist/nakama ($(du -sm dist/nakama | cut -f1) MB, $(( $(date +%s) - start )) s)"
if [ "${1:-}" != "--no-deb" ]; then
    packaging/linux/make_deb.sh "$ROOT/dist/nakama" "$ROOT/dist"
fi
