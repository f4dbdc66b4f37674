"""One request to a practice server, read as DraftRx's stream events.

Every stream ends with its StreamStats, whatever happens: the server finished ("eos",
"length"), was stopped ("cancelled"), fell into a loop ("loop", cut after the first copy
as locally) or went quiet or away before saying it was done ("incomplete": the text so far
is kept and never passed off as finished). A server that never started answering gets an
error in words instead (remote_errors.py).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import httpx_sse

from draftrx.engine.chat import Message
from draftrx.engine.events import GenerationParams, StopReason, StreamEvent, StreamStats, TextPiece
from draftrx.engine.loops import LoopGuard
from draftrx.engine.remote_errors import (
    ServerError,
    Where,
    connection_error,
    not_openai,
    raise_for_status,
)

POLL_S = 0.1  # how often a request waiting for a free slot looks for a Stop
SAMPLING = "DraftRx defaults, sent to the server"
_FINISH: dict[str, StopReason] = {"stop": "eos", "eos": "eos", "length": "length"}


@dataclass
class Open:
    """The streams open now, each with the batch index it belongs to: what Stop closes."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    responses: dict[httpx.Response, int | None] = field(default_factory=dict)

    def close(self, index: int | None = None, every: bool = False) -> None:
        """Shut the socket (which wakes a read blocked in another thread; a close alone
        does not), then close the response: the server sees the client leave and stops."""
        with self.lock:
            chosen = [r for r, i in self.responses.items() if every or i == index]
        for response in chosen:
            stream = response.extensions.get("network_stream")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(httpx.HTTPError, OSError, RuntimeError):
                response.close()


def read(
    client: httpx.Client,
    where: Where,
    model: str,
    messages: list[Message],
    params: GenerationParams,
    stopped: Callable[[], bool],
    slots: threading.Semaphore,
    opened: Open,
    index: int | None = None,
) -> Iterator[StreamEvent]:
    """One chat request, streamed. It waits for one of the `slots` (the requests in flight
    at once), looking for a Stop meanwhile."""
    started = time.perf_counter()
    while not slots.acquire(timeout=POLL_S):
        if stopped():
            yield cancelled(started)
            return
    try:
        yield from _read(client, where, model, messages, params, stopped, opened, index,
                         started)  # fmt: skip
    finally:
        slots.release()


def cancelled(started: float) -> StreamStats:
    return _stats(0, 0.0, time.perf_counter() - started, "cancelled", {}, 0)


def _read(
    client: httpx.Client, where: Where, model: str, messages: list[Message],
    params: GenerationParams, stopped: Callable[[], bool], opened: Open, index: int | None,
    started: float,
) -> Iterator[StreamEvent]:  # fmt: skip
    if stopped():
        yield cancelled(started)
        return
    request = client.build_request("POST", "/chat/completions", json=body(model, messages, params),
                                   headers={"Accept": "text/event-stream"})  # fmt: skip
    try:
        response = client.send(request, stream=True)
    except (httpx.HTTPError, RuntimeError) as exc:  # RuntimeError: the client was closed
        if stopped():
            yield cancelled(started)
            return
        raise connection_error(exc, where) from None
    with opened.lock:
        opened.responses[response] = index
    ttft: float | None = None
    pieces, first_at, trim = 0, 0.0, 0
    usage: dict[str, Any] = {}
    reason: StopReason = "incomplete"
    guard = LoopGuard() if params.stop_loops else None
    ids: dict[str, int] = {}
    try:
        if stopped():
            reason = "cancelled"
        else:
            raise_for_status(response, where)
            if "text/event-stream" not in response.headers.get("content-type", ""):
                raise ServerError(not_openai(where, response))
            for sse in httpx_sse.EventSource(response).iter_sse():
                if sse.data.strip() == "[DONE]":
                    break
                chunk = _chunk(sse.data, where, response)
                usage = chunk.get("usage") if isinstance(chunk.get("usage"), dict) else usage
                text, finish = _delta(chunk, where, response)
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
                    # a filter, an abort, a tool call: anything but done is not done
                    reason = _FINISH.get(finish, "incomplete")
            if reason != "loop" and guard is not None and (rest := guard.release()):
                yield TextPiece(rest)
    except (httpx.HTTPError, OSError, RuntimeError) as exc:
        if stopped():
            reason = "cancelled"
        elif pieces == 0 and isinstance(exc, httpx.ReadTimeout):
            quiet = f"{where.idle_timeout_s:g} s"
            raise ServerError(f"The practice server {where.host} sent nothing for {quiet} "
                              "and was given up on.") from None  # fmt: skip
        elif pieces == 0 and not isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            raise connection_error(exc, where) from None
        # else: the server went quiet or away mid-way: "incomplete", the text so far kept
    finally:
        with opened.lock:
            opened.responses.pop(response, None)
        with contextlib.suppress(httpx.HTTPError, OSError, RuntimeError):
            response.close()
        if stopped() and reason == "incomplete":
            reason = "cancelled"
    total = time.perf_counter() - started
    decode = (time.perf_counter() - first_at) if ttft is not None else 0.0
    yield _stats(pieces, decode, total, reason, usage, trim, ttft)


def body(model: str, messages: list[Message], params: GenerationParams) -> dict[str, Any]:
    """The chat request, with DraftRx's sampling (what the local engine would use)."""
    sampling = params.sampling()
    request: dict[str, Any] = {
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
        request["seed"] = params.seed
    return request


def _count(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _stats(
    pieces: int, decode_s: float, total: float, reason: StopReason, usage: dict[str, Any],
    trim: int, ttft: float | None = None,
) -> StreamStats:  # fmt: skip
    """Token counts from the server's `usage` where it sent one, else a piece a token."""
    prompt = _count(usage.get("prompt_tokens"))
    tokens = _count(usage.get("completion_tokens")) or pieces
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
        sampling=SAMPLING,
    )


def _chunk(data: str, where: Where, response: httpx.Response) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except ValueError:
        raise ServerError(not_openai(where, response)) from None
    if not isinstance(chunk, dict):
        raise ServerError(not_openai(where, response))
    if "error" in chunk:
        raise ServerError(f"The practice server {where.host} stopped with an error while "
                          "writing.")  # fmt: skip
    return chunk


def _delta(chunk: dict[str, Any], where: Where, response: httpx.Response
           ) -> tuple[str, str | None]:  # fmt: skip
    """The text and finish reason of a stream chunk's first choice ("", None for a chunk
    with none, such as a usage-only one); ServerError for one that is not shaped so."""
    choices = chunk.get("choices") or [{}]
    choice = choices[0] if isinstance(choices, list) else None
    delta = choice.get("delta") or {} if isinstance(choice, dict) else None
    text = delta.get("content") or "" if isinstance(delta, dict) else None
    if not isinstance(text, str) or not isinstance(choice, dict):
        raise ServerError(not_openai(where, response))
    finish = choice.get("finish_reason")
    return text, str(finish) if finish else None
