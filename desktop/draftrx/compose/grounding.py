"""Sentences the model added that nothing it was given supports are cut from the post.

The default 0.5B model pads a post with claims of its own: "Antibiotics: Apply antibiotics
as soon as you notice any signs of illness." in a post on fever in babies, "Sepsis ... can
cause severe bleeding", "Join our community today!". The `message` check judges whether
the post keeps the draft's point; it cannot see a wrong sentence beside a kept one, and a
physician skimming a fluent post may not either. So each sentence the model wrote is held
to what it was given: the draft (shorthand spelled out) and the key message. A sentence
most of whose content words appear in neither says something the physician did not, and
it goes; the check says which went. Words every health post uses ("doctor", "help",
"symptoms") prove nothing either way and are left out of the count. Advice is held closer
still, to one sentence the model was given, the same way round; no sentence may tell as
fact a myth the draft reports, link the draft's terms in a way it never does ("reduces LDL
cholesterol, contributing to significant vascular events") or send the reader to 911 to
learn more (`backing`).
"""

from __future__ import annotations

import regex

from draftrx.compose import backing as backed
from draftrx.compose.checks import Check
from draftrx.compose.wording import GENERIC, content_words

# A sentence goes when at least this many of its content words, and this share of them,
# are in nothing the model was given. Read on the dev set's posts (README, "How good are
# the posts"): at two words and half, 55 of 60 sentences cut were nothing the draft said.
MIN_NEW = 2
NEW_SHARE = 0.5
_SENTENCE = regex.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)\]]*|$)")
_MARK = regex.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])(?:\s+|$)")  # "1. ", "- ": a list item's
_NUMBERED = regex.compile(r"^(?P<indent>\s*)(?P<number>\d{1,2})[.)]\s")
_LABEL = regex.compile(r"^[\s\-*•]*[\p{L} ']{1,40}:\s*$")  # "When to get help:" alone
_HEADING = regex.compile(r"^[\s\-*•]*(?:[\p{L}\p{N}'’&/-]+[ \t]*){1,8}$")  # no sentence's end
_HASHTAGS_ONLY = regex.compile(r"^\s*(?:#\w+\s*)+$")
_QUOTED = 90  # characters of each cut sentence the check quotes


def strays(sentence: str, given: set[str]) -> bool:
    """Whether most of what `sentence` says is in nothing the model was given."""
    words = content_words(sentence) - GENERIC
    new = words - given
    return len(new) >= MIN_NEW and len(new) >= NEW_SHARE * len(words)


def supported(body: str, source: str) -> tuple[str, list[str]]:
    """`body` without the sentences that stray from `source` or that `backing` finds
    unfounded, and those sentences. What they leave empty goes with them: a list item's
    number, a label ("Tips:") or a heading ("Why It's Important") with nothing left under
    it. Hashtags stay."""
    given = content_words(source)
    backing = backed.Backing(source)
    cut: list[str] = []
    lines: list[str | None] = []  # None: a line that went
    for line in body.split("\n"):
        if _HASHTAGS_ONLY.match(line) or _LABEL.match(line):
            lines.append(line)  # no claim in either
            continue
        mark = _MARK.match(line)
        head, rest = (line[: mark.end()], line[mark.end() :]) if mark else ("", line)
        kept = rest
        for sentence in _SENTENCE.findall(rest):
            if sentence.strip() and (strays(sentence, given)
                                     or backed.unfounded(sentence, backing)):
                cut.append(sentence.strip())
                kept = kept.replace(sentence, "", 1)
        lines.append(line if kept == rest else f"{head}{kept.strip()}" if kept.strip() else None)
    if not cut:
        return body, []
    left = [line for i, line in enumerate(lines) if line is not None
            and not ((_LABEL.match(line) or _heading(line)) and _emptied(lines, i))]  # fmt: skip
    return regex.sub(r"\n{3,}", "\n\n", "\n".join(_renumbered(left))).strip(), cut


def _renumbered(lines: list[str]) -> list[str]:
    """A numbered list counted again where items went: "1.", "3." becomes "1.", "2."."""
    out: list[str] = []
    previous: int | None = None
    for line in lines:
        item = _NUMBERED.match(line)
        if item and previous is not None:
            previous += 1
            line = f"{item['indent']}{previous}{line[item.end('number') :]}"
        elif item:
            previous = int(item["number"])
        else:
            previous = None
        out.append(line)
    return out


def _emptied(lines: list[str | None], at: int) -> bool:
    """Whether the label or heading at `at` stands over nothing now: every line under it
    went, or there was none. A label ("Tips:") stands over the lines up to the next blank
    one; a heading, up to the next heading or label. Hashtags are not what it stood over."""
    label = bool(_LABEL.match(lines[at] or ""))
    under: list[str | None] = []
    for line in lines[at + 1 :]:
        if line is not None and (_LABEL.match(line) or _heading(line)):
            break
        if label and line is not None and not line.strip():
            break
        if line is None or (line.strip() and not _HASHTAGS_ONLY.match(line)):
            under.append(line)
    return all(line is None for line in under)


def _heading(line: str) -> bool:
    """A short line in title case with no sentence's end: "Why It's Important", "Tips for
    Early Detection", not "Get your flu shot today"."""
    if not _HEADING.match(line):
        return False
    return all(w[0].isupper() or not w[0].isalpha() for w in line.split() if len(w) > 3)


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
                 f" the model added that neither your draft nor the key message supports, or "
                 f"that advise what they do not, tell a myth as fact or link things in a way "
                 f"they do not: "
                 f"{quoted}.")  # fmt: skip


def _short(sentence: str) -> str:
    return sentence if len(sentence) <= _QUOTED else f"{sentence[:_QUOTED].rstrip()}…"
