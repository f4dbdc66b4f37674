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
- Stop closes the connection at once (from any thread), so the server stops writing too;
  a request still waiting for the server's first byte is given up on at once.
- Timeouts are idle times (httpx's read timeout is per read), not a total: a long post
  that keeps streaming is never cut.
- A stream that ends without a `finish_reason` is "incomplete", never passed off as done.
- Error messages say what went wrong in words a physician can act on and never carry a
  server's reply body, which may quote the prompt.
"""

from __future__ import annotations

import ipaddress
import queue
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from draftrx.engine import remote_stream
from draftrx.engine.chat import Message
from draftrx.engine.events import GenerationParams, SequenceEvent, StreamEvent, TextPiece
from draftrx.engine.remote_errors import (
    ServerError,
    connection_error,
    not_openai,
    raise_for_status,
)

MAX_CONCURRENT = 8  # requests in flight at once, for the server to batch; the rest wait


@dataclass(frozen=True)
class ServerConfig:
    """Where the server is and how to talk to it. `key` is never written to a file."""

    url: str  # base URL: "https://ai.clinic.lan:8443" or ".../v1"
    model: str = ""  # "" until chosen from /v1/models
    key: str | None = field(default=None, repr=False)
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
        """The host as looked up: an international name in its ASCII (IDNA) form."""
        try:
            return httpx.URL(self.url).raw_host.decode("ascii")
        except (httpx.InvalidURL, UnicodeError):
            return urlsplit(self.url).hostname or ""

    @property
    def encrypted(self) -> bool:
        """https, or a server on this very computer: nothing crosses a network in clear."""
        if urlsplit(self.url).scheme == "https" or self.host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host.strip("[]")).is_loopback
        except ValueError:
            return False

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)


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
        self.on_close: Callable[[], None] | None = None  # e.g. the guard's way out, given back
        self._client = _client(config)
        self._open = remote_stream.Open()
        self._slots = threading.Semaphore(MAX_CONCURRENT)
        self._cancel = threading.Event()
        self._stops: list[threading.Event] = []
        self.models: list[str] = []
        if check_model:
            try:
                self.models = self.list_models()
            except BaseException:
                self._client.close()
                raise
            if config.model not in self.models:
                self._client.close()
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
        return (item.event for item in self.stream_batch([messages], params))

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
        self._open.close(every=True)

    def cancel_sequence(self, index: int) -> None:
        stops = self._stops
        if 0 <= index < len(stops):
            stops[index].set()
        self._open.close(index)

    def describe(self) -> dict[str, object]:
        return {
            "model": self.config.model,
            "path": self.config.api_base,
            "backend": "Practice server",
            "server": self.config.name or self.config.host,
            "host": self.config.host,
            "port": self.config.port,
            "encrypted": self.config.encrypted,
            "gpu_layers": 0,
            "n_threads": 0,
            "n_ctx": 0,
            "load_s": 0.0,
            "sampling": self.sampling_source(),
        }

    def sampling_source(self) -> str:
        return remote_stream.SAMPLING

    def close(self) -> None:
        self.cancel()
        self._client.close()
        if self.on_close is not None:
            self.on_close()
            self.on_close = None

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
        """Each request on a thread of its own; their events reach the caller's thread
        through a queue. A request still waiting for its first byte when it is stopped is
        given up on at once (its thread ends when the server answers or the idle time
        passes), so Stop never waits on a busy server."""
        events: queue.Queue[tuple[int, StreamEvent | BaseException | None]] = queue.Queue()

        def run(index: int) -> None:
            def stopped() -> bool:
                return cancel.is_set() or stops[index].is_set()

            try:
                for event in remote_stream.read(self._client, self.config, self.config.model,
                                                prompts[index], params[index], stopped,
                                                self._slots, self._open, index):  # fmt: skip
                    events.put((index, event))
            except BaseException as exc:  # handed to the consumer's thread, raised there
                events.put((index, exc))
            events.put((index, None))

        for i in range(len(prompts)):
            threading.Thread(target=run, args=(i,), daemon=True, name=f"draftrx-server-{i}").start()
        pending, ended, failure = set(range(len(prompts))), set(), None
        try:
            while pending:
                try:
                    index, event = events.get(timeout=remote_stream.POLL_S)
                except queue.Empty:
                    for i in sorted(i for i in pending if stops[i].is_set()):
                        pending.discard(i)  # stopped and silent: do not wait for it
                        if i not in ended and failure is None:
                            yield SequenceEvent(i, remote_stream.cancelled(time.perf_counter()))
                    continue
                if index not in pending:
                    continue  # given up on: what it sends now is not wanted
                if event is None:
                    pending.discard(index)
                elif isinstance(event, BaseException):
                    failure = failure or event
                    self.cancel()  # one refused request means all will be: stop them
                elif failure is None:
                    if not isinstance(event, TextPiece):
                        ended.add(index)
                    yield SequenceEvent(index, event)
        finally:
            if pending:
                self.cancel()
        if failure is not None:
            raise failure


def _client(config: ServerConfig) -> httpx.Client:
    headers = {"Authorization": f"Bearer {config.key}"} if config.key else {}
    # No pool timeout: a request waits for a slot (remote_stream.read) before it asks.
    timeout = httpx.Timeout(connect=config.connect_timeout_s, read=config.idle_timeout_s,
                            write=config.idle_timeout_s, pool=None)  # fmt: skip
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
