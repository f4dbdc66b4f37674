"""Prompt templates: one TOML file per task in prompts/, versioned, data not code.

A file of the same name in the user's prompts folder (config_dir/prompts) overrides the
shipped one, so a physician can tune wording without touching the installation.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from draftrx import paths

Message = dict[str, str]
TASKS = ("educational", "lesson", "reply-comment", "reply-review", "reply-dm")
REPLY_TASKS = frozenset(t for t in TASKS if t.startswith("reply-"))


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    version: int
    description: str
    system: str
    user: str
    examples: tuple[tuple[str, str, str], ...] = ()  # (draft, message, post), worked turns

    def messages(self, draft: str, instruction: str = "", message: str = "") -> list[Message]:
        """System text (with its examples), then the draft and its key `message`, then the
        task, then `instruction` (the platform's).

        Everything before the instruction is the same for every variant of one draft, so
        the engine keeps it cached and prefills only the platform's few tokens.
        """
        shown: list[Message] = [{"role": "system", "content": self.system.strip()}]
        for example, key, post in self.examples:
            shown.append({"role": "user", "content": self._user(example, key)})
            shown.append({"role": "assistant", "content": post.strip()})
        user = self._user(draft, message)
        if instruction:
            user = f"{user}\n\n{instruction.strip()}"
        return [*shown, {"role": "user", "content": user}]

    def _user(self, draft: str, message: str) -> str:
        user = self.user.strip().replace("{draft}", _quoted(draft, self.user) or "(none)")
        if not message.strip():  # no message: the lines that would give it go
            user = "\n".join(line for line in user.split("\n") if "{message}" not in line)
        return user.replace("{message}", message.strip())


def _quoted(draft: str, user: str) -> str:
    """The draft without the tags that quote it in `user` ("<comment>{draft}</comment>"):
    a comment that writes "</comment>" cannot step outside its quote."""
    draft = draft.strip()
    for tag in regex.findall(r"<(\w+)>\s*\{draft\}\s*</\1>", user):
        draft = regex.sub(rf"(?i)<\s*/?\s*{tag}\s*>", "", draft).strip()
    return draft


def prompt_path(name: str, folder: Path | None = None) -> Path:
    """The user's override if there is one, else the shipped file."""
    if folder is None:
        own = paths.config_dir() / "prompts" / f"{name}.toml"
        if own.is_file():
            return own
        folder = paths.resource_dir("prompts")
    return folder / f"{name}.toml"


def read_toml(
    name: str, folder: Path | None = None, required: tuple[str, ...] = ()
) -> dict[str, Any]:
    path = prompt_path(name, folder)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ValueError(f"There is no prompt file '{name}' ({path}).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"The prompt file {path} is not valid TOML: {exc}") from None
    missing = set(required) - data.keys()
    if missing:
        raise ValueError(f"The prompt file {path} lacks {', '.join(sorted(missing))}.")
    return data


def load_prompt(task: str, folder: Path | None = None) -> PromptTemplate:
    path = prompt_path(task, folder)
    if not path.is_file():
        raise ValueError(f"There is no prompt for the task '{task}' ({path}).")
    data = read_toml(task, folder, ("id", "version", "system", "user"))
    if "{draft}" not in data["user"]:
        raise ValueError(f"The prompt file for '{task}' never places the draft ({{draft}}).")
    return PromptTemplate(
        id=data["id"],
        version=int(data["version"]),
        description=data.get("description", ""),
        system=data["system"],
        user=data["user"],
        examples=_examples(data.get("examples", []), task),
    )


def _examples(raw: object, task: str) -> tuple[tuple[str, str, str], ...]:
    """Worked examples, shown as earlier turns: small models copy a pattern they were
    shown far better than they follow a rule, and as turns they copy its words less."""
    try:
        return tuple((str(e["draft"]), str(e.get("message", "")), str(e["post"]))
                     for e in raw)  # type: ignore[union-attr]  # fmt: skip
    except (TypeError, KeyError):
        raise ValueError(
            f"The prompt file for '{task}' has an example without draft and post."
        ) from None


def load_instruction(file: str, folder: Path | None = None, **values: object) -> str:
    """A follow-up instruction file (variant, shorten) with its {placeholders} filled."""
    text = read_toml(file, folder, ("id", "version", "instruction"))["instruction"]
    try:
        return text.strip().format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"The prompt file '{file}' uses an unknown placeholder: {exc}") from None
