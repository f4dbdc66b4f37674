"""The streaming engine: one object, one Llama, one thread.

Design:
- Everything but cancel() must run on the thread that created the engine (llama.cpp
  contexts are not thread-safe); a GUI gives the engine its own worker thread.
- The prompt is fed in full n_batch batches (llama.cpp's fastest path, and the same numerics
  as plain llama-cpp-python, so greedy output is reproducible). While a batch runs, llama.cpp
  polls an abort callback between graph nodes, so cancel() stops a long prefill within
  milliseconds; the callback is removed for decoding, where cancel is checked per token.
- The KV cache of the previous call is kept: a prompt that starts with the same tokens
  (same system text and draft, another instruction) skips that part of the prefill.
- The hot loop samples in C (llama.cpp's sampler chain), caches token pieces, and decodes
  UTF-8 incrementally so a character split across tokens never reaches the screen broken.
"""

from __future__ import annotations

import codecs
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

from draftrx.engine import hardware
from draftrx.engine.chat import ChatTemplate, Message
from draftrx.engine.errors import (
    ChatTemplateError,
    ContextOverflowError,
    EngineError,
    InsufficientMemoryError,
    ModelLoadError,
    WrongThreadError,
)
from draftrx.engine.events import GenerationParams, StopReason, StreamEvent, StreamStats, TextPiece
from draftrx.engine.gguf import GGUFInfo, read_gguf

DEFAULT_CTX = 4096
_NO_ABORT = llama_cpp.ggml_abort_callback()  # NULL: nothing polled while decoding
# llama-cpp-python prints llama.cpp's log to stderr; an abort we asked for logs an "error".
_LLAMA_LOG = logging.getLogger("llama-cpp-python")


@dataclass
class _Run:
    """What one stream has done so far, for its closing stats."""

    reused: int = 0
    prefilled: int = 0
    decoded: int = 0
    first_at: float | None = None
    last_at: float | None = None
    stop: StopReason = "cancelled"


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
        n_ctx = config.n_ctx or min(self.info.context_length or DEFAULT_CTX, DEFAULT_CTX)
        self._check_memory(n_ctx, available_ram())
        started = time.perf_counter()
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(config.model_path),
                n_ctx=n_ctx,
                n_batch=config.n_batch,
                n_ubatch=config.n_batch,
                n_threads=self.n_threads,
                n_threads_batch=max(self.n_threads, hardware.batch_threads()),
                n_gpu_layers=self.n_gpu_layers,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(f"llama.cpp could not load {self.info.name}: {exc}") from None
        self.load_s = time.perf_counter() - started
        try:
            self.template = ChatTemplate(
                template,
                bos_token=self._special_text(self._llm.token_bos()),
                eos_token=self._special_text(self._llm.token_eos()),
            )
        except ChatTemplateError:
            self._llm.close()
            raise
        self.n_ctx = self._llm.n_ctx()
        self._vocab = self._llm._model.vocab
        self._pieces: dict[int, bytes] = {}
        self._piece_buf = ctypes.create_string_buffer(256)
        self._cancel = threading.Event()
        self._abort_prefill = llama_cpp.ggml_abort_callback(lambda _: self._cancel.is_set())
        self._closed = False

    # -- setup -------------------------------------------------------------------------

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
        return {
            "model": self.info.name,
            "path": str(self.config.model_path),
            "backend": hardware.backend_name(),
            "gpu_offload_supported": self.gpu_offload,
            "gpu_layers": self.offloaded_layers,
            "n_threads": self.n_threads,
            "n_ctx": self.n_ctx,
            "load_s": round(self.load_s, 3),
        }

    def tokenize_chat(self, messages: Sequence[Message]) -> list[int]:
        prompt = self.template.render(messages)
        # The template writes BOS itself where the model wants one.
        return self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def stream(
        self, messages: Sequence[Message], params: GenerationParams | None = None
    ) -> Iterator[StreamEvent]:
        """Validate now (errors raise here), then return a generator of pieces and stats.

        Starting a stream cancels the previous one if it is still open.
        """
        started = time.perf_counter()
        self._check_usable()
        prompt = self.tokenize_chat(messages)
        if len(prompt) >= self.n_ctx:
            over = len(prompt) - self.n_ctx + 1
            raise ContextOverflowError(
                f"The prompt is {len(prompt):,} tokens but the context holds {self.n_ctx:,}: "
                f"{over:,} tokens too many. Shorten the draft or raise the context size "
                f"(this model supports up to {self.info.context_length or self.n_ctx:,})."
            )
        self._cancel.set()  # a stream left unfinished is superseded, never resumed on our cache
        self._cancel = threading.Event()
        return self._generate(prompt, params or GenerationParams(), self._cancel, started)

    def cancel(self) -> None:
        """Stop the current stream: within one token, or one graph node of prefill. Any thread."""
        self._cancel.set()

    def reset_cache(self) -> None:
        """Forget the kept prompt prefix (the next call prefills from scratch)."""
        self._check_usable()
        self._llm.reset()

    def close(self) -> None:
        """Free the model's memory now (del alone may not); closing twice is harmless."""
        self._check_thread()
        if not self._closed:
            self._closed = True
            self._llm.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- generation ----------------------------------------------------------------------

    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise WrongThreadError("The engine was used from a thread other than its own.")

    def _check_usable(self) -> None:
        self._check_thread()
        if self._closed:
            raise EngineError("The model was closed; load it again.")

    def _generate(
        self,
        prompt: list[int],
        params: GenerationParams,
        cancel: threading.Event,
        started: float,
    ) -> Iterator[StreamEvent]:
        self._check_usable()
        run = _Run()
        try:
            if not cancel.is_set():  # a superseded stream must not touch the cache
                run.reused = self._reuse_prefix(prompt)
                run.prefilled = self._prefill(prompt[run.reused :], cancel)
            if run.reused + run.prefilled == len(prompt):
                yield from self._decode(params, cancel, run)
        except RuntimeError as exc:  # llama_decode failed: start the next call afresh
            self._llm.reset()
            raise EngineError(f"Generation failed inside llama.cpp: {exc}") from None
        end = time.perf_counter()
        span = (run.last_at or 0.0) - (run.first_at or 0.0)
        yield StreamStats(
            prompt_tokens=len(prompt),
            reused_tokens=run.reused,
            prefill_tokens=run.prefilled,
            ttft_s=(run.first_at or end) - started,
            decode_tokens=run.decoded,
            decode_tok_s=(run.decoded - 1) / span if run.decoded > 1 and span > 0 else 0.0,
            total_s=end - started,
            stop_reason=run.stop,
        )

    def _decode(
        self, params: GenerationParams, cancel: threading.Event, run: _Run
    ) -> Iterator[TextPiece]:
        """The hot loop: sample, emit, feed back; cancel is checked before and after each yield."""
        llm, now = self._llm, time.perf_counter
        sampler = self._sampler(params)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        opening = True  # leading whitespace of the reply is dropped
        try:
            while not cancel.is_set():
                token = sampler.sample(llm._ctx, -1)
                if llama_cpp.llama_vocab_is_eog(self._vocab, token):
                    run.stop = "eos"
                    break
                run.decoded += 1
                run.last_at = now()
                if run.first_at is None:
                    run.first_at = run.last_at
                text = decoder.decode(self._piece(token))
                if opening:
                    text = text.lstrip()
                    opening = not text
                if text:
                    yield TextPiece(text)
                if cancel.is_set():
                    break
                if run.decoded >= params.max_tokens:
                    run.stop = "length"
                    break
                if llm.n_tokens + 1 >= self.n_ctx:
                    run.stop = "context"
                    break
                llm.eval([token])
        finally:
            sampler.close()
        tail = decoder.decode(b"", final=True)
        if tail.strip():
            yield TextPiece(tail)

    def _reuse_prefix(self, prompt: list[int]) -> int:
        """Keep the cached tokens the prompt starts with; at least one token is re-fed."""
        llm = self._llm
        cached = llm.input_ids[: min(llm.n_tokens, len(prompt) - 1)]
        differs = np.flatnonzero(cached != np.asarray(prompt[: len(cached)], dtype=cached.dtype))
        keep = int(differs[0]) if differs.size else len(cached)
        if keep < llm.n_tokens and not llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            keep = 0  # this architecture cannot drop a cache suffix (recurrent models)
        if keep == 0:
            llm.reset()
        llm.n_tokens = keep
        return keep

    def _prefill(self, tokens: list[int], cancel: threading.Event) -> int:
        """Feed the prompt batch by batch; return how many tokens are now in the cache."""
        llm, n_batch = self._llm, self.config.n_batch
        start, log_level = llm.n_tokens, _LLAMA_LOG.level
        llama_cpp.llama_set_abort_callback(llm.ctx, self._abort_prefill, None)
        _LLAMA_LOG.setLevel(logging.CRITICAL)  # failures still raise, with llama.cpp's code
        try:
            for i in range(0, len(tokens), n_batch):
                if cancel.is_set():
                    break
                try:
                    llm.eval(tokens[i : i + n_batch])
                except RuntimeError:
                    if not cancel.is_set():
                        raise
                    # Aborted mid-batch: drop whatever of this batch reached the cache.
                    llm._ctx.kv_cache_seq_rm(-1, llm.n_tokens, -1)
                    break
        finally:
            llama_cpp.llama_set_abort_callback(llm.ctx, _NO_ABORT, None)
            _LLAMA_LOG.setLevel(log_level)
        return llm.n_tokens - start

    def _sampler(self, params: GenerationParams):  # -> llama_cpp._internals.LlamaSampler
        llm = self._llm
        llm.set_seed(params.seed if params.seed is not None else random.getrandbits(32))
        return llm._init_sampler(
            temp=max(params.temperature, 0.0),
            top_k=params.top_k,
            top_p=params.top_p,
            min_p=params.min_p,
            repeat_penalty=params.repeat_penalty,
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
