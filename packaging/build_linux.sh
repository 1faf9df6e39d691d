#!/usr/bin/env bash
# Build the terminal as a one-folder bundle (dist/nakama/) and a .deb (dist/nakama_*.deb).
#   packaging/build_linux.sh                  # the release: bundle + .deb
#   packaging/build_linux.sh --no-deb         # bundle only
#   packaging/build_linux.sh --pypi-wheels    # OpenCV and NumPy as PyPI ships them (faster)
# The release bundle carries OpenCV with only the modules the terminal uses and NumPy
# without OpenBLAS (packaging/slim_wheels.py: built from their sources once, some 20
# minutes on two cores, then cached), installed into a build environment of its own
# (build/bundle-venv, the same versions as .venv). --pypi-wheels builds from .venv as it
# is: the same program, 170 MB larger; CI uses it when the slim wheels are not cached.
# Uses .venv/bin/python (or $PYTHON) with PyInstaller installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
deb=1 slim=1
for arg in "$@"; do
    case "$arg" in
        --no-deb) deb=0 ;;
        --pypi-wheels) slim=0 ;;
        *) echo "usage: $0 [--no-deb] [--pypi-wheels]" >&2; exit 2 ;;
    esac
done
start=$(date +%s)
if [ "$slim" = 1 ]; then
    wheels=$("$PY" packaging/slim_wheels.py --python "$PY")
    BUILD_PY=$ROOT/build/bundle-venv/bin/python
    stamp=$ROOT/build/bundle-venv/.nakama-wheels
    # The versions .venv has (what the tests ran against), then the slim wheels over them.
    constraints=$ROOT/build/bundle-constraints.txt
    mkdir -p "$ROOT/build"
    "$PY" -m pip freeze --exclude-editable > "$constraints"
    want=$(cat "$wheels/done" "$constraints" pyproject.toml | sha256sum)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        rm -rf "$ROOT/build/bundle-venv"
        "$PY" -m venv "$ROOT/build/bundle-venv"
        "$BUILD_PY" -m pip install -q -c "$constraints" -e ".[package]"
        "$BUILD_PY" -m pip install -q --force-reinstall --no-deps "$wheels"/*.whl
        echo "$want" > "$stamp"
    fi
else
    BUILD_PY=$PY
fi
# PyInstaller, as pinned in the [package] extra of pyproject.toml.
"$BUILD_PY" -m PyInstaller --version >/dev/null 2>&1 || "$BUILD_PY" -m pip install "pyinstaller==6.22.3"
export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}
"$BUILD_PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" packaging/nakama.spec
"$BUILD_PY" packaging/strip_bundle.py "$ROOT/dist/nakama"
"$BUILD_PY" packaging/icu_trim.py "$ROOT/dist/nakama"
echo "bundle: dist/nakama ($(du -sm dist/nakama | cut -f1) MB, $(( $(date +%s) - start )) s)"
if [ "$deb" = 1 ]; then
    packaging/linux/make_deb.sh "$ROOT/dist/nakama" "$ROOT/dist"
fi
