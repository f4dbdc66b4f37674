"""The physician's own texts and limits (config_dir/settings.toml), read by CLI and app alike.

[disclaimer]
long = "General education, not medical advice."
short = "Not medical advice."
x = "..."                  # one platform's own text
[disclosure]
statement = "I consult for Acme Pharma."   # added when a post names a brand or product
[limits]
mastodon = 1000            # your server's limit
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftrx import paths

# Candidates written per platform, in one batch; the checks choose the best (README, "Best
# of n"). Two keeps a rewrite within 1.5x the time of one candidate on a 2-core CPU.
DEFAULT_CANDIDATES = 2

LONG_DISCLAIMER = (
    "This post is general education, not medical advice. Talk to your own doctor about your health."
)
SHORT_DISCLAIMER = "General info, not medical advice."


@dataclass(frozen=True)
class Settings:
    disclaimer: str = LONG_DISCLAIMER
    short_disclaimer: str = SHORT_DISCLAIMER
    platform_disclaimers: dict[str, str] = field(default_factory=dict)
    coi_statement: str = ""  # the physician's standing conflict-of-interest statement
    limits: dict[str, int] = field(default_factory=dict)

    def disclaimer_for(self, platform_id: str | None, form: str = "long") -> str:
        if platform_id in self.platform_disclaimers:
            return self.platform_disclaimers[platform_id]
        return self.short_disclaimer if form == "short" else self.disclaimer


def settings_path() -> Path:
    return paths.config_dir() / "settings.toml"


@dataclass(frozen=True)
class Rule:
    """What one key takes; `expected` says it in the refusal's words."""

    expected: str
    accepts: Callable[[object], bool]


@dataclass(frozen=True)
class Table:
    """A table's fixed keys, and the rule for keys that are platform ids (if it takes them)."""

    keys: dict[str, Rule]
    per_platform: Rule | None = None

    def names(self, platforms: Iterable[str]) -> str:
        return ", ".join([*self.keys, *(platforms if self.per_platform else [])])


MAX_LIMIT = 1_000_000
TEXT = Rule("text in quotes", lambda v: isinstance(v, str))
LIMIT = Rule(f"a whole number from 20 to {MAX_LIMIT:,}",
             lambda v: type(v) is int and 20 <= v <= MAX_LIMIT)  # fmt: skip

# The whole file. A key not here is refused, so a misspelt one is not silently ignored.
SCHEMA: dict[str, Table] = {
    "disclaimer": Table({"long": TEXT, "short": TEXT}, per_platform=TEXT),
    "disclosure": Table({"statement": TEXT}),
    "limits": Table({}, per_platform=LIMIT),
}


def load_settings(path: Path | None = None) -> Settings:
    """Defaults when there is no file; a broken file is an error, never silently ignored."""
    path = path or settings_path()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return Settings()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"The settings file {path} is not valid TOML: {exc}") from None
    _check(data, path)
    disclaimer = dict(data.get("disclaimer", {}))
    long_text = disclaimer.pop("long", LONG_DISCLAIMER)
    short_text = disclaimer.pop("short", SHORT_DISCLAIMER)
    statement = data.get("disclosure", {}).get("statement", "")
    return Settings(long_text, short_text, disclaimer, statement, dict(data.get("limits", {})))


def _check(data: dict[str, Any], path: Path) -> None:
    """Hold the file to SCHEMA; one sentence names the file, the key and what it takes."""
    from draftrx.compose.platforms import load_platforms

    platforms = load_platforms()
    for name, value in data.items():
        table = SCHEMA.get(name)
        if table is None:
            raise ValueError(f"The settings file {path} has an unknown key {name!r}; it takes "
                             f"{', '.join(SCHEMA)}.")  # fmt: skip
        if not isinstance(value, dict):
            raise ValueError(f"The settings file {path} has a value of the wrong kind: {name} "
                             f"is {_kind(value)}, where a table [{name}] of "
                             f"{table.names(platforms)} is expected.")  # fmt: skip
        for key, item in value.items():
            rule = table.keys.get(key) or (table.per_platform if key in platforms else None)
            if rule is None:
                raise ValueError(f"The settings file {path} has an unknown key {key!r} in "
                                 f"[{name}]; it takes {table.names(platforms)}.")  # fmt: skip
            if not rule.accepts(item):
                raise ValueError(f"The settings file {path} has a value of the wrong kind: "
                                 f"{name}.{key} is {_kind(item)}, where {rule.expected} is "
                                 "expected.")  # fmt: skip


def _kind(value: object) -> str:
    """A TOML value described without quoting text (a disclaimer may be half-written)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    kinds = {str: "text", list: "a list", dict: "a table"}
    return next((v for k, v in kinds.items() if isinstance(value, k)), "a date or time")
