"""The streaming engine: one object, one Llama, one thread.

Design:
- Everything but the cancel methods must run on the thread that created the engine
  (llama.cpp contexts are not thread-safe); a GUI gives the engine its own worker thread.
- The context is unified over several sequences (sequences.py): variants of one draft share
  the cached system text and draft, and are decoded together in one batch each step.
- The prompt is fed in full n_batch batches (llama.cpp's fastest path). While a batch runs,
  llama.cpp polls an abort callback between graph nodes, so cancel() stops a long prefill
  within milliseconds; the callback is removed for decoding, where cancel is checked per
  token.
- The cache of the previous call is kept: a prompt that starts with the same tokens (same
  system text and draft, another instruction) skips that part of the prefill, and
  `prefill()` lets the app fill it while the physician pauses, before Rewrite is pressed.
- Streams guess ahead from their prompt where that pays (speculative.py, decoding.py).
- Sampling fields left unset take the model's recommended values from its GGUF, else
  DraftRx's defaults (events.py); a stream that falls into a loop is cut (loops.py).
- The hot loop samples in C (llama.cpp's sampler chain), caches token pieces, and decodes
  UTF-8 incrementally so a character split across tokens never reaches the screen broken.
"""

from __future__ import annotations

import ctypes
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import llama_cpp
import numpy as np

from draftrx.engine import hardware, trial
from draftrx.engine.chat import ChatTemplate, Message
from draftrx.engine.decoding import Decoder, Run, Stream
from draftrx.engine.errors import (
    ChatTemplateError,
    ContextOverflowError,
    EngineError,
    InsufficientMemoryError,
    ModelLoadError,
    WrongThreadError,
)
from draftrx.engine.events import (
    GenerationParams,
    Sampling,
    SequenceEvent,
    StreamEvent,
    describe_sampling,
)
from draftrx.engine.gguf import GGUFInfo, read_gguf
from draftrx.engine.loops import LoopGuard
from draftrx.engine.prompt_parts import message_parts
from draftrx.engine.sequences import (
    MAX_SEQUENCES,
    DecodeError,
    Entry,
    Sequences,
    common_length,
    unified_context,
)
from draftrx.engine.speculative import PromptLookup, Speculation, unwrapped

DEFAULT_CTX = 4096
# The smallest context DraftRx runs in. llama.cpp makes a context of at least 256 cells, but
# one of fewer than 8 tokens aborts (its output buffer is sized by the 8 sequences), and a
# decoding step may feed 8 sequences and their guesses, 128 tokens, in one batch.
MIN_CTX = 256
# A background prefill loses its batch in flight when stopped; on a CPU small batches
# prefill as fast as large ones (measured here: 64 tokens 126-131 tok/s, 512: 96-122).
BACKGROUND_BATCH = 64
_NO_ABORT = llama_cpp.ggml_abort_callback()  # NULL: nothing polled while decoding
# llama-cpp-python prints llama.cpp's log to stderr; an abort we asked for logs an "error".
_LLAMA_LOG = logging.getLogger("llama-cpp-python")


@dataclass(frozen=True)
class EngineConfig:
    model_path: Path
    n_ctx: int | None = None  # None: the model's own context, capped at DEFAULT_CTX
    n_threads: int | None = None  # None: physical cores
    n_gpu_layers: int | None = None  # None: all on a GPU build, none otherwise
    n_batch: int = 512
    chat_template: str | None = None  # Jinja text overriding the GGUF's template


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GB"


class Engine:
    """Owns one llama.cpp model and streams chat completions from it."""

    def __init__(
        self, config: EngineConfig, *, available_ram: Callable[[], int] = hardware.available_ram
    ) -> None:
        self._owner = threading.get_ident()
        self.config = config
        self.info: GGUFInfo = read_gguf(config.model_path)
        # What GenerationParams' unset sampling fields take (general.sampling.* keys).
        self.recommended: dict[str, float] = self.info.recommended_sampling
        template = config.chat_template or self.info.chat_template
        if template is None:
            raise ChatTemplateError(
                f"{self.info.name} has no chat template, so DraftRx cannot tell how to address "
                "it. Use an instruction-tuned GGUF (most include a template) or supply one."
            )
        self.gpu_offload = hardware.gpu_offload_supported()
        self.n_gpu_layers = (
            config.n_gpu_layers
            if config.n_gpu_layers is not None
            else hardware.default_gpu_layers()
        )
        self.n_threads = config.n_threads or hardware.default_threads()
        n_ctx = self._context_size()
        self._check_memory(n_ctx, available_ram())
        settings = {
            "n_ctx": n_ctx,
            "n_batch": config.n_batch,
            "n_ubatch": config.n_batch,
            "n_threads": self.n_threads,
            "n_threads_batch": max(self.n_threads, hardware.batch_threads()),
            "n_gpu_layers": self.n_gpu_layers,
        }
        trial.ensure_runs(config.model_path, settings)
        started = time.perf_counter()
        try:
            self._llm = llama_cpp.Llama(model_path=str(config.model_path), verbose=False,
                                        **settings)  # fmt: skip
        except (ValueError, RuntimeError, OSError):  # its message names no reason
            raise ModelLoadError(
                f"llama.cpp could not load {config.model_path.name}, which is damaged or "
                "made for a newer llama.cpp; choose another model."
            ) from None
        self.load_s = time.perf_counter() - started
        try:
            self.template = ChatTemplate(
                template,
                bos_token=self._special_text(self._llm.token_bos()),
                eos_token=self._special_text(self._llm.token_eos()),
                source=config.model_path.name,
            )
        except ChatTemplateError:
            self._llm.close()
            raise
        self.n_ctx = self._llm.n_ctx()
        self._vocab = self._llm._model.vocab
        self._pieces: dict[int, bytes] = {}
        self._piece_buf = ctypes.create_string_buffer(256)
        try:
            self._ctx = unified_context(self._llm)
        except ValueError as exc:
            self._llm.close()
            raise ModelLoadError(f"llama.cpp could not make a context for {self.info.name}: "
                                 f"{exc}") from None  # fmt: skip
        # llama-cpp-python lowers the batch to a smaller n_ctx: a larger batch would abort.
        self._seqs = Sequences(self._ctx, llama_cpp.llama_n_batch(self._ctx.ctx))
        # Its measurements carry over from call to call. A recurrent model cannot take back
        # a rejected guess, so it never guesses.
        recurrent = self._llm._is_recurrent or self._llm._is_hybrid
        self.speculation = Speculation(enabled=not recurrent)
        self._decoder = Decoder(self._seqs, self._ctx, self._vocab, self._piece,
                                self.speculation, self.n_ctx)  # fmt: skip
        self._cancel = threading.Event()
        self._sequence_stops: list[threading.Event] = []
        self.outputs: dict[int, list[int]] = {}  # last call's tokens, by prompt index
        self._abort_on = self._cancel  # what the abort callback watches during a prefill
        self._abort_prefill = llama_cpp.ggml_abort_callback(lambda _: self._abort_on.is_set())
        self._closed = False
        # Told (tokens fed, tokens to feed) after each batch of a prompt, on the engine's
        # thread: a window shows it while the first word is still seconds away.
        self.on_prefill: Callable[[int, int], None] | None = None

    # -- setup -------------------------------------------------------------------------

    def _context_size(self) -> int:
        """The context asked for, or the model's own capped at DEFAULT_CTX; one too small
        for any prompt is refused here, since llama.cpp aborts the process on it."""
        if self.config.n_ctx is not None:
            if self.config.n_ctx < MIN_CTX:
                raise ContextOverflowError(
                    f"A context of {self.config.n_ctx:,} tokens cannot hold any prompt; use at "
                    f"least {MIN_CTX} (the default is {DEFAULT_CTX:,})."
                )
            return self.config.n_ctx
        n_ctx = min(self.info.context_length or DEFAULT_CTX, DEFAULT_CTX)
        if n_ctx < MIN_CTX:
            raise ContextOverflowError(
                f"{self.config.model_path.name} was made for a context of only {n_ctx:,} "
                f"tokens, too few for any prompt (DraftRx needs {MIN_CTX}); choose another model."
            )
        return n_ctx

    def _check_memory(self, n_ctx: int, free: int) -> None:
        gpu_layers = self.n_gpu_layers if self.gpu_offload else 0
        need = self.info.estimate_ram(n_ctx, self.config.n_batch, gpu_layers)
        if need > free:
            raise InsufficientMemoryError(
                f"{self.info.name} needs about {_gib(need)} of memory "
                f"({_gib(self.info.file_size)} of weights plus context and work space), "
                f"but only {_gib(free)} is free. Close other programs, pick a smaller "
                "quantisation or model, or lower the context size."
            )

    def _special_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llm.detokenize([token], special=True).decode("utf-8", errors="replace")

    # -- public API ----------------------------------------------------------------------

    @property
    def llm(self) -> llama_cpp.Llama:
        """The underlying Llama, for benchmarks; the same one-thread rule applies."""
        return self._llm

    @property
    def offloaded_layers(self) -> int:
        """How many of the model's layers run on the GPU (0 on a CPU build)."""
        if not self.gpu_offload:
            return 0
        layers = self.info.n_layers
        return layers if self.n_gpu_layers < 0 else min(self.n_gpu_layers, layers)

    def describe(self) -> dict[str, object]:
        """What the window's status bar and `--stats` show: model, backend, where layers run."""
        gpu = hardware.gpu_device() if self.offloaded_layers else None
        return {
            "model": self.info.display_name,
            "path": str(self.config.model_path),
            "backend": hardware.backend_name() if gpu else "CPU",
            "gpu_offload_supported": self.gpu_offload,
            "gpu_layers": self.offloaded_layers,
            "n_layers": self.info.n_layers,
            "gpu_device": gpu.description if gpu else "",
            "n_threads": self.n_threads,
            "n_ctx": self.n_ctx,
            "load_s": round(self.load_s, 3),
            "sampling": self.sampling_source(),
        }

    def sampling_source(self) -> str:
        """What unset sampling fields get: "model's recommended (temp 0.7, top_p 0.8)" or
        "DraftRx defaults", naming any general.sampling.* keys the sampler cannot use."""
        text = describe_sampling(self.recommended)
        unused = [k.removeprefix("general.sampling.") for k in self.info.unused_sampling]
        return f"{text}; not used: {', '.join(unused)}" if unused else text

    def tokenize_chat(self, messages: Sequence[Message]) -> list[int]:
        """The template's text with its control tokens; each message's text as plain text,
        so a draft or a comment can never close a turn or open a system one. A last
        message from the assistant is the start of its answer: the model goes on from it
        (the turn is opened, not closed), so the answer begins with exactly that text."""
        opening = ""
        if messages and messages[-1]["role"] == "assistant":
            *messages, last = messages
            opening = last["content"]
        parts = message_parts(self.template.render, messages)
        if opening:
            parts.append((opening, True))
        tokens: list[int] = []
        for text, is_message in parts:
            # The template writes BOS itself where the model wants one.
            encoded = text.encode("utf-8", "replace")  # a lone surrogate is no text
            tokens += self._llm.tokenize(encoded, add_bos=False, special=not is_message)
        return tokens

    def stream(
        self, messages: Sequence[Message], params: GenerationParams | None = None
    ) -> Iterator[StreamEvent]:
        """Validate now (errors raise here), then return a generator of pieces and stats.

        Starting a stream cancels the previous one if it is still open.
        """
        started = time.perf_counter()
        self._check_usable()
        prompt = self._prompt(messages)
        params = params or GenerationParams()
        references = self._references(messages) if params.speculate else []
        return self._generate(prompt, references, params, self._supersede(), started)

    def stream_batch(
        self,
        prompts: Sequence[Sequence[Message]],
        params: GenerationParams | Sequence[GenerationParams] | None = None,
    ) -> Iterator[SequenceEvent]:
        """Generate for several prompts at once; events name the prompt they belong to.

        The prompts' common prefix is computed once and shared. Each prompt's stream ends
        with its own StreamStats as soon as it is done; `cancel_sequence(i)` stops one,
        `cancel()` all. Prompts that would not fit in the context together run in turns.
        """
        started = time.perf_counter()
        self._check_usable()
        if not 0 < len(prompts) <= MAX_SEQUENCES:
            raise ValueError(f"A batch holds 1 to {MAX_SEQUENCES} prompts, not {len(prompts)}.")
        tokens = [self._prompt(m) for m in prompts]
        if params is None or isinstance(params, GenerationParams):
            each = [params or GenerationParams()] * len(tokens)
        else:
            each = list(params)
        known: dict[str, list[int]] = {}  # the variants share their draft's paragraphs
        references = [self._references(m, known) if p.speculate else []
                      for m, p in zip(prompts, each, strict=True)]  # fmt: skip
        cancel = self._supersede()
        stops = [threading.Event() for _ in tokens]
        self._sequence_stops = stops
        return self._generate_batch(tokens, references, each, cancel, stops, started)

    def prefill(self, prompts: Sequence[Sequence[Message]], stop: threading.Event) -> bool:
        """Fill the cache with what these prompts will need, until `stop` is set.

        Run while the physician pauses: a later stream() or stream_batch() of the same
        prompts then starts generating at once. Returns whether it got to the end; what it
        did before a stop is kept.
        """
        self._check_usable()
        tokens = [self._prompt(m) for m in prompts[:MAX_SEQUENCES]]
        limit = [GenerationParams().max_tokens] * len(tokens)
        first_turn = self._turns(tokens, limit)[0]
        chunk = self._seqs.n_batch if self.offloaded_layers else BACKGROUND_BATCH
        _, done = self._prepare([tokens[i] for i in first_turn], stop, chunk)
        return done

    def cancel(self) -> None:
        """Stop the current stream: within one token, or one graph node of prefill. Any thread."""
        self._cancel.set()

    def cancel_sequence(self, index: int) -> None:
        """Stop one prompt of the current batch, leaving the others running. Any thread."""
        stops = self._sequence_stops
        if 0 <= index < len(stops):
            stops[index].set()

    def greedy_gaps(self, messages: Sequence[Message], output: Sequence[int]) -> list[float]:
        """For each token of `output`, how far its logit was below the best one when the
        prompt and the output before it are decoded one token at a time, as plain greedy
        decoding does: all 0.0 means plain greedy decoding writes exactly `output`.
        Batches round differently, so their greedy output shows small gaps instead."""
        prompt = self._prompt(messages)
        self.reset_cache()
        n_vocab = self._llm.n_vocab()
        self._fill([(0, prompt[:-1])], threading.Event(), None)
        gaps = []
        for token in [prompt[-1], *output[:-1]]:
            self._seqs.decode([(token, 0, True)])
            logits = np.ctypeslib.as_array(
                llama_cpp.llama_get_logits_ith(self._ctx.ctx, 0), shape=(n_vocab,)
            )
            gaps.append(float(logits.max() - logits[output[len(gaps)]]))
        self.reset_cache()
        return gaps

    def cached_tokens(self) -> int:
        """Cache cells in use (a shared prefix counted once)."""
        return self._seqs.cells()

    def reset_cache(self) -> None:
        """Forget every cached prompt (the next call prefills from scratch)."""
        self._check_usable()
        self._seqs.clear()
        self._llm.reset()

    def close(self) -> None:
        """Free the model's memory now (del alone may not); closing twice is harmless."""
        self._check_thread()
        if not self._closed:
            self._closed = True
            self._seqs.close()
            self._llm.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- shared steps --------------------------------------------------------------------

    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise WrongThreadError("The engine was used from a thread other than its own.")

    def _check_usable(self) -> None:
        self._check_thread()
        if self._closed:
            raise EngineError("The model was closed; load it again.")

    def _prompt(self, messages: Sequence[Message]) -> list[int]:
        prompt = self.tokenize_chat(messages)
        if len(prompt) >= self.n_ctx:
            over = len(prompt) - self.n_ctx + 1
            raise ContextOverflowError(
                f"The prompt is {len(prompt):,} tokens but the context holds {self.n_ctx:,}: "
                f"{over:,} tokens too many. Shorten the draft or raise the context size "
                f"(this model supports up to {self.info.context_length or self.n_ctx:,})."
            )
        return prompt

    def _references(
        self, messages: Sequence[Message], known: dict[str, list[int]] | None = None
    ) -> list[list[int]]:
        """What prompt lookup may copy from besides the prompt (speculative.unwrapped);
        `known` holds paragraphs already tokenized for another prompt of the same call."""
        if not self.speculation.enabled:
            return []
        known = {} if known is None else known
        out = []
        for text in unwrapped(m["content"] for m in messages):
            if text not in known:
                known[text] = self._llm.tokenize(text.encode("utf-8", "replace"), add_bos=False)
            out.append(known[text])
        return out

    def _supersede(self) -> threading.Event:
        """A stream left unfinished is superseded, never resumed on our cache."""
        self._cancel.set()
        self._cancel = threading.Event()
        self.outputs = {}
        for stop in self._sequence_stops:
            stop.set()
        self._sequence_stops = []
        return self._cancel

    def _turns(self, prompts: list[list[int]], limits: list[int]) -> list[list[int]]:
        """Group prompts so each group's shared prefix, tails and outputs fit the cache."""
        shared = min(common_length(prompts[0], p) for p in prompts)
        turns: list[list[int]] = [[]]
        used = shared
        for i, (prompt, limit) in enumerate(zip(prompts, limits, strict=True)):
            need = len(prompt) - shared + limit
            if turns[-1] and used + need > self.n_ctx:
                turns.append([])
                used = shared
            turns[-1].append(i)
            used += need
        return turns

    def _prepare(
        self,
        prompts: list[list[int]],
        cancel: threading.Event,
        chunk: int | None = None,
        tails: bool = True,
    ) -> tuple[list[int], bool]:
        """Make sequence i hold prompts[i] but its last token (fed when decoding starts),
        sharing the prompts' common prefix; return the tokens each already had, and
        whether the work finished before `cancel`. Without `tails`, each sequence's own
        part is left for the decoder to feed alongside the first variants' tokens."""
        seqs = self._seqs
        bodies = [p[:-1] for p in prompts]
        reused = [common_length(seqs.tokens[i], body) for i, body in enumerate(bodies)]
        shared = min(common_length(bodies[0], body) for body in bodies)
        seqs.truncate(0, reused[0])
        start = len(seqs.tokens[0])  # less than reused[0] on a recurrent model
        kept = [start] + [max(r, min(start, shared)) for r in reused[1:]]
        if start < shared and not self._fill([(0, bodies[0][start:shared])], cancel, chunk):
            return kept, False
        for i in range(1, MAX_SEQUENCES):
            if i >= len(bodies):
                seqs.truncate(i, 0)  # free what an earlier, larger batch left
            elif reused[i] < shared:
                seqs.share(0, i, shared)
            else:
                seqs.truncate(i, reused[i])
        if not tails:
            return kept, not cancel.is_set()
        own = [(i, body[len(seqs.tokens[i]) :]) for i, body in enumerate(bodies)]
        return kept, self._fill(own, cancel, chunk)

    def _fill(
        self, parts: list[tuple[int, list[int]]], cancel: threading.Event, chunk: int | None
    ) -> bool:
        """Feed tokens without asking for logits, `chunk` (n_batch) at a time, abortable
        mid-batch."""
        entries: list[Entry] = [(t, seq, False) for seq, tokens in parts for t in tokens]
        n_batch, log_level = chunk or self._seqs.n_batch, _LLAMA_LOG.level
        self._abort_on = cancel
        llama_cpp.llama_set_abort_callback(self._ctx.ctx, self._abort_prefill, None)
        _LLAMA_LOG.setLevel(logging.CRITICAL)  # failures still raise, with llama.cpp's code
        try:
            for i in range(0, len(entries), n_batch):
                if cancel.is_set():
                    return False
                try:
                    self._seqs.decode(entries[i : i + n_batch])
                except DecodeError:
                    if cancel.is_set():
                        return False
                    raise
                if self.on_prefill is not None:
                    self.on_prefill(min(i + n_batch, len(entries)), len(entries))
        finally:
            llama_cpp.llama_set_abort_callback(self._ctx.ctx, _NO_ABORT, None)
            _LLAMA_LOG.setLevel(log_level)
        return not cancel.is_set()

    def _failed(self) -> EngineError:
        self._seqs.clear()  # start the next call afresh
        return EngineError("Generation failed inside llama.cpp.")

    # -- generation --------------------------------------------------------------------

    def _generate(
        self,
        prompt: list[int],
        references: list[list[int]],
        params: GenerationParams,
        cancel: threading.Event,
        started: float,
    ) -> Iterator[StreamEvent]:
        events = self._generate_batch([prompt], [references], [params], cancel,
                                      [threading.Event()], started)  # fmt: skip
        for event in events:
            yield event.event

    def _generate_batch(
        self,
        prompts: list[list[int]],
        references: list[list[list[int]]],
        params: list[GenerationParams],
        cancel: threading.Event,
        stops: list[threading.Event],
        started: float,
    ) -> Iterator[SequenceEvent]:
        self._check_usable()
        sampling = [p.sampling(self.recommended) for p in params]
        for turn in self._turns(prompts, [p.max_tokens for p in params]):
            runs = [Run(sampling=sampling[i].source) for i in turn]
            try:
                if not cancel.is_set():  # a superseded stream must not touch the cache
                    # A batch's own parts are fed by the decoder: a variant whose part was
                    # prefilled in the background starts at once, the others catch up.
                    together = len(turn) > 1
                    reused, done = self._prepare([prompts[i] for i in turn], cancel,
                                                 tails=not together)  # fmt: skip
                    for slot, run in enumerate(runs):
                        run.reused = reused[slot]
                        run.prefilled = len(self._seqs.tokens[slot]) - reused[slot]
                    if done:
                        streams = [
                            self._stream_for(i, slot, prompts[i], references[i], params[i],
                                             sampling[i], stops[i], run)
                            for slot, (i, run) in enumerate(zip(turn, runs, strict=True))
                        ]  # fmt: skip
                        yield from self._decode(streams, cancel, started)
            except DecodeError:
                raise self._failed() from None
            for i, run in zip(turn, runs, strict=True):  # those cancelled before they ended
                if run.stop == "cancelled":
                    yield SequenceEvent(i, run.stats(len(prompts[i]), started))

    def _decode(
        self, streams: list[Stream], cancel: threading.Event, started: float
    ) -> Iterator[SequenceEvent]:
        try:
            for stream, event in self._decoder.run(streams, cancel, started):
                yield SequenceEvent(stream.index, event)
        finally:
            for stream in streams:
                stream.sampler.close()

    def _stream_for(
        self,
        index: int,
        slot: int,
        prompt: list[int],
        references: list[list[int]],
        params: GenerationParams,
        sampling: Sampling,
        stop: threading.Event,
        run: Run,
    ) -> Stream:
        speculate = params.speculate and self.speculation.enabled
        lookup = PromptLookup(prompt, references) if speculate else None
        guard = LoopGuard() if params.stop_loops else None
        sampler = self._sampler(sampling, params.seed, offset=slot)
        stream = Stream(index, slot, prompt, params, sampler, stop, run, lookup, guard)
        stream.fill = prompt[len(self._seqs.tokens[slot]) : -1]
        self.outputs[index] = stream.out
        return stream

    # -- sampling ------------------------------------------------------------------------

    def _sampler(self, sampling: Sampling, seed: int | None, offset: int = 0):  # LlamaSampler
        llm = self._llm
        seed = seed if seed is not None else random.getrandbits(32)
        llm.set_seed((seed + offset) % 2**32)
        return llm._init_sampler(
            temp=sampling.temperature,
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            repeat_penalty=sampling.repeat_penalty,
        )

    def _piece(self, token: int) -> bytes:
        piece = self._pieces.get(token)
        if piece is None:
            buf = self._piece_buf
            n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, False)
            if n < 0:
                buf = ctypes.create_string_buffer(-n)
                n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, False)
            piece = self._pieces[token] = buf.raw[:n]
        return piece
