"""Sentences the model added that nothing it was given supports are cut from the post.

The default 0.5B model pads a post with claims of its own: "Antibiotics: Apply antibiotics
as soon as you notice any signs of illness." in a post on fever in babies, "Sepsis ... can
cause severe bleeding", "Join our community today!". The `message` check judges whether
the post keeps the draft's point; it cannot see a wrong sentence beside a kept one, and a
physician skimming a fluent post may not either. So each sentence the model wrote is held
to what it was given: the draft (shorthand spelled out) and the key message. A sentence
most of whose content words appear in neither says something the physician did not, and
it goes; the check says which went. Words every health post uses ("doctor", "help",
"symptoms") prove nothing either way and are left out of the count.
"""

from __future__ import annotations

import regex

from draftrx.compose.checks import Check
from draftrx.compose.wording import content_words

# A sentence goes when at least this many of its content words, and this share of them,
# are in nothing the model was given. Read on the dev set's posts (README, "How good are
# the posts"): at 2 and a half, nearly every sentence cut was padding or wrong.
MIN_NEW = 2
NEW_SHARE = 0.5
_GENERIC = content_words(
    "help health healthy doctor medicine care seek attention symptom emergency quick talk "
    "ask get feel sick time day week body life risk advice information general professional "
    "possible person family friend condition problem issue stay keep good better best right "
    "well start use try learn understand check avoid safe safety serious concern question "
    "support common usually often sometimes early soon matter change new visit appointment "
    "follow plan reader everyone anyone important"
)
_SENTENCE = regex.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)\]]*|$)")
_LABEL_ONLY = regex.compile(r"^[\s\-*•]*[\p{L} ]{1,40}:\s*$")  # "When to get help:" alone
_HASHTAGS_ONLY = regex.compile(r"^\s*(?:#\w+\s*)+$")
_QUOTED = 90  # characters of each cut sentence the check quotes


def strays(sentence: str, given: set[str]) -> bool:
    """Whether most of what `sentence` says is in nothing the model was given."""
    words = content_words(sentence) - _GENERIC
    new = words - given
    return len(new) >= MIN_NEW and len(new) >= NEW_SHARE * len(words)


def supported(body: str, source: str) -> tuple[str, list[str]]:
    """`body` without the sentences that stray from `source`, and those sentences. A label
    left with nothing under it ("Tips:") goes with them; hashtags stay."""
    given = content_words(source)
    cut: list[str] = []
    lines = []
    for line in body.split("\n"):
        if _HASHTAGS_ONLY.match(line) or _LABEL_ONLY.match(line):  # no claim in either
            lines.append(line)
            continue
        kept = line
        for sentence in _SENTENCE.findall(line):
            if sentence.strip() and strays(sentence, given):
                cut.append(sentence.strip())
                kept = kept.replace(sentence, "", 1)
        kept = kept.rstrip()
        if kept != line and not kept.strip(" -*•"):
            continue  # the line was all stray
        lines.append(kept)
    if not cut:
        return body, []
    lines = [line for i, line in enumerate(lines)
             if not (_LABEL_ONLY.match(line) and _nothing_under(lines[i + 1 :]))]  # fmt: skip
    text = regex.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, cut


def _nothing_under(rest: list[str]) -> bool:
    """Whether a label has no line right under it: a blank line, another label or the
    end follows."""
    return not rest or not rest[0].strip() or bool(_LABEL_ONLY.match(rest[0]))


def check(cut: list[str], everything: bool) -> Check:
    """What was cut, for the physician to see; a block when the model wrote nothing else
    and the post has no key message to stand on."""
    if everything:
        return Check("supported", "block", "Nothing the model wrote here comes from your "
                     "draft or the key message. Type the take-home message in the Key "
                     "message field, then rewrite.")  # fmt: skip
    if not cut:
        return Check("supported", "ok", "Every sentence the model wrote draws on your draft "
                     "or the key message.")  # fmt: skip
    quoted = "; ".join(f"“{_short(s)}”" for s in cut)
    return Check("supported", "ok", f"Took out {len(cut)} sentence{'s' if len(cut) > 1 else ''}"
                 f" the model added that neither your draft nor the key message supports: "
                 f"{quoted}.")  # fmt: skip


def _short(sentence: str) -> str:
    return sentence if len(sentence) <= _QUOTED else f"{sentence[:_QUOTED].rstrip()}…"
