"""A real OpenAI-compatible server for the practice-server tests: llama-cpp-python's own
(`python -m llama_cpp.server`) serving the default model on 127.0.0.1 and a free port,
started by the tests themselves; and small stand-ins for servers that misbehave, for the
tests about DraftRx's answer to them."""

from __future__ import annotations

import http.server
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

KEY = "practice-test-key"
MODEL = "practice-qwen"


@dataclass
class LlamaServer:
    url: str
    process: subprocess.Popen
    log: Path
    ca: Path | None = None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(model: Path, folder: Path, key: str | None, tls: tuple[Path, Path, Path] | None
           ) -> LlamaServer:  # fmt: skip
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
               "--model_alias", MODEL, "--host", "127.0.0.1", "--port", str(port),
               "--n_ctx", "4096", "--n_threads", "2", "--interrupt_requests", "False",
               "--verbose", "False"]  # fmt: skip
    if key:
        command += ["--api_key", key]
    scheme = "http"
    if tls:
        command += ["--ssl_certfile", str(tls[0]), "--ssl_keyfile", str(tls[1])]
        scheme = "https"
    log = folder / f"server-{port}.log"
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               env=env)  # fmt: skip
    url = f"{scheme}://127.0.0.1:{port}"
    verify = ssl.create_default_context(cafile=str(tls[2])) if tls else True
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test server exited: {log.read_text()[-2000:]}")
        try:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            if httpx.get(f"{url}/v1/models", headers=headers, verify=verify,
                         trust_env=False, timeout=2).status_code == 200:  # fmt: skip
                return LlamaServer(url, process, log, tls[2] if tls else None)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("the test server did not start within 120 s")


@pytest.fixture(scope="session")
def start_server(default_model_path: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Callable[..., LlamaServer]]:  # fmt: skip
    """start(key=KEY, tls=None): a fresh server process, stopped at the end of the session."""
    started: list[LlamaServer] = []

    def start(key: str | None = KEY, tls: tuple[Path, Path, Path] | None = None) -> LlamaServer:
        server = _start(default_model_path, tmp_path_factory.mktemp("server"), key, tls)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.kill()


@pytest.fixture(scope="session")
def llama_server(start_server: Callable[..., LlamaServer]) -> LlamaServer:
    """One server with an API key, shared by the tests that do not stop it."""
    return start_server()


@dataclass
class Recorder:
    """A reverse proxy in front of a real server that keeps every request body it passes on:
    what the practice's server would have received."""

    url: str
    bodies: list[bytes] = field(default_factory=list)


@pytest.fixture
def recording_proxy(llama_server: LlamaServer) -> Iterator[Recorder]:
    recorder = Recorder("")
    upstream = httpx.Client(base_url=llama_server.url, trust_env=False, timeout=120)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            recorder.bodies.append(body)
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() in ("authorization", "content-type", "accept")}  # fmt: skip
            request = upstream.build_request(method, self.path, content=body, headers=headers)
            response = upstream.send(request, stream=True)
            try:
                self.send_response(response.status_code)
                self.send_header("Content-Type", response.headers.get("content-type", ""))
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in response.iter_raw():
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            finally:
                response.close()

        def do_GET(self) -> None:
            self._forward("GET")

        def do_POST(self) -> None:
            self._forward("POST")

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        recorder.url = url
        yield recorder
    upstream.close()


class serving:
    """A threading HTTP server on 127.0.0.1 and a free port for the duration of a `with`."""

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
