"""Drug names in a post, resolved to one name per drug (Tylenol and acetaminophen are one).

The dictionary is `drug-named-entity-recognition`'s (MIT; Wikipedia, MeSH and NHS names,
brand names mapped to the generic), which ships inside its package and loads offline in
about a second; it is loaded once, on first use, on whichever thread checks first.
"""

from __future__ import annotations

from functools import cache

import regex

_TOKEN = regex.compile(r"\p{L}[\p{L}\p{N}-]*|\p{N}+")


@cache
def _finder():  # -> find_drugs
    from drug_named_entity_recognition import find_drugs

    return find_drugs


def find(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) for every drug or drug class named in `text`."""
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return []
    found = _finder()([t.group() for t in tokens], is_ignore_case=True)
    return sorted(
        (tokens[first].start(), tokens[last - 1].end(), str(info.get("name", "")).lower())
        for info, first, last in found
    )


def warm() -> None:
    """Load the dictionary now (the scanner's thread calls this after the window is up)."""
    _finder()
