"""What the installers declare: one app identity everywhere, valid desktop and AppStream files,
icons rendered from the SVG, the Windows version resource, the macOS Info.plist keys."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from draftrx import APP_ID, __version__

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
LINUX = PACKAGING / "linux"
sys.path.insert(0, str(PACKAGING))
import bundle_info  # noqa: E402
import icons  # noqa: E402


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(LINUX / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_launches_the_app_by_its_id() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "draftrx"  # install.sh makes it a full path
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Office" in entry["Categories"].split(";")
    assert all(ord(ch) < 128 for ch in entry["Name"])


def test_metainfo_names_the_same_app() -> None:
    root = ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("project_license") == "Apache-2.0"
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("provides/binary") == "draftrx"
    releases = [r.get("version") for r in root.iterfind("releases/release")]
    assert releases[0] == __version__, "add a <release> for the new version"


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstreamcli is not installed")
def test_metainfo_passes_appstream_validation() -> None:
    out = subprocess.run(["appstreamcli", "validate", "--no-net", "--explain",
                          str(LINUX / f"{APP_ID}.metainfo.xml")],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr


def test_window_uses_the_desktop_file_and_icon(qapp) -> None:
    from draftrx.ui.app import application

    app = application()
    assert app.desktopFileName() == APP_ID
    assert not app.windowIcon().isNull()
    assert {s.width() for s in app.windowIcon().availableSizes()} >= {16, 32, 256}


def test_icons_are_rendered_for_every_platform(qapp, tmp_path: Path) -> None:
    written = icons.write_icons(tmp_path)
    for size in (16, 48, 256, 512):
        image = QImage(str(tmp_path / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
        assert image.pixelColor(0, 0).alpha() == 0  # rounded corner: transparent
        assert image.pixelColor(size // 2, size - size // 6).alpha() == 255
    for name in ("draftrx.ico", "draftrx.icns"):
        assert tmp_path / name in written
        assert not QImage(str(tmp_path / name)).isNull(), name
    assert (tmp_path / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == \
        icons.SVG.read_bytes()  # fmt: skip


def _eval_version_resource(text: str) -> dict:
    """PyInstaller evaluates this text with its own classes (Windows only); these record it."""

    def record(kind: str):
        return lambda *args, **kwargs: {"kind": kind, "args": args, **kwargs}

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
             "VarFileInfo", "VarStruct")  # fmt: skip
    return eval(text, {"__builtins__": {}}, {n: record(n) for n in names})


def test_windows_version_resource_carries_the_version() -> None:
    info = _eval_version_resource(bundle_info.version_resource_text())
    fixed = info["ffi"]
    assert fixed["filevers"] == fixed["prodvers"] == bundle_info.version_tuple()
    table = info["kids"][0]["args"][0][0]
    strings = dict(s["args"] for s in table["args"][1])
    assert strings["ProductVersion"] == strings["FileVersion"] == __version__
    assert strings["OriginalFilename"] == "draftrx.exe"


@pytest.mark.parametrize(("version", "numbers"), [
    ("0.1.0", (0, 1, 0, 0)), ("1.10", (1, 10, 0, 0)), ("0.2.0rc1", (0, 2, 0, 0)),
    ("2.3.4.5.6", (2, 3, 4, 5)),
])  # fmt: skip
def test_windows_version_numbers(version: str, numbers: tuple[int, ...]) -> None:
    assert bundle_info.version_tuple(version) == numbers


def test_macos_bundle_keys() -> None:
    plist = bundle_info.info_plist()
    assert plist["CFBundleShortVersionString"] == __version__
    assert plist["LSApplicationCategoryType"] == "public.app-category.medical"
    assert plist["NSHighResolutionCapable"] is True
    spec = (PACKAGING / "draftrx.spec").read_text(encoding="utf-8")
    assert "bundle_identifier=APP_ID" in spec


def test_gpu_script_builds_the_pinned_llama_cpp_python() -> None:
    pin = next(line for line in (PACKAGING.parent / "pyproject.toml").read_text().splitlines()
               if '"llama-cpp-python==' in line).split("==")[1].split('"')[0]  # fmt: skip
    for backend, flag in (("cuda", "-DGGML_CUDA=on"), ("metal", "-DGGML_METAL=on"),
                          ("vulkan", "-DGGML_VULKAN=on")):  # fmt: skip
        out = subprocess.run(["bash", str(PACKAGING / "gpu.sh"), backend, "--dry-run"],
                             capture_output=True, text=True, timeout=30, check=True)  # fmt: skip
        assert out.stdout.startswith(f'CMAKE_ARGS="{flag}" ')
        assert out.stdout.split()[-1] == f"llama-cpp-python=={pin}"
        assert "--no-cache-dir" in out.stdout  # a cached CPU wheel would be reused otherwise
    wrong = subprocess.run(["bash", str(PACKAGING / "gpu.sh"), "cuda12"],
                           capture_output=True, text=True, timeout=30)  # fmt: skip
    assert wrong.returncode == 2 and "packaging/gpu.sh cuda" in wrong.stdout
