"""Fixtures for the compose tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from draftrx import paths


@pytest.fixture
def no_library(tmp_path: Path) -> Path:
    """The shipped prompts without the library of lessons (`compose.lessons`), as in a
    prompts folder of the physician's own: for a draft on a topic the library lacks."""
    own = tmp_path / "prompts"
    shutil.copytree(paths.resource_dir("prompts"), own)
    (own / "lessons.toml").unlink()
    return own
