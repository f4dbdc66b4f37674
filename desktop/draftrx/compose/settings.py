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
from dataclasses import dataclass, field
from pathlib import Path

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


def load_settings(path: Path | None = None) -> Settings:
    """Defaults when there is no file; a broken file is an error, never silently ignored."""
    path = path or settings_path()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return Settings()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"The settings file {path} is not valid TOML: {exc}") from None
    disclaimer = dict(data.get("disclaimer", {}))
    long_text = disclaimer.pop("long", LONG_DISCLAIMER)
    short_text = disclaimer.pop("short", SHORT_DISCLAIMER)
    texts = [long_text, short_text, *disclaimer.values()]
    limits = data.get("limits", {})
    statement = data.get("disclosure", {}).get("statement", "")
    if not all(isinstance(t, str) for t in [*texts, statement]) or not isinstance(limits, dict):
        raise ValueError(f"The settings file {path} has a disclaimer or limit of the wrong kind.")
    return Settings(long_text, short_text, disclaimer, statement, dict(limits))
