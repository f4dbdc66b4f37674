"""Where DraftRx keeps its files and finds its bundled data.

The environment variables exist so tests and portable installs can point the app elsewhere.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import platformdirs

_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """Rebuildable files (the assembled default model)."""
    return Path(os.environ.get("DRAFTRX_CACHE_DIR") or platformdirs.user_cache_dir("draftrx"))


def data_dir() -> Path:
    """The user's own files (models they add)."""
    return Path(os.environ.get("DRAFTRX_DATA_DIR") or platformdirs.user_data_dir("draftrx"))


def config_dir() -> Path:
    """The user's settings and their own prompt overrides (config_dir/prompts)."""
    return Path(os.environ.get("DRAFTRX_CONFIG_DIR") or platformdirs.user_config_dir("draftrx"))


def resource_dir(name: str) -> Path:
    """A top-level data folder (prompts/, models/).

    A wheel carries it inside the package as _data/NAME; a source checkout or editable
    install has it beside desktop/.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"DraftRx's '{name}' folder is missing from this installation.")


def package_file(package: str, name: str) -> Path:
    """A data file inside an installed package, found without importing the package.

    Importing can cost seconds or pull in what DraftRx does not use; inside the installed
    app PyInstaller collects the file alone, so there is no package there to find.
    """
    spec = importlib.util.find_spec(package)
    folders = [*(spec.submodule_search_locations or [])] if spec else []
    if getattr(sys, "frozen", False):
        folders.append(str(Path(getattr(sys, "_MEIPASS", "")) / package))
    for folder in folders:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    raise FileNotFoundError(f"A data file of the package {package} is not installed.")
