"""Make a post fit its platform by code, so the final text never exceeds the limit.

The model is asked for a length and asked again when it overshoots, but it cannot count.
Where the platform has threads the text is cut into numbered posts at sentence ends;
elsewhere it is cut back to the last whole sentence that fits. The disclaimer (`tail`)
is never cut: it goes whole into the last post.
"""

from __future__ import annotations

import regex

from draftrx.compose.platforms import Platform

_SENTENCES = regex.compile(r"(?<=[.!?…][\"'”’)]*)\s+|\n+")
_IN_LINE = regex.compile(r"(?<=[.!?…][\"'”’)]*)[ \t]+")
_NUMBER_ROOM = " (9/9)"  # numbering takes at most this much (max_posts < 10)


def join(body: str, tail: str) -> str:
    body = body.strip()
    return f"{body}\n\n{tail}" if body and tail else body or tail


def fit_posts(body: str, platform: Platform, tail: str = "") -> list[str]:
    """One post when it fits (or a thread is not possible), else numbered thread posts."""
    whole = join(body, tail)
    if platform.length(whole) <= platform.limit:
        return [whole]
    if not platform.thread:
        room = platform.limit - platform.length(join("x", tail)) + 1
        return [join(trim(body, platform, room), tail)]
    return _thread(body, platform, tail)


def trim(text: str, platform: Platform, budget: int) -> str:
    """The longest start of `text` within `budget`: whole sentences, else whole words + '…'."""
    text = text.strip()
    if platform.length(text) <= budget:
        return text
    ends = [m.start() for m in _SENTENCES.finditer(text)]
    fitting = [e for e in ends if platform.length(text[:e]) <= budget]
    if fitting and fitting[-1] >= len(text) // 3:
        return text[: fitting[-1]].rstrip()
    words = [m.start() for m in regex.finditer(r"\s+", text)]
    fitting = [w for w in words if platform.length(text[:w].rstrip(",;:") + "…") <= budget]
    if fitting:
        return text[: fitting[-1]].rstrip(",;: ") + "…"
    cut = len(text)
    while cut and platform.length(text[:cut] + "…") > budget:
        cut -= 1
    return text[:cut] + "…" if cut else ""


def _thread(body: str, platform: Platform, tail: str) -> list[str]:
    cap = platform.limit - platform.length(_NUMBER_ROOM)
    posts: list[str] = []
    joint = ""
    for text, sep in _units(body, platform, cap):
        if posts and platform.length(posts[-1] + joint + text) <= cap:
            posts[-1] += joint + text
        else:
            posts.append(text)
        joint = sep
    posts = posts[: platform.max_posts]
    if tail:
        if platform.length(join(posts[-1], tail)) <= cap:
            posts[-1] = join(posts[-1], tail)
        elif len(posts) < platform.max_posts:
            posts.append(tail)
        else:
            room = cap - platform.length(join("x", tail)) + 1
            posts[-1] = join(trim(posts[-1], platform, room), tail)
    n = len(posts)
    return [f"{p} ({i}/{n})" if n > 1 else p for i, p in enumerate(posts, 1)]


def _units(body: str, platform: Platform, cap: int) -> list[tuple[str, str]]:
    """Sentences no longer than `cap`, each with what separated it from the next (a space,
    a line break or a blank line), so a thread keeps the text's lines and paragraphs."""
    units: list[list[str]] = []
    for line in body.strip().split("\n"):
        if not line.strip():
            if units:
                units[-1][1] = "\n\n"
            continue
        for sentence in (s for s in _IN_LINE.split(line.strip()) if s):
            while platform.length(sentence) > cap:  # one sentence longer than a post
                head = trim(sentence, platform, cap).rstrip("…") or sentence[: cap // 2]
                units.append([head.rstrip() + "…", " "])
                sentence = "…" + sentence[len(head) :].lstrip()
            units.append([sentence, " "])
        units[-1][1] = "\n"
    return [(text, sep) for text, sep in units]
