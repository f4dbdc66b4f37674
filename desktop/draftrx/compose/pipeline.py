"""From a draft to checked platform variants: protect, write, protect again, fit, check, diff.

The model only ever sees the fictionalised draft. Each variant's prompt is the task prompt
with the platform's instruction last, so all variants share one cached prefix. What the
model writes is scanned again, shortened (asked once more) or cut into a thread where it
is too long, given its disclaimer by code, checked, and diffed against the draft.

`Composer` takes any `stream(messages, params)` with the engine's interface, so the GUI
can run it on the engine's worker thread and tests can run it on a fake engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import regex

from draftrx.compose import phrases
from draftrx.compose.checks import Check, run_checks, worst
from draftrx.compose.diff import Change, word_diff
from draftrx.compose.disclaimers import Tail, tail_for
from draftrx.compose.fit import fit_posts, join, trim
from draftrx.compose.platforms import Platform
from draftrx.compose.prompts import (
    REPLY_TASKS,
    Message,
    PromptTemplate,
    load_instruction,
    load_prompt,
)
from draftrx.compose.settings import Settings
from draftrx.engine.events import GenerationParams, StreamEvent, StreamStats, TextPiece
from draftrx.privacy.fictionalise import Mode, Result, fictionalise
from draftrx.privacy.findings import Finding
from draftrx.privacy.rescan import scrub
from draftrx.privacy.scanner import Scanner

StreamFn = Callable[[Sequence[Message], GenerationParams], Iterator[StreamEvent]]
_PREAMBLE = regex.compile(r"(?i)^(?:here(?:'s| is)[^\n]{0,60}|[^\n]{0,40}\bpost[^\n]{0,20}):\s*\n")
_MARKDOWN = regex.compile(r"\*\*|__|^#{1,6}\s+", regex.MULTILINE)
_HASHTAG = regex.compile(rf"\s*{phrases.HASHTAG.pattern}")


@dataclass(frozen=True)
class Request:
    draft: str
    task: str = "educational"
    platforms: tuple[Platform, ...] = ()  # none: one general post, no length limit
    privacy: Mode = Mode.FICTIONALISE
    keep: tuple[Finding, ...] = ()  # findings the physician chose to leave as written
    sponsor: str | None = None  # None: not sponsored; "": sponsored, sponsor unnamed
    seed: int | None = None  # stand-in choice, for reproducible runs


@dataclass(frozen=True)
class Protected:
    """The draft as the model sees it, and how it got there."""

    findings: list[Finding]
    result: Result


@dataclass
class Variant:
    platform: Platform | None
    posts: list[str]  # one post, or a numbered thread
    caption: str | None  # TikTok: the caption under the spoken script
    tail: Tail
    shortened: bool
    checks: list[Check] = field(default_factory=list)
    diff: list[Change] = field(default_factory=list)
    stats: list[StreamStats] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Everything the physician will copy, in the order they will copy it."""
        parts = ["\n\n".join(self.posts)]
        if self.caption is not None:
            parts.append(f"Caption:\n{self.caption}")
        return "\n\n".join(parts)

    @property
    def severity(self) -> str:
        return worst(self.checks)


@dataclass(frozen=True)
class VariantStarted:
    platform: Platform | None
    attempt: str  # "write", or "shorten" when asked again for a shorter text


@dataclass(frozen=True)
class VariantDone:
    variant: Variant


ComposeEvent = VariantStarted | TextPiece | StreamStats | VariantDone


class Composer:
    def __init__(
        self,
        stream: StreamFn,
        scanner: Scanner,
        settings: Settings | None = None,
        prompts: Path | None = None,
        cancel: Callable[[], None] | None = None,
    ) -> None:
        self._stream = stream
        self._cancel_stream = cancel or (lambda: None)
        self._cancelled = threading.Event()
        self.scanner = scanner
        self.settings = settings or Settings()
        self._prompts = prompts

    def cancel(self) -> None:
        """Stop the job: the stream in flight, and any variant not started yet. Any thread."""
        self._cancelled.set()
        self._cancel_stream()

    def protect(self, request: Request) -> Protected:
        findings = self.scanner.scan(request.draft)
        result = fictionalise(request.draft, findings, request.privacy,
                              keep=request.keep, seed=request.seed)  # fmt: skip
        return Protected(findings, result)

    def compose(
        self, request: Request, params: GenerationParams, protected: Protected | None = None
    ) -> Iterator[ComposeEvent]:
        """Check the request now (errors raise here), then return a generator that streams
        every variant in turn; a cancelled stream ends the whole job."""
        self._cancelled.clear()  # now, not at the first next(): a cancel may come before it
        protected = protected or self.protect(request)
        prompt = load_prompt(request.task, self._prompts)
        return self._variants(request, params, protected, prompt)

    def _variants(
        self,
        request: Request,
        params: GenerationParams,
        protected: Protected,
        prompt: PromptTemplate,
    ) -> Iterator[ComposeEvent]:
        for platform in request.platforms or (None,):
            instruction = ""
            if platform is not None:
                instruction = load_instruction("variant", self._prompts, name=platform.name,
                                               style=platform.style, target=platform.target,
                                               unit=platform.unit)  # fmt: skip
            messages = prompt.messages(protected.result.text, instruction)
            yield VariantStarted(platform, "write")
            stats: list[StreamStats] = []
            text = yield from self._run(messages, _params_for(platform, params), stats)
            if stats[-1].stop_reason == "cancelled":
                return
            body = self._clean(text, request, protected, platform)
            tail = tail_for(body, platform, self.settings, sponsor=request.sponsor)
            shortened = False
            if platform is not None and _too_long(body, platform, tail):
                shortened = True
                yield VariantStarted(platform, "shorten")
                follow = load_instruction("shorten", self._prompts, name=platform.name,
                                          length=platform.length(body), target=platform.target,
                                          unit=platform.unit)  # fmt: skip
                retry = [*messages, {"role": "assistant", "content": text},
                         {"role": "user", "content": follow}]  # fmt: skip
                text = yield from self._run(retry, _params_for(platform, params), stats)
                if stats[-1].stop_reason == "cancelled":
                    return
                body = self._clean(text, request, protected, platform)
                tail = tail_for(body, platform, self.settings, sponsor=request.sponsor)
            variant = self.finish(request, protected, platform, body, tail, shortened)
            variant.stats = stats
            yield VariantDone(variant)

    def finish(
        self,
        request: Request,
        protected: Protected,
        platform: Platform | None,
        body: str,
        tail: Tail,
        shortened: bool = False,
    ) -> Variant:
        """Fit, check and diff one variant's text; no model involved."""
        caption = None
        if platform is None:
            posts = [join(body, tail.text)]
        elif platform.caption_limit is not None:  # a spoken script: the tail goes in the caption
            script = trim(body, platform, platform.limit)
            posts = [script]
            first = regex.split(r"(?<=[.!?])\s", script, maxsplit=1)[0]
            caption = join(first, tail.text)
        else:
            posts = fit_posts(body, platform, tail.text)
        variant = Variant(platform, posts, caption, tail, shortened)
        final = variant.text
        added = _added(final, tail)
        reply = request.task in REPLY_TASKS
        variant.checks = run_checks(
            final, self.scanner, platform=platform, posts=posts, caption=caption,
            reply=reply, mapping=protected.result.mapping, sponsored=request.sponsor is not None,
            masked=added["numbering"], replying_to=protected.result.text if reply else None,
        )  # fmt: skip
        variant.diff = word_diff(
            request.draft, final,
            identifiers=[r.source for r in protected.result.replacements], added=added,
        )  # fmt: skip
        return variant

    def _run(
        self, messages: list[Message], params: GenerationParams, stats: list[StreamStats]
    ) -> Iterator[ComposeEvent]:
        pieces: list[str] = []
        events = self._stream(messages, params)
        if self._cancelled.is_set():  # cancelled before this stream existed to be cancelled
            self._cancel_stream()
        for event in events:
            if isinstance(event, StreamStats):
                stats.append(event)
            else:
                pieces.append(event.text)
            yield event
        return "".join(pieces)

    def _clean(
        self, text: str, request: Request, protected: Protected, platform: Platform | None
    ) -> str:
        """The model's text as a post: no preamble or quotes, identifiers replaced again."""
        text = _PREAMBLE.sub("", text.strip()).strip()
        text = _MARKDOWN.sub("", text)  # platforms show ** and ## literally
        if len(text) > 1 and text[0] in '"“' and text[-1] in '"”':
            text = text[1:-1].strip()
        text = scrub(text, protected.result.mapping, request.privacy, self.scanner)
        if platform is not None and platform.max_hashtags is not None:
            text = _drop_hashtags(text, platform.max_hashtags)
        return text


def _params_for(platform: Platform | None, params: GenerationParams) -> GenerationParams:
    """Room for the platform's limit (a token is ~3.5 characters, a word ~1.4 tokens)."""
    if platform is None:
        return params
    need = platform.limit * 2 if platform.unit == "words" else platform.limit // 3 + 32
    return replace(params, max_tokens=min(params.max_tokens, need))


def _too_long(body: str, platform: Platform, tail: Tail) -> bool:
    """Worth asking the model again: a thread absorbs length, anything else would be cut."""
    if platform.caption_limit is not None:
        return platform.length(body) > platform.limit
    if platform.thread:
        return platform.length(body) > platform.limit * platform.max_posts * 3 // 4
    return platform.length(join(body, tail.text)) > platform.limit


def _drop_hashtags(text: str, keep: int) -> str:
    """Instagram allows five: the ones after that go (from the end, where they gather)."""
    tags = list(_HASHTAG.finditer(text))
    for m in reversed(tags[keep:]):
        text = text[: m.start()] + text[m.end() :]
    return text.strip()


def _added(final: str, tail: Tail) -> dict[str, list[tuple[int, int]]]:
    """Where code-added text sits in the final text, with the blank line before it."""
    added = {
        reason: [m.span() for m in regex.finditer(rf"\s*{regex.escape(text)}", final)]
        for reason, text in (("disclaimer", tail.disclaimer), ("disclosure", tail.disclosure))
        if text
    }
    added["numbering"] = [m.span() for m in regex.finditer(r" \(\d+/\d+\)(?=\n|$)", final)]
    return added
