"""`draftrx server ...`, `rewrite --server` and `doctor` against a real server, and the
promise behind them: only the protected prompt reaches the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from draftrx import cli, servers
from draftrx.vault import guard, keys
from draftrx.vault.store import Vault

from .conftest import KEY, MODEL, LlamaServer, Recorder

pytestmark = pytest.mark.model

# Every identifier here is the draft's own; none may reach the server in any form.
DRAFT = (
    "Long night at St. Aldric's. Dale Prentiss, 34, a landscaper from Millbrook (MRN "
    "448-2291, cell 555-201-3344), was stung by a wasp on 3/14/2026 and his coworker gave "
    "him Benadryl and waited. The lesson: if you have a severe allergy, use the epinephrine "
    "auto-injector first, then call 911."
)
IDENTIFIERS = ["Aldric", "Dale", "Prentiss", "Millbrook", "448-2291", "555-201-3344",
               "3/14/2026", "landscaper"]  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Path:
    monkeypatch.setenv("DRAFTRX_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv(servers.KEY_ENV, raising=False)
    return tmp_path / "config"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_add_list_test_remove_with_the_key_in_the_keyring(
    llama_server: LlamaServer, settings: Path, memory_keyring, monkeypatch, capsys
) -> None:
    monkeypatch.setenv(servers.KEY_ENV, KEY)
    status, out, _ = run(capsys, "server", "add", "clinic", llama_server.url)
    assert status == 0 and f"Added clinic: {llama_server.url} · {MODEL}" in out
    assert "system keyring" in out
    assert keys.load_text("server-key-clinic") == KEY
    assert KEY not in (settings / "servers.json").read_text()
    monkeypatch.delenv(servers.KEY_ENV)

    status, out, _ = run(capsys, "server", "list", "--json")
    listed = json.loads(out)
    assert status == 0 and listed[0]["name"] == "clinic" and listed[0]["key"] == "keyring"

    status, out, _ = run(capsys, "server", "test", "clinic", "--json")
    result = json.loads(out)
    assert status == 0 and result["model"] == MODEL and result["wrote_text"]
    assert result["ttft_s"] > 0 and result["decode_tok_s"] > 0

    status, out, _ = run(capsys, "doctor", "--json")
    (entry,) = json.loads(out)["servers"]
    assert entry["result"] == "reachable, key accepted, model there"

    status, out, _ = run(capsys, "server", "remove", "clinic")
    assert status == 0 and keys.load_text("server-key-clinic") is None
    assert run(capsys, "server", "list")[1].startswith("No practice server added")


def test_without_a_keyring_the_key_is_sealed_in_the_history(
    llama_server: LlamaServer, settings: Path, no_keyring, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("DRAFTRX_VAULT_PASSPHRASE", "correct horse battery")
    monkeypatch.setenv(servers.KEY_ENV, KEY)
    status, out, _ = run(capsys, "server", "add", "clinic", llama_server.url, "--model", MODEL)
    assert status == 0 and "in the drafts history" in out
    monkeypatch.delenv(servers.KEY_ENV)
    with Vault.open(passphrase="correct horse battery") as vault:
        assert vault.secret("server-key-clinic") == KEY
    assert KEY not in (settings / "servers.json").read_text()
    status, out, _ = run(capsys, "server", "test", "clinic")
    assert status == 0 and "key accepted" in out


def test_a_wrong_key_or_model_saves_nothing(
    llama_server: LlamaServer, settings: Path, memory_keyring, monkeypatch, capsys
) -> None:
    monkeypatch.setenv(servers.KEY_ENV, "wrong")
    status, _, err = run(capsys, "server", "add", "clinic", llama_server.url)
    assert status == 1 and "refused the API key" in err
    monkeypatch.setenv(servers.KEY_ENV, KEY)
    status, _, err = run(capsys, "server", "add", "clinic", llama_server.url, "--model", "x")
    assert status == 1 and f"it offers: {MODEL}" in err
    assert servers.load() == {} and memory_keyring.entries == {}


def test_rewrite_on_the_server_sends_only_the_protected_prompt(
    recording_proxy: Recorder, settings: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv(servers.KEY_ENV, KEY)
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT)
    status, out, err = run(capsys, "rewrite", str(draft), "--server", recording_proxy.url,
                           "--task", "lesson", "--platform", "x", "--candidates", "2",
                           "--max-tokens", "80", "--temperature", "0", "--json")  # fmt: skip
    assert status in (0, 3), err
    assert f"Practice server: 127.0.0.1 · {MODEL}" in err
    report = json.loads(out)
    assert report["variants"] and report["variants"][0]["text"].strip()
    sent = [json.loads(b) for b in recording_proxy.bodies if b]
    chats = [b for b in sent if "messages" in b]
    assert len(chats) >= 2  # two candidates, sent together
    wire = json.dumps(sent, ensure_ascii=False)
    leaked = [i for i in IDENTIFIERS if i.lower() in wire.lower()]
    assert leaked == []
    assert "epinephrine" in wire  # the lesson itself does go
    assert guard.allowed() == []  # done: the way out to the server is closed again


def test_server_and_model_are_not_both_given(settings: Path, tmp_path: Path, capsys) -> None:
    draft = tmp_path / "d.txt"
    draft.write_text("Wash your hands.")
    status, _, err = run(capsys, "rewrite", str(draft), "--server", "http://127.0.0.1:9",
                         "--model", "x.gguf")  # fmt: skip
    assert status == 1 and "--model and --server" in err
    status, _, err = run(capsys, "rewrite", str(draft), "--server", "nowhere")
    assert status == 1 and "No practice server is called 'nowhere'" in err


def test_bench_server_puts_the_client_beside_a_plain_loop_and_the_local_engine(
    llama_server: LlamaServer, settings: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv(servers.KEY_ENV, KEY)
    status, out, err = run(capsys, "bench", "--server", llama_server.url, "--quick", "--json",
                           "--threads", "2")  # fmt: skip
    assert status == 0, err
    r = json.loads(out)["server"]
    assert r["model"] == MODEL
    client, local = r["client"], r["local"]
    assert client["tok_s_plain"] > 0 and client["tok_s_draftrx"] > 0
    assert client["ttft_plain_ms"] > 0 and client["ttft_draftrx_ms"] > 0
    assert local["tok_s"] > 0 and local["six_variants_s"] > 0
    assert r["server_six_variants_s"] > 0


def test_the_environment_key_goes_only_to_a_server_without_one_kept(
    settings: Path, memory_keyring, monkeypatch
) -> None:
    monkeypatch.setenv(servers.KEY_ENV, "from-the-environment")
    kept = servers.keep(servers.Server("clinic", "https://ai.clinic.lan", MODEL), "kept-key")
    assert servers.key_for(kept) == "kept-key"
    assert servers.key_for(servers.find("https://ai.clinic.lan:8443")) == "from-the-environment"


def test_damaged_server_settings_are_named_and_never_overwritten(
    settings: Path, memory_keyring, capsys
) -> None:
    settings.mkdir(parents=True)
    damaged = settings / "servers.json"
    damaged.write_text('{"servers": {"clinic": {"name": "clinic", "url": "https://a.lan"')
    status, _, err = run(capsys, "server", "list")
    assert status == 1 and "cannot be read" in err and str(damaged) in err
    status, _, err = run(capsys, "server", "add", "other", "http://127.0.0.1:9", "--no-key")
    assert status == 1 and "cannot be read" in err
    assert damaged.read_text().startswith('{"servers": {"clinic"')  # left as it was
