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

Before writing, the draft's take-home message is made explicit (`compose.message`) and
every variant is checked against it. Best of n: each platform can get several candidates,
written in the same batch; the checks choose (nothing blocking first, then a text that fits,
then fewest warnings, then the easiest reading) and the others stay with the variant. A
lesson's prompt holds the key message and the draft's teaching sentences, never the case's
narrative.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path

import regex

from draftrx.compose import (
    expansions,
    faithful,
    grounding,
    injection,
    lessons,
    phrases,
    retell,
)
from draftrx.compose import message as key_message
from draftrx.compose.checks import Check, mask, run_checks, worst
from draftrx.compose.diff import Change, inserted, word_diff
from draftrx.compose.disclaimers import Tail, tail_for
from draftrx.compose.fit import fit_posts, join, trim
from draftrx.compose.message import KeyMessage
from draftrx.compose.plain import spell_out
from draftrx.compose.platforms import Platform, platform_instruction
from draftrx.compose.prompts import (
    REPLY_TASKS,
    Message,
    PromptTemplate,
    load_instruction,
    load_prompt,
)
from draftrx.compose.readability import grade, reading_score
from draftrx.compose.settings import Settings
from draftrx.engine.events import (
    GenerationParams,
    SequenceEvent,
    StreamEvent,
    StreamStats,
    TextPiece,
)
from draftrx.privacy.fictionalise import Mapping, Mode, Result, fictionalise
from draftrx.privacy.findings import Finding
from draftrx.privacy.kinds import TYPES
from draftrx.privacy.rescan import scrub
from draftrx.privacy.scanner import Scanner

_ECHO_WORDS = 4  # a sentence this long found in the instruction is the instruction
_ECHO_LINE_WORDS = 3  # and a whole line this long
_PARAGRAPH_LABEL = regex.compile(r"^[\p{L} ]{1,24}:\s*")  # "When you: ", "Caption: "
# A sentence about the prompt or the draft, not for the public: only the prompt speaks of a
# key message, and a physician's post does not report what "the physician" or "the doctor"
# says in it ("The physician's advice to screen all adults...", "Original draft:").
_META = regex.compile(
    r"(?i)(?:^|(?<=[.!?]\s))[^.!?\n]*\b(?:key message|the\s+physician'?s\s+(?:advice|draft|"
    r"note|post|message)|the\s+(?:doctor|physician)\s+(?:also\s+)?(?:states|mentions|notes|"
    r"says|tells\s+you|explains|wants)|original\s+draft|the\s+story\s+from|hook\s+idea)\b"
    r"[^.!?\n]*[.!?:]?\s*"
)
_SENTENCE_END = regex.compile(r"(?<=[.!?])\s+")
StreamFn = Callable[[Sequence[Message], GenerationParams], Iterator[StreamEvent]]
BatchFn = Callable[
    [Sequence[Sequence[Message]], Sequence[GenerationParams]], Iterator[SequenceEvent]
]
_PREAMBLE = regex.compile(r"(?i)^(?:here(?:'s| is)[^\n]{0,60}|[^\n]{0,40}\bpost[^\n]{0,40}):\s*\n")
# A chat assistant's sign-off to the person it works for, not a line for the public.
_SIGN_OFF = regex.compile(
    r"(?im)(?:^|(?<=[.!?]\s))[^\n.!?]*\b(?:feel free to (?:ask|reach out|let me know)|let me "
    r"know if you(?:'d| would)? (?:like|need|want)|(?:I )?hope (?:this|that) helps|need help "
    r"with (?:a|any) specific)\b[^\n]*$"
)
_TAGS = regex.compile(r"(?i)</?(?:post|comment|message|draft|reply|review)>")  # echoed
_MARKDOWN = regex.compile(r"\*\*|__|^#{1,6}\s+", regex.MULTILINE)
_LABEL = regex.compile(r"(?im)^[ \t]*key message[ \t]*:[ \t]*")  # the prompt's label, echoed
# "Educational Post:" heading a post, or a thread's second part: what the text is, said to
# the person who asked for it, not to the public.
_POST_LABEL = regex.compile(
    r"(?im)^[ \t]*(?:(?:educational|public|social[- ]media|facebook|linkedin|instagram|threads|"
    r"bluesky|mastodon|tiktok|x|twitter|rewritten|final)[ \t]+)?post[ \t]*:[ \t]*(?:\n(?=\S))?"
)
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
    message: str | None = None  # the key message as the physician set it; None: extract it
    candidates: int = 1  # written per platform; the checks pick the best

    def __post_init__(self) -> None:
        if not 1 <= self.candidates <= 4:
            raise ValueError(f"candidates must be 1 to 4, not {self.candidates}.")


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
    others: list[Variant] = field(default_factory=list)  # the candidates not chosen, best first
    candidate: int = 0  # which of the platform's candidates: 0 is the one streamed live
    cut: list[str] = field(default_factory=list)  # the model's sentences `grounding` took out

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

    def split(self, text: str) -> tuple[list[str], str | None]:
        """Posts and caption of `text`, this variant's text as the physician edited it: a
        thread is cut after each post's number ("(2/3)"), a caption after "Caption:"."""
        caption = None
        if self.caption is not None:
            body, found, rest = text.rpartition("\n\nCaption:\n")
            if found:
                text, caption = body, rest
        if len(self.posts) < 2:
            return [text], caption
        cuts = [m.end() for m in regex.finditer(r" \(\d+/\d+\)(?=\n\n)", text)]
        bounds = [0, *cuts, len(text)]
        posts = [text[a:b].strip("\n") for a, b in pairwise(bounds)]
        return [p for p in posts if p.strip()] or [text], caption


@dataclass(frozen=True)
class MessageFound:
    """The key message every variant must keep, before any variant is written."""

    message: KeyMessage


@dataclass(frozen=True)
class VariantStarted:
    platform: Platform | None
    attempt: str  # "write", or "shorten" when asked again for a shorter text


@dataclass(frozen=True)
class VariantText:
    platform: Platform | None
    text: str
    candidate: int = 0  # which of the platform's candidates; 0 is the one to show live


@dataclass(frozen=True)
class VariantStats:
    platform: Platform | None
    stats: StreamStats
    candidate: int = 0


@dataclass(frozen=True)
class VariantDone:
    variant: Variant


@dataclass(frozen=True)
class VariantStopped:
    """Stopped on its own by the physician; the other variants go on."""

    platform: Platform | None


ComposeEvent = (
    MessageFound | VariantStarted | VariantText | VariantStats | VariantDone | VariantStopped
)


@dataclass
class _Written:
    """One variant between the model and `finish`."""

    platform: Platform | None
    messages: list[Message]
    candidate: int = 0
    params: GenerationParams | None = None  # None: the job's own
    pieces: list[str] = field(default_factory=list)
    stats: list[StreamStats] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)  # sentences `grounding` took out
    all_cut: bool = False  # every sentence strayed, and no key message opens the post

    @property
    def opening(self) -> str:
        """The start of the answer given to the model (the key message), or ""."""
        last = self.messages[-1] if self.messages else None
        return last["content"] if last and last["role"] == "assistant" else ""

    @property
    def asked(self) -> list[Message]:
        """The conversation up to the model's answer, without any opening given to it."""
        return self.messages[:-1] if self.opening else self.messages

    @property
    def streamed(self) -> str:
        """What the model wrote, less a loop's repeat the engine asked to drop (trim_chars)."""
        text = "".join(self.pieces)
        trim = self.stats[-1].trim_chars if self.stats else 0
        return text[: len(text) - trim] if trim else text

    @property
    def text(self) -> str:
        """The whole answer: the opening, then what the model wrote after it."""
        return f"{self.opening}{self.streamed.lstrip(' ')}" if self.opening else self.streamed


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
        """Stop one variant (all its candidates), keeping the others going. Any thread."""
        self._stopped.add(platform_id)
        for i, pid in enumerate(self._order):
            if pid == platform_id:
                self._cancel_one(i)
        if self._current == (platform_id,):
            self._cancel_stream()

    def protect(self, request: Request) -> Protected:
        findings = self.scanner.scan(request.draft)
        result = fictionalise(request.draft, findings, request.privacy,
                              keep=request.keep, seed=request.seed)  # fmt: skip
        return Protected(findings, result)

    def compose(
        self, request: Request, params: GenerationParams, protected: Protected | None = None
    ) -> Iterator[ComposeEvent]:
        """Check the request now (errors raise here), then return a generator that finds
        the key message, then streams every variant, together when the engine can batch,
        else in turn; cancel() ends the whole job, stop_variant() one variant."""
        self._cancelled.clear()  # now, not at the first next(): a cancel may come before it
        self._stopped.clear()
        protected = protected or self.protect(request)
        prompt = load_prompt(request.task, self._prompts)
        return self._variants(request, params, protected, prompt)

    def key_message(
        self, request: Request, protected: Protected, *, model: bool = True
    ) -> KeyMessage:
        """The physician's own, the reply task's, a myth the draft names turned round with
        the library's lesson on it, the draft's own sentences, the library's lesson on the
        draft's topic, or (with `model`) one short slot the model fills; the draft's last
        general sentence at worst."""
        point = request.message.strip() if request.message is not None else ""
        if request.task in REPLY_TASKS:
            return key_message.for_reply(request.task, request.draft, self._prompts, point)
        if point:
            return KeyMessage(point, "physician")
        text = spell_out(protected.result.text)
        own = key_message.own_sentence(text)
        if own:
            return KeyMessage(own, "draft")
        fictional = protected.result.text
        stand_ins = [fictional[a:b] for a, b in (r.target for r in protected.result.replacements)]
        lesson = lessons.matching(text, self._prompts)
        denial = key_message.myth_denial(text, stand_ins)
        if denial and lesson and lesson.hits(denial):
            # The myth set right, then why and what to do, in plain words, where the myth
            # itself is about the lesson's topic: the draft's own advice beside a denial
            # was often a figure or a list ("time it, ease to floor, cushion head").
            return KeyMessage(f"{denial} {lesson.message}", "library")
        picked = key_message.chosen(text, stand_ins)
        if picked:
            return KeyMessage(picked, "chosen")
        if lesson is not None:
            return KeyMessage(lesson.message, "library")
        if model:
            slot = key_message.slot_messages(text, self._prompts)
            found = key_message.from_model(self._stream, slot, text, stand_ins)
            if found is not None:
                return found
        # A lesson's stand-in is its last teaching sentence: "Good kid, loves dinosaurs."
        # tells no story in so many words, but it is no lesson either.
        taught = self.model_input(request, protected) if request.task == "lesson" else ""
        last = key_message.closing_sentence(taught or text, stand_ins)
        return KeyMessage(last or "", "closing")

    def prompts(
        self, request: Request, protected: Protected, message: KeyMessage | None = None
    ) -> list[list[Message]]:
        """Each variant's first prompt, in platform order: what `prefill` should cache."""
        prompt = load_prompt(request.task, self._prompts)
        message = message or self.key_message(request, protected, model=False)
        given = self.model_input(request, protected)
        return [self._messages(prompt, given, message, p)
                for p in request.platforms or (None,)]  # fmt: skip

    def sent(self, request: Request, protected: Protected) -> list[list[Message]]:
        """Every prompt a rewrite of `request` starts with: the key-message slot's, when
        the draft gives the model nothing to keep, then each variant's. What a practice
        server receives, besides the model's own text sent back to be shortened."""
        message = self.key_message(request, protected, model=False)
        prompts = self.prompts(request, protected, message)
        if message.source == "closing":
            text = spell_out(protected.result.text)
            prompts.insert(0, key_message.slot_messages(text, self._prompts))
        return prompts

    def model_input(self, request: Request, protected: Protected) -> str:
        """What stands for the draft in the prompt: a lesson gets only its teaching
        sentences (the key message goes in beside them), an educational post the whole
        protected draft, both with shorthand spelled out and without the physician's notes
        to the editor; a reply, the text it answers as written."""
        if request.task in REPLY_TASKS:
            return protected.result.text  # someone else's words, quoted as written
        public = key_message.for_the_public(protected.result.text)
        if request.task != "lesson":
            return spell_out(public)
        return spell_out(retell.teaching(public, self.scanner))

    def _messages(
        self, prompt: PromptTemplate, given: str, message: KeyMessage, platform: Platform | None
    ) -> list[Message]:
        instruction = platform_instruction(platform, self._prompts)
        # A guessed message is put to the model only where it has nothing else: a lesson.
        # Beside a draft, the default model echoed a guess instead of rewriting the draft.
        shown = message.text if message.trusted or prompt.id == "lesson" else ""
        messages = prompt.messages(given, instruction, shown)
        if _opens(message, prompt.id):
            # The paragraph break asks for more: after a full stop alone, the default model
            # took its answer for finished and wrote nothing. A reply is complete as given:
            # asked for more, the model retold the message it answered.
            end = "" if prompt.id in REPLY_TASKS else "\n\n"
            messages.append({"role": "assistant", "content": f"{message.text}{end}"})
        return messages

    def _variants(
        self,
        request: Request,
        params: GenerationParams,
        protected: Protected,
        prompt: PromptTemplate,
    ) -> Iterator[ComposeEvent]:
        message = self.key_message(request, protected)
        yield MessageFound(message)
        if self._cancelled.is_set():
            return
        given = self.model_input(request, protected)
        written = [
            _Written(p, self._messages(prompt, given, message, p), c,
                     _candidate_params(params, c))
            for p in request.platforms or (None,) for c in range(request.candidates)
        ]  # fmt: skip
        job = _Job(request, params, protected, message, given)
        if self._batch is not None and len(written) > 1:
            yield from self._write_together(job, written)
            return
        for group in _by_platform(written):
            yield VariantStarted(group[0].platform, "write")
            stopped = False
            for w in group:
                stats = yield from self._run(w, params)
                if stats.stop_reason == "cancelled":
                    if _id(w.platform) not in self._stopped:
                        return  # the job was cancelled
                    stopped = True
                    break
            if stopped:
                yield VariantStopped(group[0].platform)
                continue
            if (yield from self._finish_group(job, group)) is None:
                return

    def _write_together(self, job: _Job, written: list[_Written]) -> Iterator[ComposeEvent]:
        """Stream every variant and candidate in one batch, then finish (and maybe shorten)
        each platform's best."""
        for group in _by_platform(written):
            yield VariantStarted(group[0].platform, "write")
            for w in group:
                if w.opening:
                    yield VariantText(w.platform, w.opening, w.candidate)
        self._order = [_id(w.platform) for w in written]
        assert self._batch is not None
        try:
            events = self._batch([w.messages for w in written],
                                 [_params_for(w.platform, w.params or job.params)
                                  for w in written])  # fmt: skip
            if self._cancelled.is_set():
                self._cancel_stream()
            for i in self._stopped_indices():
                self._cancel_one(i)
            budget: dict[str | None, int] = {}  # platform -> length a candidate may write
            for event in events:
                w = written[event.index]
                if isinstance(event.event, TextPiece):
                    w.pieces.append(event.event.text)
                    yield VariantText(w.platform, event.event.text, w.candidate)
                    limit = budget.get(_id(w.platform))
                    if limit is not None and _written_length(w) > limit:
                        self._cancel_one(event.index)  # a straggler: its platform has a text
                    continue
                w.stats.append(event.event)
                yield VariantStats(w.platform, event.event, w.candidate)
                if event.event.stop_reason not in ("cancelled", "length", "incomplete"):
                    budget.setdefault(_id(w.platform), _straggler_budget(w))
                stopped = _id(w.platform) in self._stopped and not self._cancelled.is_set()
                if event.event.stop_reason == "cancelled" and stopped and w.candidate == 0:
                    yield VariantStopped(w.platform)
        finally:
            self._order = []
        if self._cancelled.is_set():
            return
        # Checks wait for the batch: scanning mid-batch would hold up every stream.
        for group in _by_platform(written):
            if _id(group[0].platform) in self._stopped:
                continue
            if (yield from self._finish_group(job, group)) is None:
                return

    def _stopped_indices(self) -> list[int]:
        return [i for i, pid in enumerate(self._order) if pid in self._stopped]

    def _finish_group(self, job: _Job, group: list[_Written]) -> Iterator[ComposeEvent]:
        """Clean, check and rank one platform's candidates; shorten the best if need be.
        Returns None when the job was cancelled meanwhile."""
        request, protected, platform = job.request, job.protected, group[0].platform
        source = None if request.task in REPLY_TASKS else "\n".join(
            (spell_out(protected.result.text), job.given, job.message.text))  # fmt: skip
        options = []
        for w in group:
            if not w.stats or w.stats[-1].stop_reason == "cancelled":
                continue
            text = w.text
            body = self._body(w, request, protected, platform, source)
            tail = tail_for(body, platform, self.settings, sponsor=request.sponsor)
            variant = self.finish(request, protected, platform, body, tail,
                                  message=job.message, given=job.given)  # fmt: skip
            _note_cut(variant, w, source)
            variant.stats = w.stats
            _mark_incomplete(variant)
            too_long = platform is not None and _too_long(body, platform, tail)
            options.append((_rank(variant, too_long), variant, w, text, too_long))
        if not options:
            return group
        options.sort(key=lambda o: o[0])
        _, variant, w, text, too_long = options[0]
        if too_long and w.stats[-1].stop_reason != "incomplete":  # a cut text: write it again
            assert platform is not None
            yield VariantStarted(platform, "shorten")
            follow = load_instruction("shorten", self._prompts, name=platform.name,
                                      length=platform.length(self._body(w, request, protected,
                                                                        platform, source)),
                                      target=platform.target, unit=platform.unit)  # fmt: skip
            w.messages = [*w.asked, {"role": "assistant", "content": text},
                          {"role": "user", "content": follow}]  # fmt: skip
            w.pieces = []
            stats = yield from self._run(w, job.params)
            if stats.stop_reason == "cancelled":
                if _id(platform) in self._stopped:
                    yield VariantStopped(platform)
                    return group
                return None
            body = self._body(w, request, protected, platform, source)
            tail = tail_for(body, platform, self.settings, sponsor=request.sponsor)
            variant = self.finish(request, protected, platform, body, tail, True, job.message,
                                  job.given)  # fmt: skip
            _note_cut(variant, w, source)
            variant.stats = w.stats
            _mark_incomplete(variant)
        variant.candidate, variant.others = w.candidate, [o[1] for o in options[1:]]
        yield VariantDone(variant)
        return group

    def finish(
        self,
        request: Request,
        protected: Protected,
        platform: Platform | None,
        body: str,
        tail: Tail,
        shortened: bool = False,
        message: KeyMessage | None = None,
        given: str | None = None,
    ) -> Variant:
        """Fit, check and diff one variant's text; no model involved. `given` is what
        stood for the draft in the prompt (default: `model_input`)."""
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
        return self._assess(variant, request, protected, message, given)

    def recheck(
        self,
        request: Request,
        platform: Platform | None,
        posts: Sequence[str],
        caption: str | None,
        message: KeyMessage | None,
        written: str = "",
    ) -> Variant:
        """Check and diff a variant as the physician edited it from `written`, the text
        the model wrote. Their text stays as typed: nothing is re-fitted or added, and a
        disclaimer or disclosure they took out is theirs to take out, with the checks
        saying what that means. The diff labels their own words as `edited`."""
        protected = self.protect(request)
        body = "\n\n".join(posts)
        tail = tail_for(body, platform, self.settings, sponsor=request.sponsor)
        variant = Variant(platform, list(posts), caption, tail, False)
        return self._assess(variant, request, protected, message, None, written)

    def _assess(
        self,
        variant: Variant,
        request: Request,
        protected: Protected,
        message: KeyMessage | None,
        given: str | None,
        written: str = "",
    ) -> Variant:
        """The checks and the diff of a variant's final text; `written`: the model's, when
        the final text is the physician's edit of it."""
        platform, posts, caption, tail = variant.platform, variant.posts, variant.caption, \
            variant.tail  # fmt: skip
        final = variant.text
        added = _added(final, tail)
        reply = request.task in REPLY_TASKS
        mapping = protected.result.mapping
        variant.checks = run_checks(
            final, self.scanner, platform=platform, posts=posts, caption=caption,
            reply=reply, mapping=mapping, sponsored=request.sponsor is not None,
            masked=added["numbering"], replying_to=protected.result.text if reply else None,
        )  # fmt: skip
        own = mask(final, [span for spans in added.values() for span in spans])
        if given is None:
            given = self.model_input(request, protected)
        if request.task == "lesson" and message is not None:
            variant.checks.append(_lesson_found(message, given))
        given = f"{given}\n{message.text if message else ''}"  # all the model was given
        if message is not None:
            variant.checks.append(faithful.check(own, message.text, given, own_source=not reply,
                                                 words=message.trusted))  # fmt: skip
        variant.checks.append(retell.record_details(own, self.scanner, mapping))
        variant.checks.append(expansions.check(own, given))
        if reply:
            variant.checks.append(injection.check(own, protected.result.text))
        if request.task == "lesson":
            variant.checks.append(
                retell.retelling(own, self.scanner, mapping, protected.result.text, given)
            )
        variant.diff = word_diff(
            request.draft, final,
            identifiers=[(*r.source, TYPES[r.type].label) for r in protected.result.replacements],
            stand_ins=_stand_ins(final, mapping),
            added={**added, "edited": inserted(written, final)} if written else added,
        )  # fmt: skip
        return variant

    def _run(self, w: _Written, params: GenerationParams) -> Iterator[ComposeEvent]:
        """Stream one prompt into `w`; return its stats."""
        self._current = (_id(w.platform),)
        if w.opening:
            yield VariantText(w.platform, w.opening, w.candidate)
        try:
            events = self._stream(w.messages, _params_for(w.platform, w.params or params))
            if self._cancelled.is_set() or _id(w.platform) in self._stopped:
                self._cancel_stream()  # stopped before this stream existed to be stopped
            for event in events:
                if isinstance(event, StreamStats):
                    w.stats.append(event)
                    yield VariantStats(w.platform, event, w.candidate)
                else:
                    w.pieces.append(event.text)
                    yield VariantText(w.platform, event.text, w.candidate)
        finally:
            self._current = None
        return w.stats[-1]

    def _body(
        self,
        w: _Written,
        request: Request,
        protected: Protected,
        platform: Platform | None,
        source: str | None,
    ) -> str:
        """The post's text: the opening as given, then the model's text, cleaned apart (a
        preamble such as "Here is the post:" comes right after the opening) and without
        the opening, or any paragraph, said again, or a sentence `source` (what the model
        was given) does not support. A reply's text is the code's, and is not cut."""
        opening = w.opening.strip()
        body = self._clean(w.streamed, request, protected, platform)
        if opening and body.startswith(opening):
            body = body[len(opening) :].strip()
        body = _without_repeats(body, opening)
        if source is not None:
            kept, w.cut = grounding.supported(body, source)
            w.all_cut = bool(w.cut) and not kept.strip() and not opening
            if not w.all_cut:
                body = _without_repeats(kept, opening)  # the cut can leave two the same
        return "\n\n".join(t for t in (opening, body) if t)

    def _clean(
        self, text: str, request: Request, protected: Protected, platform: Platform | None
    ) -> str:
        """The model's text as a post: no preamble or quotes, identifiers replaced again."""
        text = _PREAMBLE.sub("", _TAGS.sub("", text).strip()).strip()
        text = _SIGN_OFF.sub("", text).strip()
        text = _MARKDOWN.sub("", text)  # platforms show ** and ## literally
        text = _POST_LABEL.sub("", _LABEL.sub("", text)).strip()
        text = _without_echo(text, platform_instruction(platform, self._prompts))
        if len(text) > 1 and text[0] in '"“' and text[-1] in '"”':
            text = text[1:-1].strip()
        text = scrub(text, protected.result.mapping, request.privacy, self.scanner)
        if request.task in REPLY_TASKS:  # a reply to one person needs no hashtags
            text = regex.sub(r"(?m)^[ \t]*#[^\n]*(?:\n|$)", "", text)  # hashtag lines go
            text = regex.sub(r"(?<!\w)#(?=\w)", "", text).strip()  # inline: the word stays
        elif platform is not None and platform.max_hashtags is not None:
            text = _drop_hashtags(text, platform.max_hashtags)
        return text


@dataclass(frozen=True)
class _Job:
    request: Request
    params: GenerationParams
    protected: Protected
    message: KeyMessage
    given: str  # what stood for the draft in the prompt (model_input)


def _id(platform: Platform | None) -> str | None:
    return platform.id if platform else None


def _by_platform(written: list[_Written]) -> list[list[_Written]]:
    groups: dict[str | None, list[_Written]] = {}
    for w in written:
        groups.setdefault(_id(w.platform), []).append(w)
    return list(groups.values())


# Once one candidate of a platform has ended, the others may run to this many times its
# length, then stop: best of n waits for the longest candidate, and one that runs far
# longer than a finished one is not worth the wait (README, "Best of n").
CANDIDATE_SLACK = 1.25


def _written_length(w: _Written) -> int:
    """What the model wrote of a candidate, in its platform's unit (the opening aside)."""
    return w.platform.length(w.streamed) if w.platform else len(w.streamed)


def _straggler_budget(w: _Written) -> int:
    """How long the others may write once `w` has ended: CANDIDATE_SLACK times its length,
    and never less than the platform's target, so that a first candidate that stopped
    soon after its opening does not cut a full-length one."""
    return max(int(_written_length(w) * CANDIDATE_SLACK), w.platform.target if w.platform else 0)


def _candidate_params(params: GenerationParams, candidate: int) -> GenerationParams | None:
    """The first candidate is written as asked; the others sample (differently seeded),
    so that best of n has something to choose from even at temperature 0."""
    if candidate == 0:
        return None
    seed = None if params.seed is None else params.seed + candidate
    return replace(params, temperature=max(params.temperature or 0.0, 0.8), seed=seed)


_SEVERITY = {"block": 2, "warn": 1, "ok": 0}


def _opens(message: KeyMessage, task: str) -> bool:
    """Whether a post opens with the key message, written by code and continued by the
    model: the physician's own take-home sentence, and a reply's message with its safety
    lines. The small model dropped or turned round a message it was only told to keep
    (a reply lost its Poison Control or low-sugar line); one it starts from, it explains.
    A library message (`lessons`) is written plainly for the public, so it opens too.
    Sentences DraftRx chose from an unmarked draft open the post only when they read
    plainly: a dense clinical sentence up front made the rest of the post dense too."""
    if not message.text.strip():
        return False
    if message.source in ("draft", "physician", "library", "task", "reply"):
        return True
    if message.source != "chosen":
        return False
    measured = grade(message.text)
    return measured is not None and not measured.too_hard and not measured.jargon


def _lesson_found(message: KeyMessage, taught: str) -> Check:
    """A lesson needs a lesson: the physician's, the model's (grounded) or a teaching
    sentence of the draft. A draft that only tells what happened gives the model nothing
    to teach, and what it writes then retells the story in other words."""
    if message.source == "closing" and not taught.strip():
        return Check("lesson", "block", "DraftRx found no lesson in this draft to teach: type "
                     "the take-home message in the Key message field (--message on the "
                     "command line), then rewrite.")  # fmt: skip
    return Check("lesson", "ok", "The lesson comes from the draft or from you.")


def _note_cut(variant: Variant, w: _Written, source: str | None) -> None:
    """Say which sentences of the model's `grounding` took out, where it looked."""
    if source is not None:
        variant.cut = list(w.cut)
        variant.checks.append(grounding.check(w.cut, w.all_cut))


def _mark_incomplete(variant: Variant) -> None:
    """A practice server that dropped the stream leaves a text that may stop mid-sentence:
    it is kept, and blocked until written again."""
    if variant.stats and variant.stats[-1].stop_reason == "incomplete":
        variant.checks.append(Check(
            "incomplete", "block",
            "The practice server stopped sending before this post was finished, so it may "
            "be cut off. Write it again; what came is kept here.",
        ))  # fmt: skip


def _rank(variant: Variant, too_long: bool) -> tuple[int, int, bool, int, int, float]:
    """Lower is better: nothing blocking, fits, fewest warnings, fewest sentences taken out
    as unsupported (a candidate that strayed less strayed less in what is left, too),
    easiest to read."""
    checks = variant.checks
    return (
        _SEVERITY[worst(checks)],
        sum(c.severity == "block" for c in checks),
        too_long,
        sum(c.severity == "warn" for c in checks),
        len(variant.cut),
        reading_score(variant.text),
    )


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


def _without_echo(text: str, instruction: str) -> str:
    """The text without sentences that repeat the platform's instruction, or lines that
    are a piece of it: the default model wrote "One punchy point, plain words, no hashtags
    or at most one." into a post, and "One punchy point" alone on a line of a reply."""
    said = f" {_plain_words(instruction)} "
    if not said.strip():
        return text

    def echo(sentence: str, least: int = _ECHO_WORDS) -> bool:
        words = _plain_words(sentence)
        return len(words.split()) >= least and f" {words} " in said

    lines = text.split("\n")
    kept = [
        "" if echo(line, _ECHO_LINE_WORDS)
        else " ".join(s for s in parts if not echo(s)) if any(map(echo, parts)) else line
        for line in lines for parts in [_SENTENCE_END.split(line)]
    ]  # fmt: skip
    if kept == lines:
        return text
    return regex.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _without_repeats(body: str, opening: str) -> str:
    """The body without a paragraph it already said, the opening's included, and without
    a sentence about the prompt ("No warning signs needed for this key message."). The
    default model restated its opening under a label ("When you: ...") and the physician
    would have had to delete it by hand. A paragraph that starts one already said and
    stops short, where the model ran out of tokens saying it again, is said again too."""
    seen = {_plain_words(_PARAGRAPH_LABEL.sub("", opening))} - {""}
    kept = []
    for paragraph in regex.split(r"\n\s*\n", body):
        paragraph = _META.sub("", paragraph).strip()
        words = _plain_words(_PARAGRAPH_LABEL.sub("", paragraph))
        if words and (words in seen or _cut_short(words, seen)):
            continue
        seen.add(words)
        kept.append(paragraph)
    return "\n\n".join(p for p in kept if p)


_CUT_SHORT_WORDS = 8  # a shorter start ("Call 911 right away") is no repeat on its own


def _cut_short(words: str, seen: set[str]) -> bool:
    """Whether `words` is the start of a paragraph already said, long enough to tell."""
    return len(words.split()) >= _CUT_SHORT_WORDS and any(s.startswith(words) for s in seen)


def _plain_words(text: str) -> str:
    return " ".join(regex.findall(r"[\p{L}\p{N}']+", text.lower()))


def _drop_hashtags(text: str, keep: int) -> str:
    """Instagram allows five: the ones after that go (from the end, where they gather)."""
    tags = list(_HASHTAG.finditer(text))
    for m in reversed(tags[keep:]):
        text = text[: m.start()] + text[m.end() :]
    return text.strip()


def _stand_ins(final: str, mapping: Mapping) -> list[tuple[int, int]]:
    """Where the draft's stand-ins sit in the final text, as whole words."""
    words = sorted({s for s in mapping.standins() if s.strip()}, key=len, reverse=True)
    if not words:
        return []
    pattern = "|".join(regex.escape(w) for w in words)
    return [m.span() for m in
            regex.finditer(rf"(?<![\p{{L}}\p{{N}}])(?:{pattern})(?![\p{{L}}\p{{N}}])", final)]


def _added(final: str, tail: Tail) -> dict[str, list[tuple[int, int]]]:
    """Where code-added text sits in the final text, with the blank line before it."""
    added = {
        reason: [m.span() for m in regex.finditer(rf"\s*{regex.escape(text)}", final)]
        for reason, text in (("disclaimer", tail.disclaimer), ("disclosure", tail.disclosure))
        if text
    }
    added["numbering"] = [m.span() for m in regex.finditer(r" \(\d+/\d+\)(?=\n|$)", final)]
    return added
