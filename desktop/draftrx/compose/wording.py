"""Words as the message checks compare them: content words, reduced to a stem, with the
few plain-language synonyms a faithful rewrite uses most ("911" for "emergency").

A paraphrase changes word forms ("stopping", "stopped") and swaps jargon for plain words;
a stem of at most six letters and a short synonym table absorb most of that without a
model. spaCy's stop-word list (already installed for the scanner) supplies the function
words; it is a plain Python set, so no model is loaded for it.
"""

from __future__ import annotations

from functools import cache

import regex
from spacy.lang.en.stop_words import STOP_WORDS

_WORD = regex.compile(r"\p{L}[\p{L}'’-]*\p{L}|\p{L}|\d+")
_KEEP = {"call", "stop", "keep", "first", "back", "off"}
_EXTRA_STOP = {"people", "someone", "thing", "things", "really", "lot", "way", "like", "just",
               "want", "know", "need", "sure", "make", "let", "tell", "remember", "important",
               "lesson", "takeaway", "post", "today", "please", "okay", "ok", "also", "can't",
               "don't", "doesn't", "isn't", "it's", "you're", "they're", "that's", "we're",
               "i'm", "i've", "you've", "won't"}  # fmt: skip
STOP = (set(STOP_WORDS) - _KEEP) | _EXTRA_STOP
# Each group's words count as one: the stem of the group's first word stands for all.
_SYNONYMS = [
    ("emergency", "911", "999", "112", "ambulance", "er", "ed", "a&e"),
    ("doctor", "physician", "clinician", "provider", "gp", "pediatrician", "paediatrician",
     "nurse", "pharmacist", "clinic"),
    ("medicine", "medication", "meds", "drug", "drugs", "pill", "pills", "tablet", "treatment",
     "prescription"),
    ("child", "children", "kid", "kids", "baby", "babies", "infant", "infants", "toddler"),
    ("heart attack", "myocardial infarction", "mi", "cardiac"),
    ("stroke", "brain attack"),
    ("shot", "vaccine", "vaccines", "vaccination", "vaccinated", "jab", "immunisation",
     "immunization", "immunize"),
    ("high blood pressure", "hypertension"),
    ("sugar", "glucose"),
    ("breathe", "breathing", "breath", "breathless", "wheeze", "wheezing"),
    ("quick", "fast", "quickly", "rapidly", "right away", "immediately", "now", "urgent",
     "urgently", "asap"),
    ("symptom", "symptoms", "sign", "signs", "warning"),
    ("woman", "women", "female", "females"),
    ("man", "men", "male", "males"),
    ("infection", "infections", "infected", "bacteria", "bacterial"),
    ("sick", "ill", "illness", "unwell"),
    ("pain", "ache", "aches", "hurt", "hurts", "sore"),
]  # fmt: skip


def stem(word: str) -> str:
    """A crude stem: lower case, no possessive, at most six letters ("inhaler" = "inhaled")."""
    w = word.lower().replace("’", "'")
    w = regex.sub(r"'s$", "", w)
    if w.isdigit():
        return w
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:6]


@cache
def _synonym_table() -> tuple[dict[str, str], list[tuple[regex.Pattern[str], str]]]:
    single: dict[str, str] = {}
    phrases: list[tuple[regex.Pattern[str], str]] = []
    for group in _SYNONYMS:
        head = stem(group[0].split()[0]) if " " not in group[0] else group[0].replace(" ", "_")
        for term in group:
            if " " in term:
                phrases.append((regex.compile(rf"(?i)\b{regex.escape(term)}\b"), head))
            else:
                single[stem(term)] = head
    return single, phrases


def content_words(text: str) -> set[str]:
    """The stems of a text's content words, synonyms merged."""
    single, phrases = _synonym_table()
    found: set[str] = set()
    for pattern, head in phrases:
        if pattern.search(text):
            found.add(head)
            text = pattern.sub(" ", text)
    for word in _WORD.findall(text):
        low = word.lower().replace("’", "'")
        s = stem(low)
        if s in single:
            found.add(single[s])
        elif low not in STOP and (len(low) > 2 or low.isdigit()):
            found.add(s)
    return found


# Words every health post uses ("doctor", "help", "symptoms"): they show neither that a
# sentence is backed by the draft nor that it strays from it.
GENERIC = content_words(
    "help health healthy doctor medicine care seek attention symptom emergency quick talk "
    "ask get feel sick time day week body life risk advice information general professional "
    "possible person family friend condition problem issue stay keep good better best right "
    "well start use try learn understand check avoid safe safety serious concern question "
    "support common usually often sometimes early soon matter change new visit appointment "
    "follow plan reader everyone anyone important experience"
)
