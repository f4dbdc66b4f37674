#!/usr/bin/env bash
# Build DraftRx as a one-folder app: dist/DraftRx/ (Linux, Windows), dist/DraftRx.app (macOS).
#
#   packaging/build.sh              the app with the default model inside (about 1.2 GB)
#   packaging/build.sh --no-model   without it: the app asks for a GGUF on first start
#   packaging/build.sh --archive    also pack dist/DraftRx-VERSION-OS-ARCH.tar.gz (or .zip)
#
# It uses $PYTHON (default: python3) and installs DraftRx and PyInstaller into it first when
# they are missing. On Windows run it from Git Bash; see packaging/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
DIST=${DRAFTRX_DIST:-$ROOT/dist}
WORK=${DRAFTRX_WORK:-$ROOT/build/pyinstaller}
with_model=1
archive=0
for arg in "$@"; do
    case "$arg" in
        --no-model) with_model=0 ;;
        --archive) archive=1 ;;
        -h|--help) sed -n 2,9p "$0"; exit 0 ;;
        *) echo "build.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

if ! "$PYTHON" -c "import draftrx, PyInstaller" 2>/dev/null; then
    echo "build.sh: installing DraftRx and PyInstaller into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
    "$PYTHON" -m pip install -e "$ROOT[model,package]"
fi
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}  # icons render without a display

export DRAFTRX_ICONS="$WORK/icons"
"$PYTHON" "$ROOT/packaging/icons.py" "$DRAFTRX_ICONS" >/dev/null

if [ "$with_model" = 1 ]; then
    # Assembled and SHA-256-verified once in the user cache, then copied into the app.
    DRAFTRX_BUNDLE_MODEL=$("$PYTHON" -m draftrx models path)
    export DRAFTRX_BUNDLE_MODEL
else
    unset DRAFTRX_BUNDLE_MODEL
fi

"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" "$ROOT/packaging/draftrx.spec"

app="$DIST/DraftRx"
case "$(uname -s)" in
    Linux)
        # Desktop integration travels with the folder; install.sh puts it in place.
        share="$app/share"
        rm -rf "$share"
        mkdir -p "$share/applications" "$share/metainfo" "$share/icons"
        cp "$ROOT/packaging/linux/org.draftrx.DraftRx.desktop" "$share/applications/"
        cp "$ROOT/packaging/linux/org.draftrx.DraftRx.metainfo.xml" "$share/metainfo/"
        cp -R "$DRAFTRX_ICONS/hicolor" "$share/icons/"
        cp "$ROOT/packaging/linux/install.sh" "$app/install.sh"
        ;;
esac

version=$("$PYTHON" -c "import draftrx; print(draftrx.__version__)")
os=$(uname -s | tr '[:upper:]' '[:lower:]')
arch=$(uname -m)
if [ "$archive" = 1 ]; then
    name="DraftRx-$version-$os-$arch"
    case "$os" in
        darwin) (cd "$DIST" && ditto -c -k --keepParent DraftRx.app "$name.zip") ;;
        mingw*|msys*|cygwin*) (cd "$DIST" && powershell -NoProfile -Command \
            "Compress-Archive -Force -Path DraftRx -DestinationPath $name.zip") ;;
        *) tar -C "$DIST" -czf "$DIST/$name.tar.gz" DraftRx ;;
    esac
fi
echo "build.sh: built DraftRx $version in $app"
