"""The offline guarantee: a Python audit hook that refuses every network connection and
name lookup that does not stay on this machine.

Audit hooks cannot be removed once added, so the guard lasts as long as the process. It
sees what Python's socket module does (the app, Presidio, spaCy, any library an update
might add); it cannot see a C library that opens sockets by itself. llama.cpp's libraries
import no socket or curl functions (tests/vault/test_guard.py reads their symbol tables).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}
# Audit events for outward traffic and lookups, and where the address is in their args.
_EVENTS = {
    "socket.connect": 1,
    "socket.sendto": 1,
    "socket.sendmsg": 1,
    "socket.getaddrinfo": 0,
    "socket.gethostbyname": 0,
    "socket.gethostbyaddr": 0,
    "socket.getnameinfo": 0,
}
_installed = False


class OfflineError(PermissionError):
    """A refused connection or lookup; the message names the host and who asked."""


def install() -> None:
    """Add the hook once; later calls do nothing."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


def active() -> bool:
    return _installed


def probe() -> str | None:
    """Try an outside connection (to a documentation address, never routed): None when the
    guard refused it, otherwise what happened instead."""
    try:
        with socket.create_connection(("192.0.2.1", 9), timeout=0.5):
            return "connected"
    except OfflineError:
        return None
    except OSError as exc:
        return f"not refused by the guard ({exc.__class__.__name__})"


def _hook(event: str, args: tuple[Any, ...]) -> None:
    where = _EVENTS.get(event)
    if where is None or (where == 1 and _unix(args[0])) or _local(args[where]):
        return
    raise OfflineError(
        f"DraftRx works offline: {_caller()} tried to reach {_describe(args[where])} "
        f"({event}), and it was refused. Nothing left this computer."
    )


def _unix(sock: Any) -> bool:
    return getattr(sock, "family", None) == getattr(socket, "AF_UNIX", object())


def _local(target: Any) -> bool:
    """A loopback address or name, or no address (a socket already connected)."""
    if isinstance(target, tuple):
        target = target[0] if target else None
    if target is None:
        return True
    host = target.decode(errors="replace") if isinstance(target, bytes) else str(target)
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _describe(target: Any) -> str:
    if isinstance(target, tuple) and len(target) >= 2:
        return f"{target[0]} port {target[1]}"
    return str(target)


def _caller() -> str:
    """The first module outside the socket machinery: the one that wanted the network."""
    skip = ("socket", "ssl", "selectors", "asyncio", "http.client", "urllib3.util",
            "draftrx.vault.guard")  # fmt: skip
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "?")
        if not module.startswith(skip):
            return module
        frame = frame.f_back
    return "unknown code"
