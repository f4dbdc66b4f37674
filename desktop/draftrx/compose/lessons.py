"""A take-home message from DraftRx's library, for a draft that states none.

A case told as a story ("3am, 6-week-old, temp 38.4, LP showed meningitis.") often has no
sentence of advice in it, and the default 0.5B model's one-line slot rarely found the
lesson in it ("Spinal tap showed bacterial meningitis."). The library (`prompts/lessons.toml`)
holds plain-language public-health messages, each with the groups of patterns a draft must
all match to be about it (the condition, and where the advice depends on it, who has it),
and example drafts. Of the entries a draft matches, a broader one gives way to a narrower
one (a TIA's message beats a stroke's), and the one sharing most words with the draft wins.
The window and the command line say the message is the library's, for the physician to
check. The library was written for DraftRx from public guidance (CDC, AAP, NHS, AHA), not
from the evaluation's drafts.

A comment or a direct message tells the same topic in everyday words ("his smile looked
crooked and he was slurring", "my 5 week old feels hot"), so each group also has lay
patterns (`lay`), written apart from the lay messages they were measured on, that only a
member of the public's text is matched with: on physicians' drafts they read a marathon
runner's water as alcohol.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import regex

from draftrx.compose.prompts import prompt_path, read_toml
from draftrx.compose.wording import content_words

_MAX_CHARS = 280


@dataclass(frozen=True)
class Lesson:
    id: str
    topic: str
    groups: tuple[tuple[regex.Pattern[str], ...], ...]  # every group must match, any pattern in it
    message: str
    examples: tuple[str, ...]
    lay: tuple[tuple[regex.Pattern[str], ...], ...] = ()  # added to the groups, for the public

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        return frozenset(content_words(" ".join((self.topic, self.message, *self.examples))))

    def hits(self, text: str, lay: bool = False) -> int:
        """How often the text mentions the entry's patterns (and its lay ones, for a member
        of the public's text); 0 unless every group matches."""
        lay_groups = self.lay if lay and self.lay else ((),) * len(self.groups)
        counts = [sum(len(p.findall(text)) for p in (*group, *extra))
                  for group, extra in zip(self.groups, lay_groups, strict=True)]  # fmt: skip
        return sum(counts) if all(counts) else 0


def matching(text: str, folder: Path | None = None, lay: bool = False) -> Lesson | None:
    """The library's lesson for `text`: of the entries it matches (every group), leaving
    out one broader than another matched (a stroke's, when a TIA's matches too), the one
    that shares most with the draft: its patterns' hits and the content words of its
    topic, message and examples. A case booked as a panic attack that was a clot mentions
    anxiety more often than the clot, but far fewer of the clot's words."""
    lessons = library(folder)
    hits = {lesson.id: n for lesson in lessons if (n := lesson.hits(text, lay))}
    broader = _broader(lessons)
    words = content_words(text)

    def score(lesson: Lesson) -> tuple[int, int, int]:
        shared = len(lesson.vocabulary & words) + hits[lesson.id]
        return shared, len(lesson.groups), hits[lesson.id]

    found = [lesson for lesson in lessons if lesson.id in hits
             and not broader.get(lesson.id, set()) & hits.keys()]  # fmt: skip
    return max(found, key=score, default=None)


# A word names an entry's topic when few entries use it: "ferritin", "floaters", not
# "doctor" or "week", which most messages share.
_DISTINCT_SHARE = 0.04
_DISTINCT_WORDS = 2


def confident(text: str, folder: Path | None = None) -> Lesson | None:
    """The library's lesson for a member of the public's `text`, lay patterns included, only
    where it shares at least two distinctive words with it. A comment names its topic in
    passing, and `matching` alone paired a teenager's overdose with the insomnia lesson (on
    "sleeping pills") and bleach fumes with burns."""
    lesson = matching(text, folder, lay=True)
    if lesson is None:
        return None
    common = _common(library(folder))
    distinct = {w for w in lesson.vocabulary & content_words(text)
                if not w.isdigit() and w not in common}  # fmt: skip
    return lesson if len(distinct) >= _DISTINCT_WORDS else None


@cache
def _common(lessons: tuple[Lesson, ...]) -> frozenset[str]:
    """Words that more than a few entries use."""
    counts = Counter(w for lesson in lessons for w in lesson.vocabulary)
    return frozenset(w for w, n in counts.items() if n > _DISTINCT_SHARE * len(lessons))


def library(folder: Path | None = None) -> tuple[Lesson, ...]:
    """The lessons in `folder`'s (else the user's or the shipped) lessons.toml; none when a
    prompts folder of the physician's own has no library."""
    path = prompt_path("lessons", folder)
    return _load(path, path.stat().st_mtime_ns) if path.is_file() else ()


@cache
def _broader(lessons: tuple[Lesson, ...]) -> dict[str, set[str]]:
    """For each entry, the entries it is broader than: it matches one of their examples,
    and they match none of its own."""
    def covers(wide: Lesson, narrow: Lesson) -> bool:
        return any(wide.hits(e) for e in narrow.examples)

    return {
        wide.id: {narrow.id for narrow in lessons if narrow is not wide
                  and covers(wide, narrow) and not covers(narrow, wide)}
        for wide in lessons
    }  # fmt: skip


@cache
def _load(path: Path, _mtime: int) -> tuple[Lesson, ...]:
    """Parsed once per version of the file; a bad entry is refused with its id."""
    raw = read_toml("lessons", path.parent, ("lesson",))["lesson"]
    lessons = []
    for n, entry in enumerate(raw, 1):
        name = entry.get("id", f"number {n}") if isinstance(entry, dict) else f"number {n}"
        try:
            groups, lay = _compiled(entry["all"]), _compiled(entry.get("lay", ()))
            lesson = Lesson(str(entry["id"]), str(entry["topic"]), groups,
                            str(entry["message"]).strip(),
                            tuple(str(e) for e in entry.get("examples", ())), lay)  # fmt: skip
        except (KeyError, TypeError, regex.error) as exc:
            raise ValueError(f"The lesson {name} in {path} is not valid ({exc}).") from None
        if (not groups or not all(groups) or not 0 < len(lesson.message) <= _MAX_CHARS
                or (lay and len(lay) != len(groups))):  # fmt: skip
            raise ValueError(
                f"The lesson {name} in {path} needs patterns in every group, as many lay "
                f"groups as groups, if any, and a message of 1 to {_MAX_CHARS} characters."
            )
        lessons.append(lesson)
    return tuple(lessons)


def _compiled(groups: list[list[str]]) -> tuple[tuple[regex.Pattern[str], ...], ...]:
    return tuple(tuple(regex.compile(p, regex.IGNORECASE) for p in group) for group in groups)
