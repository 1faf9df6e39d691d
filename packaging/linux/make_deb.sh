#!/usr/bin/env bash
# Package a built bundle (dist/nakama) as a .deb with dpkg-deb:
#   /opt/nakama/…, /usr/bin/nakama, a .desktop entry, and the kiosk unit (not enabled).
#   packaging/linux/make_deb.sh dist/nakama dist
set -euo pipefail
BUNDLE=$(realpath "$1")
OUT=$(realpath "${2:-.}")
HERE=$(cd "$(dirname "$0")" && pwd)
VERSION=$("$BUNDLE/nakama" --version | awk '{print $2}')
ARCH=$(dpkg --print-architecture)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
install -d "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/lib/systemd/system" "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$STAGE/opt/nakama"
ln -s /opt/nakama/nakama "$STAGE/usr/bin/nakama"
install -m 0644 "$HERE/nakama.desktop" "$STAGE/usr/share/applications/nakama.desktop"
install -m 0644 "$HERE/nakama-kiosk.service" "$STAGE/lib/systemd/system/nakama-kiosk.service"
install -m 0644 "$HERE/nakama.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/nakama.svg"
SIZE=$(du -sk "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: nakama
Version: $VERSION
Architecture: $ARCH
Maintainer: Nakama consortium <helpdesk@nakama.invalid>
Installed-Size: $SIZE
Depends: libc6 (>= 2.36), libzbar0, fonts-noto-cjk, libxkbcommon0, libegl1, libfontconfig1, libdbus-1-3, libxcb-cursor0
Recommends: cage
Section: misc
Priority: optional
Description: Nakama shop-floor terminal (仲間まわし)
 Scans signed travelers, reads gauges and machines, records every step in a local
 database and syncs with the consortium hub. Kiosk: systemctl enable nakama-kiosk.
CONTROL
cat > "$STAGE/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    # The kiosk runs as its own user (serial gauges: dialout; touch and screen: input, video).
    if ! id nakama >/dev/null 2>&1; then
        useradd --create-home --shell /usr/sbin/nologin --groups dialout,video,input nakama || true
    fi
    command -v systemctl >/dev/null && systemctl daemon-reload || true
fi
POSTINST
cat > "$STAGE/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
# The shop's data (~nakama/.local/share/nakama) is never removed, not even on purge.
if [ "$1" = remove ] && command -v systemctl >/dev/null; then
    systemctl disable --now nakama-kiosk.service >/dev/null 2>&1 || true
fi
PRERM
chmod 0755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/prerm"
DEB="$OUT/nakama_${VERSION}_${ARCH}.deb"
# xz -6 by default (the smallest .deb); CI may ask for a faster level: DEB_COMPRESS="-Zxz -z1".
dpkg-deb --root-owner-group ${DEB_COMPRESS:--Zxz} --build "$STAGE" "$DEB" >/dev/null
echo "deb: $DEB ($(du -m "$DEB" | cut -f1) MB)"
