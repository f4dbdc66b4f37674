"""From a draft to checked platform variants: protect, write, protect again, fit, check, diff.

The model only ever sees the fictionalised draft. Each variant's prompt is the task prompt
with the platform's instruction last, so all variants share one cached prefix. What the
model writes is scanned again, shortened (asked once more) or cut into a thread where it
is too long, given its disclaimer by code, checked, and diffed against the draft.

`Composer` takes any `stream(messages, params)` with the engine's interface, so the GUI
can run it on the engine's worker thread and tests can run it on a fake engine. Given the
engine's `stream_batch` too, it writes all platforms' variants at once, one batch per
step over the shared cached prefix; each variant's text is tagged with its platform, and
each can be stopped alone.
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
    platform_instruction,
)
from draftrx.compose.settings import Settings
from draftrx.engine.events import (
    GenerationParams,
    SequenceEvent,
    StreamEvent,
    StreamStats,
    TextPiece,
)
from draftrx.privacy.fictionalise import Mode, Result, fictionalise
from draftrx.privacy.findings import Finding
from draftrx.privacy.rescan import scrub
from draftrx.privacy.scanner import Scanner

StreamFn = Callable[[Sequence[Message], GenerationParams], Iterator[StreamEvent]]
BatchFn = Callable[
    [Sequence[Sequence[Message]], Sequence[GenerationParams]], Iterator[SequenceEvent]
]
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
class VariantText:
    platform: Platform | None
    text: str


@dataclass(frozen=True)
class VariantStats:
    platform: Platform | None
    stats: StreamStats


@dataclass(frozen=True)
class VariantDone:
    variant: Variant


@dataclass(frozen=True)
class VariantStopped:
    """Stopped on its own by the physician; the other variants go on."""

    platform: Platform | None


ComposeEvent = VariantStarted | VariantText | VariantStats | VariantDone | VariantStopped


@dataclass
class _Written:
    """One variant between the model and `finish`."""

    platform: Platform | None
    messages: list[Message]
    pieces: list[str] = field(default_factory=list)
    stats: list[StreamStats] = field(default_factory=list)


class Composer:
    def __init__(
        self,
        stream: StreamFn,
        scanner: Scanner,
        settings: Settings | None = None,
        prompts: Path | None = None,
        cancel: Callable[[], None] | None = None,
        batch: BatchFn | None = None,
        cancel_one: Callable[[int], None] | None = None,
    ) -> None:
        self._stream = stream
        self._cancel_stream = cancel or (lambda: None)
        self._batch = batch
        self._cancel_one = cancel_one or (lambda _: None)
        self._cancelled = threading.Event()
        self._stopped: set[str | None] = set()  # platform ids stopped one by one
        self._order: list[str | None] = []  # platform ids of the batch in flight
        self._current: tuple[str | None] | None = None  # (platform id,) of a single stream
        self.scanner = scanner
        self.settings = settings or Settings()
        self._prompts = prompts

    def cancel(self) -> None:
        """Stop the job: the stream in flight, and any variant not started yet. Any thread."""
        self._cancelled.set()
        self._cancel_stream()

    def stop_variant(self, platform_id: str | None) -> None:
        """Stop one variant, keeping the others going. Any thread."""
        self._stopped.add(platform_id)
        if platform_id in self._order:
            self._cancel_one(self._order.index(platform_id))
        elif self._current == (platform_id,):
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
        every variant, together when the engine can batch, else in turn; cancel() ends
        the whole job, stop_variant() one variant."""
        self._cancelled.clear()  # now, not at the first next(): a cancel may come before it
        self._stopped.clear()
        protected = protected or self.protect(request)
        prompt = load_prompt(request.task, self._prompts)
        return self._variants(request, params, protected, prompt)

    def prompts(self, request: Request, protected: Protected) -> list[list[Message]]:
        """Each variant's first prompt, in platform order: what `prefill` should cache."""
        prompt = load_prompt(request.task, self._prompts)
        return [self._messages(prompt, protected, p) for p in request.platforms or (None,)]

    def _messages(
        self, prompt: PromptTemplate, protected: Protected, platform: Platform | None
    ) -> list[Message]:
        instruction = platform_instruction(platform, self._prompts)
        return prompt.messages(protected.result.text, instruction)

    def _variants(
        self,
        request: Request,
        params: GenerationParams,
        protected: Protected,
        prompt: PromptTemplate,
    ) -> Iterator[ComposeEvent]:
        written = [_Written(p, self._messages(prompt, protected, p))
                   for p in request.platforms or (None,)]  # fmt: skip
        if self._batch is not None and len(written) > 1:
            yield from self._write_together(request, params, protected, written)
            return
        for w in written:
            yield VariantStarted(w.platform, "write")
            stats = yield from self._run(w, params)
            if stats.stop_reason == "cancelled":
                if _id(w.platform) not in self._stopped:
                    return
                yield VariantStopped(w.platform)
                continue
            done = yield from self._finish_written(request, params, protected, w)
            if done is None:
                return

    def _write_together(
        self,
        request: Request,
        params: GenerationParams,
        protected: Protected,
        written: list[_Written],
    ) -> Iterator[ComposeEvent]:
        """Stream every variant in one batch, then finish (and maybe shorten) each."""
        for w in written:
            yield VariantStarted(w.platform, "write")
        self._order = [_id(w.platform) for w in written]
        assert self._batch is not None
        ended: list[_Written] = []
        try:
            events = self._batch([w.messages for w in written],
                                 [_params_for(w.platform, params) for w in written])  # fmt: skip
            if self._cancelled.is_set():
                self._cancel_stream()
            for i in self._stopped_indices():
                self._cancel_one(i)
            for event in events:
                w = written[event.index]
                if isinstance(event.event, TextPiece):
                    w.pieces.append(event.event.text)
                    yield VariantText(w.platform, event.event.text)
                    continue
                w.stats.append(event.event)
                yield VariantStats(w.platform, event.event)
                if event.event.stop_reason != "cancelled":
                    ended.append(w)
                elif _id(w.platform) in self._stopped and not self._cancelled.is_set():
                    yield VariantStopped(w.platform)
        finally:
            self._order = []
        # Checks wait for the batch: scanning mid-batch would hold up every stream.
        for w in ended:
            if (yield from self._finish_written(request, params, protected, w)) is None:
                return

    def _stopped_indices(self) -> list[int]:
        return [i for i, pid in enumerate(self._order) if pid in self._stopped]

    def _finish_written(
        self, request: Request, params: GenerationParams, protected: Protected, w: _Written
    ) -> Iterator[ComposeEvent]:
        """Clean, maybe shorten, fit and check one written variant; None when cancelled."""
        platform, text = w.platform, "".join(w.pieces)
        body = self._clean(text, request, protected, platform)
        tail = tail_for(body, platform, self.settings, sponsor=request.sponsor)
        shortened = False
        if platform is not None and _too_long(body, platform, tail):
            shortened = True
            yield VariantStarted(platform, "shorten")
            follow = load_instruction("shorten", self._prompts, name=platform.name,
                                      length=platform.length(body), target=platform.target,
                                      unit=platform.unit)  # fmt: skip
            w.messages = [*w.messages, {"role": "assistant", "content": text},
                          {"role": "user", "content": follow}]  # fmt: skip
            w.pieces = []
            stats = yield from self._run(w, params)
            if stats.stop_reason == "cancelled":
                if _id(platform) in self._stopped:
                    yield VariantStopped(platform)
                    return w
                return None
            body = self._clean("".join(w.pieces), request, protected, platform)
            tail = tail_for(body, platform, self.settings, sponsor=request.sponsor)
        variant = self.finish(request, protected, platform, body, tail, shortened)
        variant.stats = w.stats
        yield VariantDone(variant)
        return w

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

    def _run(self, w: _Written, params: GenerationParams) -> Iterator[ComposeEvent]:
        """Stream one prompt into `w`; return its stats."""
        self._current = (_id(w.platform),)
        try:
            events = self._stream(w.messages, _params_for(w.platform, params))
            if self._cancelled.is_set() or _id(w.platform) in self._stopped:
                self._cancel_stream()  # stopped before this stream existed to be stopped
            for event in events:
                if isinstance(event, StreamStats):
                    w.stats.append(event)
                    yield VariantStats(w.platform, event)
                else:
                    w.pieces.append(event.text)
                    yield VariantText(w.platform, event.text)
        finally:
            self._current = None
        return w.stats[-1]

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


def _id(platform: Platform | None) -> str | None:
    return platform.id if platform else None


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
