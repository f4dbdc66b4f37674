"""Drug names in a post, resolved to one name per drug (Tylenol and acetaminophen are one).

The dictionary is `drug-named-entity-recognition`'s data file (privacy.lexicon.drug_names;
the privacy rules use it too: a drug is never a name). Matching is what the package does:
a two-word name first, then single words, case ignored.
"""

from __future__ import annotations

import regex

from draftrx.privacy.lexicon import drug_names, ordinary_words

_TOKEN = regex.compile(r"\p{L}[\p{L}\p{N}-]*|\p{N}+")


def find(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical name) for every drug or drug class named in `text`."""
    names = drug_names()
    tokens = list(_TOKEN.finditer(text))
    found, used = [], set()
    for i in range(len(tokens) - 1):
        pair = f"{tokens[i].group()} {tokens[i + 1].group()}".lower()
        if pair in names:
            found.append((tokens[i].start(), tokens[i + 1].end(), names[pair]))
            used.update((i, i + 1))
    for i, token in enumerate(tokens):
        low = token.group().lower()
        name = names.get(low)
        if name and i not in used and not _verb_or_plural(low):
            found.append((token.start(), token.end(), name))
    return sorted(found)


def _verb_or_plural(low: str) -> bool:
    """An ordinary word with an "s" ("sits", a chemical's abbreviation SITS in the data)."""
    return low.endswith("s") and low[:-1] in ordinary_words()


def warm() -> None:
    """Read the dictionary now, off the GUI thread, before the first check needs it."""
    drug_names()
