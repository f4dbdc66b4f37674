"""Render the app icon for the installers: hicolor PNGs, the SVG, a Windows ICO, a macOS ICNS.

Usage: python packaging/icons.py OUT_DIR. The SVG in the draftrx package is the only source;
everything here is rebuilt from it, so no rendered image is committed.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication

from draftrx import APP_ID
from draftrx.ui.icon import SIZES, SVG, render


def write_icons(out: Path) -> list[Path]:
    """Write every icon file under out; return their paths."""
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    written = []
    for size in SIZES:
        path = out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        written.append(path)
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable)
    written.append(scalable)
    for name, size, fmt in (("draftrx.ico", 256, "ICO"), ("draftrx.icns", 512, "ICNS")):
        if not render(size).save(str(out / name), fmt):
            raise OSError(f"could not write {out / name}")
        written.append(out / name)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python packaging/icons.py OUT_DIR")
    for path in write_icons(Path(sys.argv[1])):
        print(path)
