#!/usr/bin/env bash
# Set up Nakama on a fresh Debian/Ubuntu machine and run it.
#   ./bootstrap.sh app    install everything, then start the terminal app (demo mode)
#   ./bootstrap.sh test   install everything, then run the whole test suite
# Extra arguments after the mode go to the app or to pytest.
set -euo pipefail
cd "$(dirname "$0")"
mode="${1:-app}"; shift || true

APT_PACKAGES=(libzbar0 fonts-noto-cjk poppler-utils xvfb xauth libgl1 libglib2.0-0 libegl1
  libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0)
if [ "$mode" = test ]; then APT_PACKAGES+=(postgresql dbus-daemon chromium chromium-driver icu-devtools binutils); fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "Nakama needs these system packages. Run this, then run $0 again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Nakama needs Python 3.11 or newer ($PY is $("$PY" -V 2>&1))." >&2; exit 1
fi
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
stamp=.venv/.nakama-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # The hub extra runs the demo's hub on loopback; the tests need the hub too.
  .venv/bin/python -m pip install -q -e ".[hub,test]"
  touch "$stamp"
fi

case "$mode" in
  app)
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      echo "No display found: starting the app on a virtual screen (Xvfb)."
      exec xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/nakama "$@"
    fi
    exec .venv/bin/nakama "$@" ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    .venv/bin/lint-imports
    .venv/bin/mypy
    # The built program is tested too (tests/test_selftest_bundle.py): it is built, or
    # reused from the cache when nothing that goes into it changed. NAKAMA_SKIP_BUNDLE=1
    # leaves it out (those tests then skip).
    if [ "${NAKAMA_SKIP_BUNDLE:-}" != 1 ]; then
      built=$(packaging/ci_bundle.sh)
      export NAKAMA_BUNDLE="$built/nakama" NAKAMA_DEB_DIR="$built" NAKAMA_REQUIRE_BUNDLE=1
    fi
    exec .venv/bin/python -m pytest "$@" ;;
  *) echo "usage: $0 app|test [args…]" >&2; exit 2 ;;
esac
