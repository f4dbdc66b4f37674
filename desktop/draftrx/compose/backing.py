"""What the model wrote must stand on what the physician said: advice the same way round,
and no myth the draft reports told as fact.

The `supported` cut (`grounding`) counts words over everything the model was given, and
the default 0.5B model recombines those words into advice no one gave: "Remember to take
your time when waiting for help." (the draft: don't wait), "Learn how to protect your ears
from loud noise and avoid hearing aids", "If you are a runner, please stop having periods."
Physician readers flagged such sentences in posts that every check passed, and no pattern
for one topic catches the next. So a sentence that tells the reader what to do is held to
one sentence of the draft or the key message, not to the whole bag of words:

- **backed**: in each clause, at least half its content words (of two or more) stand
  together in one sentence the model was given that tells no patient's story;
- **the same way round**: each clause but a condition ("if you can't eat"), matched to the
  given clauses sharing most of its words, is negated as often as they are ("don't stop" =
  "keep"; "not wait" ≠ "wait"), a belief the draft reports ("people think", "myth")
  counting as denied.

A sentence that informs is held to the myths the draft reports: a clause whose closest
given clause is the myth, said the same way round ("Melatonin is a natural hormone, and
it's not harmful to kids.", "Aspirin is a crucial part of preventing heart attacks" in a
post against daily aspirin for everyone). And a clause that links its terms (causes,
prevents or lowers, raises, treats) must find that kind of link in a given sentence that
holds its terms: "This medication reduces LDL cholesterol levels, contributing to
significant vascular events" (the draft: statins lower the risk of them), "The treatment
involves taking antiperspirants and deodorant to prevent breast cancer". Held to the
draft's clauses the same way round, as advice is, about as many of the claims cut from
read dev posts were sound as were flagged, so other claims are left to the other checks.
"""

from __future__ import annotations

import math

import regex

from draftrx.compose.faithful import REPORTED
from draftrx.compose.retell import tells_story
from draftrx.compose.wording import GENERIC, content_words

_SHARE = 0.5  # of a sentence's (or clause's) content words that its backing must share
_JUDGED = 2  # content words a clause needs before it can lack backing ("Get yours.")
_VERBS = (
    "use|take|give|stop|start|avoid|try|drink|eat|apply|put|keep|wait|skip|call|see|go|get|"
    "clean|wash|rinse|check|ask|talk|let|make|consider|limit|protect|wear|seek|follow|"
    "switch|continue|visit|schedule|book|bring|tell|rest|sleep|exercise|walk|stay|leave|"
    "hold|treat|choose|learn|add|cut|reduce|increase|lower|raise|watch|monitor|store|lock|"
    "share|buy|pick|press|place|lay|turn|cover|ice|soak|massage|squeeze|pop|scratch|rub|"
    "spray|inject|swallow|chew|induce|throw|force|play|return|quit|double|halve|space|"
    "delay|ignore|trust|rely|expect|feed|offer|test|measure|drive|run|lift|sit|stand|push|"
    "pull|bathe|shower|dress|wrap|remove|be"
)
# A verb after the first word makes it a noun: "Exercise therapy is", "Rest helps".
_FINITE = r"(?:is|are|was|were|can|could|will|may|might|helps?|works?|has|have)\b"
# An imperative at the head of a clause: "Use ...", "Please don't give ...", "then call".
_IMPERATIVE = regex.compile(
    rf"(?i)(?:^|[:;,]\s+|\b(?:then|and|or|so)\s+)(?:(?:please|always|never|just|also|"
    rf"instead,?|don'?t|do\s+not|remember\s+to|make\s+sure\s+(?:to|you)|be\s+sure\s+to|"
    rf"try\s+to)\s+)*(?:{_VERBS})\b(?!\s+(?:\w+\s+)?{_FINITE})"
)
_ADVISES = regex.compile(
    r"(?i)\b(?:you|we|parents?|patients?|everyone|anyone|people|adults?|kids|children|"
    r"they)\s+(?:should(?:n'?t)?|must|needs?\s+to|have\s+to|may\s+want\s+to|"
    r"ought\s+to|(?:don'?t|do\s+not)\s+need\s+to)\b|\byou\s+can\b"
    r"|\b(?:it'?s|it\s+is)\s+(?:best|important|okay|ok|fine|safe|good|wise|better|"
    r"essential|crucial)\s+to\b"
    r"|\b(?:is|are)\s+(?:(?:highly|strongly)\s+)?(?:recommended|advised|encouraged)\b"
)
_NEGATION = regex.compile(
    r"(?i)\b(?:don'?t|do\s+not|never|avoid|not|no|stop|skip|without|shouldn'?t|can'?t|"
    r"cannot|won'?t|isn'?t|aren'?t|doesn'?t|instead\s+of|rather\s+than|quit|nothing|none|"
    r"neither|nor)\b"
)
# A full stop ends a given sentence only before a capital, a figure or a quote, so "C.
# acnes" and "e.g. fryer oil" stay in theirs.
_SENTENCE_END = regex.compile(r"(?<=[.!?][\"'”’)\]]*)\s+(?=[\p{Lu}\d\"“'‘(])|\n+")
_CLAUSE = regex.compile(
    r"[,;:/()—–]|\s-\s|\b(?:but|then|so|because|while|whereas|unless|instead)\b"
)
# A clause that only adds to the one before it takes that one's polarity: "never give
# honey, not even on a pacifier", "avoid honey, even on a pacifier".
_ADDS_TO = regex.compile(
    r"(?i)^\s*(?:not\s+)?(?:even|especially|including|or|nor|like|such\s+as)\b"
)
# A condition says when, not what to do: "If you can't eat, call your team" keeps "eat".
_CONDITION = regex.compile(r"(?i)^\s*(?:if|when|whenever|unless|once|before|after)\b")
# The kinds of link a claim makes between its terms, each with the words that say it. To
# lower a risk is to prevent; "=" and "->" are how a physician's note writes "means" and
# "leads to".
_LINKS = {
    "causes": r"caus\w*|lead(?:s|ing)?\s+to|led\s+to|result\w*\s+in|trigger\w*|contribut\w*|"
    r"responsible|characteri[sz]ed|marked\s+by|defin\w*|means?|signs?|indicat\w*|"
    r"pathogen\w*|pathophysiolog\w*|a?etiolog\w*|mechanism\w*|risk\s+factors?|"
    r"aris\w*\s+from|stem\w*\s+from|comes?\s+from|due\s+to|because|link\w*|associat\w*|"
    r"makes?|made|=|->|→|=>",
    "lowers": r"decreas\w*|reduc\w*|lower(?:s|ed|ing)|drop\w*|declin\w*|slow(?:s|ed|ing)|"
    r"prevent\w*|protect\w*|guard\w*|avoid\w*|↓",
    "raises": r"increas\w*|rais\w*|elevat\w*|boost\w*|worsen\w*|ris(?:e|es|ing)|rose|↑",
    "treats": r"treat\w*|cur(?:e|es|ed|ing)|heal\w*|fix\w*|reliev\w*|manag\w*|therap\w*|"
    r"remed\w*",
}
_LINK = {kind: regex.compile(rf"(?i)(?<!\w)(?:{words})(?!\w)") for kind, words in _LINKS.items()}
# The default model's sign-off, with the draft's emergency number in it: "If you want to
# learn more about this, call 911 or your local emergency number."
_FOR_INFORMATION = regex.compile(
    r"(?i)(?:\b(?:learn|find\s+out|know|read|hear)\s+more|\bmore\s+(?:info(?:rmation)?|details)"
    r"|\b(?:any|have|with)\s+(?:\w+\s+)?questions)\b"
    r"(?=(?:(?!doctor|pharmacist|nurse|provider|clinician|website|\b(?:if|and|then)\b)[^;.])*"
    r"(?:\b(?:911|999|112|emergency\s+(?:number|services|line|room|department)|ambulance)|"
    r"(?-i:\bER))\b)"
)
_LIST_MARK = regex.compile(r"^[\s*•\p{Pd}\d.)]+")


class Backing:
    """The sentences and clauses of what the model was given that advice may stand on."""

    def __init__(self, source: str) -> None:
        # A belief the draft reports ("People still think X. Please don't.") backs its
        # words the other way round.
        told = [(s, bool(REPORTED.search(s))) for s in _SENTENCE_END.split(source)
                if s.strip() and not tells_story(s)]  # fmt: skip
        self.sentences = [(_words(s), _negated(s) != myth) for s, myth in told]
        self.clauses = [(_words(c), negated != myth)
                        for s, myth in told for c, negated in _clauses(s)]  # fmt: skip
        self.myths = [(_words(c), negated) for s, myth in told if myth
                      for c, negated in _clauses(s)]  # fmt: skip
        self.links = [(_words(s), _links(s)) for s, _ in told]


def advises(sentence: str) -> bool:
    """Whether `sentence` tells the reader what to do."""
    return bool(_IMPERATIVE.search(sentence.strip()) or _ADVISES.search(sentence))


def unfounded(sentence: str, backing: Backing) -> bool:
    """Whether `sentence` advises what no one sentence of the backing advises, clause by
    clause, or the other way round; or, advising nothing, tells a myth it reports as fact or
    links its terms as no sentence of the backing does; or sends the reader to emergency
    services to learn more."""
    if _FOR_INFORMATION.search(sentence):
        return True
    if not advises(_LIST_MARK.sub("", sentence)):
        return any(_repeats_myth(c, negated, backing) or _unlinked(c, backing)
                   for c, negated in _clauses(sentence))  # fmt: skip
    return any(not _backed(c, backing)
               or (not _CONDITION.match(c) and _flipped(c, negated, backing))
               for c, negated in _clauses(sentence))  # fmt: skip


def _clauses(sentence: str) -> list[tuple[str, bool]]:
    """The sentence's clauses, each with whether it is negated."""
    out: list[tuple[str, bool]] = []
    for clause in _CLAUSE.split(sentence):
        if not clause.strip():
            continue
        own = _negated(_ADDS_TO.sub("", clause))
        adds = bool(out) and bool(_ADDS_TO.match(clause))
        out.append((clause, out[-1][1] if adds else own))
    return out


def _backed(clause: str, backing: Backing) -> bool:
    """Whether one given sentence holds at least half the clause's content words."""
    words = _words(clause)
    return len(words) < _JUDGED or any(len(words & given) >= _need(words)
                                       for given, _ in backing.sentences)  # fmt: skip


def _flipped(clause: str, negated: bool, backing: Backing) -> bool:
    """Whether the given clauses that share most of `clause`'s words, else the given
    sentences that do, all take the other polarity."""
    words = _words(clause)
    if not words:
        return False
    for given in (backing.clauses, backing.sentences):
        shared = [(len(words & theirs), polarity) for theirs, polarity in given]
        best = max((n for n, _ in shared), default=0)
        if best >= _need(words):
            return all(polarity != negated for n, polarity in shared if n == best)
    return False


def _negated(text: str) -> bool:
    return len(_NEGATION.findall(text)) % 2 == 1


def _repeats_myth(clause: str, negated: bool, backing: Backing) -> bool:
    """Whether the given clauses closest to `clause` include a myth the draft reports,
    said the same way round."""
    words = _words(clause)
    if len(words) < _JUDGED:
        return False
    best = max((len(words & given) for given, _ in backing.clauses), default=0)
    return best >= _need(words) and any(
        len(words & myth) == best and said == negated for myth, said in backing.myths
    )


def _unlinked(clause: str, backing: Backing) -> bool:
    """Whether `clause` links its terms in a way no given sentence holding them does.
    Terms no given sentence holds are left to the word count (`grounding.strays`)."""
    kinds = _links(clause)
    words = {w for w in _words(clause) if not any(p.fullmatch(w) for p in _LINK.values())}
    if not kinds or len(words) < _JUDGED:
        return False
    near = [theirs for given, theirs in backing.links if len(words & given) >= _need(words)]
    return bool(near) and not any(kinds & theirs for theirs in near)


def _links(text: str) -> set[str]:
    return {kind for kind, pattern in _LINK.items() if pattern.search(text)}


def _need(words: set[str]) -> int:
    return max(1, math.ceil(_SHARE * len(words)))


def _words(text: str) -> set[str]:
    return content_words(text) - GENERIC
