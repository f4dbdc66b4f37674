"""Regular-expression rules as Presidio recognizers, with context checks in plain Python.

Presidio's own context mechanism boosts a score when a lemma appears nearby; a clinical
draft needs sharper tests ("7/10" after "pain" is a score, not a date), so each rule may
carry a check that sees the whole text and the match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

Check = Callable[[str, "regex.Match[str]"], "str | bool | None"]


@dataclass(frozen=True)
class Rule:
    """One pattern. `group` picks the part of the match that is the finding.

    `check` returns False to drop a match, True to keep it as `type`, or the name of
    another type to re-type it (an age over 89 becomes AGE_90_PLUS).
    """

    type: str
    pattern: regex.Pattern[str]
    score: float = 0.85
    group: int | str = 0
    check: Check | None = None
    retypes: tuple[str, ...] = ()


def rx(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    return regex.compile(pattern, flags | regex.VERSION1)


class RuleRecognizer(EntityRecognizer):
    """A Presidio recognizer that runs a list of rules."""

    def __init__(self, name: str, rules: Sequence[Rule]) -> None:
        self._rules = list(rules)
        entities = sorted({t for r in rules for t in (r.type, *r.retypes)})
        super().__init__(supported_entities=entities, name=name, supported_language="en")

    def load(self) -> None:
        """Nothing to load: the patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for rule in self._rules:
            for m in rule.pattern.finditer(text):
                start, end = m.span(rule.group)
                if start < 0 or start == end:
                    continue
                kind = rule.check(text, m) if rule.check else True
                if kind is False or kind is None:
                    continue
                out.append(
                    RecognizerResult(rule.type if kind is True else kind, start, end, rule.score)
                )
        return out


def words_before(text: str, start: int, n: int = 3) -> list[str]:
    """The last `n` words before `start`, lower-cased."""
    return [w.lower() for w in _WORD.findall(text, max(0, start - 60), start)][-n:]


def word_after(text: str, end: int) -> str:
    m = _WORD.search(text, end, min(len(text), end + 40))
    return m.group().lower() if m else ""


_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’]*")
