#!/usr/bin/env bash
# Install this DraftRx folder for the current user (or, with PREFIX=/usr/local, for everyone):
# the app under PREFIX/lib/draftrx, `draftrx` on PATH, a menu entry, the icon, AppStream data.
#
#   ./install.sh              install (again) from this folder
#   ./install.sh --uninstall  remove the app; your drafts and settings stay (see the README)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
APP_ID=org.draftrx.DraftRx
target="$PREFIX/lib/draftrx"

remove() {
    rm -rf "$target"
    rm -f "$PREFIX/bin/draftrx" "$PREFIX/share/applications/$APP_ID.desktop" \
        "$PREFIX/share/metainfo/$APP_ID.metainfo.xml"
    find "$PREFIX/share/icons/hicolor" -name "$APP_ID.*" -delete 2>/dev/null || true
}

refresh() {
    command -v update-desktop-database >/dev/null && \
        update-desktop-database -q "$PREFIX/share/applications" || true
    command -v gtk-update-icon-cache >/dev/null && \
        gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" || true
}

if [ "${1:-}" = "--uninstall" ]; then
    remove
    refresh
    echo "DraftRx removed from $PREFIX."
    exit 0
fi
if [ ! -x "$HERE/draftrx" ]; then
    echo "install.sh: run me from inside the DraftRx folder that packaging/build.sh made" >&2
    exit 1
fi

if [ "$HERE" != "$target" ]; then
    remove
    mkdir -p "$target"
    cp -R "$HERE/." "$target/"
fi
mkdir -p "$PREFIX/bin" "$PREFIX/share/applications" "$PREFIX/share/metainfo"
ln -sf "$target/draftrx" "$PREFIX/bin/draftrx"
# A menu entry must not depend on PATH: it names the program by its full path.
sed "s|^Exec=draftrx|Exec=$target/draftrx|" "$target/share/applications/$APP_ID.desktop" \
    > "$PREFIX/share/applications/$APP_ID.desktop"
cp "$target/share/metainfo/$APP_ID.metainfo.xml" "$PREFIX/share/metainfo/"
cp -R "$target/share/icons/." "$PREFIX/share/icons/"
refresh
echo "DraftRx $("$target/draftrx" --version | cut -d' ' -f2) installed in $target; start it from"
echo "your applications menu, or run: draftrx"
