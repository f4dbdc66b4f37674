"""The practice-server engine against a real OpenAI-compatible server (llama-cpp-python's,
serving the default model): streaming, Stop, concurrent variants, keys, models, a server
killed mid-stream and TLS with a practice's own certificate."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import trustme

from draftrx.engine.events import GenerationParams, StreamStats, TextPiece, collect
from draftrx.engine.remote import RemoteEngine, ServerConfig, ServerError

from .conftest import KEY, MODEL, LlamaServer

pytestmark = pytest.mark.model

HANDS = [{"role": "user", "content": "Write one sentence about washing hands."}]
COUNT = [{"role": "user", "content": "Count from 1 to 400, one number a line."}]
GREEDY = GenerationParams(max_tokens=40, temperature=0.0, seed=0)


def engine_for(server: LlamaServer, key: str | None = KEY, model: str = MODEL,
               **extra: object) -> RemoteEngine:  # fmt: skip
    return RemoteEngine(ServerConfig(server.url, model, key=key, ca_file=server.ca,
                                     **extra))  # type: ignore[arg-type]  # fmt: skip


def test_streams_pieces_as_the_server_writes_them(llama_server: LlamaServer) -> None:
    with engine_for(llama_server) as engine:
        events = list(engine.stream(HANDS, GREEDY))
    pieces = [e.text for e in events if isinstance(e, TextPiece)]
    stats = events[-1]
    assert isinstance(stats, StreamStats)
    assert len(pieces) > 5 and "hand" in "".join(pieces).lower()
    assert stats.stop_reason in ("eos", "length")
    assert 0 < stats.ttft_s < stats.total_s
    assert stats.decode_tokens >= len(pieces) - 1


def test_stop_closes_the_stream_and_the_server_stops_writing(llama_server: LlamaServer) -> None:
    long = GenerationParams(max_tokens=1500, temperature=0.0, seed=0)
    with engine_for(llama_server) as engine:
        pieces = 0
        stats = None
        for event in engine.stream(COUNT, long):
            if isinstance(event, TextPiece):
                pieces += 1
                if pieces == 8:
                    threading.Thread(target=engine.cancel).start()
            else:
                stats = event
        assert stats is not None and stats.stop_reason == "cancelled"
        assert pieces < 60
        # The server writes one request at a time: had it gone on with the 1,500 tokens, the
        # next answer would wait for them. It starts in a fraction of that time instead.
        _, after = collect(engine.stream(HANDS, GenerationParams(max_tokens=4, temperature=0)))
    rest = (1500 - pieces) / max(after.decode_tok_s, stats.decode_tok_s, 1.0)
    assert after.ttft_s < 0.25 * rest


def test_variants_go_together_and_one_can_be_stopped(llama_server: LlamaServer) -> None:
    prompts = [HANDS, COUNT, [{"role": "user", "content": "Name three fruits."}]]
    params = [GREEDY, GenerationParams(max_tokens=800, temperature=0.0), GREEDY]
    texts: dict[int, str] = {0: "", 1: "", 2: ""}
    ends: dict[int, StreamStats] = {}
    with engine_for(llama_server) as engine:
        for item in engine.stream_batch(prompts, params):
            if isinstance(item.event, TextPiece):
                texts[item.index] += item.event.text
                if item.index == 1 and len(texts[1]) > 20:
                    engine.cancel_sequence(1)
            else:
                ends[item.index] = item.event
    assert set(ends) == {0, 1, 2}
    assert ends[1].stop_reason == "cancelled"
    assert ends[0].stop_reason in ("eos", "length") and ends[2].stop_reason in ("eos", "length")
    assert "hand" in texts[0].lower() and texts[2].strip()


def test_a_wrong_key_is_named(llama_server: LlamaServer) -> None:
    with pytest.raises(ServerError, match="HTTP 401: it refused the API key"):
        engine_for(llama_server, key="not-the-key")
    with pytest.raises(ServerError, match="refused the API key"):
        engine_for(llama_server, key=None)


def test_a_model_the_server_does_not_have_is_named(llama_server: LlamaServer) -> None:
    # llama-cpp-python's server would answer any model name with its own: DraftRx asks first.
    with pytest.raises(ServerError, match=f"has no model 'llama-70b'; it offers: {MODEL}"):
        engine_for(llama_server, model="llama-70b")


def test_a_server_killed_mid_stream_leaves_an_incomplete_text(start_server) -> None:
    server = start_server()
    long = GenerationParams(max_tokens=1500, temperature=0.0, seed=0)
    with engine_for(server) as engine:
        text = ""
        stats = None
        for event in engine.stream(COUNT, long):
            if isinstance(event, TextPiece):
                text += event.text
                if len(text) > 30 and server.process.poll() is None:
                    server.kill()
            else:
                stats = event
    assert stats is not None and stats.stop_reason == "incomplete"
    assert len(text.strip()) > 30  # what came before the drop is kept


def test_tls_with_a_practice_certificate(start_server, tmp_path: Path) -> None:
    authority = trustme.CA()
    cert = authority.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = (tmp_path / n for n in ("cert.pem", "key.pem", "ca.pem"))
    cert.cert_chain_pems[0].write_to_path(cert_file)
    cert.private_key_pem.write_to_path(key_file)
    authority.cert_pem.write_to_path(ca_file)
    server = start_server(tls=(cert_file, key_file, ca_file))
    assert server.url.startswith("https://")
    untrusted = ServerConfig(server.url, MODEL, key=KEY)
    with pytest.raises(ServerError, match="certificate this computer does not trust"):
        RemoteEngine(untrusted)
    with engine_for(server) as engine:  # with the practice's CA file
        text, stats = collect(engine.stream(HANDS, GREEDY))
    assert "hand" in text.lower() and stats.stop_reason in ("eos", "length")
    plain = ServerConfig(server.url.replace("https", "http"), MODEL, key=KEY)
    with pytest.raises(ServerError):
        RemoteEngine(plain)
