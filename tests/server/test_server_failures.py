"""Servers that are not there or misbehave: each gets a message that says what to do, and
nothing leaves for anywhere but the chosen server. The stand-ins here are about DraftRx's
answer to a broken server; the real server is tested in test_server_engine.py."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from draftrx.engine.events import GenerationParams, TextPiece, collect
from draftrx.engine.remote import RemoteEngine, ServerConfig, ServerError, check_url
from draftrx.vault import guard

from .conftest import KEY, MODEL, LlamaServer, free_port, serving

HANDS = [{"role": "user", "content": "Write one sentence about washing hands."}]


class _Models(http.server.BaseHTTPRequestHandler):
    """Offers MODEL at /v1/models; what the chat answer is, subclasses decide."""

    def do_GET(self) -> None:
        self._send(200, "application/json", b'{"data": [{"id": "%s"}]}' % MODEL.encode())

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _stream_of(*chunks: bytes) -> type[_Models]:
    class Streams(_Models):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b"".join(b"data: " + c + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
            self._send(200, "text/event-stream", body)

    return Streams


def test_a_web_page_is_not_taken_for_a_server() -> None:
    class Portal(_Models):  # a login page, a proxy's error page, the wrong port
        def do_GET(self) -> None:
            self._send(200, "text/html", b"<html>Sign in to the clinic Wi-Fi</html>")

    with serving(Portal) as url, pytest.raises(ServerError, match=r"not as an OpenAI-compatible "
                                               r"server does \(it sent text/html\)"):  # fmt: skip
        RemoteEngine(ServerConfig(url, MODEL))


def test_a_chat_answer_that_is_not_a_stream_is_refused() -> None:
    class NoStream(_Models):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self._send(200, "application/json", b'{"choices": [{"message": {"content": "x"}}]}')

    refused = pytest.raises(ServerError, match="not as an OpenAI-compatible server does")
    with serving(NoStream) as url, RemoteEngine(ServerConfig(url, MODEL)) as engine, refused:
        collect(engine.stream(HANDS, GenerationParams(max_tokens=8)))


def test_a_stream_without_a_finish_reason_is_incomplete() -> None:
    cut = _stream_of(b'{"choices": [{"delta": {"content": "Wash your"}, "finish_reason": null}]}')
    with serving(cut) as url, RemoteEngine(ServerConfig(url, MODEL)) as engine:
        text, stats = collect(engine.stream(HANDS, GenerationParams(max_tokens=8)))
    assert text == "Wash your" and stats.stop_reason == "incomplete"


def test_a_silent_server_is_given_up_on_after_the_idle_time() -> None:
    class Silent(_Models):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.flush()
            time.sleep(3)

    with serving(Silent) as url:
        config = ServerConfig(url, MODEL, idle_timeout_s=0.5)
        silent = pytest.raises(ServerError, match=r"sent nothing for 0\.5 s")
        with RemoteEngine(config) as engine, silent:
            collect(engine.stream(HANDS, GenerationParams(max_tokens=8)))


def test_refused_connection_and_unknown_host_are_told_apart() -> None:
    with pytest.raises(ServerError, match="refused the connection: the server is not running"):
        RemoteEngine(ServerConfig(f"http://127.0.0.1:{free_port()}", MODEL))
    host = "draftrx-practice.invalid"  # .invalid never resolves (RFC 2606)
    release = guard.hold(host, 8443)
    with pytest.raises(ServerError, match=f"No computer called {host} could be found"):
        RemoteEngine(ServerConfig(f"https://{host}:8443", MODEL))
    release()


def test_a_server_not_allowed_is_refused_by_the_guard() -> None:
    with pytest.raises(ServerError, match="DraftRx works offline"):
        RemoteEngine(ServerConfig("https://draftrx-not-chosen.example.com", MODEL))


def _reaches(address: tuple[str, int]) -> bool:
    """Whether the guard lets a connection to `address` through (TEST-NET: it may then
    time out, which is not a refusal)."""
    with socket.socket() as s:
        s.settimeout(0.2)
        try:
            s.connect(address)
        except guard.OfflineError:
            return False
        except OSError:
            pass
    return True


def test_the_guard_allows_the_chosen_server_and_nothing_else() -> None:
    assert guard.allowed() == []
    first, second = guard.hold("192.0.2.200", 8443), guard.hold("192.0.2.200", 8443)
    assert _reaches(("192.0.2.200", 8443))
    assert not _reaches(("192.0.2.200", 8444)) and not _reaches(("192.0.2.201", 8443))
    with pytest.raises(guard.OfflineError):
        socket.getaddrinfo("example.org", 8443)
    assert guard.allowed() == ["192.0.2.200:8443"]
    first()
    first()  # a release counts once
    assert _reaches(("192.0.2.200", 8443))  # the other holder still holds it
    second()
    assert guard.allowed() == [] and not _reaches(("192.0.2.200", 8443))


@pytest.mark.model
def test_proxy_settings_cannot_carry_a_prompt(llama_server: LlamaServer, monkeypatch) -> None:
    seen: list[str] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_error(502)

        do_POST = do_CONNECT = do_GET

        def log_message(self, *args: object) -> None:
            pass

    with serving(Proxy) as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with RemoteEngine(ServerConfig(llama_server.url, MODEL, key=KEY)) as engine:
            pieces = [e for e in engine.stream(HANDS, GenerationParams(max_tokens=6))
                      if isinstance(e, TextPiece)]  # fmt: skip
    assert pieces and seen == []


@pytest.mark.parametrize("url", ["ai.clinic.lan", "ftp://ai.clinic.lan", "https://u:pw@host",
                                 "https://host:port", "https://host/v1?x=1"])  # fmt: skip
def test_addresses_that_are_not_server_urls(url: str) -> None:
    with pytest.raises(ValueError):
        check_url(url)


SHAPES = [b"<b>not json</b>", b'{"choices": {"0": 1}}', b'{"choices": [null]}',
          b'{"choices": [{"delta": "x"}]}', b'{"choices": [{"delta": {"content": 7}}]}', b"[1, 2]"]


@pytest.mark.parametrize("chunk", SHAPES)
def test_chunks_of_the_wrong_shape_are_refused(chunk: bytes) -> None:
    refused = pytest.raises(ServerError, match="not as an OpenAI-compatible server does")
    with serving(_stream_of(chunk)) as url, RemoteEngine(ServerConfig(url, MODEL)) as engine, \
            refused:  # fmt: skip
        collect(engine.stream(HANDS, GenerationParams(max_tokens=8)))


def test_a_server_that_loops_is_cut_after_the_first_copy() -> None:
    line = b'{"choices": [{"delta": {"content": "Wash your hands well. "}}]}'
    done = b'{"choices": [{"delta": {}, "finish_reason": "length"}]}'
    looping = _stream_of(*[line] * 40, done)
    with serving(looping) as url, RemoteEngine(ServerConfig(url, MODEL)) as engine:
        text, stats = collect(engine.stream(HANDS, GenerationParams(max_tokens=400)))
    assert stats.stop_reason == "loop"
    assert text.count("Wash your hands well.") == 1


def test_stop_does_not_wait_for_a_server_that_has_not_answered() -> None:
    answered = threading.Event()

    class Busy(_Models):  # still loading its model: no headers yet
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(20)
            answered.set()

    with serving(Busy) as url, RemoteEngine(ServerConfig(url, MODEL)) as engine:
        threading.Timer(0.3, engine.cancel).start()
        _, stats = collect(engine.stream(HANDS, GenerationParams(max_tokens=8)))
        assert stats.stop_reason == "cancelled"
        assert not answered.is_set()  # the stream ended before the server said a word


def test_a_server_that_goes_quiet_mid_post_leaves_it_incomplete() -> None:
    class Stalls(_Models):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b'data: {"choices": [{"delta": {"content": "Wash your"}}]}\n\n')
            self.wfile.flush()
            time.sleep(3)

    with serving(Stalls) as url, RemoteEngine(ServerConfig(url, MODEL, idle_timeout_s=0.5)) \
            as engine:  # fmt: skip
        text, stats = collect(engine.stream(HANDS, GenerationParams(max_tokens=8)))
    assert text == "Wash your" and stats.stop_reason == "incomplete"


@pytest.mark.parametrize("finish", ["content_filter", "abort", "tool_calls"])
def test_a_finish_other_than_done_is_not_done(finish: str) -> None:
    chunk = b'{"choices": [{"delta": {"content": "Wash"}, "finish_reason": "%s"}]}' % (
        finish.encode())
    with serving(_stream_of(chunk)) as url, RemoteEngine(ServerConfig(url, MODEL)) as engine:
        _, stats = collect(engine.stream(HANDS, GenerationParams(max_tokens=8)))
    assert stats.stop_reason == "incomplete"


def test_more_variants_than_slots_all_arrive_and_a_stop_sends_no_more() -> None:
    posts: list[float] = []

    class Slow(_Models):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            posts.append(time.monotonic())
            time.sleep(0.3)
            body = b'data: {"choices": [{"delta": {"content": "ok"}, "finish_reason": "stop"}]}'
            self._send(200, "text/event-stream", body + b"\n\ndata: [DONE]\n\n")

    twelve = [HANDS] * 12  # six platforms, two versions each
    with serving(Slow) as url, RemoteEngine(ServerConfig(url, MODEL)) as engine:
        ends = [e.event.stop_reason for e in engine.stream_batch(twelve)
                if not isinstance(e.event, TextPiece)]  # fmt: skip
        assert ends == ["eos"] * 12 and len(posts) == 12
        posts.clear()
        threading.Timer(0.1, engine.cancel).start()
        ends = [e.event.stop_reason for e in engine.stream_batch(twelve)
                if not isinstance(e.event, TextPiece)]  # fmt: skip
        time.sleep(0.5)  # a request let through after the Stop would have reached it by now
    assert ends.count("cancelled") == 12 and len(posts) <= 8


def test_the_key_is_not_in_a_server_settings_repr() -> None:
    config = ServerConfig("https://ai.clinic.lan", MODEL, key="sk-secret-123")
    assert "sk-secret-123" not in repr(config) and "sk-secret-123" not in str(config)


def test_an_international_host_is_held_as_it_is_looked_up() -> None:
    config = ServerConfig("https://ärzte.lan:8443", MODEL)
    assert config.host == "xn--rzte-koa.lan"
    assert not ServerConfig("http://ai.clinic.lan", MODEL).encrypted
    assert ServerConfig("http://127.0.0.1:8080", MODEL).encrypted
