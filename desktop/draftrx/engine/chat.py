"""Turn chat messages into the model's own prompt format, using the template in the GGUF."""

from __future__ import annotations

from collections.abc import Sequence

import jinja2
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from draftrx.engine.errors import ChatTemplateError

Message = dict[str, str]

_PROBE: list[Message] = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "Hello."},
]


class ChatTemplate:
    """A model's Jinja chat template, checked once so a broken one fails at load, not mid-use.

    Some templates (Gemma's, Mistral's older ones) reject a system message; for those the
    system text is folded into the first user message, which is what their authors intend.
    """

    def __init__(self, template: str, *, bos_token: str, eos_token: str) -> None:
        try:
            self._formatter = Jinja2ChatFormatter(
                template=template, eos_token=eos_token, bos_token=bos_token
            )
        except jinja2.TemplateError as exc:
            raise ChatTemplateError(
                f"The model's chat template is not valid Jinja: {exc}"
            ) from None
        self.fold_system = False
        try:
            self.render(_PROBE)
        except ChatTemplateError:
            self.fold_system = True
            self.render(_PROBE)

    def render(self, messages: Sequence[Message]) -> str:
        if self.fold_system:
            messages = _fold_system(messages)
        try:
            return self._formatter(messages=list(messages)).prompt
        except (jinja2.TemplateError, ValueError, TypeError, KeyError) as exc:
            raise ChatTemplateError(
                f"The model's chat template cannot format this conversation: {exc}"
            ) from None


def _fold_system(messages: Sequence[Message]) -> list[Message]:
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if system and rest and rest[0]["role"] == "user":
        rest[0]["content"] = f"{system}\n\n{rest[0]['content']}"
    elif system:
        rest.insert(0, {"role": "user", "content": system})
    return rest
