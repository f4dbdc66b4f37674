"""Prompt templates: one TOML file per task in prompts/, versioned, data not code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from draftrx import paths

Message = dict[str, str]


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    version: int
    description: str
    system: str
    user: str

    def messages(self, draft: str) -> list[Message]:
        """System text first and the draft before the instruction, so variants share a prefix."""
        return [
            {"role": "system", "content": self.system.strip()},
            {"role": "user", "content": self.user.strip().replace("{draft}", draft.strip())},
        ]


def load_prompt(task: str, folder: Path | None = None) -> PromptTemplate:
    path = (folder or paths.resource_dir("prompts")) / f"{task}.toml"
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ValueError(f"There is no prompt for the task '{task}' ({path}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"The prompt file {path} is not valid TOML: {exc}") from None
    missing = {"id", "version", "system", "user"} - data.keys()
    if missing:
        raise ValueError(f"The prompt file {path} lacks {', '.join(sorted(missing))}.")
    if "{draft}" not in data["user"]:
        raise ValueError(f"The prompt file {path} never places the draft ({{draft}}).")
    return PromptTemplate(
        id=data["id"],
        version=int(data["version"]),
        description=data.get("description", ""),
        system=data["system"],
        user=data["user"],
    )
