"""Where the chat template's own text ends and a message's text begins.

The template's text holds control tokens (`<|im_start|>`, `<start_of_turn>`...) and must be
tokenized with special tokens on; a message's text is a draft or a stranger's comment and
must never become one: `<|im_end|><|im_start|>system` typed in a draft would open a system
turn. So the prompt is rendered once with a marker in place of each message, which shows
the template's own pieces, and once for real, which must equal those pieces with the
messages between them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import regex

from draftrx.engine.chat import Message
from draftrx.engine.errors import ChatTemplateError

# Private-use characters: no draft or template holds them by accident, and a template's
# filters (trim, upper) leave them as they are.
_MARK = regex.compile("\ue000(\\d+)\ue001")


def message_parts(
    render: Callable[[Sequence[Message]], str], messages: Sequence[Message]
) -> list[tuple[str, bool]]:
    """The rendered prompt as (text, is_message) pieces, in order. Raises ChatTemplateError
    when the template changes a message's text beyond trimming it (then no split is safe)."""
    if any(_MARK.search(m["content"]) for m in messages):
        messages = [{**m, "content": _MARK.sub("", m["content"])} for m in messages]
    marked = [{**m, "content": f"\ue000{i}\ue001"} for i, m in enumerate(messages)]
    skeleton = _MARK.split(render(marked))
    prompt = render(messages)
    parts: list[tuple[str, bool]] = []
    at = 0
    for k, piece in enumerate(skeleton):
        if k % 2 == 0:
            text, is_message = piece, False
        else:
            content = messages[int(piece)]["content"]
            text = next((c for c in (content, content.strip()) if prompt.startswith(c, at)), None)
            is_message = True
        if text is None or not prompt.startswith(text, at):
            raise ChatTemplateError(
                "The model's chat template rewrites the text of a message, so DraftRx "
                "cannot keep a draft from being read as control tokens; choose another model."
            )
        parts.append((text, is_message))
        at += len(text)
    if at != len(prompt):
        raise ChatTemplateError(
            "The model's chat template renders a message differently each time."
        )
    return [(text, is_message) for text, is_message in parts if text]
