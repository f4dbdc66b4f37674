"""The offline guarantee: every network connection, name lookup and listener that does not
stay on this machine is refused.

Two layers. A Python audit hook refuses outside addresses and lookups; audit hooks cannot
be removed once added, so it lasts as long as the process. But CPython resolves a host
name given to connect(), sendto() or bind() inside libc while it parses the address,
before the audit event fires: the DNS query would leave even though the connection is then
refused. So the guard also wraps those methods of socket.socket (and so of ssl and
asyncio sockets) to refuse a non-local name before CPython parses it.

It sees what Python's socket module does (the app, Presidio, spaCy, any library an update
might add); it cannot see a C library that opens sockets by itself. llama.cpp's libraries
import no socket or curl functions (tests/vault/test_guard.py reads their symbol tables),
and `watched_lookup()` checks the guard at the system-call level.

One exception, and only when the physician chooses it: a practice's own inference server
(`hold`). Its host and port are reachable while something holds them (the engine that
writes there, a check of the server), and nothing else ever is.
"""

from __future__ import annotations

import _socket
import ipaddress
import json
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

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
    "socket.bind": 1,
}
# The socket methods that resolve a host name in C before their audit event, and where
# their address argument is: sendto takes optional flags before it (-1: the last of two or
# three), sendmsg takes it fourth, after buffers that may be a tuple.
_RESOLVING = {"connect": 0, "connect_ex": 0, "bind": 0, "sendto": -1, "sendmsg": 3}
_INET = (socket.AF_INET, socket.AF_INET6)
_installed = False
# The practice servers held open (`hold`), by (name, port): how many holders each has, and
# the addresses its name resolved to. These are the only ways out.
_holders: dict[tuple[str, int], int] = {}
_resolved: dict[tuple[str, int], set[tuple[str, int]]] = {}
_held_lock = threading.Lock()


class OfflineError(PermissionError):
    """A refused connection or lookup; the message names the host and who asked."""


def install() -> None:
    """Add the hook once; later calls do nothing."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        for name, where in _RESOLVING.items():
            setattr(socket.socket, name, _checked(getattr(_socket.socket, name), where))
        socket.socket.accept = _checked_accept(socket.socket.accept)  # type: ignore[method-assign]
        socket.getaddrinfo = _recording(socket.getaddrinfo)
        _installed = True


def hold(host: str, port: int) -> Callable[[], None]:
    """Let the process reach a practice server the physician chose: this host name (or
    address) on this port, and the addresses the name resolves to, on it only. Returns
    the release: once every holder has released it, the server is unreachable again."""
    where = (host.lower().strip("[]"), int(port))
    with _held_lock:
        _holders[where] = _holders.get(where, 0) + 1
        found = _resolved.setdefault(where, set())
        if _numeric(where[0]):
            found.add((where[0].split("%")[0], where[1]))
    released = threading.Event()

    def release() -> None:
        if released.is_set():
            return
        released.set()
        with _held_lock:
            _holders[where] -= 1
            if _holders[where] <= 0:
                del _holders[where]
                del _resolved[where]

    return release


def allowed() -> list[str]:
    """"host:port" for each practice server this process may reach now."""
    with _held_lock:
        return sorted(f"{h}:{p}" for h, p in _holders)


def _recording(getaddrinfo: Callable[..., Any]) -> Callable[..., Any]:
    """getaddrinfo(), noting the addresses an allowed server's name resolves to, so that
    the connection to them that follows is let through."""

    def recording(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        found = getaddrinfo(host, port, *args, **kwargs)
        where = _held_name(host, port)
        if where is not None:
            with _held_lock:
                for *_, address in found:
                    _resolved.get(where, set()).add((str(address[0]).split("%")[0],
                                                     int(address[1])))  # fmt: skip
        return found

    recording.__doc__ = getaddrinfo.__doc__
    return recording


def _held_name(host: Any, port: Any) -> tuple[str, int] | None:
    """(name, port) when a practice server is held under this name and port."""
    if not _holders or host is None:
        return None
    name = host.decode(errors="replace") if isinstance(host, bytes) else str(host)
    try:
        where = (name.lower(), int(port) if port is not None else -1)
    except (TypeError, ValueError):
        return None
    return where if where in _holders else None


def _is_allowed_name(host: Any, port: Any) -> bool:
    return _held_name(host, port) is not None


def _is_allowed_address(address: Any) -> bool:
    if not isinstance(address, tuple) or len(address) < 2 or not _holders:
        return False
    host = address[0].decode(errors="replace") if isinstance(address[0], bytes) else str(address[0])
    target = (host.split("%")[0], address[1])
    with _held_lock:
        if any(target in found for found in _resolved.values()):
            return True
    return _is_allowed_name(*address[:2])


def active() -> bool:
    return _installed


def probe() -> str | None:
    """Run the self-test in this process: None when the guard refused every way out,
    otherwise the ways it did not."""
    missed = self_test()
    return f"not refused: {', '.join(missed)}" if missed else None


SELF_TEST_HOST = "draftrx-guard-self-test.example.com"


def self_test() -> list[str]:
    """Try every way out, by name and by address: the ways the guard did not refuse."""
    udp = (socket.AF_INET, socket.SOCK_DGRAM)
    name, outside = (SELF_TEST_HOST, 80), ("192.0.2.1", 9)
    tries: dict[str, Callable[[socket.socket], Any]] = {
        "connect by name": lambda s: s.connect(name),
        "connect_ex by name": lambda s: s.connect_ex(name),
        "connect by address": lambda s: s.connect(outside),
        "bind on every interface": lambda s: s.bind(("0.0.0.0", 0)),
        "bind by name": lambda s: s.bind(name),
    }
    datagrams: dict[str, Callable[[socket.socket], Any]] = {
        "sendto by name": lambda s: s.sendto(b"x", name),
        "sendmsg by name": lambda s: s.sendmsg([b"x"], [], 0, name),
        "sendto by address": lambda s: s.sendto(b"x", outside),
    }
    lookups: dict[str, Callable[[], Any]] = {
        "getaddrinfo": lambda: socket.getaddrinfo(SELF_TEST_HOST, 80),
        "gethostbyname": lambda: socket.gethostbyname(SELF_TEST_HOST),
        "create_connection": lambda: socket.create_connection(name, timeout=0.5),
    }
    missed = []
    for label, attempt in [
        *((k, lambda t=t: _on(socket.socket(), t)) for k, t in tries.items()),
        *((k, lambda t=t: _on(socket.socket(*udp), t)) for k, t in datagrams.items()),
        *lookups.items(),
    ]:
        try:
            attempt()
        except OfflineError:
            continue
        except OSError:
            pass
        missed.append(label)
    return missed


def _on(sock: socket.socket, attempt: Callable[[socket.socket], Any]) -> None:
    with sock:
        attempt(sock)


class Watch(NamedTuple):
    """What a self-test run under strace showed: whether it could be watched, the traced
    lines that carried the test's host name or went to a name server, and the tests the
    guard did not refuse."""

    watched: bool
    leaks: list[str]
    missed: list[str]
    detail: str


def watched_self_test(guarded: bool = True, timeout: float = 60) -> Watch:
    """Run self_test() in a child process under strace, watching its network system calls:
    the proof that no name lookup leaves, not only that Python raised. Where strace is
    missing or not allowed (macOS, Windows, a packaged app, a locked-down kernel), says
    so instead. `guarded=False` runs it without the guard, to show the watch sees leaks."""
    strace = shutil.which("strace")
    if strace is None or getattr(sys, "frozen", False):
        return Watch(False, [], [], "not watched: strace is not available here")
    install = "guard.install(); " if guarded else ""
    code = f"import json; from draftrx.vault import guard; {install}"
    code += "print(json.dumps(guard.self_test()))"
    try:
        run = subprocess.run(
            [strace, "-f", "-qq", "-s", "256", "-e", "trace=network", "-o", "/dev/stderr",
             sys.executable, "-c", code],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Watch(False, [], [], f"not watched: {exc.__class__.__name__}")
    calls = [line for line in run.stderr.splitlines() if "(" in line]
    if run.returncode != 0 or not any("socket(" in line for line in calls):
        return Watch(False, [], [], "not watched: strace could not trace the self-test")
    leaks = [line for line in calls if SELF_TEST_HOST.split(".")[0] in line
             or "htons(53)" in line or "resolve" in line or "nscd" in line]  # fmt: skip
    missed = json.loads(run.stdout.strip().splitlines()[-1])
    return Watch(True, leaks, missed, "watched at the system-call level with strace")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    where = _EVENTS.get(event)
    if where is None or (where == 1 and _unix(args[0])):
        return
    if event == "socket.bind" and _listens_locally(args[1]):
        return
    if event != "socket.bind" and _local(args[where]):
        return
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg") and _is_allowed_address(
        args[where]
    ):
        return
    if event == "socket.getaddrinfo" and _is_allowed_name(args[0], args[1]):
        return
    raise _refused(args[where], event)


def _refused(target: Any, event: str) -> OfflineError:
    tried = "listen on" if event == "socket.bind" else "reach"
    return OfflineError(
        f"DraftRx works offline: {_caller()} tried to {tried} {_describe(target)} "
        f"({event}), and it was refused. Nothing left this computer."
    )


def _checked(method: Callable[..., Any], where: int) -> Callable[..., Any]:
    """`method`, refusing a host name that is not local before CPython resolves it."""
    event = f"socket.{method.__name__}"

    def checked(self: socket.socket, *args: Any) -> Any:
        if where < 0:
            address = args[where] if len(args) >= 2 else None
        else:
            address = args[where] if len(args) > where else None
        if self.family in _INET and isinstance(address, tuple) and address:
            host = address[0]
            local = _listens_locally(address) if event == "socket.bind" else _local(address)
            if event != "socket.bind" and _is_allowed_name(*address[:2]):
                local = True
            if not local and not _numeric(host):
                raise _refused(address, event)
        return method(self, *args)

    checked.__name__ = checked.__qualname__ = method.__name__
    checked.__doc__ = method.__doc__
    return checked


def _checked_accept(accept: Callable[..., Any]) -> Callable[..., Any]:
    """accept(), closing a connection from outside this machine: a listener made before
    the guard, or handed in by file descriptor, must not serve the network."""

    def checked(self: socket.socket) -> tuple[socket.socket, Any]:
        conn, peer = accept(self)
        if self.family in _INET and not _local(peer):
            conn.close()
            raise _refused(peer, "socket.accept")
        return conn, peer

    checked.__doc__ = accept.__doc__
    return checked


def _numeric(host: Any) -> bool:
    """A literal IP address, which CPython parses without a lookup; the audit hook then
    decides on it."""
    text = host.decode(errors="replace") if isinstance(host, bytes) else str(host)
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return True


def _listens_locally(address: Any) -> bool:
    """A listener on loopback only: "" and 0.0.0.0 mean every interface."""
    if not isinstance(address, tuple):
        return True  # a Unix socket's path, or a family without hosts
    return bool(address) and address[0] not in ("", b"") and _local(address)


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
        return f"{target[0] or 'every interface'} port {target[1]}"
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
