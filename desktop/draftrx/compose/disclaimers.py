"""Disclaimers and conflict-of-interest disclosures, added by code, never by the model.

A model may drop, reword or invent a disclaimer; code adds the physician's own text, in
the platform's short or long form, and the diff labels it as added.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from draftrx.compose import phrases
from draftrx.compose.platforms import Platform
from draftrx.compose.settings import Settings

_LABELLED = regex.compile(r"(?i)(?:disclosures?|conflicts? of interest|coi)\b|#ad\b")


@dataclass(frozen=True)
class Tail:
    disclosure: str = ""
    disclaimer: str = ""

    @property
    def text(self) -> str:
        return "\n".join(t for t in (self.disclosure, self.disclaimer) if t)


def tail_for(
    body: str,
    platform: Platform | None,
    settings: Settings,
    *,
    sponsor: str | None = None,
) -> Tail:
    """`sponsor` is None for an unsponsored post, "" when sponsored by someone unnamed."""
    short = platform is not None and platform.disclaimer == "short"
    disclaimer = settings.disclaimer_for(platform.id if platform else None,
                                         "short" if short else "long")  # fmt: skip
    return Tail(_disclosure(body, settings, sponsor, short), disclaimer.strip())


def _disclosure(body: str, settings: Settings, sponsor: str | None, short: bool) -> str:
    if sponsor is not None:
        who = f" with {sponsor.strip()}" if sponsor.strip() else ""
        return f"#ad Paid partnership{who}." if short else f"Disclosure: paid partnership{who}."
    mentions = phrases.BRAND.search(body) or phrases.SPONSOR.search(body)
    statement = settings.coi_statement.strip()
    if not mentions or not statement or phrases.DISCLOSED.search(body):
        return ""
    return statement if _LABELLED.match(statement) else f"Disclosure: {statement}"
