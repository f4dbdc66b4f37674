"""A practice's own inference server (llama.cpp's llama-server, vLLM, Ollama) as an engine.

It speaks the OpenAI-compatible `/v1/chat/completions` stream (server-sent events) through
httpx and httpx-sse, and offers what the composer, the window and the command line use of
the local engine (`stream`, `stream_batch`, `cancel`, `cancel_sequence`, `prefill`,
`describe`, `close`), so they work with either without knowing which.

What it guarantees, whatever the server does:
- Only what it is given is sent: the composer hands it the protected prompt, never the
  draft. No proxy from the environment (`trust_env=False`) and no retries, which could
  repeat a generation on another path.
- Certificates are verified, against the practice's CA file when one is given; never
  turned off.
- Stop closes the connection at once (from any thread), so the server stops writing too.
- Timeouts are idle times (httpx's read timeout is per read), not a total: a long post
  that keeps streaming is never cut.
- A stream that ends without a `finish_reason` is "incomplete", never passed off as done.
- Error messages say what went wrong in words a physician can act on and never carry a
  server's reply body, which may quote the prompt.
"""

from __future__ import annotations

import contextlib
import json
import queue
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import httpx_sse

from draftrx.engine.chat import Message
from draftrx.engine.events import (
    GenerationParams,
    SequenceEvent,
    StopReason,
    StreamEvent,
    StreamStats,
    TextPiece,
)
from draftrx.engine.loops import LoopGuard
from draftrx.engine.remote_errors import (
    ServerError,
    connection_error,
    not_openai,
    raise_for_status,
)

MAX_CONCURRENT = 8  # variants and candidates sent at once, for the server to batch
_FINISH: dict[str, StopReason] = {"stop": "eos", "length": "length", "eos": "eos"}


@dataclass(frozen=True)
class ServerConfig:
    """Where the server is and how to talk to it. `key` is never written to a file."""

    url: str  # base URL: "https://ai.clinic.lan:8443" or ".../v1"
    model: str = ""  # "" until chosen from /v1/models
    key: str | None = None
    ca_file: Path | None = None
    name: str = ""
    idle_timeout_s: float = 120.0  # since the last byte; a cold server may load its model
    connect_timeout_s: float = 10.0

    @property
    def api_base(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/v1") else f"{base}/v1"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def label(self) -> str:
        """"ai.clinic.lan · llama-3.1-8b": what the status bar shows."""
        return f"{self.host} · {self.model}" if self.model else self.host


def check_url(url: str) -> str:
    """The URL as given, or ValueError saying what is wrong with it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"'{url}' is not a server address: give one like https://ai.clinic.lan:8443 "
            "or http://192.168.1.20:8080."
        )
    if parts.username or parts.password:
        raise ValueError("Put the API key in the key prompt, not in the server address.")
    if parts.query or parts.fragment:
        raise ValueError("A server address has no ?query or #part: give only its base URL.")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise ValueError(f"'{url}' has a port that is not a number.") from None
    return url.strip()


class RemoteEngine:
    """An OpenAI-compatible server as DraftRx's engine. Thread-safe for cancel()."""

    def __init__(self, config: ServerConfig, check_model: bool = True) -> None:
        self.config = config
        self.on_prefill = None  # the local engine reports its prefill; a server does not
        self._client = _client(config)
        self._lock = threading.Lock()
        self._open: dict[httpx.Response, int | None] = {}  # open streams, by batch index
        self._cancel = threading.Event()
        self._stops: list[threading.Event] = []
        self.models: list[str] = []
        if check_model:
            self.models = self.list_models()
            if config.model not in self.models:
                offered = ", ".join(self.models) or "none"
                raise ServerError(
                    f"The practice server {config.host} has no model '{config.model}'; "
                    f"it offers: {offered}. Choose one with `draftrx server add` or in "
                    "Preferences."
                )

    # -- what the app calls -------------------------------------------------------------

    def list_models(self) -> list[str]:
        """The model ids the server offers (`GET /v1/models`)."""
        try:
            response = self._client.get("/models")
        except httpx.HTTPError as exc:
            raise connection_error(exc, self.config) from None
        raise_for_status(response, self.config)
        try:
            data = response.json()["data"]
            return [str(m["id"]) for m in data]
        except (ValueError, KeyError, TypeError):
            raise ServerError(not_openai(self.config, response)) from None

    def stream(
        self, messages: Sequence[Message], params: GenerationParams | None = None
    ) -> Iterator[StreamEvent]:
        """One request; starting it stops the previous stream if it is still open."""
        self.cancel()
        cancel = self._fresh_cancel()
        return self._events(list(messages), params or GenerationParams(), cancel, None)

    def stream_batch(
        self,
        prompts: Sequence[Sequence[Message]],
        params: GenerationParams | Sequence[GenerationParams] | None = None,
    ) -> Iterator[SequenceEvent]:
        """Every prompt as its own request, all at once, so the server's batching serves
        them (MAX_CONCURRENT at a time); events name the prompt they belong to.
        `cancel_sequence(i)` stops one."""
        if not prompts:
            raise ValueError("A batch holds at least one prompt.")
        if params is None or isinstance(params, GenerationParams):
            each = [params or GenerationParams()] * len(prompts)
        else:
            each = list(params)
        self.cancel()
        cancel = self._fresh_cancel()
        stops = [threading.Event() for _ in prompts]
        self._stops = stops
        return self._batch([list(p) for p in prompts], each, cancel, stops)

    def prefill(self, prompts: Sequence[Sequence[Message]], stop: threading.Event) -> bool:
        """Nothing to do ahead: the server keeps its own cache, and sending the prompt
        before the physician asks for a rewrite would send it before they chose to."""
        return True

    def cancel(self) -> None:
        """Stop every open stream now: their connections are closed, so the server stops."""
        self._cancel.set()
        for stop in self._stops:
            stop.set()
        with self._lock:
            responses = list(self._open)
        for response in responses:
            _close_quietly(response)

    def cancel_sequence(self, index: int) -> None:
        stops = self._stops
        if 0 <= index < len(stops):
            stops[index].set()
        with self._lock:
            responses = [r for r, i in self._open.items() if i == index]
        for response in responses:
            _close_quietly(response)

    def describe(self) -> dict[str, object]:
        return {
            "model": self.config.model,
            "path": self.config.api_base,
            "backend": "Practice server",
            "server": self.config.name or self.config.host,
            "host": self.config.host,
            "port": self.config.port,
            "gpu_layers": 0,
            "n_threads": 0,
            "n_ctx": 0,
            "load_s": 0.0,
            "sampling": self.sampling_source(),
        }

    def sampling_source(self) -> str:
        return "DraftRx defaults, sent to the server"

    def close(self) -> None:
        self.cancel()
        self._client.close()

    def __enter__(self) -> RemoteEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- streaming ----------------------------------------------------------------------

    def _fresh_cancel(self) -> threading.Event:
        self._cancel = threading.Event()
        return self._cancel

    def _batch(
        self,
        prompts: list[list[Message]],
        params: list[GenerationParams],
        cancel: threading.Event,
        stops: list[threading.Event],
    ) -> Iterator[SequenceEvent]:
        events: queue.Queue[tuple[int, StreamEvent | BaseException | None]] = queue.Queue()

        def run(index: int) -> None:
            try:
                for event in self._events(prompts[index], params[index], cancel, stops[index],
                                          index):  # fmt: skip
                    events.put((index, event))
            except BaseException as exc:  # handed to the consumer's thread, raised there
                events.put((index, exc))
            events.put((index, None))

        threads = [threading.Thread(target=run, args=(i,), daemon=True, name=f"draftrx-server-{i}")
                   for i in range(len(prompts))]  # fmt: skip
        for thread in threads:
            thread.start()
        running, failure = len(threads), None
        try:
            while running:
                index, event = events.get()
                if event is None:
                    running -= 1
                elif isinstance(event, BaseException):
                    failure = failure or event
                    self.cancel()  # one refused request means all will be: stop them
                elif failure is None:
                    yield SequenceEvent(index, event)
        finally:
            if running:
                self.cancel()
            for thread in threads:
                thread.join(timeout=5)
        if failure is not None:
            raise failure

    def _events(
        self,
        messages: list[Message],
        params: GenerationParams,
        cancel: threading.Event,
        stop: threading.Event | None,
        index: int | None = None,
    ) -> Iterator[StreamEvent]:
        started = time.perf_counter()
        body = _request_body(self.config.model, messages, params)
        stopped = lambda: cancel.is_set() or (stop is not None and stop.is_set())  # noqa: E731
        ttft: float | None = None
        pieces = 0
        first_at = 0.0
        usage: dict[str, Any] = {}
        reason: StopReason = "incomplete"
        guard = LoopGuard() if params.stop_loops else None
        ids: dict[str, int] = {}
        trim = 0
        if stopped():
            yield _stats(0, 0.0, time.perf_counter() - started, "cancelled", usage, 0)
            return
        request = self._client.build_request("POST", "/chat/completions", json=body,
                                             headers={"Accept": "text/event-stream"})  # fmt: skip
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            if stopped():
                yield _stats(0, 0.0, time.perf_counter() - started, "cancelled", usage, 0)
                return
            raise connection_error(exc, self.config) from None
        with self._lock:
            self._open[response] = index
        try:
            if stopped():
                reason = "cancelled"
            else:
                raise_for_status(response, self.config)
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    raise ServerError(not_openai(self.config, response))
                for sse in httpx_sse.EventSource(response).iter_sse():
                    if sse.data.strip() == "[DONE]":
                        break
                    chunk = _chunk(sse.data, self.config, response)
                    usage = chunk.get("usage") or usage
                    text, finish = _delta(chunk, self.config, response)
                    if text:
                        pieces += 1
                        now = time.perf_counter()
                        if ttft is None:
                            ttft, first_at = now - started, now
                        shown = guard.push(ids.setdefault(text, len(ids)), text) if guard else text
                        if shown:
                            yield TextPiece(shown)
                        if guard is not None and guard.loop is not None:
                            trim, reason = guard.loop.trim_chars, "loop"
                            break  # closing the response stops the server writing the loop
                    if finish:
                        reason = _FINISH.get(finish, "eos")
                if reason != "loop" and guard is not None and (rest := guard.release()):
                    yield TextPiece(rest)
        except (httpx.HTTPError, OSError, RuntimeError) as exc:
            if stopped():
                reason = "cancelled"
            elif isinstance(exc, httpx.ReadTimeout):
                raise ServerError(
                    f"The practice server {self.config.host} sent nothing for "
                    f"{self.config.idle_timeout_s:g} s and was given up on; what it wrote "
                    "so far is kept."
                ) from None
            elif pieces == 0 and not isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
                raise connection_error(exc, self.config) from None
            # else: the server dropped the stream mid-way: "incomplete", text kept
        finally:
            with self._lock:
                self._open.pop(response, None)
            _close_quietly(response)
            if stopped() and reason == "incomplete":
                reason = "cancelled"
        total = time.perf_counter() - started
        decode = (time.perf_counter() - first_at) if ttft is not None else 0.0
        yield _stats(pieces, decode, total, reason, usage, trim, ttft)


def _request_body(model: str, messages: list[Message], params: GenerationParams) -> dict:
    """The chat request: DraftRx's sampling (the server's own for nothing it sets), and
    usage asked for where the server can give it."""
    sampling = params.sampling()
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
        "stream": True,
        "max_tokens": params.max_tokens,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "top_k": sampling.top_k,
        "min_p": sampling.min_p,
        "repeat_penalty": sampling.repeat_penalty,
    }
    if params.seed is not None:
        body["seed"] = params.seed
    return body


def _stats(
    pieces: int,
    decode_s: float,
    total: float,
    reason: StopReason,
    usage: dict[str, Any],
    trim: int,
    ttft: float | None = None,
) -> StreamStats:
    prompt = int(usage.get("prompt_tokens") or 0)
    tokens = int(usage.get("completion_tokens") or pieces)
    return StreamStats(
        prompt_tokens=prompt,
        reused_tokens=0,
        prefill_tokens=prompt,
        ttft_s=round(ttft if ttft is not None else total, 4),
        decode_tokens=tokens,
        decode_tok_s=round((tokens - 1) / decode_s, 2) if tokens > 1 and decode_s > 0 else 0.0,
        total_s=round(total, 4),
        stop_reason=reason,
        trim_chars=trim,
        sampling="DraftRx defaults, sent to the server",
    )


def _chunk(data: str, config: ServerConfig, response: httpx.Response) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except ValueError:
        raise ServerError(not_openai(config, response)) from None
    if not isinstance(chunk, dict):
        raise ServerError(not_openai(config, response))
    if "error" in chunk:
        raise ServerError(f"The practice server {config.host} stopped with an error while "
                          "writing; what it wrote so far is kept.")  # fmt: skip
    return chunk


def _delta(
    chunk: dict[str, Any], config: ServerConfig, response: httpx.Response
) -> tuple[str, str | None]:
    """The text and finish reason of a stream chunk's first choice ("", None for a chunk
    with none, such as a usage-only one); ServerError for one that is not shaped so."""
    choices = chunk.get("choices") or [{}]
    choice = choices[0] if isinstance(choices, list) else None
    delta = choice.get("delta") or {} if isinstance(choice, dict) else None
    text = delta.get("content") or "" if isinstance(delta, dict) else None
    if not isinstance(text, str) or not isinstance(choice, dict):
        raise ServerError(not_openai(config, response))
    finish = choice.get("finish_reason")
    return text, str(finish) if finish else None


def _client(config: ServerConfig) -> httpx.Client:
    headers = {"Authorization": f"Bearer {config.key}"} if config.key else {}
    timeout = httpx.Timeout(connect=config.connect_timeout_s, read=config.idle_timeout_s,
                            write=config.idle_timeout_s, pool=config.idle_timeout_s)  # fmt: skip
    return httpx.Client(
        base_url=config.api_base,
        headers=headers,
        timeout=timeout,
        verify=_verify(config),
        trust_env=False,  # no HTTP(S)_PROXY, no .netrc: nothing but the configured server
        follow_redirects=False,  # a redirect could point anywhere
        limits=httpx.Limits(max_connections=MAX_CONCURRENT),
    )


def _verify(config: ServerConfig) -> ssl.SSLContext | bool:
    if config.ca_file is None:
        return True
    if not Path(config.ca_file).is_file():
        raise ServerError(f"The certificate file {config.ca_file} does not exist.")
    try:
        return ssl.create_default_context(cafile=str(config.ca_file))
    except (ssl.SSLError, OSError):
        raise ServerError(
            f"{Path(config.ca_file).name} is not a certificate file (PEM) that this "
            "computer can read."
        ) from None


def _close_quietly(response: httpx.Response) -> None:
    with contextlib.suppress(httpx.HTTPError, OSError, RuntimeError):
        response.close()
