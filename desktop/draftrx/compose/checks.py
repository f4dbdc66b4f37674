"""Checks on a finished post: each has an id, a severity, one sentence and the spans it means.

`block` keeps a post from being copied or exported until fixed or overridden with a reason
(leftover identifiers, a reply that confirms someone is a patient, a post over its limit);
`warn` explains a risk; `ok` says the check ran and found nothing. Every check runs on
the whole final text, disclaimer included, so code-added text is held to the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import regex

from draftrx.compose import phrases
from draftrx.compose.platforms import Platform
from draftrx.compose.readability import FORMULA_MIN_WORDS, TARGET_GRADE, Jargon, grade
from draftrx.privacy.fictionalise import Mapping
from draftrx.privacy.rescan import NEW, recheck
from draftrx.privacy.scanner import Scanner

Severity = Literal["block", "warn", "ok"]
Span = tuple[int, int]


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity
    message: str
    spans: tuple[Span, ...] = ()
    # False: no reason lets a post past this block (an identifier of the draft itself).
    overridable: bool = True

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "severity": self.severity,
            "message": self.message,
            "spans": [list(s) for s in self.spans],
            "overridable": self.overridable,
        }


@dataclass(frozen=True)
class _PhraseCheck:
    id: str
    severity: Severity
    pattern: regex.Pattern[str]
    bad: str
    good: str


_ADVICE = _PhraseCheck(
    "advice", "warn", phrases.compile_all(phrases.ADVICE),
    "Reads as individual medical advice or a dose aimed at the reader; keep it general.",
    "No individual advice or dosing aimed at the reader.",
)  # fmt: skip
_CONFIRMS = _PhraseCheck(
    "patient_confirmation", "block", phrases.compile_all(phrases.PATIENT_CONFIRMATION),
    "Confirms or implies that the person is a patient; a public reply must not, even if "
    "they said so themselves.",
    "Does not confirm that anyone is a patient.",
)  # fmt: skip
_RESPECT = _PhraseCheck(
    "professionalism", "warn", phrases.compile_all(phrases.PROFANITY + phrases.DEROGATORY),
    "Profanity or words that stigmatise patients; use respectful, person-first language.",
    "Respectful language.",
)  # fmt: skip
_CLAIMS = _PhraseCheck(
    "claims", "warn", phrases.compile_all(phrases.CLAIMS),
    "An absolute or unsupported claim; say what the evidence supports.",
    "No absolute or unsupported claims.",
)  # fmt: skip
_TESTIMONIAL = _PhraseCheck(
    "testimonial", "warn", phrases.compile_all(phrases.TESTIMONIAL),
    "A testimonial or before/after needs the patient's written consent (HIPAA authorisation) "
    "and follows the platform's rules for endorsements.",
    "No testimonial or before/after.",
)  # fmt: skip


def run_checks(
    text: str,
    scanner: Scanner,
    *,
    platform: Platform | None = None,
    posts: Sequence[str] | None = None,
    caption: str | None = None,
    reply: bool = False,
    mapping: Mapping | None = None,
    sponsored: bool = False,
    masked: Sequence[Span] = (),
    replying_to: str | None = None,
) -> list[Check]:
    """All checks, in a fixed order. `posts` are the parts of `text` a thread is cut into;
    `mapping` (from fictionalising the draft) tells stand-ins from leftover identifiers;
    `masked` spans (thread numbers such as "(1/2)", which read like dates) are blanked
    for every check but length; `replying_to` is the comment a reply answers."""
    content = mask(text, masked)
    checks = [
        _identifiers(content, scanner, mapping),
        _quasi(content, scanner, mapping),
        _phrases(_ADVICE, content),
        *([_confirms(content, replying_to)] if reply else []),
        _phrases(_RESPECT, content),
        _phrases(_CLAIMS, content),
        _disclosure(content, sponsored),
        _phrases(_TESTIMONIAL, content),
        _readability(content),
    ]
    if platform is not None:
        checks.append(_length(text, platform, posts or [text], caption))
        if platform.max_hashtags is not None:
            checks.append(_hashtags(text, platform))
        if platform.hook is not None:
            checks.append(_hook(text, platform.hook))
    return checks


def worst(checks: Sequence[Check]) -> Severity:
    severities = {c.severity for c in checks}
    return "block" if "block" in severities else "warn" if "warn" in severities else "ok"


def _phrases(check: _PhraseCheck, text: str) -> Check:
    spans = tuple(m.span() for m in check.pattern.finditer(text) if m.end() > m.start())
    return Check(check.id, check.severity if spans else "ok", check.bad if spans else check.good,
                 spans)  # fmt: skip


_ECHO_WORDS = 5
_WORDS = regex.compile(r"[\p{L}\p{N}]+(?:['’][\p{L}]+)?")


def _confirms(text: str, replying_to: str | None) -> Check:
    """The phrases, and a reply that repeats the person's own account of their care: five
    or more words in a row from their comment tell readers the writer knows the case."""
    check = _phrases(_CONFIRMS, text)
    if not replying_to:
        return check
    theirs = [w.lower() for w in _WORDS.findall(replying_to)]
    grams = {tuple(theirs[i : i + _ECHO_WORDS]) for i in range(len(theirs) - _ECHO_WORDS + 1)}
    words = list(_WORDS.finditer(text))
    echoed: list[Span] = []
    for i in range(len(words) - _ECHO_WORDS + 1):
        if tuple(w.group().lower() for w in words[i : i + _ECHO_WORDS]) in grams:
            span = (words[i].start(), words[i + _ECHO_WORDS - 1].end())
            if echoed and span[0] <= echoed[-1][1]:
                span = (echoed.pop()[0], span[1])
            echoed.append(span)
    if not echoed:
        return check
    return Check(
        "patient_confirmation",
        "block",
        "Repeats the person's own words about their care, which tells readers the writer "
        "knows their case; reply in general terms.",
        tuple(sorted({*check.spans, *echoed})),
    )


def _identifiers(text: str, scanner: Scanner, mapping: Mapping | None) -> Check:
    """Identifiers in the post block it. One of the draft's own (written out again, or
    nearly) blocks for good: no override reason makes a patient's name publishable."""
    if mapping is not None:
        leaks = recheck(text, mapping, scanner)
        found = [(leak.start, leak.end, leak.type, leak.reason) for leak in leaks]
    else:
        found = [(f.start, f.end, f.type, NEW)
                 for f in scanner.scan(text, quasi_identifiers=False)]  # fmt: skip
    found = [(s, e, t, r) for s, e, t, r in found if not _coarse_date(text, s, e, t)]
    if not found:
        return Check("identifiers", "ok", "No identifiers left.")
    kinds = ", ".join(sorted({t for _, _, t, _ in found}))
    own = sum(r != NEW for *_, r in found)
    message = (f"{len(found)} identifier{'s' if len(found) > 1 else ''} left ({kinds}); "
               "fictionalise, generalise or remove them.")  # fmt: skip
    if own:
        message = (f"{len(found)} identifier{'s' if len(found) > 1 else ''} left ({kinds}), "
                   f"{own} of them from the draft itself; remove {'it' if own == 1 else 'them'}"
                   ": a patient's identifiers cannot be overridden.")  # fmt: skip
    return Check("identifiers", "block", message, tuple((s, e) for s, e, *_ in found),
                 overridable=not own)  # fmt: skip


def _quasi(text: str, scanner: Scanner, mapping: Mapping | None) -> Check:
    fiction = {s.lower() for s in mapping.standins()} if mapping else set()
    found = [(f.start, f.end, f.type) for f in scanner.scan(text)
             if (not f.blocking or _coarse_date(text, f.start, f.end, f.type))
             and text[f.start : f.end].lower() not in fiction]  # fmt: skip
    made_up = _made_up_codes(text, mapping) if mapping else []
    if not found and not made_up:
        return Check("quasi_identifiers", "ok", "No vague-posting clues.")
    kinds = ", ".join(sorted({t.lower().replace("_", " ") for _, _, t in found + made_up}))
    why = "Details that together could point to a patient"
    if made_up:
        why = "Made-up record numbers or contact details still read as real" + (
            ", and other details could point to a patient" if found else ""
        )
    return Check(
        "quasi_identifiers",
        "warn",
        f"{why} ({kinds}); generalise or remove what you can.",
        tuple(sorted((s, e) for s, e, _ in found + made_up)),
    )


# Stand-ins that keep the shape of a code: harmless, but a post never needs them.
_CODES = {"MRN", "SSN", "ACCOUNT", "HEALTH_PLAN", "LICENSE", "VEHICLE", "DEVICE", "ID",
          "PHONE", "EMAIL", "IP_ADDRESS", "ROOM", "ADDRESS", "ZIP"}  # fmt: skip


def _made_up_codes(text: str, mapping: Mapping) -> list[tuple[int, int, str]]:
    found = []
    for original in mapping.originals():
        standin, type_ = mapping.get(original), mapping.type_of(original)
        if type_ in _CODES and standin:
            pattern = rf"(?<![\p{{L}}\p{{N}}]){regex.escape(standin)}(?![\p{{L}}\p{{N}}])"
            found += [(m.start(), m.end(), type_) for m in regex.finditer(pattern, text)]
    return found


def mask(text: str, spans: Sequence[Span]) -> str:
    """`text` with `spans` blanked out, same length, so other spans stay valid."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _coarse_date(text: str, start: int, end: int, type_: str) -> bool:
    """ "In October", "on Monday": a date with no day number is a clue (warn), not a block;
    "flu season peaks in February" must not stop an educational post."""
    return type_ == "DATE" and not any(c.isdigit() for c in text[start:end])


def _disclosure(text: str, sponsored: bool) -> Check:
    mentions = [m.span() for m in (*phrases.BRAND.finditer(text), *phrases.SPONSOR.finditer(text))]
    if not (mentions or sponsored) or phrases.DISCLOSED.search(text):
        return Check("disclosure", "ok", "Disclosure present or not needed.")
    why = "It is marked sponsored" if sponsored else "It names a brand or product"
    return Check(
        "disclosure",
        "warn",
        f"{why} but discloses no relationship; add a conflict-of-interest disclosure.",
        tuple(sorted(mentions)),
    )


def _readability(text: str) -> Check:
    """Says which measure decided: grade formulas from FORMULA_MIN_WORDS words, the
    short-post proxies below; jargon warns at any length, each term a span."""
    g = grade(text)
    if g is None:
        return Check("readability", "ok", "No prose to grade.")
    if g.measure == "formulas":
        figures = (f"By grade formulas ({g.words} words), reading grade {g.mean:.1f} "
                   f"(Flesch-Kincaid {g.flesch_kincaid:.1f}, SMOG {g.smog:.1f})")  # fmt: skip
    else:
        figures = (f"By short-post proxies ({g.words} words, under {FORMULA_MIN_WORDS} for "
                   f"grade formulas), {g.words_per_sentence:.1f} words a sentence and "
                   f"{g.long_word_share:.0%} long words (3+ syllables)")  # fmt: skip
    if g.passes:
        within = (f"grade {TARGET_GRADE:.0f} or below" if g.measure == "formulas" else
                  f"within the short-post limits for grade {TARGET_GRADE:.0f}")  # fmt: skip
        return Check("readability", "ok", f"{figures}: {within}, no jargon.")
    hard = g.too_hard
    jargon = [_jargon_words(g.jargon)] if g.jargon else []
    problems = "; ".join([what for what, _ in hard] + jargon)
    fixes = " and ".join([fix for _, fix in hard] + ["the plain words"] * bool(jargon))
    return Check(
        "readability",
        "warn",
        f"{figures}: {problems}; use {fixes}.",
        tuple((j.start, j.end) for j in g.jargon),
    )


def _jargon_words(found: Sequence[Jargon]) -> str:
    """'jargon "dyspnea" (say "shortness of breath"), "PRN" (say "as needed")', each
    term once."""
    seen: dict[str, str] = {}
    for j in found:
        key = " ".join(j.term.lower().split())
        if key not in seen:
            seen[key] = f'"{j.term}"' + (f' (say "{j.plain}")' if j.plain else "")
    return "jargon " + ", ".join(seen.values())


def _length(text: str, platform: Platform, posts: Sequence[str], caption: str | None) -> Check:
    over = []
    for post in posts:
        n = platform.length(post)
        if n > platform.limit:
            start = text.find(post)
            over.append((n, (start, start + len(post)) if start >= 0 else (0, len(text))))
    if caption is not None and platform.caption_limit and len(caption) > platform.caption_limit:
        start = text.rfind(caption)
        over.append((len(caption), (start, start + len(caption)) if start >= 0 else (0, len(text))))
    longest = max(platform.length(p) for p in posts)
    where = f" in each of {len(posts)} posts" if len(posts) > 1 else ""
    if over:
        return Check(
            "length",
            "block",
            f"Over {platform.name}'s limit: {max(n for n, _ in over)} of {platform.limit} "
            f"{platform.unit}{where}.",
            tuple(span for _, span in over),
        )
    return Check("length", "ok", f"{longest} of {platform.limit} {platform.unit}{where}.")


def _hook(text: str, hook: int) -> Check:
    """LinkedIn shows the first ~210 characters before "see more": the first sentence
    should be whole inside them."""
    first = regex.match(r"\s*.+?(?:[.!?…](?=\s|$)|\n|$)", text, regex.DOTALL)
    end = first.end() if first else len(text)
    if end > hook:
        return Check("hook", "warn", f"The first sentence runs past the {hook} characters shown "
                     "before \"see more\"; open with a shorter line.", ((0, end),))  # fmt: skip
    return Check("hook", "ok", f"The first sentence fits in the {hook} characters shown first.")


def _hashtags(text: str, platform: Platform) -> Check:
    tags = [m.span() for m in phrases.HASHTAG.finditer(text)]
    if platform.max_hashtags is not None and len(tags) > platform.max_hashtags:
        return Check(
            "hashtags",
            "block",
            f"{len(tags)} hashtags; {platform.name} allows {platform.max_hashtags}.",
            tuple(tags[platform.max_hashtags :]),
        )
    return Check("hashtags", "ok", f"{len(tags)} of at most {platform.max_hashtags} hashtags.")
