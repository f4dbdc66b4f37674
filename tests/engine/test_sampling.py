"""Sampling settings: the model's recommended ones from its GGUF fill what the caller left
unset; what the caller set is used as it is; a model without them changes nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import gguf
import numpy as np
import pytest

from draftrx.compose.prompts import load_prompt
from draftrx.engine import Engine, GenerationParams, collect
from draftrx.engine.events import DRAFTRX_SAMPLING
from draftrx.engine.gguf import read_gguf

DRAFT = (Path(__file__).parents[1] / "fixtures" / "drafts" / "flu_myth.txt").read_text()


def write_model(path: Path, sampling: dict[str, float | int | str]) -> Path:
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("Tiny Sampler")
    for key, value in sampling.items():
        if isinstance(value, str):
            writer.add_string(key, value)
        elif isinstance(value, int):
            writer.add_int32(key, value)
        else:
            writer.add_float32(key, value)
    writer.add_tensor("a", np.ones((4, 4), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_recommended_sampling_is_read_from_the_gguf(tmp_path: Path) -> None:
    path = write_model(
        tmp_path / "m.gguf",
        {
            "general.sampling.temp": 0.8,  # float32 in the file: 0.800000011920929
            "general.sampling.top_k": 20,
            "general.sampling.top_p": 0.9,
            "general.sampling.penalty_repeat": 1.05,
            "general.sampling.min_p": 3.0,  # out of range: not used
            "general.sampling.mirostat": 2,  # no place for it in DraftRx's sampler
            "general.sampling.sequence": "edkypmxt",
        },
    )
    info = read_gguf(path)
    assert info.recommended_sampling == {
        "temperature": 0.8,
        "top_k": 20,
        "top_p": 0.9,
        "repeat_penalty": 1.05,
    }
    assert info.unused_sampling == [
        "general.sampling.min_p",
        "general.sampling.mirostat",
        "general.sampling.sequence",
    ]


def test_a_gguf_without_the_keys_recommends_nothing(tmp_path: Path) -> None:
    info = read_gguf(write_model(tmp_path / "m.gguf", {}))
    assert info.recommended_sampling == {} and info.unused_sampling == []


def test_unset_fields_take_the_recommended_values_then_draftrx_defaults() -> None:
    recommended = {"temperature": 0.8, "top_k": 20, "top_p": 0.9}
    s = GenerationParams(temperature=0.2).sampling(recommended)
    assert (s.temperature, s.top_k, s.top_p, s.min_p, s.repeat_penalty) == (
        0.2,  # set by the caller: kept
        20,
        0.9,
        DRAFTRX_SAMPLING["min_p"],
        DRAFTRX_SAMPLING["repeat_penalty"],
    )
    assert s.source == "model's recommended (top_k 20, top_p 0.9)"
    plain = GenerationParams().sampling()
    assert plain.source == "DraftRx defaults"
    assert (plain.temperature, plain.top_k, plain.top_p, plain.min_p, plain.repeat_penalty) == (
        0.7,
        40,
        0.95,
        0.05,
        1.1,
    )  # what GenerationParams() meant before the fields could be unset
    explicit = GenerationParams(
        temperature=1.0, top_k=5, top_p=0.5, min_p=0.1, repeat_penalty=1.0
    ).sampling(recommended)
    assert explicit.source == "as set by the caller" and explicit.top_k == 5


@pytest.mark.model
def test_the_default_model_recommends_nothing_and_behaves_as_before(engine: Engine) -> None:
    assert engine.info.recommended_sampling == {} and engine.info.unused_sampling == []
    assert engine.describe()["sampling"] == "DraftRx defaults"
    messages = load_prompt("educational").messages(DRAFT)
    unset = GenerationParams(max_tokens=24, temperature=0.0)
    explicit = GenerationParams(
        max_tokens=24, temperature=0.0, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.1
    )
    text, stats = collect(engine.stream(messages, unset))
    assert stats.sampling == "DraftRx defaults"
    assert collect(engine.stream(messages, explicit))[0] == text
    seeded = GenerationParams(max_tokens=16, seed=7, speculate=False)
    as_before = replace(seeded, temperature=0.7)  # GenerationParams()'s old temperature
    assert (
        collect(engine.stream(messages, seeded))[0]
        == collect(engine.stream(messages, as_before))[0]
    )


@pytest.mark.model
def test_the_models_recommendation_fills_unset_fields_only(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = load_prompt("educational").messages(DRAFT)
    greedy_params = GenerationParams(max_tokens=16, temperature=0, speculate=False)
    greedy, _ = collect(engine.stream(messages, greedy_params))
    sampled = GenerationParams(max_tokens=16, seed=11, temperature=1.5, speculate=False)
    hot, _ = collect(engine.stream(messages, sampled))
    assert hot != greedy
    monkeypatch.setattr(engine, "recommended", {"temperature": 0.0})  # as a GGUF would say
    assert engine.describe()["sampling"] == "model's recommended (temp 0)"
    unset = GenerationParams(max_tokens=16, seed=11, speculate=False)
    text, stats = collect(engine.stream(messages, unset))
    assert text == greedy and stats.sampling == "model's recommended (temp 0)"
    text, stats = collect(engine.stream(messages, sampled))  # the caller's temperature wins
    assert text == hot and stats.sampling == "DraftRx defaults"
