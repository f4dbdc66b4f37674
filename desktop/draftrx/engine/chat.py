"""Turn chat messages into the model's own prompt format, using the template in the GGUF.

A chat template is a program that comes with the model file. It runs in Jinja's immutable
sandbox with bounded ranges, repetitions, powers and format widths, under a time and an
output limit, so a broken or hostile one is refused in one sentence instead of raising a
traceback, hanging the load or filling the memory.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from functools import wraps
from types import FrameType
from typing import Any

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from draftrx.engine.errors import ChatTemplateError

Message = dict[str, str]

_PROBE: list[Message] = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "Hello."},
]
DEADLINE_S = 2.0  # a real template formats a conversation in about a millisecond
MAX_OUTPUT = 4 * 2**20  # characters: far more than any context DraftRx fills
MAX_ITEMS = 100_000  # the longest text or list one operation may build (Jinja's MAX_RANGE)
_MAX_POWER_BITS = 4096
_WIDE_FORMAT = re.compile(r"\d{6,}")  # a width or precision of a million or more
# Filters whose whole-number arguments are widths or counts of what they build.
_SIZED_FILTERS = ("center", "indent", "wordwrap", "truncate", "batch", "slice")


class _TooCostly(BaseException):
    """A render ran past its time or output limit. A BaseException, so that no `except
    Exception` inside Jinja's runtime swallows it."""


def _check_sizes(values: Sequence[Any]) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ITEMS:
            raise SecurityError(f"a size of {value:,} exceeds {MAX_ITEMS:,}")


def _check_format(text: Any) -> None:
    """A format string (the template's own, never a message) with no huge width."""
    if isinstance(text, str) and _WIDE_FORMAT.search(text):
        raise SecurityError("a format width of a million characters or more")


def _bounded(func: Callable[..., Any], *, formats: bool = False) -> Callable[..., Any]:
    """A filter that refuses widths and counts above MAX_ITEMS (and, for `format`, huge
    widths in its format string); wraps keeps Jinja's pass_context/pass_environment marks."""

    @wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        _check_sizes([*args, *kwargs.values()])
        if formats and args:
            _check_format(args[0])
        return func(*args, **kwargs)

    return call


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox llama-cpp-python formats with, plus limits on what one operation builds:
    `'x' * 10**9`, `10**10**10` and `'%999999999s'` run in C, past any time limit."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(
            loader=jinja2.BaseLoader(),
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=[Jinja2ChatFormatter.IgnoreGenerationTags, jinja2.ext.loopcontrols],
        )
        self.filters["tojson"] = Jinja2ChatFormatter.tojson
        for name in _SIZED_FILTERS:
            self.filters[name] = _bounded(self.filters[name])
        self.filters["format"] = _bounded(self.filters["format"], formats=True)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:  # fmt: skip
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int):
                    _check_sizes([len(seq) * times])
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right * abs(left).bit_length() > _MAX_POWER_BITS:
                raise SecurityError("a power too large to compute")
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
            _check_sizes(right if isinstance(right, tuple) else [right])
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:  # fmt: skip
        _check_sizes([*args, *kwargs.values()])
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:  # `'{:>999999999}'.format(...)`
            _check_format(value.__self__)
        return wrapped


def _raise_exception(message: str) -> None:
    raise ValueError(message)


class ChatTemplate:
    """A model's Jinja chat template, checked once so a broken one fails at load, not mid-use.

    Some templates (Gemma's, Mistral's older ones) reject a system message; for those the
    system text is folded into the first user message, which is what their authors intend.
    `source` names the model file in the one-sentence refusals.
    """

    def __init__(
        self, template: str, *, bos_token: str, eos_token: str, source: str = "the model"
    ) -> None:
        self.source = source
        self._tokens = {"bos_token": bos_token, "eos_token": eos_token}
        try:
            self._template = _Environment().from_string(template)
        except Exception as exc:  # a syntax error, or an error raised while compiling
            raise self._refuse(f"is not valid Jinja ({_short(exc)})") from None
        self.fold_system = False
        try:
            self._render(_PROBE, detail=True)
        except ChatTemplateError as first:
            if "cannot format" not in str(first):
                raise  # too slow or too large: folding the system text will not help
            self.fold_system = True
            self._render(_PROBE, detail=True)

    def render(self, messages: Sequence[Message]) -> str:
        return self._render(messages, detail=False)

    def _refuse(self, what: str) -> ChatTemplateError:
        return ChatTemplateError(
            f"The chat template of {self.source} {what}; choose another model."
        )

    def _render(self, messages: Sequence[Message], *, detail: bool) -> str:
        """Render within DEADLINE_S and MAX_OUTPUT. `detail` quotes the template's own error,
        which for real messages could quote the draft, so only the probe's is quoted."""
        if self.fold_system:
            messages = _fold_system(messages)
        chunks = self._template.generate(
            messages=list(messages),
            add_generation_prompt=True,
            raise_exception=_raise_exception,
            strftime_now=Jinja2ChatFormatter.strftime_now,
            functions=None,
            function_call=None,
            tools=None,
            tool_choice=None,
            **self._tokens,
        )
        try:
            return _within_limits(chunks)
        except _TooCostly as exc:
            raise self._refuse(str(exc)) from None
        except SecurityError as exc:
            raise self._refuse(f"does what a template may not ({_short(exc)})") from None
        except Exception as exc:  # the template's own error, or any error of its code
            reason = f" ({_short(exc)})" if detail else f" ({type(exc).__name__})"
            raise self._refuse(f"cannot format a conversation{reason}") from None


def _within_limits(chunks: Iterator[str]) -> str:
    """Join a render's output, stopping it past DEADLINE_S or MAX_OUTPUT characters.

    The time limit is checked at every line of Python the render runs (a trace function),
    so loops that print nothing are stopped too; any tracer already set (a debugger,
    coverage) is put back afterwards.
    """
    deadline = time.monotonic() + DEADLINE_S

    def trace(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        if time.monotonic() > deadline:
            raise _TooCostly(f"took more than {DEADLINE_S:g} seconds to format a conversation")
        return trace

    out: list[str] = []
    size = 0
    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise _TooCostly(f"wrote more than {MAX_OUTPUT:,} characters for a conversation")
            out.append(chunk)
    finally:
        sys.settrace(previous)
    return "".join(out)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"


def _fold_system(messages: Sequence[Message]) -> list[Message]:
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if system and rest and rest[0]["role"] == "user":
        rest[0]["content"] = f"{system}\n\n{rest[0]['content']}"
    elif system:
        rest.insert(0, {"role": "user", "content": system})
    return rest
