"""Platform profiles (prompts/platforms.toml): limits, counting rules, style, disclaimer form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from draftrx.compose.length import COUNTERS, UNITS
from draftrx.compose.prompts import load_instruction, read_toml


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    limit: int
    counting: str
    target: int  # the length the model is asked for, leaving room for the disclaimer
    style: str
    disclaimer: str = "long"  # "short" where space is tight
    thread: bool = False  # too long a post becomes numbered posts
    max_posts: int = 1
    hook: int | None = None  # characters shown before "see more"
    max_hashtags: int | None = None
    caption_limit: int | None = None  # TikTok: the script is counted in words, the caption here

    def length(self, text: str) -> int:
        return COUNTERS[self.counting](text)

    @property
    def unit(self) -> str:
        return UNITS[self.counting]


def load_platforms(
    folder: Path | None = None, limits: Mapping[str, int] | None = None
) -> dict[str, Platform]:
    """Every profile, with per-user limit overrides (e.g. a Mastodon server's own limit)."""
    data = read_toml("platforms", folder)
    found: dict[str, Platform] = {}
    for key, raw in data.items():
        if not isinstance(raw, dict):
            continue
        try:
            platform = Platform(id=key, **raw)
        except TypeError as exc:
            raise ValueError(f"The platform profile '{key}' is malformed: {exc}") from None
        if platform.counting not in COUNTERS:
            raise ValueError(
                f"The platform profile '{key}' counts by '{platform.counting}'; "
                f"use one of {', '.join(COUNTERS)}."
            )
        found[key] = platform
    for key, limit in (limits or {}).items():
        if key not in found:
            raise ValueError(f"A limit is set for '{key}', which is not a known platform.")
        if not isinstance(limit, int) or limit < 20:
            raise ValueError(f"The limit for {found[key].name} must be a number of 20 or more.")
        p = found[key]
        found[key] = replace(p, limit=limit, target=min(p.target, limit * 4 // 5))
    return found


def choose(spec: str, platforms: Mapping[str, Platform]) -> list[Platform]:
    """'x,linkedin' -> profiles, with one clear message naming what is unknown."""
    names = [n.strip().lower() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in platforms]
    if unknown:
        raise ValueError(
            f"Unknown platform {', '.join(unknown)}; choose from {', '.join(platforms)}."
        )
    return [platforms[n] for n in dict.fromkeys(names)]


def platform_instruction(platform: Platform | None, folder: Path | None = None) -> str:
    """The platform's instruction, appended last to a task prompt ("" for a general post)."""
    if platform is None:
        return ""
    return load_instruction("variant", folder, name=platform.name, style=platform.style,
                            target=platform.target, unit=platform.unit)  # fmt: skip
