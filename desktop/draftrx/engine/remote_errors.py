"""What a practice server's failures mean, in words a physician can act on.

No message carries a server's reply body: it may quote the prompt, and DraftRx writes no
draft text into an error.
"""

from __future__ import annotations

import ssl
from typing import Protocol

import httpx

from draftrx.engine.errors import EngineError


class ServerError(EngineError):
    """The practice server could not be used; the message says why and what to do."""


class Where(Protocol):
    """The part of a server's settings a message names."""

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...

    connect_timeout_s: float
    idle_timeout_s: float


def raise_for_status(response: httpx.Response, config: Where) -> None:
    status = response.status_code
    if status < 300:
        return
    if 300 <= status < 400:
        why = ("it redirected elsewhere, which DraftRx does not follow: give the address "
               "it redirects to")  # fmt: skip
    elif status in (401, 403):
        why = ("it refused the API key: check the key with `draftrx server add` (or in "
               "Preferences) against the one the practice's IT set")  # fmt: skip
    elif status == 404:
        why = ("it has no such page: the address should be the server's base URL, the one "
               "that ends before /v1, or the model is not there")  # fmt: skip
    elif status == 429 or status == 503:
        why = "it is busy; try again in a moment"
    else:
        why = "it reported an error of its own; its log says more"
    raise ServerError(f"The practice server {config.host} answered HTTP {status}: {why}.")


def not_openai(config: Where, response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "nothing").split(";")[0] or "nothing"
    return (f"The server at {config.host} answered, but not as an OpenAI-compatible server "
            f"does (it sent {kind}). Check the address: it is the base URL of llama-server, "
            "vLLM or Ollama, such as https://ai.clinic.lan:8443.")  # fmt: skip


def connection_error(exc: BaseException, config: Where) -> ServerError:
    where = f"{config.host} port {config.port}"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, PermissionError) and "offline" in str(cause):
            return ServerError(str(cause))
        if isinstance(cause, ssl.SSLCertVerificationError):
            return ServerError(
                f"The practice server {where} has a certificate this computer does not trust. "
                "If the practice made its own, add its CA certificate file (--ca FILE, or "
                "in Preferences); DraftRx never turns the check off."
            )
        if isinstance(cause, ssl.SSLError):
            return ServerError(
                f"A secure connection to {where} failed ({cause.__class__.__name__}): is "
                "the address https:// for a server that speaks only http://, or the other way?"
            )
        if isinstance(cause, ConnectionRefusedError):
            return ServerError(
                f"{where} refused the connection: the server is not running there, or on "
                "another port."
            )
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if isinstance(exc, httpx.ConnectTimeout) or "timed out" in text:
        return ServerError(f"{where} did not answer within {config.connect_timeout_s:g} s: "
                           "is this computer on the practice's network or VPN?")  # fmt: skip
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return ServerError(f"No computer called {config.host} could be found: check the "
                           "address, and the practice's network or VPN.")  # fmt: skip
    if "refused" in text:
        return ServerError(f"{where} refused the connection: the server is not running "
                           "there, or on another port.")  # fmt: skip
    return ServerError(f"The practice server {where} could not be reached "
                       f"({exc.__class__.__name__}).")  # fmt: skip
