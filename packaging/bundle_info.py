"""What the installers say about DraftRx: identifier, version resource, Info.plist keys.

One place, so the PyInstaller spec, the desktop files and the tests agree on the app's
identity; the version always comes from the draftrx package.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from draftrx import APP_ID, __version__

__all__ = ["APP_ID", "APP_NAME", "bundle_model", "info_plist", "version_resource"]
APP_NAME = "DraftRx"
SUMMARY = "Rewrite physicians' social-media drafts with a local model; no draft leaves"
COPYRIGHT = "DraftRx contributors; Apache-2.0"


def version_tuple(version: str = __version__) -> tuple[int, int, int, int]:
    """Windows wants four numbers; a pre-release suffix ("0.2.0rc1") counts as its base."""
    numbers = [int(m.group()) if (m := re.match(r"\d+", part)) else 0
               for part in version.split(".")[:4]]  # fmt: skip
    a, b, c, d = [*numbers, 0, 0, 0, 0][:4]
    return a, b, c, d


def info_plist() -> dict[str, Any]:
    """macOS Info.plist keys PyInstaller's BUNDLE adds to its defaults."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleShortVersionString": __version__,
        "CFBundleVersion": __version__,
        "LSApplicationCategoryType": "public.app-category.medical",
        "LSMinimumSystemVersion": "11.0",
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,
        "NSHumanReadableCopyright": COPYRIGHT,
        "CFBundleDocumentTypes": [{
            "CFBundleTypeName": "Plain text draft",
            "CFBundleTypeRole": "Editor",
            "LSItemContentTypes": ["public.plain-text"],
        }],
    }


def version_resource_text() -> str:
    """The Windows VERSIONINFO resource, in the text form PyInstaller's `version=` reads."""
    v = version_tuple()
    fields = {
        "CompanyName": "DraftRx contributors",
        "FileDescription": APP_NAME,
        "FileVersion": __version__,
        "InternalName": "draftrx",
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": "draftrx.exe",
        "ProductName": APP_NAME,
        "ProductVersion": __version__,
    }
    strings = ",\n          ".join(f"StringStruct({k!r}, {val!r})" for k, val in fields.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={v}, prodvers={v}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
          {strings}])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def version_resource(workpath: str) -> str:
    """Write the resource file where PyInstaller keeps its work files; return its path."""
    path = Path(workpath) / "version_info.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_resource_text(), encoding="utf-8")
    return str(path)


def bundle_model() -> Path | None:
    """The verified default GGUF to ship inside the app, if the build asked for one."""
    name = os.environ.get("DRAFTRX_BUNDLE_MODEL", "")
    if not name:
        return None
    path = Path(name)
    if not path.is_file():
        raise SystemExit(f"DRAFTRX_BUNDLE_MODEL={name} is not a file")
    return path
