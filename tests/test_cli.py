"""The `draftrx` command, run as a user runs it: a separate process."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from draftrx.engine.models import default_model

DRAFT = Path(__file__).parent / "fixtures" / "drafts" / "flu_myth.txt"


def draftrx(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "draftrx", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=900,  # the quick bench: 3 to 5 minutes on 2 free cores, more on a shared one
    )


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="X11/Wayland only")
def test_window_without_a_display_explains_itself() -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "draftrx"], capture_output=True, text=True,
                            env=env, timeout=60)  # fmt: skip
    assert result.returncode == 2 and "no display" in result.stderr


def window_env(tmp_path: Path) -> dict[str, str]:
    """An offscreen window with its own folders, no keyring and a model that fails at once."""
    config = tmp_path / "config"
    config.mkdir(parents=True)
    (config / "app.ini").write_text(f"[model]\npath={tmp_path / 'none.gguf'}\n")
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DRAFTRX_CONFIG_DIR": str(config),
            "DRAFTRX_DATA_DIR": str(tmp_path / "data"),
            "DRAFTRX_CACHE_DIR": str(tmp_path / "cache"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # fmt: skip


def thread_names(pid: int) -> set[str]:
    names: set[str] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the thread ended meanwhile
            names.add((task / "comm").read_text().strip())
    return names


@pytest.mark.parametrize(("name", "content", "message"), [
    ("nope.txt", None, "Could not open the draft"),
    ("latin1.txt", "Café visit".encode("latin-1"), "is not UTF-8 text"),
])  # fmt: skip
def test_window_draft_that_cannot_be_read_is_refused_without_an_abort(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    """Refused before any thread starts: Qt aborted on the engine thread still running."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "draftrx", "--draft", str(path)],
                            capture_output=True, text=True, env=window_env(tmp_path),
                            timeout=120)  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("draftrx: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr and str(path) in result.stderr


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="thread names from /proc")
def test_ctrl_c_closes_the_window(tmp_path: Path) -> None:
    """SIGINT to a real window process: it closes as its close button does, promptly."""
    draft = tmp_path / "draft.txt"
    draft.write_text("Flu shots work. Get yours this week.")
    command = [sys.executable, "-m", "draftrx", "--draft", str(draft)]
    window = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=window_env(tmp_path))
    try:
        deadline = time.monotonic() + 120
        while "draftrx-engine" not in thread_names(window.pid):  # the window is being built
            assert window.poll() is None and time.monotonic() < deadline, "no window"
            time.sleep(0.1)
        window.send_signal(signal.SIGINT)
        assert window.wait(timeout=20) == 130
    finally:
        window.kill()
        err = window.stderr.read()
        window.stderr.close()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and "QThread" not in err


def test_window_options_are_checked() -> None:
    result = draftrx("--rewrite")
    assert result.returncode == 2 and "--rewrite needs --screenshot and --draft" in result.stderr
    result = draftrx("--screenshot", "x.png", "models", "list")
    assert result.returncode == 2 and "give no sub-command" in result.stderr


def test_missing_and_empty_drafts(tmp_path: Path) -> None:
    result = draftrx("rewrite", str(tmp_path / "nope.txt"))
    assert result.returncode == 1 and "No such file" in result.stderr
    result = draftrx("rewrite", "-", stdin="   \n")
    assert result.returncode == 1 and "empty" in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--temperature", "nan", "a number from 0 (greedy) to 2, not 'nan'"),
        ("--temperature", "inf", "a number from 0 (greedy) to 2, not 'inf'"),
        ("--temperature", "-0.5", "a number from 0 (greedy) to 2, not '-0.5'"),
        ("--temperature", "warm", "a number from 0 (greedy) to 2, not 'warm'"),
        ("--max-tokens", "0", "a whole number from 1 to 100000, not 0"),
        ("--candidates", "5", "a whole number from 1 to 4, not 5"),
        ("--threads", "0", "a whole number from 1 to 1024, not 0"),
        ("--gpu-layers", "-2", "a whole number from -1 to 9999, not -2"),
        ("--max-tokens", "9" * 5000, "a whole number from 1 to 100000, not '99999"),
    ],
)
def test_bad_generation_options_are_refused_before_loading(option, value, expected,
                                                          capsys) -> None:  # fmt: skip
    from draftrx.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["rewrite", str(DRAFT), option, value])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "Traceback" not in err
    last = err.splitlines()[-1]  # after the usage, one sentence
    assert last.startswith(f"draftrx rewrite: error: argument {option}: expected {expected}")


def test_eval_rewrite_refuses_bad_numbers_too() -> None:
    result = draftrx("eval-rewrite", "--temperature", "nan")
    assert result.returncode == 2 and "argument --temperature: expected" in result.stderr
    result = draftrx("eval-rewrite", "--limit", "0")
    assert result.returncode == 2
    assert "argument --limit: expected a whole number of 1 or more, not 0" in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell closes the descriptor")
def test_a_reader_that_leaves_or_a_closed_stdout_stops_quietly(tmp_path: Path) -> None:
    """`draftrx scan big.jsonl | head -0`: the shell's SIGPIPE status, nothing on stderr;
    stdout closed from the start (`>&-`): one sentence."""
    lines = tmp_path / "big.jsonl"
    lines.write_text("".join(json.dumps({"id": n, "text": "Room 412"}) + "\n" for n in range(400)))
    proc = subprocess.Popen([sys.executable, "-m", "draftrx", "scan", str(lines)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    proc.stdout.close()  # the reader leaves before the first line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and err == ""
    closed = subprocess.run(["sh", "-c", '"$0" -m draftrx scan "$1" >&-', sys.executable,
                             str(lines)], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert closed.returncode == 1 and closed.stderr.count("\n") == 1
    assert closed.stderr.startswith("draftrx: error: standard output is closed")


def test_info_on_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    bad = tmp_path / "x.gguf"
    bad.write_text("hello")
    result = draftrx("models", "info", str(bad))
    assert result.returncode == 1
    assert "not a GGUF model" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.model
def test_rewrite_streams_and_reports_stats(default_model_path: Path) -> None:
    result = draftrx(
        "rewrite", "-", "--max-tokens", "12", "--seed", "7", "--stats", stdin=DRAFT.read_text()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    stats = json.loads(result.stderr.strip().splitlines()[-1])
    assert {"ttft_s", "prefill_tokens", "decode_tokens", "decode_tok_s", "total_s"} <= stats.keys()
    assert stats["decode_tokens"] == 12 and stats["prefill_tokens"] > 50


@pytest.mark.model
def test_models_info_list_and_path(default_model_path: Path) -> None:
    info = json.loads(draftrx("models", "info", str(default_model_path), "--json").stdout)
    assert info["architecture"] == "qwen2" and info["quantisation"] == "Q4_K_M"
    assert info["chat_template"] is True and info["file_size"] == 491_400_064
    assert info["file_size"] < info["estimated_ram"] < info["file_size"] + 350 * 2**20
    listed = json.loads(draftrx("models", "list", "--json").stdout)
    default = next(m for m in listed if m["default"])
    assert default["state"] == "ready" and default["path"] == str(default_model_path)
    assert draftrx("models", "path").stdout.strip() == str(default_model_path)
    assert draftrx("models", "path", default["id"]).stdout.strip() == str(default_model_path)
    unknown = draftrx("models", "path", "qwen-9000b")
    assert unknown.returncode == 2 and "No built-in model has the id qwen-9000b" in unknown.stderr
    table = draftrx("models", "list").stdout
    assert table.startswith("llama.cpp build: ") and "GPU offload" in table
    assert len([m for m in listed if m["state"] != "user"]) >= 2  # the built-ins
    by_id = draftrx("rewrite", "-", "--platform", "x", "--candidates", "1", "--max-tokens", "8",
                    "--message", "Flu shots work.", "--json", "--model", default["id"],
                    stdin="Flu shots work. Get yours.")  # fmt: skip
    assert by_id.returncode == 0, by_id.stderr
    assert json.loads(by_id.stdout)["variants"][0]["platform"] == "x"


@pytest.mark.model
def test_bench_quick_reports_every_figure(default_model_path: Path) -> None:
    result = draftrx("bench", "--quick", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert "engine" not in report and {"speed", "privacy", "vault", "gui"} <= report.keys()
    assert report["decode"]["raw_tok_s"] > 0 and report["decode"]["engine_tok_s"] > 0
    # Greedy through the engine is exact one-token greedy (tests/engine/test_speculative.py);
    # the raw loop rounds its first token within the prompt batch, so texts may part later.
    assert report["decode"]["same_prefix_chars"] > 0
    assert report["ttft"]["warm_reused_tokens"] == report["prompt_tokens"] - 1
    assert report["cancel"]["prefill"]["stop_reason"] == "cancelled"
    assert report["cancel"]["decode"]["stop_reason"] == "cancelled"
    assert report["memory"]["peak_rss_mb"] > report["memory"]["model_file_mb"] / 4
    gui = report["gui"]  # stalls are measured, not asserted: a shared CPU is noisy
    assert gui["decode_tokens"] > 0 and gui["text_updates"] > 1 and gui["window_shown_s"] > 0
    assert {"idle_stall_ms", "loading_stall_ms", "streaming_stall_ms"} <= gui.keys()
    speed = report["speed"]  # figures only: speed is the benchmark's business, not a test's
    assert speed["batch"]["variants"] == 6 and speed["batch"]["ratio"] > 0
    assert speed["batch"]["ratio_vs_plain"] > 0 and speed["batch"]["sequential_plain_s"] > 0
    assert {"one_variant", "six_variants", "yield_s"} <= speed["prefill"].keys()
    assert speed["prefill"]["one_variant"]["cold_ttft_s"] > 0
    assert set(speed["speculation"]["tok_s"]) == {"plain", "speculative", "raw", "llama_cpp_lookup"}
    # llama-cpp-python's lookup once overflowed its 512-row `scores` past this many tokens.
    spec = speed["speculation"]
    assert spec["prompt_tokens"] + spec["max_tokens"] > 512 and "llama_cpp_lookup" not in spec
    best = speed["best_of_n"]  # the whole rewrite with 2 candidates a platform, against 1
    assert best["wall_s"]["1"] > 0 and best["over_one"]["2"] > 0
    assert best["chosen_tokens"]["1"] > 0 and best["default_candidates"] == 2
    models = report["models"]["by_model"]  # every built-in: measured, or why it was not
    default_row = models.pop(default_model().id)
    assert default_row["decode_tok_s"] > 0 and default_row["speed_vs_default"] == 1.0
    assert all("skipped" in row or row["speed_vs_default"] > 0 for row in models.values())
    vault = report["vault"]
    assert vault["rounds"] == 50 and vault["autosave_p50_ms"] > 0
    assert vault["autosave_vs_plaintext"] > 0 and vault["scrypt_s"] > 0


@pytest.mark.model
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery is POSIX")
def test_ctrl_c_cancels_cleanly(default_model_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "draftrx", "rewrite", "-", "--max-tokens", "2000", "--stats"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc.stdin.write(DRAFT.read_text())
    proc.stdin.close()
    # The draft's closing advice, chosen from its own sentences: marked for checking.
    assert proc.stdout.readline().startswith(
        "Key message (your sentences that read most like your point; set it with --message): "
    )
    while not proc.stdout.readline().startswith("=== "):
        pass
    assert proc.stdout.read(1)  # text is streaming
    proc.send_signal(signal.SIGINT)
    proc.stdout.read()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert "Traceback" not in err
    assert json.loads(err.strip().splitlines()[-1])["stop_reason"] == "cancelled"
