"""Default-model assembly from installed part packages, with real imports and real hashing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from draftrx import paths
from draftrx.engine.errors import DefaultModelError
from draftrx.engine.models import (
    CatalogueModel,
    Measured,
    ModelPart,
    by_id,
    catalogue,
    default_model,
    recommend,
    user_models,
)


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


def test_every_built_in_model_is_pinned_by_the_extra_its_install_line_names() -> None:
    """`pip install 'draftrx[EXTRA]'` must install exactly the catalogue's part packages."""
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    extras = project["project"]["optional-dependencies"]
    for model in catalogue():
        extra = re.fullmatch(r"pip install 'draftrx\[([\w-]+)\]'", model.install)
        assert extra, model.install
        pinned = [pin.split("==")[0] for pin in extras[extra[1]]]
        assert pinned == [p.package for p in model.parts] and len(set(pinned)) == len(pinned)
        assert all("==" in pin for pin in extras[extra[1]])
        assert by_id(model.id) == model
    assert by_id("no-such-model") is None
    assert len({m.id for m in catalogue()}) == len(catalogue()) >= 2


def _measured(model_id: str, usable: float, speed: float, gb: float) -> CatalogueModel:
    return replace(make_model(b"x"), id=model_id,
                   measured=Measured(usable, speed, int(gb * 2**30), "test"))  # fmt: skip


def test_the_recommendation_is_the_best_measured_model_that_fits() -> None:
    small, big = _measured("small", 0.3, 1.0, 0.7), _measured("big", 0.5, 0.4, 1.3)
    unmeasured = make_model(b"x")
    assert recommend([small, big, unmeasured], 8 * 2**30) is big
    assert recommend([small, big, unmeasured], 1 * 2**30) is small  # the big one won't fit
    assert recommend([small, big], 2**29) is None
    twin = _measured("twin", 0.3, 2.0, 0.7)
    assert recommend([small, twin], 8 * 2**30) is twin  # a tie goes to the faster
    near = _measured("near", 0.33, 0.4, 1.3)  # one post in 50 more is no real difference
    assert recommend([small, near], 8 * 2**30) is small
    assert recommend([small, _measured("far", 0.36, 0.4, 1.3)], 8 * 2**30).id == "far"


def test_the_shipped_figures_recommend_by_memory() -> None:
    measured = [m for m in catalogue() if m.measured]
    assert {m.id for m in measured} == {m.id for m in catalogue()}
    roomy = recommend(catalogue(), 64 * 2**30)
    tight = recommend(catalogue(), min(m.measured.ram for m in measured))  # type: ignore[union-attr]
    assert tight is not None and tight.measured.ram <= roomy.measured.ram  # type: ignore[union-attr]


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
    with pytest.raises(DefaultModelError, match="built without the model Test") as err:
        model.ensure()
    assert "built without its default model" in replace(model, default=True).how_to_get()
    assert str(paths.data_dir() / "models") in str(err.value)
    assert not model.path.exists()


def test_a_dangling_link_in_the_models_folder_is_left_out(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from draftrx.cli import main

    folder = data_dir / "models"
    folder.mkdir(parents=True)
    (folder / "mine.gguf").write_bytes(b"GGUF")
    (folder / "moved.gguf").symlink_to(folder / "gone.gguf")
    assert [p.name for p in user_models()] == ["mine.gguf"]
    capsys.readouterr()
    assert main(["models", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows if r["state"] == "user"] == ["mine.gguf"]
