"""Default-model assembly from installed part packages, with real imports and real hashing."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from draftrx import paths
from draftrx.engine.errors import DefaultModelError
from draftrx.engine.models import CatalogueModel, ModelPart, catalogue, default_model


@pytest.fixture
def part_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Two importable packages holding data/partNN.bin, like the PyPI chunk packages."""
    site = tmp_path / "site"
    chunks = [os.urandom(3000), os.urandom(1234)]
    for i, chunk in enumerate(chunks, 1):
        pkg = site / f"drx_test_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part0{i}.bin").write_bytes(chunk)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("DRAFTRX_CACHE_DIR", str(tmp_path / "cache"))
    yield b"".join(chunks)
    for i in (1, 2):
        sys.modules.pop(f"drx_test_part{i}", None)


def make_model(
    whole: bytes,
    *,
    modules: tuple[str, ...] = ("drx_test_part1", "drx_test_part2"),
    sha256: str | None = None,
) -> CatalogueModel:
    parts = tuple(
        ModelPart(package=m.replace("_", "-"), module=m, file=f"data/part0{i}.bin")
        for i, m in enumerate(modules, 1)
    )
    return CatalogueModel(
        id="t",
        name="Test",
        file="t.gguf",
        size=len(whole),
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
        license="MIT",
        install="pip install test-parts",
        notes="",
        parts=parts,
    )


def test_assembles_verifies_and_reuses(part_packages: bytes) -> None:
    model = make_model(part_packages)
    assert not model.is_assembled()
    seen: list[int] = []
    path = model.ensure(progress=lambda done, total: seen.append(done))
    assert path.read_bytes() == part_packages
    assert seen[-1] == len(part_packages)
    assert model.is_assembled()
    # A second start trusts the stamp and does not rewrite the file.
    mtime = path.stat().st_mtime_ns
    assert model.ensure() == path and path.stat().st_mtime_ns == mtime


def test_changed_file_is_assembled_again(part_packages: bytes) -> None:
    model = make_model(part_packages)
    path = model.ensure()
    path.write_bytes(b"tampered")
    assert not model.is_assembled()
    assert model.ensure().read_bytes() == part_packages


def test_missing_package_is_named(part_packages: bytes) -> None:
    model = make_model(part_packages, modules=("drx_test_part1", "drx_test_part_gone"))
    with pytest.raises(DefaultModelError, match="drx-test-part-gone") as err:
        model.ensure()
    assert "pip install test-parts" in str(err.value)
    assert model.missing_packages() == ["drx-test-part-gone"]


def test_hash_mismatch_leaves_nothing_behind(part_packages: bytes) -> None:
    model = make_model(part_packages, sha256="0" * 64)
    with pytest.raises(DefaultModelError, match="damaged"):
        model.ensure()
    assert list(model.path.parent.iterdir()) == []


def test_catalogue_has_one_default_with_six_parts() -> None:
    defaults = [m for m in catalogue() if m.default]
    assert len(defaults) == 1
    assert [p.file for p in defaults[0].parts] == [f"data/part0{i}.bin" for i in range(1, 7)]


@pytest.mark.model
def test_default_model_is_assembled_and_verified(default_model_path: Path) -> None:
    model = default_model()
    assert default_model_path == model.path
    assert model.is_assembled()
    assert default_model_path.stat().st_size == model.size


@pytest.fixture
def app_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_packages: bytes):
    """A read-only models folder inside an installed app, holding the GGUF itself."""
    folder = tmp_path / "app" / "models"
    folder.mkdir(parents=True)
    (folder / "t.gguf").write_bytes(part_packages)
    real = paths.resource_dir
    monkeypatch.setattr(paths, "resource_dir", lambda n: folder if n == "models" else real(n))
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def test_model_inside_the_app_is_verified_once(app_folder: Path, part_packages: bytes) -> None:
    model = make_model(part_packages, modules=("drx_test_part_not_installed",))
    assert model.path == app_folder / "t.gguf" and model.state() == "bundled"
    seen: list[int] = []
    assert model.ensure(progress=lambda done, total: seen.append(done)) == model.path
    assert seen[-1] == len(part_packages)
    assert model.state() == "ready"
    assert [p.name for p in app_folder.iterdir()] == ["t.gguf"]  # nothing written in the app
    seen.clear()
    model.ensure(progress=lambda done, total: seen.append(done))
    assert seen == []  # the stamp in the user cache spares a second hashing


def test_damaged_model_inside_the_app_is_named(app_folder: Path, part_packages: bytes) -> None:
    app_folder.chmod(0o755)
    (app_folder / "t.gguf").write_bytes(part_packages[:-1] + b"!")
    model = make_model(part_packages)
    with pytest.raises(DefaultModelError, match="Reinstall DraftRx"):
        model.ensure()
    assert model.state() == "bundled"
    assert not model.is_assembled()


def test_a_stamp_belongs_to_one_copy_of_the_app(
    app_folder: Path, part_packages: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = make_model(part_packages)
    model.ensure()
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "t.gguf").write_bytes(part_packages)
    os.utime(moved / "t.gguf", ns=(0, (app_folder / "t.gguf").stat().st_mtime_ns))
    monkeypatch.setattr(paths, "resource_dir", lambda n: moved)
    assert model.path == moved / "t.gguf"
    assert not model.is_assembled()  # same size and time, another file: verified again


def test_app_built_without_the_model_says_what_to_do(
    part_packages: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    model = make_model(part_packages)  # its parts are importable, but an app has no pip
    assert model.bundled is None
    with pytest.raises(DefaultModelError, match="built without its default model") as err:
        model.ensure()
    assert str(paths.data_dir() / "models") in str(err.value)
    assert not model.path.exists()
