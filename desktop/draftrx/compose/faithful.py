"""The `message` check: does a post keep the draft's take-home message?

Small models drift and, worse, invert: "call 911" comes back as "wait two days", "keep
taking your controller" as "don't worry about stopping it". A model cannot be trusted to
judge that (nor can an NLI model, which is weak on negation), so this is rule work:

- **dropped**: too few of the message's content words (stems, plain synonyms merged) are
  left in the post;
- **reversed**: a directive of the opposite polarity around the same advice: keep vs stop,
  go now vs wait, or the message's own verb negated the other way ("vaccines cause",
  where the message says they don't), skipping clauses that report a myth ("some say");
  a concern played down ("probably just anxiety", "fine to skip the test") where the
  message asks for action; doubt cast on it ("the science is still debated"); advice to
  do what the message sets aside ("rather than juice" → "give sports drinks"); or advice
  to take what the draft says does not work ("antibiotics do nothing for colds" → "take
  more antibiotics");
- **introduced**: a number, dose or drug name that neither the draft nor the message has.

Each finding blocks, with its spans, because a post that says the opposite of what the
physician meant is worse than no post.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from draftrx.compose import drugs, ruled_out, urgency
from draftrx.compose.checks import Check
from draftrx.compose.wording import STOP, content_words, stem

# The share of the message's content words a post must keep. Measured on the dev gold
# set's faithful reference posts against their drafts' messages (see README).
KEEP_SHARE = 0.34
_MIN_WORDS_TO_JUDGE = 3

_CLAUSE = regex.compile(r"[^.!?;:,\n]+")
_NEG = r"(?:don'?t|do\s+not|never|no\s+need\s+to|(?:you\s+)?(?:don'?t|do\s+not)\s+(?:need|have)\s+to|shouldn'?t|should\s+not|must\s+not|mustn'?t|can'?t|cannot|not)"
_MODAL = r"(?:you\s+(?:can|could|may|might|should|must|need\s+to|have\s+to|ought\s+to|'?ll\s+want\s+to|might\s+want\s+to)|it'?s\s+(?:ok(?:ay)?|fine|safe|alright|all\s+right|better|best|smart)\s+to|feel\s+free\s+to|(?:be\s+sure|remember|make\s+sure)\s+to|try\s+to|always|just|please|so|and|then|also|instead,?)"
_LEAD = rf"(?:^\s*|\b(?:{_MODAL})\s+)(?:(?P<neg>{_NEG})\s+)?"

_FAMILIES: dict[str, str] = {
    "continue": r"keep(?:\s+(?:taking|using|giving|on))?|continue|stay\s+on|stick\s+with|finish|take\s+(?:it|them|your\s+\w+)\s+every\s+day",
    "stop": r"stop(?!\s+(?:peeing|breathing|eating|drinking|feeding|responding|wetting|urinating|moving|making))(?:\s+(?:taking|using|giving))?|quit|skip|discontinue|come\s+off|cut\s+(?:back|out)",
    "urgent": r"call\s+(?:911|999|112|an\s+ambulance|for\s+help|emergency)|go\s+(?:straight\s+)?to\s+(?:the\s+)?(?:er|ed|emergency|hospital|a&e)|get\s+(?:emergency\s+|medical\s+|urgent\s+)?(?:help|care)\s+(?:now|right\s+away|immediately|fast|quickly)|seek\s+(?:emergency|urgent|immediate)|act\s+fast|rush",
    "delay": r"wait(?:\s+(?:and\s+see|it\s+out|until|a\s+(?:day|few|couple|bit|while|week)|to\s+see|for|\w+\s+(?:days?|hours?|weeks?)))?|sleep\s+on\s+it|ride\s+it\s+out|hold\s+off|take\s+(?:your|their|his|her)\s+time|see\s+if\s+it\s+(?:passes|goes\s+away|improves|settles|gets\s+better)|tough\s+it\s+out|let\s+it\s+pass|watch\s+(?:it|them)\s+for",
}  # fmt: skip
_OPPOSITE = {"continue": "stop", "stop": "continue", "urgent": "delay", "delay": "urgent"}
_CUES = {name: regex.compile(rf"(?i){_LEAD}(?P<cue>\b(?:{body})\b)") for name, body in _FAMILIES.items()}  # fmt: skip
_ANYWHERE = {
    "urgent": regex.compile(r"(?i)\b(?:right\s+away|immediately|at\s+once|without\s+delay|(?:don'?t|do\s+not|never)\s+wait|call\s+911|every\s+minute\s+counts|time\s+is\s+(?:brain|muscle))\b"),
    "delay": regex.compile(r"(?i)\b(?:(?:no\s+need|there'?s\s+no\s+need)\s+to\s+(?:call|go|rush|see|worry|hurry)|(?:it'?s|is)\s+(?:probably\s+)?nothing\s+serious|(?:in|after|for)\s+(?:a\s+few|a\s+couple\s+of|two|three|several)\s+days?\s+(?:before|first))\b"),
    "stop": regex.compile(r"(?i)\b(?:(?:ok(?:ay)?|fine|safe|alright)\s+to\s+(?:stop|skip|quit)|(?:no\s+longer|don'?t)\s+need\s+(?:it|them|to\s+take)|(?:don'?t|do\s+not|no\s+need\s+to|never)\s+worry\s+about\s+(?:stopping|skipping|missing|quitting))\b"),
    "continue": regex.compile(r"(?i)\b(?:(?:stopping|skipping|quitting|missing)\s+(?:it|them|doses|your\s+\w+|the\s+\w+)\s+(?:lets|leads|causes|can|could|may|makes|brings|puts|raises)|even\s+(?:when|if)\s+you\s+feel\s+(?:well|fine|good|better|ok(?:ay)?)|every\s+(?:single\s+)?day|instead\s+of\s+(?:stopping|skipping|quitting))\b"),
}  # fmt: skip
# Playing a concern down: "probably just anxiety", "is normal", "fine to skip", "no need
# for a test". Said in a post whose message asks for action and does not say it, it undoes
# the message; a myth's message ("green mucus does not mean antibiotics") may reassure.
_DISMISS = regex.compile(r"(?i)\b(?:(?:probably|most\s+likely|likely|usually|almost\s+always)\s+(?:just\s+)?(?:an?\s+)?(?:anxiety|stress|growing\s+pains|(?:tummy|stomach)\s+bug|gastro|virus|nothing|normal|fine|harmless)|just\s+(?:an?\s+)?(?:anxiety|stress|growing\s+pains|(?:tummy|stomach)\s+bug|gastro|nerves)|(?:is|are|'s|'re)\s+(?:completely\s+|totally\s+|perfectly\s+|usually\s+|often\s+)?(?:harmless|normal|nothing\s+to\s+worry\s+about|no\s+big\s+deal|not\s+(?:a\s+)?(?:big\s+deal|serious|dangerous|an\s+emergency))|(?:ok(?:ay)?|fine|safe|alright)\s+to\s+(?:wait|skip|stop|delay|hold\s+off|ignore|put\s+off|leave\s+it)|no\s+(?:need|rush|hurry)\s+(?:for|to)\b|before\s+bothering|skip\s+(?:the\s+)?(?:er|ed|emergency|doctor|test|visit|check)|off\s+the\s+table|(?:you'?re|you\s+are|they'?re)\s+cured|(?:can|may)\s+stop\s+(?:your|the|their|taking)|(?:play|push|tough)(?:ing)?\s+(?:it\s+)?through|through\s+the\s+pain|(?:watch|monitor)\s+(?:it|them)\s+(?:for|over)\s+(?:a|one|two|\d+)\s+(?:years?|months?|weeks?)|still\s+(?:there|around)\s+(?:next|in\s+a)\s+(?:week|month)|enough\s+for\s+most)\b")  # fmt: skip
# Casting doubt on settled advice undoes any message, a myth's included.
_DOUBT = regex.compile(r"(?i)\b(?:(?:science|evidence|research|jury)\s+is\s+(?:still\s+)?(?:out|debated|divided|mixed|unclear)|still\s+(?:debated|controversial|unsettled|up\s+for\s+debate)|space\s+(?:out|apart)\s+(?:the\s+)?(?:shots|vaccines|jabs)|to\s+be\s+(?:safe|on\s+the\s+safe\s+side),?\s+(?:skip|delay|wait|avoid))\b")  # fmt: skip
# A myth called real: "The "sugar high" myth is a real condition", "it's not a myth".
_MYTH_REAL = regex.compile(r"(?i)\bmyths?[\"'”’]?\s+(?:is|are)\s+(?:actually\s+|in\s+fact\s+)?(?:an?\s+)?(?:real|true|fact)\b|\b(?:is|are)(?:n['’]?t|\s+not)\s+(?:just\s+|really\s+|only\s+)?a\s+myth\b")  # fmt: skip
_ACTION = regex.compile(r"(?i)\b(?:should|must|needs?\s+(?:urgent|emergency|medical|to\s+be)|get|see|call|check(?:ed)?|test(?:ed)?|seek|measured?|go\s+to|emergency|urgent|right\s+away|now)\b")  # fmt: skip
REPORTED = regex.compile(r"(?i)\b(?:myths?|claims?|claimed|some\s+(?:people|say|think|believe)|people\s+(?:still\s+|often\s+|usually\s+)?(?:say|think|believe)|you\s+(?:may|might)\s+have\s+heard|rumou?rs?|false|not\s+true|misconception|believe\s+that|think\s+that|the\s+idea\s+that|heard\s+that|fear\s+that|worry\s+that)\b")  # fmt: skip
_NUMBER = regex.compile(r"(?<![\p{L}\d/])\d+(?:[.,]\d+)?(?![\p{L}\d])")
_NUMBER_WORD = regex.compile(r"(?i)\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred)\b(?=\s+(?:\w+\s+)?(?:days?|hours?|weeks?|months?|years?|minutes?|times?|doses?|pills?|tablets?|puffs?|glasses|cups|servings|percent|%))")  # fmt: skip
_NUMBER_WORDS = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
                 "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
                 "hundred": "100"}  # fmt: skip
_ANY_NUMBER_WORD = regex.compile(rf"(?i)\b(?:{'|'.join(_NUMBER_WORDS)})\b")
_LIST_MARK = regex.compile(r"(?m)^[ \t]*(\d{1,2})[.)](?=[ \t]|$)")  # "2." alone on a line too
_SAFE_NUMBERS = {"911", "999", "112", "988", "111", "1", "24", "7"}  # emergency lines, "24/7"
_DOSE = regex.compile(r"(?i)\b\d+(?:[.,]\d+)?\s?(?:mg|mcg|µg|g|ml|units?|iu|tabs?|tablets?|pills?|capsules?|puffs?|drops?)\b")  # fmt: skip

Span = tuple[int, int]


@dataclass(frozen=True)
class Finding:
    problem: str  # "dropped", "reversed" or "introduced"
    detail: str
    spans: tuple[Span, ...] = ()


def check(post: str, message: str, source: str, *, words: bool = True,
          own_source: bool = True) -> Check:  # fmt: skip
    """Judge `post` against the key `message`; `source` is everything the model was given
    (the protected draft and the message), which new numbers and drugs are compared with.
    Without `words` (a message DraftRx guessed) only reversals and additions count: a
    post need not repeat a guess, but it may not contradict it or add to the draft.
    Without `own_source` (a reply: the source is a stranger's comment) the source's claims
    are not the physician's, and denying them is no reversal."""
    if not message.strip():
        return Check("message", "ok", "No key message to keep.")
    dropped = _dropped(post, message) if words else []
    claims = source if own_source else ""
    restated = _myth_restated(post, message, source) if own_source else []
    found = [*dropped, *_reversed(post, message, claims), *restated, *_introduced(post, source)]
    if not found:
        return Check("message", "ok", "Keeps the key message.")
    what = "; ".join(f.detail for f in found)
    spans = tuple(sorted({s for f in found for s in f.spans}))
    return Check("message", "block", f"Does not keep the key message: {what}.", spans)


def coverage(post: str, message: str) -> float:
    words = content_words(message)
    return sum(1 for w in words if w in content_words(post)) / len(words) if words else 1.0


def _dropped(post: str, message: str) -> list[Finding]:
    words = content_words(message)
    if len(words) < _MIN_WORDS_TO_JUDGE:
        return []
    share = coverage(post, message)
    if share >= KEEP_SHARE:
        return []
    return [Finding("dropped", f"only {share:.0%} of its content words are in the post")]


def _polarities(text: str) -> dict[str, list[Span]]:
    """Directive polarity classes in `text`, each with where it is said."""
    out: dict[str, list[Span]] = {}
    for clause in _CLAUSE.finditer(text):
        body, offset = clause.group(), clause.start()
        if REPORTED.search(body):
            continue
        for name, pattern in _CUES.items():
            for m in pattern.finditer(body):
                if _conditional_before(body, m.start("cue")):
                    continue
                negated = bool(m.group("neg")) != _negation_carried(body, m.start("cue"))
                kind = _OPPOSITE[name] if negated else name
                out.setdefault(kind, []).append((offset + m.start("cue"), offset + m.end("cue")))
        for name, pattern in (*_ANYWHERE.items(), ("dismiss", _DISMISS), ("doubt", _DOUBT)):
            for m in pattern.finditer(body):
                out.setdefault(name, []).append((offset + m.start(), offset + m.end()))
    return out


def _negation_carried(clause: str, at: int) -> bool:
    """ "Don't chew antacids and wait": the clause's opening negation covers the verb
    joined to it by "and" or "or"."""
    return bool(regex.search(r"(?i)\b(?:and|or)\s+$", clause[:at])
                and _OPENING_NEG.match(clause))  # fmt: skip


_OPENING_NEG = regex.compile(r"(?i)\s*(?:please\s+)?(?:don'?t|do\s+not|never)\b")


def _conditional_before(clause: str, at: int) -> bool:
    """ "If you stop, ..." explains a consequence; it is not a directive to stop."""
    before = clause[:at]
    return bool(regex.search(r"(?i)\b(?:if|when|once|after|before|unless|until|whether)\b[^,]*$", before))  # fmt: skip


def _reversed(post: str, message: str, source: str = "") -> list[Finding]:
    """Polarity against the message; claims against the message and the draft, since a
    myth-busting draft denies more than its message says ("the tea removes toxins")."""
    mine, theirs = _polarities(message), _polarities(post)
    found = []
    if "dismiss" in theirs and "dismiss" not in mine and _ACTION.search(message):
        found.append(Finding("reversed", "the post plays down what the message takes "
                             "seriously", tuple(theirs["dismiss"])))  # fmt: skip
    if "doubt" in theirs and "doubt" not in mine:
        found.append(Finding("reversed", "the post casts doubt on the message",
                             tuple(theirs["doubt"])))  # fmt: skip
    if (real := list(_MYTH_REAL.finditer(post))) and not _MYTH_REAL.search(message):
        found.append(Finding("reversed", "the post calls real a myth the draft sets right",
                             tuple(m.span() for m in real)))  # fmt: skip
    if spans := tuple(urgency.downgraded(post, message)):
        found.append(Finding("reversed", "the post sends to a doctor's visit what the message "
                             "sends to emergency care", spans))  # fmt: skip
    for kind in mine.keys() - {"dismiss", "doubt"}:
        opposite = _OPPOSITE[kind]
        if opposite in theirs and opposite not in mine:  # "call 911; don't ... and wait"
            found.append(Finding("reversed", f"the message says {_SAYS[kind]}, the post "
                                 f"{_SAYS[opposite]}", tuple(theirs[opposite])))  # fmt: skip
    if not found:
        found += _negation_flips(post, f"{message}\n{source}")
    if not found and source:
        found += _risk_denied(post, f"{message}\n{source}")
    if not found:
        found += _alternative_advised(post, message)
    if not found:
        found += _denied_advised(post, f"{message}\n{source}")
    if not found and (spans := tuple(ruled_out.restated(post, f"{message}\n{source}"))):
        found.append(Finding("reversed", "the post offers again what the draft rules out",
                             spans))  # fmt: skip
    return found


# A myth the draft quotes or labels: "Myth: 'hearing aids don't help.'", "people say 'X'".
_QUOTED_CLAIM = regex.compile(r"(?<!\w)['‘\"“](?P<claim>[^\n\"“”‘]{12,240}?)['’\"”](?!\w)")
_LABELLED_CLAIM = regex.compile(
    r"(?im)\bmyths?\b(?!\s+(?:check|bust))[^:\n]{0,40}:\s*(?P<claim>[^\n]+?)"
    r"(?:[.!?]['’\"”]?(?:\s|$)|$)"
)
_SENTENCE_SPAN = regex.compile(r"[^.!?\n]+[.!?]*")
# A sentence that reports the claim rather than says it: quoted, asked, or called untrue.
_NAMED_A_MYTH = regex.compile(
    rf"{REPORTED.pattern}"
    r"|(?<!\w)['‘\"“]|['’\"”](?!\w)|\?"
    r"|(?i:\b(?:not\s+(?:quite|so|really)|wrong|nope|untrue|debunk\w*|no\s+longer|"
    r"used\s+to\s+think)\b)"
)
_COPIED_WORDS = 5
_SHORT_CLAIM = 6  # a myth of at most this many content words is matched word by word


def _myth_restated(post: str, message: str, source: str) -> list[Finding]:
    """A sentence of the post that says, word for word (five words or more), a claim the
    draft labels as a myth ("Myth: ...", or quoted after "myth", "people say"...), without
    calling it one. After a good opening, the default model went on with "Hearing aids
    don't help." from "Myth: '... hearing aids don't help.'"; the draft's own words are no
    reversal to the other rules."""
    claims = [m["claim"] for m in _LABELLED_CLAIM.finditer(source)]
    claims += [m["claim"] for m in _QUOTED_CLAIM.finditer(source) if REPORTED.search(
        source[max(0, m.start() - 300) : m.start()].rsplit("\n", 1)[-1]
    )]  # a quote is a myth only where the draft says so: "when in doubt, sit them out" is not
    said_in_message = _ngrams(message)
    spans = [m.span() for m in _SENTENCE_SPAN.finditer(post)
             if not _NAMED_A_MYTH.search(m.group())
             and any(_says(m.group(), c, said_in_message) or _verdict_again(m.group(), c, message)
                     for c in claims)]  # fmt: skip
    if not spans:
        return []
    return [Finding("reversed", "the post states as fact a myth the draft sets right",
                    tuple(spans))]  # fmt: skip


# The verdict a myth hangs on, said in other words: "melatonin gummies are natural so
# they're harmless" came back as "Melatonin is a natural hormone, and it's not harmful to
# kids."; "hearing loss is just part of getting old" as "it's just part of your health".
_VERDICTS = (
    regex.compile(r"(?i)\b(?:harmless|(?:not|n['’]t|never)\s+(?:\w+\s+)?(?:harmful|dangerous)|"
                  r"(?:completely|totally|perfectly|100%)\s+safe)\b"),
    regex.compile(r"(?i)\b(?:just|simply|only|a\s+normal|a\s+natural)\s+(?:a\s+)?(?:normal\s+|"
                  r"natural\s+)?part\s+of\b"),
)  # fmt: skip
_NEGATED_BEFORE = regex.compile(r"(?i)(?:\bnot|n['’]t|\bnever|\bno)\s+(?:\w+\s+)?$")


def _verdict_again(sentence: str, claim: str, message: str) -> bool:
    """Whether `sentence` gives the myth's verdict again, not negated, about its topic (a
    word the claim and the message share)."""
    topic = content_words(claim) & content_words(message)
    if not topic & content_words(sentence):
        return False
    for verdict in _VERDICTS:
        if verdict.search(claim) and any(
            not _NEGATED_BEFORE.search(sentence, 0, m.start()) for m in verdict.finditer(sentence)
        ):
            return True
    return False


def _stems(text: str) -> list[str]:
    return [stem(w) for w in regex.findall(r"\w+", text.lower()) if w not in STOP]


def _says(sentence: str, claim: str, said_in_message: set[tuple[str, ...]]) -> bool:
    """Whether `sentence` says the myth `claim` again: five of its words in a row (not
    ones the message says too), or, for a short myth, all its content words in order; and
    negated as often as the words it repeats, in parity ("Tilt Head Back for Nosebleeds"
    says "Myth: tilt head back for a nosebleed"; "Don't tilt your head back for a
    nosebleed" does not)."""
    words, mine = _words(claim), _words(sentence)
    theirs = _ngrams(sentence) - said_in_message
    hits = [i for i in range(len(words) - _COPIED_WORDS + 1)
            if tuple(words[i : i + _COPIED_WORDS]) in theirs]  # fmt: skip
    if hits:
        repeated = words[hits[0] : hits[-1] + _COPIED_WORDS]
    else:
        wanted, said = _stems(claim), iter(_stems(sentence))
        if not (3 <= len(wanted) <= _SHORT_CLAIM and all(w in said for w in wanted)):
            return False
        repeated = words
    return (_negations(mine) - _negations(repeated)) % 2 == 0


def _words(text: str) -> list[str]:
    return regex.findall(r"\w+", regex.sub(r"(?i)n['’]t\b", " not", text).lower())


def _negations(words: list[str]) -> int:
    return sum(w in ("not", "no", "never") for w in words)


def _ngrams(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + _COPIED_WORDS]) for i in range(len(words) - _COPIED_WORDS + 1)}


# "Give rehydration solution rather than juice", "lean forward, not back": what the message
# sets aside must not come back as the post's advice ("give sports drinks", "tilt back").
_SET_ASIDE = regex.compile(r"(?i)(?:\brather\s+than|\binstead\s+of|,\s*not|\bnot\s+with|\bavoid(?:ing)?)\s+(?P<alt>[^.,;:!?]+)")  # fmt: skip
_ADVISE = regex.compile(r"(?i)\b(?:give|giving|use|using|drink|try|apply|take|tilt|lean|offer|reach\s+for|stick\s+to|go\s+with|plenty\s+of)\b")  # fmt: skip
_SETTING_ASIDE = regex.compile(r"(?i)\b(?:not|no|never|don'?t|avoid|skip|rather\s+than|instead\s+of|than|without)\b|n'?t\b")  # fmt: skip


def _alternative_advised(post: str, message: str) -> list[Finding]:
    alternatives = {w for m in _SET_ASIDE.finditer(message) for w in _terms(m["alt"])}
    return _advised(post, alternatives, "the post advises what the message sets aside")


# Use that fits what the draft denies: "only if your doctor prescribes them", "for bacteria".
_FITTING_USE = regex.compile(r"(?i)\b(?:only|prescrib\w*|doctor|clinician|bacteri\w*|not|never)\b")


def _denied_advised(post: str, said: str) -> list[Finding]:
    """Advice to take what the draft says does nothing: "antibiotics do nothing for colds"
    came back as "If you have a high fever, take more antibiotics." A clause that says when
    it is right ("only if your doctor prescribes them") is no such advice."""
    denied = {w for _, family, negated, subject, _ in _claims(said)
              if negated and family == "effect" for w in subject}  # fmt: skip
    return _advised(post, denied, "the post advises taking what the draft says does not work",
                    fitting=_FITTING_USE)  # fmt: skip


def _advised(post: str, alternatives: set[str], detail: str,
             fitting: regex.Pattern[str] | None = None) -> list[Finding]:  # fmt: skip
    """Advice in `post` to use one of `alternatives`, not set aside where it is said, in a
    clause that reports no myth and (with `fitting`) says nothing of when it is right."""
    if not alternatives:
        return []
    for clause in _CLAUSE.finditer(post):
        body = clause.group()
        if REPORTED.search(body) or (fitting is not None and fitting.search(body)):
            continue
        for advice in _ADVISE.finditer(body):
            near = regex.match(r"\W*(?:\w+(?:\W+|$)){0,5}", body[advice.end() :]).group()
            hit = next((w for w in regex.findall(r"\w+", near) if _terms(w) & alternatives), None)
            if hit is None:
                continue
            around = body[max(0, advice.start() - 12) : advice.end()] + near[: near.index(hit)]
            if not _SETTING_ASIDE.search(around):
                return [Finding("reversed", detail, (clause.span(),))]
    return []


_SAYS = {"continue": "to keep going", "stop": "to stop", "urgent": "to act now",
         "delay": "to wait"}  # fmt: skip


def _negation_flips(post: str, message: str) -> list[Finding]:
    """A claim of the message ("antibiotics don't treat colds") made the other way round
    in the post ("antibiotics can shorten a cold"): the same kind of verb, negated the
    other way, about the same subject and object. Questions and reported myths are not
    claims."""
    claims = list(_claims(message))
    for span, family, negated, subject, obj in _claims(post):
        for _, c_family, c_negated, c_subject, c_obj in claims:
            if family != c_family or negated == c_negated:
                continue
            if not (subject and c_subject):  # a link denied is known by its object alone
                if len(obj & c_obj) < 2:
                    continue
            elif not subject & c_subject or (obj and c_obj and not obj & c_obj):
                continue
            said = ("the post claims what the draft denies" if c_negated
                    else "the post denies what the draft claims")  # fmt: skip
            return [Finding("reversed", said, (span,))]
    return []


# A harm denied in so many words, with what it is denied of just before: "smoking is not
# a cause of", "X doesn't raise the risk of", "X isn't harmful", "X is harmless".
_HARM_DENIED = regex.compile(
    r"(?i)(?P<subject>[\p{L}][\p{L}\p{N}'’ -]{2,60}?)\s+(?:"
    r"(?:is|are)(?:n['’]t|\s+not)\s+(?:a\s+|the\s+)?(?:cause|risk(?:\s+factor)?)\s+(?:of|for)"
    r"|(?:does|do)(?:n['’]t|\s+not)\s+(?:cause|raise|increase)"
    r"|(?:is|are)(?:n['’]t|\s+not)\s+(?:harmful|dangerous|risky|bad\s+for)"
    r"|(?:is|are)\s+harmless)\b"
)


def _risk_denied(post: str, said: str) -> list[Finding]:
    """A harm denied of something the draft never mentions: "Remember, smoking is not a
    cause of heart disease or stroke risk." in a post on statins. A myth's own denial
    ("vaccines don't cause autism") is of what its draft names."""
    known = content_words(said)
    for clause in _CLAUSE.finditer(post):
        for m in _HARM_DENIED.finditer(clause.group()):
            named = [w for w in m["subject"].split() if _terms(w)][-3:]  # its last nouns
            subject = _terms(" ".join(named))
            if subject and not subject & known and not REPORTED.search(clause.group()):
                at = clause.start()
                return [Finding("reversed", "the post denies a harm the draft does not "
                                "discuss", ((at + m.start(), at + m.end()),))]  # fmt: skip
    return []


_CLAIM_FAMILIES = {
    "cause": r"cause[sd]?|caus(?:ing)|put[s]?\s+(?:the\s+)?idea|plant[s]?\s+(?:the\s+)?idea|make[s]?|lead[s]?\s+to|give[s]?|turn[s]?\s+into|spread[s]?",
    "effect": r"cure[sd]?|treat[s]?|help[s]?|work[s]?|shorten[s]?|fix(?:es)?|remove[s]?|flush(?:es)?(?:\s+out)?|boost[s]?|kill[s]?|clear[s]?|speed[s]?\s+up|(?:crucial|essential|needed|necessary|required|vital)\s+for|do(?:es)?\s+nothing\s+for",
    "protect": r"prevent[s]?|protect[s]?|lower[s]?\s+(?:the\s+)?risk",
    "harm": r"harm[s]?|damage[s]?|wear[s]?\s+out|hurt[s]?|weaken[s]?",
    "link": r"linked\s+(?:to|with)|tied\s+to|associated\s+with|link[s]?\s+(?:to|with)",
}
_CLAIM_VERB = regex.compile(
    "(?i)\\b(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _CLAIM_FAMILIES.items()) + ")\\b"
)
# A negation just before the verb, quotes allowed between: won't "give you".
_LOCAL_NEG = regex.compile(
    r"(?i)(?:\b(?:not|never|no\s+longer|cannot|won['’]?t)|n['’]?t)[\s\"“”]+(?:[\w\"“”]+\s+){0,2}[\"“”]*$"
)
# "There is no good evidence that any tea ... removes toxins", "No tea removes toxins".
_NO_EVIDENCE = regex.compile(r"(?i)\bno\s+(?:\w+\s+){0,2}(?:evidence|proof|data|studies|research)\s+(?:that|shows?|to\s+show)\b")  # fmt: skip
_NO_SUBJECT = regex.compile(r"(?i)\W*(?:no(?!\s*[,!.])|none\s+of|neither|nothing)\b")
_SENTENCES = regex.compile(r"[^.!?\n]+[.!?]*")
_SET_APART = regex.compile(r"(?i),?\s+(?:but\s+)?not\b|\s+(?:rather\s+than|instead\s+of)\b")
_PARTS = regex.compile(r"[^;:—–()]+")


def _claims(text: str):  # -> Iterator[(span, family, negated, subject terms, object terms)]
    last: list = []  # the claims of the sentence before, which a bare "It doesn't." denies
    for sentence in _SENTENCES.finditer(text):
        if _DENIAL.match(sentence.group()):
            yield from ((span, f, True, subj, obj) for span, f, _, subj, obj in last)
            last = []
            continue
        asked = regex.search(r"(?i)\b(?:asks?|asked|wonder(?:s|ed)?)\s+(?:me\s+)?(?:if|whether)\b",
                             sentence.group())  # fmt: skip
        if sentence.group().rstrip().endswith("?") or (REPORTED.search(sentence.group())
                                                        and not asked):  # fmt: skip
            last = []
            continue
        found = list(_sentence_claims(sentence))
        last = found
        if not asked:  # "asks if the MMR causes autism" claims nothing by itself
            yield from found


_DENIAL = regex.compile(r"(?i)\s*(?:no[,.!]?\s+|nope[,.!]?\s+)?(?:it|they|that|this)\s+(?:doesn'?t|does\s+not|don'?t|do\s+not|can'?t|cannot|won'?t|will\s+not)[.!]?\s*$")  # fmt: skip


def _sentence_claims(sentence):  # -> Iterator[claim], as _claims yields
    for part in _PARTS.finditer(sentence.group()):
        body, offset = part.group(), sentence.start() + part.start()
        for verb in _CLAIM_VERB.finditer(body):
            family = next(k for k, v in verb.groupdict().items() if v)
            before = body[: verb.start()]
            denied = _NO_EVIDENCE.search(before) or _NO_SUBJECT.match(before)
            negated = (bool(_LOCAL_NEG.search(before) or denied)
                       != ("nothing" in verb.group().lower()))  # "do nothing for colds"
            after = _SET_APART.split(body[verb.end() :], maxsplit=1)[0]  # "..., not colds"
            subject, obj = _terms(body[: verb.start()]), _terms(after)
            if subject or (obj and family == "link"):  # "Not linked to earlier sex."
                yield (offset, offset + len(body)), family, negated, subject, obj


def _terms(text: str) -> set[str]:
    return {w for w in content_words(text) if w not in STOP and not w.isdigit()}


def _introduced(post: str, source: str) -> list[Finding]:
    known = {_norm(m.group()) for m in _NUMBER.finditer(source)}
    known |= {_NUMBER_WORDS[m.group().lower()] for m in _ANY_NUMBER_WORD.finditer(source)}
    found = []
    new_doses = [m for m in _DOSE.finditer(post) if _norm(regex.match(r"[\d.,]+", m.group()).group()) not in known]  # fmt: skip
    if new_doses:
        found.append(Finding("introduced", "it gives a dose the draft does not",
                             tuple(m.span() for m in new_doses)))  # fmt: skip
    dosed = {s for m in new_doses for s in range(*m.span())}
    listed = {m.start(1) for m in _LIST_MARK.finditer(post)}  # "2." numbering a list
    numbers = [m for m in _NUMBER.finditer(post)
               if m.start() not in dosed | listed
               and _norm(m.group()) not in known | _SAFE_NUMBERS]  # fmt: skip
    numbers += [m for m in _NUMBER_WORD.finditer(post)
                if _NUMBER_WORDS[m.group().lower()] not in known]  # fmt: skip
    if numbers:
        shown = ", ".join(dict.fromkeys(m.group() for m in numbers))
        found.append(Finding("introduced", f"it adds numbers the draft does not have ({shown})",
                             tuple(m.span() for m in numbers)))  # fmt: skip
    new_drugs = [(s, e, name) for s, e, name in drugs.find(post)
                 if name not in {n for _, _, n in drugs.find(source)}]  # fmt: skip
    if new_drugs:
        shown = ", ".join(dict.fromkeys(post[s:e] for s, e, _ in new_drugs))
        found.append(Finding("introduced", f"it names drugs the draft does not ({shown})",
                             tuple((s, e) for s, e, _ in new_drugs)))  # fmt: skip
    return found


def _norm(number: str) -> str:
    return number.replace(",", "").rstrip(".").lstrip("0") or "0"
