"""The app icon, drawn from its SVG: the window's icon and the installers' PNG/ICO/ICNS files.

Rendering with QSvgRenderer needs only the QtSvg module, not Qt's SVG icon-engine plugin,
so a frozen app that lacks the plugin still has its icon.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

SVG = Path(__file__).resolve().parent / "icons" / "draftrx.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # the hicolor theme's usual sizes


def render(size: int) -> QImage:
    """The icon as a square ARGB image of `size` pixels, transparent outside the tile."""
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise FileNotFoundError(f"The app icon {SVG} is missing or unreadable.")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def app_icon() -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(QPixmap.fromImage(render(size)))
    return icon
