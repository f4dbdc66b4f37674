"""A myth-busting draft's point, said plainly: the myth it names, turned round.

Physicians rarely write the correction as one plain sentence; they name the myth ("Myth:
'vapes are just water vapor.'", "someone asks if the MMR causes autism. It doesn't.") and
then argue with figures. The myth itself carries the topic's words, so its denial is the
message: "Vapes are not just water vapor." A claim is turned round only where the rule is
sure of the grammar (a verb to be or a modal, a known verb, an imperative, a denial to
undo); anything else gives None, and the draft's own sentences are chosen instead.
"""

from __future__ import annotations

import regex

_LABELLED = regex.compile(
    r"(?im)\bmyths?\b(?!\s+(?:check|bust))[^:\n]{0,60}:\s*(?P<claim>[^\n]+?)"
    r"(?:[.!?]['’\"”]?(?:\s|$)|$)"
)
_ASKED = regex.compile(
    r"(?i)\basks?\s+(?:me\s+)?(?:if|whether)\s+(?P<claim>[^.!?\n]{6,160})[.?]\s+"
    r"(?:it|they|that)\s+(?:doesn'?t|does\s+not|don'?t|do\s+not|isn'?t|aren'?t|won'?t|can'?t)\b"
)
# "People think X. They don't.", "Many parents believe that X. Not true."
_BELIEVED = regex.compile(
    r"(?i)\b(?!(?:I|we)\b)[\p{L}'.]+(?:\s+[\p{L}'.]+){0,2}?\s+(?:still\s+|often\s+|all\s+)?"
    r"(?:think|thinks|believe|believes|say|says|assume|assumes|tell\s+me|heard|swear|swears)\s+"
    r"(?:that\s+)?(?P<claim>[^.!?\n]{6,160})[.!]\s+(?:(?:it|they|that)\s+(?:doesn'?t|does\s+not|"
    r"don'?t|do\s+not|isn'?t|is\s+not|aren'?t|are\s+not|won'?t|can'?t)\b|(?:not\s+true|nope|"
    r"wrong|false|no)\b)"
)
_ENUMERATOR = regex.compile(r"^\s*(?:\(?\d{1,2}[).]|[\p{Pd}*•])\s*")
_FIRST_PERSON = {"i": "you", "i'm": "you're", "my": "your", "me": "you", "myself": "yourself"}
_BE_OR_MODAL = regex.compile(
    r"(?i)(?<=\w\s+)\b(?:is|are|was|were|can|will|could|would|should|must)\b(?!\s+not\b)"
)
_UNDO = (
    (r"(?:do\s+not|don'?t)\s+", ""),
    (r"is\s+not\b|isn'?t\b", "is"),
    (r"are\s+not\b|aren'?t\b", "are"),
    (r"will\s+not\b|won'?t\b", "will"),
    (r"can\s*not\b|can'?t\b", "can"),
)
_THIRD_PERSON = regex.compile(
    r"(?i)(?<=\w\s+)\b(cause|give|make|mean|lead|help|work|cure|prevent|protect|raise|lower|"
    r"increase|reduce|damage|weaken|kill|remove|treat|stop|need|spread|trigger|warm|improve|"
    r"boost|heal|clean|detox|block|clog|strengthen|burn|sharpen|thin)(s)?\b"
)
# An adverb just before the verb goes after the denial: "permanently damages your eyes"
# is denied as "does not permanently damage", not "permanently does not damage".
# Listed, not any "-ly" word: "my family causes", "taking aspirin daily prevents".
_ADVERB = regex.compile(
    r"(?i)\b(?:permanently|really|actually|always|ever|even|only|directly|automatically|"
    r"eventually|naturally|quickly|slowly|completely|totally|definitely|necessarily|truly|"
    r"seriously|instantly|immediately|gradually|somehow|magically)\s+$"
)
# After these a verb's form is a noun or an adjective: "butter on burns", "in warm water".
_NOUN_BEFORE = regex.compile(
    r"(?i)\b(?:a|an|the|of|on|in|for|with|to|at|from|and|or|your|my|his|her|their|its|"
    r"some|any|no)\s+$"
)
# How the myth says it works is no part of what is denied: "antiperspirants cause cancer
# by blocking toxins" is denied as "antiperspirants do not cause cancer"; of alternatives
# ("improve your vision / let you see in the dark") the first is denied.
_MECHANISM = regex.compile(r"(?i)\s+(?:by\s+\w+ing|via|through\s+\w+ing)\b|\s+/\s+")
_IMPERATIVE = regex.compile(
    r"(?i)^(?:tilt|put|use|take|give|apply|rub|pop|drink|eat|feed|starve|sweat|wait|skip|let|"
    r"keep|avoid|lie|ice|stay|sleep)\b"
)
_MAX_WORDS = 16
# A claim with a second clause is left alone: "gummies are natural so they're harmless"
# turned at its first verb still says they are harmless, and "put something in their mouth
# so they don't swallow their tongue" undone at its only denial says the myth's advice.
_SECOND_CLAUSE = regex.compile(
    r"(?i)\b(?:so|therefore|thus|which|unless|until|otherwise|then|or\s+else|"
    r"and\s+(?:so|then|that))\b"
)
# The reason a myth is believed is cut off a claim about what something is ("honey is
# harmless because it's natural": its denial says nothing of the reason); in "you can stop
# your inhaler because you feel fine" the reason is the condition, and the claim is left.
_REASON = regex.compile(r"(?i)\s+(?:because|since|as\s+long\s+as)\b")
_IS = regex.compile(r"(?i)\b(?:is|are|'s|'re)\b")
_DENIAL = regex.compile(r"(?i)\b(?:not|never|no)\b|n'?t\b")
_CONDITION = regex.compile(r"(?i)\b(?:if|when|whenever|while)\b")


def corrected(draft: str) -> tuple[int, str] | None:
    """(offset, the myth turned round) for the first myth the draft names, or None."""
    for pattern in (_LABELLED, _ASKED, _BELIEVED):
        m = pattern.search(draft)
        if m:
            turned = turn_round(m["claim"])
            if turned:
                return m.start(), turned
    return None


def turn_round(claim: str) -> str | None:
    """The claim denied, in the reader's person: "I need antibiotics for this cold" gives
    "You don't need antibiotics for this cold". None when the grammar is not plain: a second
    clause, two denials, a denial inside a condition or one it cannot undo, a claim that
    opens on its condition (its first verb is the condition's: "If your BP was not high I'd
    feel it"), or a reason that is the claim's condition."""
    claim = _ENUMERATOR.sub("", claim).strip(" \"'“”‘’")
    claim = regex.split(r"\s*(?:[,;:(\"“”]|\s[\p{Pd}]\s|\s->)", claim)[0]
    claim = _MECHANISM.split(claim)[0]
    stated, *reason = _REASON.split(claim, maxsplit=1)
    claim = stated.strip(" \"'“”‘’.!?")  # why they believe it is no part of the claim
    words = claim.split()
    if not 3 <= len(words) <= _MAX_WORDS or regex.search(r"\d", claim):
        return None
    denials = [m.start() for m in _DENIAL.finditer(claim)]
    condition = _CONDITION.search(claim)
    if (
        _SECOND_CLAUSE.search(claim)
        or len(denials) > 1
        or (denials and condition and denials[0] > condition.start())
        or (condition and condition.start() == 0)
    ):
        return None  # a myth that opens on its condition: "If my BP was high I'd feel it"
    claim = " ".join(_FIRST_PERSON.get(w.lower(), w) for w in words)
    if reason and not _IS.search(claim):
        return None  # "you can stop X because you feel fine": the reason is the condition
    turned = _undo_denial(claim) if denials else _deny(claim)
    if turned is None:
        return None  # a denial the rules cannot undo ("never"): no second "not" on top
    return turned[:1].upper() + turned[1:] + "."


def _undo_denial(claim: str) -> str | None:
    for pattern, plain in _UNDO:
        m = regex.search(rf"(?i)\b{pattern}", claim)
        if m:
            return f"{claim[: m.start()]}{plain}{' ' if plain else ''}{claim[m.end() :].lstrip()}"
    return None


def _deny(claim: str) -> str | None:
    if _IMPERATIVE.match(claim):
        return f"don't {claim[:1].lower()}{claim[1:]}"
    be = _BE_OR_MODAL.search(claim)
    verb = next((m for m in _THIRD_PERSON.finditer(claim)
                 if not _NOUN_BEFORE.search(claim, 0, m.start())), None)  # fmt: skip
    if be and (verb is None or be.start() < verb.start()):
        joined = "cannot" if be.group().lower() == "can" else f"{be.group()} not"
        return f"{claim[: be.start()]}{joined}{claim[be.end() :]}"
    if verb:
        helper = "does not" if verb.group(2) else "do not"
        adverb = _ADVERB.search(claim, 0, verb.start())
        at = adverb.start() if adverb and adverb.start() > 0 else verb.start()
        between = claim[at : verb.start()].lower()
        return f"{claim[:at]}{helper} {between}{verb.group(1).lower()}{claim[verb.end() :]}"
    return None
