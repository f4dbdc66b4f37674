"""The offline guard: outside connections and lookups are refused, loopback works.

The suite installs the guard for the whole session (tests/conftest.py), as the app does at
start, so these tests run in a guarded process.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from draftrx.vault import guard


def test_guard_is_on_in_the_test_process() -> None:
    assert guard.active()
    assert guard.probe() is None


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: socket.create_connection(("192.0.2.7", 443), timeout=1),
        lambda: socket.socket().connect(("203.0.113.5", 80)),
        lambda: socket.socket(socket.AF_INET6).connect(("2001:db8::1", 80, 0, 0)),
        lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)),
        lambda: socket.getaddrinfo("example.org", 443),
        lambda: socket.gethostbyname("pypi.org"),
        lambda: socket.gethostbyaddr("1.1.1.1"),
        lambda: socket.socket().connect(("leak.example.com", 80)),
        lambda: socket.socket().connect_ex(("leak.example.com", 80)),
        lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
            b"x", 0, ("leak.example.com", 53)
        ),
        lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendmsg(
            [b"x"], [], 0, ("leak.example.com", 53)
        ),
        lambda: socket.socket().bind(("leak.example.com", 0)),
        lambda: socket.socket().bind(("0.0.0.0", 0)),
        lambda: socket.socket().bind(("", 0)),
        lambda: socket.socket(socket.AF_INET6).bind(("::", 0)),
    ],
    ids=[
        "create_connection",
        "connect",
        "connect-ipv6",
        "udp-sendto",
        "getaddrinfo",
        "gethostbyname",
        "gethostbyaddr",
        "connect-name",
        "connect_ex-name",
        "sendto-flags-name",
        "sendmsg-name",
        "bind-name",
        "bind-any",
        "bind-empty",
        "bind-any-ipv6",
    ],
)
def test_outside_traffic_is_refused(attempt) -> None:
    with pytest.raises(guard.OfflineError, match="DraftRx works offline") as err:
        attempt()
    assert "test_guard" in str(err.value)  # it names the code that tried


def test_no_name_lookup_leaves_at_the_system_call_level() -> None:
    """CPython resolves a name given to connect() or sendto() in libc before the audit
    hook sees the call: only a system-call trace shows whether the query left."""
    control = guard.watched_self_test(guarded=False)
    if not control.watched:
        pytest.skip(control.detail)
    if not control.leaks:
        pytest.skip("this system sends no name lookup, even unguarded: nothing to watch")
    watch = guard.watched_self_test()
    assert watch.watched and watch.missed == [] and watch.leaks == []


ACCEPT_FROM_OUTSIDE = """
import socket, sys
from draftrx.vault import guard
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    probe.connect(("192.0.2.1", 9))  # routes only: no packet is sent
except OSError:
    sys.exit(3)
outside = probe.getsockname()[0]
if outside.startswith("127."):
    sys.exit(3)
listener = socket.socket()
listener.bind(("0.0.0.0", 0))
listener.listen()
client = socket.create_connection((outside, listener.getsockname()[1]))
guard.install()
try:
    listener.accept()
except guard.OfflineError as exc:
    print(exc)
"""


def test_a_listener_made_before_the_guard_serves_no_outside_peer() -> None:
    out = subprocess.run([sys.executable, "-c", ACCEPT_FROM_OUTSIDE], capture_output=True,
                         text=True, timeout=60, env=_env())  # fmt: skip
    if out.returncode == 3:
        pytest.skip("no network interface besides loopback")
    assert out.returncode == 0, out.stderr
    assert "(socket.accept), and it was refused" in out.stdout


def test_a_library_is_refused_and_named() -> None:
    with pytest.raises(urllib.error.URLError) as err:
        urllib.request.urlopen("https://telemetry.example.com/ping", timeout=1)
    assert isinstance(err.value.reason, guard.OfflineError)
    assert "urllib.request tried to reach telemetry.example.com" in str(err.value.reason)


def test_loopback_and_unix_sockets_work() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection((host, port), timeout=2):
                pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:  # buffers in a tuple
        udp.bind(("127.0.0.1", 0))
        udp.connect(udp.getsockname())
        assert udp.sendmsg((b"x", b"y")) == 2 and udp.sendto(b"z", udp.getsockname()) == 1
    with tempfile.TemporaryDirectory() as d, socket.socket(socket.AF_UNIX) as server:
        where = str(Path(d) / "s")
        server.bind(where)
        server.listen()
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(where)


def test_the_app_process_starts_guarded(tmp_path: Path) -> None:
    """`draftrx doctor` in a fresh process: the guard is on and refuses a real attempt."""
    out = subprocess.run([sys.executable, "-m", "draftrx", "doctor", "--json"],
                         capture_output=True, text=True, timeout=120,
                         env={**_env(), "DRAFTRX_DATA_DIR": str(tmp_path)})  # fmt: skip
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["offline_guard"]["state"] == "on"
    assert report["history"] == {"path": str(tmp_path / "history.sqlite3"), "state": "none yet"}
    assert report["folders"]["data"] == str(tmp_path)
    assert report["keyring"]["backend"]
    assert report["llama_cpp"]["backend"] in ("CPU", "CUDA", "Metal", "Vulkan", "SYCL", "ROCm")
    assert any(d.startswith("CPU") for d in report["llama_cpp"]["devices"])
    assert report["versions"]["cryptography"] != "missing"


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


@pytest.mark.skipif(sys.platform != "linux" or not shutil.which("nm"), reason="ELF and nm")
def test_llama_cpp_libraries_have_no_network_code() -> None:
    """The guard sees Python's sockets only; llama.cpp's native libraries must not open their
    own (no curl, no socket calls: a build with RPC or model download would fail here)."""
    import llama_cpp

    libs = sorted((Path(llama_cpp.__file__).parent / "lib").glob("*.so"))
    assert libs
    for lib in libs:
        out = subprocess.run(["nm", "-D", "--undefined-only", str(lib)], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
        imported = {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
        network = imported & {"socket", "connect", "getaddrinfo", "gethostbyname", "sendto",
                              "curl_easy_init", "curl_easy_perform"}  # fmt: skip
        assert not network, f"{lib.name} imports {sorted(network)}"
