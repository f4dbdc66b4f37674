"""The GGUF header reader, against files written by llama.cpp's own gguf-py and the real model."""

from __future__ import annotations

import struct
from pathlib import Path

import gguf
import numpy as np
import pytest

from draftrx.engine.errors import ModelFileError
from draftrx.engine.gguf import GGML_TYPE_SIZES, ArraySummary, read_gguf

TEMPLATE = "{% for m in messages %}{{ m.content }}{% endfor %}"


def write_model(path: Path, *, tensors: dict[str, np.ndarray] | None = None) -> Path:
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("Tiny Test")
    writer.add_context_length(2048)
    writer.add_block_count(2)
    writer.add_embedding_length(64)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_file_type(15)
    writer.add_chat_template(TEMPLATE)
    writer.add_bool("test.flag", True)
    writer.add_float32("test.ratio", 0.5)
    writer.add_array("test.small", [1, 2, 3])
    writer.add_token_list([f"t{i}" for i in range(1000)])
    for name, data in (tensors or {"a": np.ones((8, 16), np.float32)}).items():
        writer.add_tensor(name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_reads_metadata_written_by_gguf_py(tmp_path: Path) -> None:
    tensors = {"a": np.ones((8, 16), np.float32), "b": np.zeros(40, np.float16)}
    info = read_gguf(write_model(tmp_path / "m.gguf", tensors=tensors))
    assert info.architecture == "llama"
    assert info.name == "Tiny Test"
    assert info.context_length == 2048
    assert info.quantisation == "Q4_K_M"
    assert info.chat_template == TEMPLATE
    assert info.metadata["test.flag"] is True
    assert info.metadata["test.ratio"] == pytest.approx(0.5)
    assert info.metadata["test.small"] == [1, 2, 3]
    assert info.metadata["tokenizer.ggml.tokens"] == ArraySummary(1000)
    assert info.n_vocab == 1000
    assert info.parameter_count == 8 * 16 + 40
    assert {t.name: t.shape for t in info.tensors} == {"a": (16, 8), "b": (40,)}
    assert info.data_end <= info.file_size
    # 2 (K,V) * 2 bytes * 2 layers * 100 positions * 2 kv heads * head dim 16
    assert info.kv_cache_bytes(100) == 2 * 2 * 2 * 100 * 2 * 16


def test_truncated_weights_are_reported_with_the_missing_size(tmp_path: Path) -> None:
    path = write_model(tmp_path / "m.gguf", tensors={"w": np.ones(4096, np.float32)})
    full = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(full - 1000)
    with pytest.raises(ModelFileError, match="truncated") as err:
        read_gguf(path)
    assert "missing" in str(err.value)


def test_truncated_inside_the_header(tmp_path: Path) -> None:
    path = write_model(tmp_path / "m.gguf")
    with path.open("r+b") as fh:
        fh.truncate(200)
    with pytest.raises(ModelFileError, match="truncated"):
        read_gguf(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b'{"not": "a model"}', "not a GGUF"),
        (b"GGUF" + struct.pack("<I", 1) + b"\0" * 16, "version 1"),
        (b"GGUF" + struct.pack("<IQQ", 3, 2**40, 0), "corrupted"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        read_gguf(path)


def test_missing_path_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="No model file"):
        read_gguf(tmp_path / "nope.gguf")
    with pytest.raises(ModelFileError, match="folder"):
        read_gguf(tmp_path)


def test_type_sizes_match_llama_cpp_gguf_py() -> None:
    for type_id, size in GGML_TYPE_SIZES.items():
        assert gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType(type_id)] == size, type_id


@pytest.mark.model
def test_default_model_header(default_model_path: Path) -> None:
    info = read_gguf(default_model_path)
    assert info.architecture == "qwen2"
    assert info.quantisation == "Q4_K_M"
    assert info.name == "Qwen2.5 Coder 0.5B Instruct AWQ"
    assert 0.4e9 < info.parameter_count < 0.7e9
    assert info.context_length == 32768
    assert info.chat_template and "<|im_start|>" in info.chat_template
    assert info.n_vocab > 150_000
    # Every tensor's size is known, and the last one ends within the file's final padding.
    assert all(t.n_bytes is not None for t in info.tensors)
    assert 0 <= info.file_size - info.data_end < 32


def test_file_without_weights_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "vocab-only.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_token_list(["a", "b"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()
    with pytest.raises(ModelFileError, match="no weights"):
        read_gguf(path)
