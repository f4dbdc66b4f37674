"""Drug names in a post, resolved to one name per drug (Tylenol and acetaminophen are one).

The dictionary is `drug-named-entity-recognition`'s data file (MIT; Wikipedia, MeSH and
NHS names, brand names mapped to the generic), which ships inside that package. Only the
file is read: importing the package would also unpickle a cache file from the user's home
folder and build a fuzzy-match index DraftRx does not use. Matching is what the package
does: a two-word name first, then single words, case ignored.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import sys
from functools import cache
from pathlib import Path

import regex

_PACKAGE = "drug_named_entity_recognition"
_FILE = "drug_ner_dictionary.pkl.bz2"
_TOKEN = regex.compile(r"\p{L}[\p{L}\p{N}-]*|\p{N}+")


def _data_file() -> Path:
    """The dictionary in the installed package, or inside the installed app (PyInstaller
    collects the file alone, so there is no package there to find)."""
    spec = importlib.util.find_spec(_PACKAGE)
    folders = [*(spec.submodule_search_locations or [])] if spec else []
    if getattr(sys, "frozen", False):
        folders.append(str(Path(getattr(sys, "_MEIPASS", "")) / _PACKAGE))
    for folder in folders:
        if (Path(folder) / _FILE).is_file():
            return Path(folder) / _FILE
    raise FileNotFoundError(f"The drug dictionary ({_PACKAGE}) is not installed.")


@cache
def _names() -> dict[str, str]:
    """Every known spelling (lower case) -> the drug's canonical name (lower case)."""
    with bz2.open(_data_file(), "rb") as f:
        data = pickle.load(f)  # the installed package's own data file, as trusted as its code
    canonical = data["drug_canonical_to_data"]
    return {
        variant: str(canonical.get(names[0], {}).get("name") or names[0]).lower()
        for variant, names in data["drug_variant_to_canonical"].items()
        if names
    }


def find(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) for every drug or drug class named in `text`."""
    names = _names()
    tokens = list(_TOKEN.finditer(text))
    found, used = [], set()
    for i in range(len(tokens) - 1):
        pair = f"{tokens[i].group()} {tokens[i + 1].group()}".lower()
        if pair in names:
            found.append((tokens[i].start(), tokens[i + 1].end(), names[pair]))
            used.update((i, i + 1))
    for i, token in enumerate(tokens):
        name = names.get(token.group().lower())
        if name and i not in used:
            found.append((token.start(), token.end(), name))
    return sorted(found)


def warm() -> None:
    """Read the dictionary now, off the GUI thread, before the first check needs it."""
    _names()
