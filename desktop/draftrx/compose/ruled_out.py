"""What the draft rules out must not come back in the post as something to do.

A physician's draft often says what not to do: "arthroscopic debridement is not
recommended", "strict dark-room rest no longer advised", "avoid hyperosmolar fluids",
"topical grease can occlude follicles", "do not let them sleep it off". Read by a
physician, 26 of 202 dev posts of the default model that no check blocked still said
something a physician would not publish, and several said one of these again with the
warning gone: "Knee osteoarthritis: exercise therapy, weight loss, ... arthroscopic
debridement.", "with strict dark-room rest", "If you sleep it off, your doctor may call
you." The `message` check's polarity rules see only keep or stop and go now or wait, so
this rule collects what the draft rules out and blocks a post sentence that names it
again with nothing around it that sets it aside or warns of harm.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from draftrx.compose.wording import STOP, stem

_SENTENCE = regex.compile(r"[^.!?\n]+[.!?]*")
_PHRASE = r"(?P<x>[\p{L}][\p{L}\p{N}'’/ -]{2,60}?)"
_END = (
    r"(?=\s*(?:[,.;:!?()\n—–]|\s(?:and|or|but|because|so|as|which|when|if|unless|until|for|"
    r"to|in|on|at|with)\b|$))"
)
# "Avoid hyperosmolar fluids", "Do not let them sleep it off": a directive, at the head of
# a clause. "Antibiotics do not help colds" is a statement and rules out nothing.
_FORBIDDEN = regex.compile(
    rf"(?i)(?:^|[,;:(—–]|\b(?:and|but|so|please|then|also|always)\b|\b(?:you|they|parents|people)\s+(?:should|must))\s*"
    rf"(?:avoid(?:ing)?|don'?t|do\s+not|never|should\s+not|shouldn'?t|must\s+not)\s+"
    rf"(?:let\s+(?:them|him|her|your\s+\w+|the\s+\w+)\s+|ever\s+)?{_PHRASE}{_END}"
)
# "Arthroscopic debridement is not recommended", "strict dark-room rest no longer advised".
_NOT_ADVISED = regex.compile(
    r"(?i)(?:^|[,;:(—–]\s*|\b(?:and|but|while|whereas)\s+)(?P<x>[\p{L}][\p{L}\p{N}'’/ -]{2,60}?)\s+"
    r"(?:is\s+|are\s+|was\s+|were\s+)?(?:not|no\s+longer|never)\s+"
    r"(?:recommended|advised|advisable|helpful|useful|needed|necessary|indicated)\b"
)
_AGAINST = regex.compile(rf"(?i)\b(?:recommends?|advises?|advise)\s+against\s+{_PHRASE}{_END}")
# "Topical grease can occlude follicles": harm said plainly, not denied.
_HARMS = regex.compile(
    r"(?i)(?:^|[,;:(—–]\s*|\b(?:and|but|while|whereas)\s+)(?P<x>[\p{L}][\p{L}\p{N}'’/ -]{2,60}?)\s+"
    r"(?:(?:can|may|will|often|also)\s+(?:clog|occlude|harm|damage|irritate)|clogs|occludes|harms|"
    r"damages|irritates)\b"
)
# What the post may say around a ruled-out thing: a negation, setting it aside, or a harm.
_SET_ASIDE = regex.compile(
    r"(?i)\b(?:not|no|never|avoid\w*|skip|stop\w*|rather\s+than|instead\s+of|without|limit\w*|"
    r"less|fewer|harm\w*|damag\w*|clog\w*|occlud\w*|worse\w*|irritat\w*|risk\w*|"
    r"danger\w*|unsafe|serious|die|dies|death|deadly|fatal|lose|loses|losing|late|later|"
    r"injur\w*|hurt\w*|myths?|false|untrue|outdated|delay\w*|problems?|complications?|caus\w*|"
    r"trigger\w*|precipitat\w*|side\s+effects?|toxic\w*|careful\w*|cauti\w*)\b"
    r"|n['’]t\b"
)
# A ruled-out thing that is a wait or a stop is the polarity rules' (`faithful`), and a
# negation ("not X") names nothing to rule out.
_HANDLED = regex.compile(
    r"(?i)^(?:wait|delay|stop|quit|skip|discontinue|come\s+off|cut\s+(?:back|out)|hold\s+off|"
    r"worry|panic|be\b|feel\b|have\b|get\b|go\b|need\b|use\s+it|do\s+it|it\b|this\b|that\b|"
    r"they\b|you\b)"
)
_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’][\p{L}]+)?")
# A phrase of one content word is kept only where that word says what is done: "sleep it
# off", not "give your baby" (from "the sweetest thing you should never give your baby").
_PEOPLE = {stem(w) for w in ("baby", "babies", "child", "children", "kid", "kids", "patient",
                             "patients", "person", "doctor", "yourself", "them")}  # fmt: skip
_MAX_WORDS = 5  # of a ruled-out phrase
_MAX_GAP = 2  # words between a ruled-out phrase's words where the post says it again


def ruled_out(text: str) -> list[tuple[str, ...]]:
    """The phrases `text` rules out, each as its stemmed words (function words kept only
    where the phrase has a single content word, as in "sleep it off")."""
    out = []
    for sentence in _SENTENCE.finditer(text):
        for pattern, leads in ((_FORBIDDEN, True), (_AGAINST, True), (_NOT_ADVISED, False),
                               (_HARMS, False)):  # fmt: skip
            for m in pattern.finditer(sentence.group()):
                phrase = _phrase(m["x"], leads)
                if phrase and phrase not in out:
                    out.append(phrase)
    return out


def _phrase(raw: str, leads: bool) -> tuple[str, ...] | None:
    """The phrase's first words where it is advice ("give fever reducers first"), its last
    where it is a thing named before a verdict ("... arthroscopic debridement")."""
    raw = raw.strip(" -")
    if _HANDLED.match(raw) or regex.search(r"(?i)\b(?:not|no|never)\b|n['’]t\b", raw):
        return None
    words = [w.lower() for w in _WORD.findall(raw)]
    words = words[:_MAX_WORDS] if leads else words[-_MAX_WORDS:]
    content = [stem(w) for w in words if w not in STOP]
    if len(content) >= 2:
        return tuple(content)
    if len(content) == 1 and len(words) >= 2 and content[0] not in _PEOPLE:
        return tuple(stem(w) for w in words)  # "sleep it off": the words as said
    return None


def restated(post: str, source: str) -> Iterator[tuple[int, int]]:
    """Spans of the post's sentences that name something `source` rules out, with nothing
    in the sentence that sets it aside, negates it or warns of harm."""
    phrases = ruled_out(source)
    if not phrases:
        return
    for sentence in _SENTENCE.finditer(post):
        body = sentence.group()
        if _SET_ASIDE.search(body) or body.rstrip().endswith("?"):
            continue
        words = [stem(w.lower()) for w in _WORD.findall(body)]
        if any(_in_order(phrase, words) for phrase in phrases):
            yield sentence.span()


def _in_order(phrase: tuple[str, ...], words: list[str]) -> bool:
    """Whether `phrase`'s words occur in `words` in order, at most `_MAX_GAP` apart."""
    for start, word in enumerate(words):
        if word != phrase[0]:
            continue
        at, ok = start, True
        for wanted in phrase[1:]:
            window = words[at + 1 : at + 2 + _MAX_GAP]
            if wanted not in window:
                ok = False
                break
            at = at + 1 + window.index(wanted)
        if ok:
            return True
    return False
