"""The streaming engine with the real default model: real tokens, real cancellation."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from draftrx.compose.prompts import load_prompt
from draftrx.engine import Engine, EngineConfig, GenerationParams, StreamStats, TextPiece, collect
from draftrx.engine.errors import (
    ChatTemplateError,
    ContextOverflowError,
    EngineError,
    InsufficientMemoryError,
    ModelFileError,
    ModelLoadError,
    WrongThreadError,
)

pytestmark = pytest.mark.model

DRAFT = (Path(__file__).parents[1] / "fixtures" / "drafts" / "flu_myth.txt").read_text()
GREEDY = GenerationParams(max_tokens=12, temperature=0.0)


def messages(draft: str = DRAFT) -> list[dict[str, str]]:
    return load_prompt("educational").messages(draft)


def run(engine: Engine, msgs, params=GREEDY) -> tuple[str, StreamStats]:
    text, stats = collect(engine.stream(msgs, params))  # raises on text after the stats
    assert isinstance(stats, StreamStats)
    return text, stats


def test_streams_real_tokens(engine: Engine) -> None:
    events = list(engine.stream(messages(), GenerationParams(max_tokens=16, seed=3)))
    pieces = [e for e in events if isinstance(e, TextPiece)]
    stats = events[-1]
    assert isinstance(stats, StreamStats)
    assert len(pieces) >= 4 and "".join(p.text for p in pieces).strip()
    assert stats.decode_tokens == 16 and stats.stop_reason == "length"
    assert stats.prefill_tokens + stats.reused_tokens == stats.prompt_tokens
    assert 0 < stats.ttft_s <= stats.total_s and stats.decode_tok_s > 0


def test_a_long_prompt_reports_how_much_of_it_was_read(engine: Engine) -> None:
    """What the window shows as "Reading the draft… 45%" before the first word."""
    engine.reset_cache()
    told: list[tuple[int, int]] = []
    engine.on_prefill = lambda done, total: told.append((done, total))
    try:
        draft = " ".join(["Controller inhalers calm the airways over weeks, not hours."] * 120)
        _, stats = run(engine, messages(draft), GenerationParams(max_tokens=1, temperature=0))
    finally:
        engine.on_prefill = None
    assert len(told) >= 2, told  # more than one batch, each reported
    assert [d for d, _ in told] == sorted(d for d, _ in told) and len({t for _, t in told}) == 1
    assert told[-1][0] == told[-1][1] and stats.prefill_tokens - 1 <= told[-1][1]


def test_same_seed_same_text(engine: Engine) -> None:
    params = GenerationParams(max_tokens=10, temperature=0.9, seed=42)
    assert run(engine, messages(), params)[0] == run(engine, messages(), params)[0]


def test_prefix_is_reused_without_changing_the_output(engine: Engine) -> None:
    engine.reset_cache()
    cold_text, cold = run(engine, messages())
    warm_text, warm = run(engine, messages())
    assert cold.reused_tokens == 0 and cold.prefill_tokens == cold.prompt_tokens
    assert warm.reused_tokens == warm.prompt_tokens - 1 and warm.prefill_tokens == 1
    assert warm_text == cold_text
    # Another instruction after the same system text and draft reuses the shared part only.
    other = messages()
    other[1] = {**other[1], "content": other[1]["content"] + " Make it a question."}
    _, partial = run(engine, other)
    assert 0 < partial.reused_tokens < partial.prompt_tokens - 1


def test_cancel_mid_stream_then_stream_again(engine: Engine) -> None:
    events = engine.stream(messages(), GenerationParams(max_tokens=200, temperature=0.0))
    for received, event in enumerate(events, 1):
        assert isinstance(event, TextPiece)
        if received == 3:
            engine.cancel()
            break
    rest = list(events)  # nothing more may be generated after cancel()
    assert len(rest) == 1 and isinstance(rest[0], StreamStats)
    assert rest[0].stop_reason == "cancelled" and rest[0].decode_tokens <= 4
    text, stats = run(engine, messages())
    assert text and stats.stop_reason in ("length", "eos")


def test_cancel_from_another_thread_while_decoding(engine: Engine) -> None:
    events = engine.stream(messages(), GenerationParams(max_tokens=500, temperature=0.0))
    first = next(events)
    assert isinstance(first, TextPiece)
    threading.Thread(target=engine.cancel).start()
    after = list(events)
    assert after[-1].stop_reason == "cancelled"
    assert after[-1].decode_tokens < 500


def test_cancel_while_prefilling_a_long_draft(engine: Engine) -> None:
    engine.reset_cache()
    long_draft = "\n\n".join([DRAFT] * 12)
    events = engine.stream(messages(long_draft), GREEDY)
    timer = threading.Timer(0.3, engine.cancel)
    timer.start()
    stats = list(events)[-1]
    timer.join()
    assert stats.stop_reason == "cancelled"
    assert stats.decode_tokens == 0
    assert stats.prefill_tokens < stats.prompt_tokens
    # Nothing of the aborted batch survives in the cache: output matches a clean start.
    text, after = run(engine, messages())
    engine.reset_cache()
    assert after.stop_reason != "cancelled" and text == run(engine, messages())[0]


def test_a_new_stream_supersedes_an_unfinished_one(engine: Engine) -> None:
    engine.reset_cache()
    expected, _ = run(engine, messages())
    engine.reset_cache()
    old = engine.stream(messages("Antibiotics do not treat viral colds."), GREEDY)
    assert isinstance(next(old), TextPiece)
    never_started = engine.stream(messages("Sunscreen matters in winter too."), GREEDY)
    text, _ = run(engine, messages())
    assert text == expected  # the old streams did not disturb this one's cache
    for stale in (old, never_started):
        assert [type(e) for e in stale] == [StreamStats]


def test_only_the_owner_thread_may_stream(engine: Engine) -> None:
    errors: list[Exception] = []

    def use() -> None:
        try:
            engine.stream(messages(), GREEDY)
        except WrongThreadError as exc:
            errors.append(exc)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert len(errors) == 1


def test_prompt_longer_than_context_says_by_how_much(engine: Engine) -> None:
    with pytest.raises(ContextOverflowError, match=r"tokens too many") as err:
        engine.stream(messages("word " * 3000), GREEDY)
    prompt_tokens = len(engine.tokenize_chat(messages("word " * 3000)))
    assert f"{prompt_tokens - engine.n_ctx + 1:,} tokens too many" in str(err.value)
    text, _ = run(engine, messages())  # still usable
    assert text


def test_not_a_gguf(tmp_path: Path) -> None:
    path = tmp_path / "notes.gguf"
    path.write_text("these are my notes, not a model")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        Engine(EngineConfig(path))


def test_truncated_model(model_prefix) -> None:
    with pytest.raises(ModelFileError, match="truncated"):
        Engine(EngineConfig(model_prefix(50 * 2**20)))


def test_model_larger_than_free_memory_is_refused_before_loading(header_copy) -> None:
    huge = header_copy(2**40)  # a real header, 1 TiB long (sparse)
    with pytest.raises(InsufficientMemoryError, match=r"needs about 1024\.\d GB"):
        Engine(EngineConfig(huge))


def test_memory_check_uses_what_is_free(default_model_path: Path) -> None:
    with pytest.raises(InsufficientMemoryError, match=r"only 0\.1 GB is free"):
        Engine(EngineConfig(default_model_path), available_ram=lambda: 100 * 2**20)


def test_model_without_chat_template(header_copy, default_model_path: Path) -> None:
    size = default_model_path.stat().st_size
    path = header_copy(size, patch=(b"tokenizer.chat_template", b"tokenizer.chat_templatX"))
    with pytest.raises(ChatTemplateError, match="no chat template"):
        Engine(EngineConfig(path))


def test_broken_template_override(default_model_path: Path) -> None:
    with pytest.raises(ChatTemplateError, match="not valid Jinja"):
        Engine(EngineConfig(default_model_path, chat_template="{% for m in messages %}"))


def test_closed_engine_refuses_clearly(default_model_path: Path) -> None:
    eng = Engine(EngineConfig(default_model_path, n_ctx=512))
    eng.close()
    eng.close()
    with pytest.raises(EngineError, match="closed"):
        eng.stream(messages(), GREEDY)


def test_template_without_system_role_gets_it_folded(default_model_path: Path) -> None:
    template = (
        "{% for m in messages %}{% if m.role == 'system' %}"
        "{{ raise_exception('System role not supported') }}{% endif %}"
        "<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    with Engine(EngineConfig(default_model_path, n_ctx=512, chat_template=template)) as eng:
        prompt = eng.template.render(messages())
        assert prompt.startswith("<|im_start|>user\nYou are an editor")
        text, _ = run(eng, messages())
        assert text


def test_llama_cpp_refusal_is_a_clear_error(tmp_path: Path) -> None:
    import gguf

    path = tmp_path / "one-tensor.gguf"  # passes our checks; llama.cpp finds tensors missing
    writer = gguf.GGUFWriter(str(path), "qwen2")
    writer.add_chat_template("{{ messages }}")
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(ModelLoadError, match="could not load"):
        Engine(EngineConfig(path))


def test_collect_insists_on_one_final_stats_event() -> None:
    stats = StreamStats(3, 0, 3, 0.1, 2, 10.0, 0.2, "eos")
    assert collect([TextPiece("Flu "), TextPiece("shots"), stats]) == ("Flu shots", stats)
    with pytest.raises(ValueError, match="after its stats"):
        collect([TextPiece("a"), stats, TextPiece("b")])
    with pytest.raises(ValueError, match="without its stats"):
        collect([TextPiece("a")])
