#!/usr/bin/env bash
# The built terminal for the tests of the built program (tests/test_selftest_bundle.py):
# built with packaging/build_linux.sh (bundle and .deb), or taken from the cache when
# nothing that goes into it changed: the key is a hash of pyproject.toml, packaging/,
# app/, drivers/, wire/, resources/ and the versions installed in .venv.
#   packaging/ci_bundle.sh      # prints the folder that holds nakama/ and nakama_*.deb
# The cache: $NAKAMA_BUNDLE_CACHE, else ~/.cache/nakama/bundle (the last 2 builds kept).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$PWD/.venv/bin/python}
CACHE=${NAKAMA_BUNDLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nakama/bundle}

# strip (binutils) and icupkg (icu-devtools, for packaging/icu_trim.py): on a bare Debian
# machine they may be missing.
if ! command -v strip >/dev/null || ! command -v objdump >/dev/null || ! command -v icupkg >/dev/null; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q binutils icu-devtools >&2
fi

# The release build (OpenCV and NumPy built for the terminal) when their wheels are in
# the cache, else the same program with PyPI's wheels: building OpenCV takes some 20
# minutes, more than a CI run may spend (packaging/build_linux.sh builds them once).
if "$PY" packaging/slim_wheels.py --python "$PY" --cached-only >/dev/null 2>&1; then
    variant=slim flags=()
else
    variant=pypi-wheels flags=(--pypi-wheels)
fi
key=$(
    {
        echo "$variant"
        find pyproject.toml packaging app drivers wire resources -type f \
            ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum
        "$PY" -m pip freeze --exclude-editable 2>/dev/null
    } | sha256sum | cut -c1-16
)
out=$CACHE/$key
if [ -x "$out/nakama/nakama" ] && compgen -G "$out/nakama_*.deb" >/dev/null; then
    echo "built terminal: reused $out (nothing that goes into it changed)" >&2
else
    start=$(date +%s)
    # zstd: 8 s where xz takes minutes on a busy CI machine (dpkg reads both since 1.21.18)
    DEB_COMPRESS=${DEB_COMPRESS:--Zzstd} PYTHON=$PY packaging/build_linux.sh "${flags[@]}" >&2
    rm -rf "$out.tmp" && mkdir -p "$out.tmp"
    cp -a dist/nakama "$out.tmp/nakama"
    cp dist/nakama_*.deb "$out.tmp/"
    rm -rf "$out" && mv "$out.tmp" "$out"
    echo "built terminal ($variant): $out ($(( $(date +%s) - start )) s)" >&2
    # Older builds go (each is some 350 MB of bundle and 100 MB of .deb).
    find "$CACHE" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn | tail -n +3 |
        cut -d' ' -f2- | xargs -r rm -rf
fi
echo "$out"
