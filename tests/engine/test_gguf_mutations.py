"""A GGUF header mutator: every mutation of a tiny, loadable model's metadata is refused in
one sentence or loads; none aborts the process (llama.cpp's GGML_ASSERT is a SIGABRT with
no message) or hangs.

Most mutations are checked against the header validator directly (milliseconds each); a
handful are loaded for real, each in a child process with a timeout, so an abort or a hang
fails its test instead of killing pytest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest
from gguf import GGUFValueType as T

from draftrx.engine.errors import ModelFileError
from draftrx.engine.gguf import read_gguf

TEMPLATE = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}<|assistant|>"
HANGS = ("{% for a in range(99999) %}{% for b in range(99999) %}{% for c in range(99999) %}"
         "{% endfor %}{% endfor %}{% endfor %}")  # fmt: skip
Change = tuple[T, Any] | None  # a new type and value, or None to drop the key


def write_tiny(path: Path, arch: str = "llama") -> Path:
    """A 60 KB model llama.cpp loads and runs: 2 layers, 16 wide, a byte-level vocabulary."""
    n_embd, n_head, n_head_kv, n_ff, head = 16, 2, 1, 32, 8
    w = gguf.GGUFWriter(str(path), arch)
    w.add_name("tiny")
    w.add_context_length(512)
    w.add_embedding_length(n_embd)
    w.add_block_count(2)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head_kv)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(head)
    w.add_file_type(0)
    w.add_tokenizer_model("llama")
    tokens = ["<unk>", "<s>", "</s>", *(f"<0x{i:02X}>" for i in range(256)), "▁", "a", "b"]
    w.add_token_list(tokens)
    w.add_token_scores([0.0] * len(tokens))
    w.add_token_types([2, 3, 3, *[6] * 256, 1, 1, 1])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_chat_template(TEMPLATE)
    rng = np.random.default_rng(0)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    w.add_tensor("token_embd.weight", weights(len(tokens), n_embd))
    w.add_tensor("output_norm.weight", np.ones(n_embd, np.float32))
    w.add_tensor("output.weight", weights(len(tokens), n_embd))
    for i in range(2):
        b = f"blk.{i}."
        w.add_tensor(b + "attn_norm.weight", np.ones(n_embd, np.float32))
        w.add_tensor(b + "attn_q.weight", weights(n_embd, n_embd))
        w.add_tensor(b + "attn_k.weight", weights(head * n_head_kv, n_embd))
        w.add_tensor(b + "attn_v.weight", weights(head * n_head_kv, n_embd))
        if arch == "qwen2":
            w.add_tensor(b + "attn_q.bias", weights(n_embd))
            w.add_tensor(b + "attn_k.bias", weights(head * n_head_kv))
            w.add_tensor(b + "attn_v.bias", weights(head * n_head_kv))
        w.add_tensor(b + "attn_output.weight", weights(n_embd, n_embd))
        w.add_tensor(b + "ffn_norm.weight", np.ones(n_embd, np.float32))
        w.add_tensor(b + "ffn_gate.weight", weights(n_ff, n_embd))
        w.add_tensor(b + "ffn_up.weight", weights(n_ff, n_embd))
        w.add_tensor(b + "ffn_down.weight", weights(n_embd, n_ff))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def mutate(
    src: Path, dst: Path, changes: dict[str, Change], arch: str | None = None
) -> Path:
    """Copy src with its metadata changed (`{arch}` in a key: the architecture), weights as
    they are, the way llama.cpp's gguf_new_metadata.py rewrites a file. `arch` renames the
    architecture and its keys."""
    reader = gguf.GGUFReader(str(src))
    old = str(reader.fields["general.architecture"].contents())
    arch = arch or old
    changes = {k.format(arch=arch): v for k, v in changes.items()}
    writer = gguf.GGUFWriter(str(dst), arch)
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue
        name = arch + field.name.removeprefix(old) if field.name.startswith(f"{old}.") else \
            field.name
        if name not in changes:
            sub = field.types[-1] if field.types[0] == T.ARRAY else None
            writer.add_key_value(name, field.contents(), field.types[0], sub_type=sub)
    for key, change in changes.items():
        if change is not None:
            writer.add_key_value(key, change[1], change[0])
    for tensor in reader.tensors:
        writer.add_tensor(tensor.name, np.array(tensor.data), raw_dtype=tensor.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return dst


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tiny")
    return {arch: write_tiny(folder / f"{arch}.gguf", arch) for arch in ("llama", "qwen2")}


def assert_one_sentence(message: str, name: str | None = None) -> None:
    assert "\n" not in message and "Traceback" not in message, message
    assert message.endswith(".") and message.count(". ") == 0, message
    if name is not None:
        assert name in message, message


U32 = T.UINT32


def experts(*counts: int) -> dict[str, Change]:
    """expert_count, expert_used_count and expert_group_count, as many as given."""
    keys = ("expert_count", "expert_used_count", "expert_group_count")
    return {f"{{arch}}.{key}": (U32, n) for key, n in zip(keys, counts, strict=False)}


# Mutations llama.cpp aborts on (or DraftRx's own estimates trip over): refused by the header.
REFUSED: dict[str, dict[str, Change]] = {
    "block_count 0": {"{arch}.block_count": (U32, 0)},
    "block_count above LLAMA_MAX_LAYERS": {"{arch}.block_count": (U32, 513)},
    "block_count huge": {"{arch}.block_count": (U32, 2**32 - 1)},
    "block_count as text": {"{arch}.block_count": (T.STRING, "2")},
    "block_count as a fraction": {"{arch}.block_count": (T.FLOAT32, 2.0)},
    "block_count as true": {"{arch}.block_count": (T.BOOL, True)},
    "context_length 0": {"{arch}.context_length": (U32, 0)},
    "context_length above a C int": {"{arch}.context_length": (U32, 2**31)},
    "embedding_length 0": {"{arch}.embedding_length": (U32, 0)},
    "embedding_length as text": {"{arch}.embedding_length": (T.STRING, "x")},
    "head_count_kv as text": {"{arch}.attention.head_count_kv": (T.STRING, "x")},
    "head sizes disagree": {"{arch}.attention.head_count": (U32, 3)},
    "key_length 0": {"{arch}.attention.key_length": (U32, 0)},
    "rope dimensions 0": {"{arch}.rope.dimension_count": (U32, 0)},
    "experts unused": experts(4),
    "experts used but none": experts(0, 2),
    "more experts used than exist": experts(4, 5),
    "experts above LLAMA_MAX_EXPERTS": experts(1025, 2),
    "as many expert groups as experts": experts(4, 2, 4),
    "rope scaling type unknown": {"{arch}.rope.scaling.type": (T.STRING, "bogus")},
    "epsilon NaN": {"{arch}.attention.layer_norm_rms_epsilon": (T.FLOAT32, float("nan"))},
    "epsilon negative": {"{arch}.attention.layer_norm_rms_epsilon": (T.FLOAT32, -1.0)},
}
# Mutations the header allows: llama.cpp refuses them itself, or they load.
ALLOWED: dict[str, dict[str, Change]] = {
    "unchanged": {},
    "block_count missing": {"{arch}.block_count": None},
    "context_length missing": {"{arch}.context_length": None},
    "embedding_length missing": {"{arch}.embedding_length": None},
    "head_count 0": {"{arch}.attention.head_count": (U32, 0)},
    "head_count_kv 0": {"{arch}.attention.head_count_kv": (U32, 0)},
    "head_count_kv per layer, too few": {"{arch}.attention.head_count_kv": (T.ARRAY, [1])},
    "feed_forward_length 0": {"{arch}.feed_forward_length": (U32, 0)},
    "block_count one more than the weights": {"{arch}.block_count": (U32, 3)},
    "rope scaling yarn": {"{arch}.rope.scaling.type": (T.STRING, "yarn")},
    "vocabulary missing": {"tokenizer.ggml.tokens": None},
    "tokenizer unknown": {"tokenizer.ggml.model": (T.STRING, "bogus")},
    "bos token out of range": {"tokenizer.ggml.bos_token_id": (U32, 99_999)},
    "name a list": {"general.name": (T.ARRAY, [1, 2])},
    "chat template missing": {"tokenizer.chat_template": None},
    "chat template hangs": {"tokenizer.chat_template": (T.STRING, HANGS)},
    "chat template not Jinja": {"tokenizer.chat_template": (T.STRING, "{% for %}")},
}


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
@pytest.mark.parametrize("name", list(REFUSED))
def test_the_header_refuses_what_llama_cpp_aborts_on(
    tiny: dict[str, Path], tmp_path: Path, arch: str, name: str
) -> None:
    path = mutate(tiny[arch], tmp_path / "mutated.gguf", REFUSED[name])
    with pytest.raises(ModelFileError) as refused:
        read_gguf(path)
    assert_one_sentence(str(refused.value), "mutated.gguf")


@pytest.mark.parametrize("name", list(ALLOWED))
def test_the_header_allows_what_llama_cpp_refuses_by_itself(
    tiny: dict[str, Path], tmp_path: Path, name: str
) -> None:
    read_gguf(mutate(tiny["llama"], tmp_path / "mutated.gguf", ALLOWED[name]))


_LOAD = """
import json, sys
from pathlib import Path
from draftrx.engine import Engine, EngineConfig
from draftrx.engine.errors import EngineError
from draftrx.engine.events import GenerationParams, StreamStats

path, n_ctx, words = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
try:
    with Engine(EngineConfig(Path(path), n_ctx=n_ctx)) as engine:
        events = engine.stream([{"role": "user", "content": "ab " * words}],
                               GenerationParams(max_tokens=4))
        stats = [e for e in events if isinstance(e, StreamStats)]
        print(json.dumps({"loaded": stats[-1].prompt_tokens}))
except EngineError as exc:
    print(json.dumps({"refused": str(exc)}))
"""


def load_in_child(path: Path, n_ctx: int | None = None, words: int = 2) -> dict[str, Any]:
    """Load and stream in a child process: {"loaded": prompt tokens} or {"refused": message}.
    An abort, a traceback or a hang fails the test with what the child printed."""
    try:
        done = subprocess.run([sys.executable, "-c", _LOAD, str(path), json.dumps(n_ctx),
                               str(words)], capture_output=True, text=True, timeout=60)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading {path.name} hung")
    assert done.returncode == 0, f"the load exited {done.returncode}: {done.stderr[-2000:]}"
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-2000:]
    return json.loads(lines[-1])


@pytest.mark.parametrize(
    ("arch", "name"),
    [
        ("llama", "block_count 0"),  # aborts while reading the header
        ("qwen2", "rope dimensions 0"),  # aborts while building the graph
        ("llama", "experts unused"),
        ("llama", "epsilon NaN"),  # aborts at the first decode
        ("llama", "head_count_kv 0"),  # llama.cpp refuses it itself
        ("llama", "chat template hangs"),
    ],
)
def test_a_mutated_model_is_refused_in_one_sentence_and_never_aborts(
    tiny: dict[str, Path], tmp_path: Path, arch: str, name: str
) -> None:
    changes = {**REFUSED, **ALLOWED}[name]
    result = load_in_child(mutate(tiny[arch], tmp_path / "mutated.gguf", changes))
    assert "refused" in result, result
    assert_one_sentence(result["refused"], "mutated.gguf")


@pytest.mark.parametrize("arch", ["smallthinker", "paddleocr"])
def test_an_architecture_whose_own_assert_fires_is_refused_by_a_trial_load(
    tiny: dict[str, Path], tmp_path: Path, arch: str
) -> None:
    """The header passes every check that applies to all architectures; llama.cpp then
    aborts on an assert of this architecture alone (smallthinker while loading, paddleocr
    at the first decode, in its rotary sections)."""
    path = mutate(tiny["llama"], tmp_path / f"{arch}.gguf", {}, arch=arch)
    read_gguf(path)
    result = load_in_child(path)
    assert "crashed on a trial load" in result.get("refused", ""), result
    assert_one_sentence(result["refused"], f"{arch}.gguf")


def test_a_trial_load_is_remembered_until_the_file_changes(
    tiny: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from draftrx.engine import trial

    monkeypatch.setenv("DRAFTRX_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "model.gguf"
    path.write_bytes(tiny["llama"].read_bytes())
    settings = {"n_ctx": 512, "n_batch": 512, "n_gpu_layers": 0}
    trial.ensure_runs(path, settings)  # a real child load
    children: list[list[str]] = []
    real = trial.subprocess.run
    monkeypatch.setattr(trial.subprocess, "run",
                        lambda args, **kw: children.append(args) or real(args, **kw))  # fmt: skip
    trial.ensure_runs(path, {**settings, "n_threads": 7})  # threads do not matter
    assert children == []
    trial.ensure_runs(path, {**settings, "n_ctx": 1024})  # another context does
    assert len(children) == 1
    os.utime(path, ns=(0, 0))
    trial.ensure_runs(path, settings)  # and so does a changed file
    assert len(children) == 2


def test_the_app_entry_point_runs_a_trial_load_as_a_frozen_app_asks(
    tiny: dict[str, Path],
) -> None:
    """A frozen app has no `python -c`: trial.py runs the app itself with its flag."""
    from draftrx.engine import trial

    settings = json.dumps({"n_ctx": 512, "n_batch": 512, "n_gpu_layers": 0})
    done = subprocess.run([sys.executable, "-m", "draftrx", trial.FLAG, str(tiny["llama"]),
                           settings], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.stdout.strip().splitlines()[-1:] == ["trial: ran"], done.stderr[-2000:]


def test_an_unchanged_model_loads_and_a_context_below_the_batch_runs_a_longer_prompt(
    tiny: dict[str, Path],
) -> None:
    """300 asked: llama.cpp rounds the cache up to 512 but batches 300 tokens at most, so
    a 400-token prompt fits the cache and must be fed in batches the context accepts."""
    result = load_in_child(tiny["llama"], n_ctx=300, words=110)
    assert result.get("loaded", 0) > 300, result


def test_a_context_of_fewer_than_8_tokens_is_refused_not_aborted(tiny: dict[str, Path]) -> None:
    result = load_in_child(tiny["llama"], n_ctx=7)
    assert "cannot hold any prompt" in result.get("refused", ""), result
    assert_one_sentence(result["refused"])


@pytest.mark.parametrize("n_ctx", [-1, 0, 1, 255])
def test_a_context_too_small_for_any_prompt_is_refused_before_llama_cpp(
    tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch, n_ctx: int
) -> None:
    from draftrx.engine import Engine, EngineConfig, engine
    from draftrx.engine.errors import ContextOverflowError

    monkeypatch.setattr(engine.llama_cpp, "Llama", lambda **_: pytest.fail("llama.cpp reached"))
    with pytest.raises(ContextOverflowError, match="cannot hold any prompt") as refused:
        Engine(EngineConfig(tiny["llama"], n_ctx=n_ctx))
    assert_one_sentence(str(refused.value))


def test_a_model_made_for_a_tiny_context_is_refused_before_llama_cpp(
    tiny: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from draftrx.engine import Engine, EngineConfig, engine
    from draftrx.engine.errors import ContextOverflowError

    monkeypatch.setattr(engine.llama_cpp, "Llama", lambda **_: pytest.fail("llama.cpp reached"))
    path = mutate(tiny["llama"], tmp_path / "small.gguf", {"{arch}.context_length": (U32, 8)})
    with pytest.raises(ContextOverflowError, match=r"small\.gguf was made for") as refused:
        Engine(EngineConfig(path))
    assert_one_sentence(str(refused.value))


@pytest.mark.parametrize("template", ["{% for %}", "{{ range(10**8) | list }}", "{{ 1 / 0 }}"])
def test_a_broken_chat_template_refuses_the_model_in_one_sentence(
    tiny: dict[str, Path], template: str
) -> None:
    from draftrx.engine import Engine, EngineConfig
    from draftrx.engine.errors import ChatTemplateError

    with pytest.raises(ChatTemplateError) as refused:
        Engine(EngineConfig(tiny["llama"], chat_template=template))
    assert_one_sentence(str(refused.value), "llama.gguf")
