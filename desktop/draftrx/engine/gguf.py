"""Read a GGUF file's header without loading its weights.

Checking the file ourselves lets the app refuse a wrong or truncated file, or one too big
for this machine, with a clear message and before llama.cpp maps gigabytes into memory.
"""

from __future__ import annotations

import math
import mmap
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftrx.engine.errors import ModelFileError

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# ggml tensor type id -> (elements per block, bytes per block), from ggml-common.h.
# Activation-only types (Q8_1, Q8_K) never appear in files and are left out.
GGML_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0: (1, 4),  # F32
    1: (1, 2),  # F16
    2: (32, 18),  # Q4_0
    3: (32, 20),  # Q4_1
    6: (32, 22),  # Q5_0
    7: (32, 24),  # Q5_1
    8: (32, 34),  # Q8_0
    10: (256, 84),  # Q2_K
    11: (256, 110),  # Q3_K
    12: (256, 144),  # Q4_K
    13: (256, 176),  # Q5_K
    14: (256, 210),  # Q6_K
    16: (256, 66),  # IQ2_XXS
    17: (256, 74),  # IQ2_XS
    18: (256, 98),  # IQ3_XXS
    19: (256, 50),  # IQ1_S
    20: (32, 18),  # IQ4_NL
    21: (256, 110),  # IQ3_S
    22: (256, 82),  # IQ2_S
    23: (256, 136),  # IQ4_XS
    24: (1, 1),  # I8
    25: (1, 2),  # I16
    26: (1, 4),  # I32
    27: (1, 8),  # I64
    28: (1, 8),  # F64
    29: (256, 56),  # IQ1_M
    30: (1, 2),  # BF16
    34: (256, 54),  # TQ1_0
    35: (256, 66),  # TQ2_0
    39: (32, 17),  # MXFP4
}

_SOURCE_FORMAT = re.compile(r"(?:[\s_-]+(?:AWQ|GPTQ|GGUF|GGML|EXL2|bnb|int4|int8|fp16|bf16|"
                            r"q\d\w*))+$", re.IGNORECASE)  # fmt: skip
# llama_ftype (general.file_type) -> the quantisation name users know.
FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
}

# llama.cpp's recommended sampling keys (llama-arch.cpp, LLM_KV_GENERAL_SAMPLING_*) that
# DraftRx's sampler chain uses, by GenerationParams field, with the values that make sense.
SAMPLING_KEYS: dict[str, tuple[str, type, float, float]] = {
    "general.sampling.temp": ("temperature", float, 0.0, math.inf),
    "general.sampling.top_k": ("top_k", int, -math.inf, math.inf),  # <= 0: off
    "general.sampling.top_p": ("top_p", float, 0.0, 1.0),
    "general.sampling.min_p": ("min_p", float, 0.0, 1.0),
    "general.sampling.penalty_repeat": ("repeat_penalty", float, 0.0, math.inf),
}
SAMPLING_PREFIX = "general.sampling."
SAMPLING_KEYS_BY_NAME = {name: key for key, (name, *_) in SAMPLING_KEYS.items()}

# GGUF metadata value types: id -> struct format for scalars.
_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9
# Arrays longer than this (token lists, merges) are summarised, not kept.
_KEEP_ARRAY_MAX = 64
# Counts above these mean the header is garbage, not a model.
_MAX_COUNT = 10_000_000

# Header values llama.cpp asserts on (GGML_ASSERT) instead of refusing: past these the whole
# process aborts with SIGABRT and no message, so they are checked before loading. Limits of
# the llama.cpp that llama-cpp-python 0.3.36 vendors (src/llama-hparams.h; the expert limit
# measured: 1,024 loads, 1,025 aborts).
LLAMA_MAX_LAYERS = 512
LLAMA_MAX_EXPERTS = 1024
ROPE_SCALING_TYPES = ("none", "linear", "yarn", "longrope")  # any other name aborts
# llama-cpp-python allocates a buffer of the trained context's length, as a C int, for every
# tokenization; the longest context of a released model is 10M tokens (Llama 4 Scout).
MAX_CONTEXT_LENGTH = 2**24
# Architectures whose graph asserts head size == key length == value length == rotary dims.
EQUAL_HEAD_SIZES = frozenset({"llama", "qwen2", "qwen3", "qwen3moe", "granite"})


@dataclass(frozen=True)
class ArraySummary:
    """A long metadata array (e.g. the vocabulary) recorded by length only."""

    length: int


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int

    @property
    def n_elements(self) -> int:
        return math.prod(self.shape)

    @property
    def n_bytes(self) -> int | None:
        size = GGML_TYPE_SIZES.get(self.ggml_type)
        if size is None:
            return None
        block, type_size = size
        return self.n_elements // block * type_size


@dataclass(frozen=True)
class GGUFInfo:
    path: Path
    file_size: int
    version: int
    metadata: dict[str, Any]
    tensors: list[TensorInfo] = field(repr=False)
    data_offset: int

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    @property
    def name(self) -> str:
        name = self.metadata.get("general.name")
        return name if isinstance(name, str) and name.strip() else self.path.stem

    @property
    def display_name(self) -> str:
        """The name with the file's own quantisation: general.name often keeps the format
        the weights were converted from ("... Instruct AWQ") though the file is Q4_K_M."""
        if self.quantisation == "unknown":
            return self.name
        return f"{_SOURCE_FORMAT.sub('', self.name)} {self.quantisation}"

    def _arch(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def parameter_count(self) -> int:
        return sum(t.n_elements for t in self.tensors)

    @property
    def quantisation(self) -> str:
        file_type = self.metadata.get("general.file_type")
        if file_type in FILE_TYPES:
            return FILE_TYPES[file_type]
        return "unknown" if file_type is None else f"type {file_type}"

    @property
    def context_length(self) -> int | None:
        value = self._arch("context_length")
        return int(value) if value is not None else None

    @property
    def chat_template(self) -> str | None:
        template = self.metadata.get("tokenizer.chat_template")
        return template if isinstance(template, str) and template.strip() else None

    @property
    def recommended_sampling(self) -> dict[str, float]:
        """The model's recommended sampling settings DraftRx can apply, by GenerationParams
        field; a value of the wrong type or out of range is left out."""
        out: dict[str, float] = {}
        for key, (name, kind, low, high) in SAMPLING_KEYS.items():
            value = self.metadata.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if kind is int and value != int(value):
                continue
            if math.isfinite(value) and low <= value <= high:
                # float32 in the file: 0.8 reads 0.800000011920929
                out[name] = int(value) if kind is int else float(f"{value:.6g}")
        return out

    @property
    def unused_sampling(self) -> list[str]:
        """general.sampling.* keys present that DraftRx's sampler has no place for
        (sequence, xtc_*, mirostat*, penalty_last_n) or whose value it could not use."""
        used = {SAMPLING_KEYS_BY_NAME[name] for name in self.recommended_sampling}
        return [k for k in self.metadata if k.startswith(SAMPLING_PREFIX) and k not in used]

    @property
    def n_layers(self) -> int:
        return int(self._arch("block_count", 0))

    @property
    def n_vocab(self) -> int:
        tokens = self.metadata.get("tokenizer.ggml.tokens")
        if isinstance(tokens, ArraySummary):
            return tokens.length
        return len(tokens) if isinstance(tokens, list) else 0

    @property
    def data_end(self) -> int:
        """Where the last tensor ends: a complete file is at least this long."""
        ends = [self.data_offset + t.offset + (t.n_bytes or 0) for t in self.tensors]
        return max(ends, default=0)

    def kv_cache_bytes(self, n_ctx: int) -> int:
        """f16 K and V caches for n_ctx positions (llama.cpp's default cache type)."""
        n_head = _largest(self._arch("attention.head_count", 0))
        n_head_kv = _largest(self._arch("attention.head_count_kv", n_head)) or n_head
        embedding = _largest(self._arch("embedding_length", 0))
        head_dim = _largest(self._arch("attention.key_length", 0)) or embedding // max(n_head, 1)
        return 2 * 2 * self.n_layers * n_ctx * n_head_kv * head_dim

    def estimate_ram(self, n_ctx: int, n_batch: int = 512, gpu_layers: int = 0) -> int:
        """Bytes of RAM to run this model: weights left on the CPU, KV cache, work buffers."""
        layers = max(self.n_layers, 1)
        on_gpu = layers if gpu_layers < 0 else min(gpu_layers, layers)
        weights = self.file_size * (layers - on_gpu) // layers
        kv = 0 if on_gpu == layers else self.kv_cache_bytes(n_ctx)
        # Compute buffers scale with the batch; logits for one row per sequence.
        work = 64 * 2**20 + n_batch * self.n_vocab * 4 // 8 + self.n_vocab * 4
        return weights + kv + work


class _Reader:
    """Bounds-checked little-endian reads from a memory map."""

    def __init__(self, buf: mmap.mmap | bytes, path: Path) -> None:
        self.buf, self.pos, self.path = buf, 0, path

    def truncated(self) -> ModelFileError:
        return ModelFileError(
            f"{self.path.name} ends inside its header ({len(self.buf):,} bytes): the file is "
            "truncated, probably an incomplete download or copy."
        )

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise self.truncated()
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return value

    def count(self, what: str) -> int:
        value = self.unpack("<Q")
        if value > _MAX_COUNT:
            raise ModelFileError(f"{self.path.name} is corrupted: it claims {value:,} {what}.")
        return value

    def string(self) -> str:
        length = self.unpack("<Q")
        if self.pos + length > len(self.buf):
            raise self.truncated()
        raw = self.buf[self.pos : self.pos + length]
        self.pos += length
        return bytes(raw).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        length = self.unpack("<Q")
        self.pos += length
        if self.pos > len(self.buf):
            raise self.truncated()

    def value(self, vtype: int) -> Any:
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            item_type = self.unpack("<I")
            length = self.count("array items")
            if length > _KEEP_ARRAY_MAX:
                self.skip_array(item_type, length)
                return ArraySummary(length)
            return [self.value(item_type) for _ in range(length)]
        raise ModelFileError(f"{self.path.name} is corrupted: unknown metadata type {vtype}.")

    def skip_array(self, item_type: int, length: int) -> None:
        if item_type in _SCALARS:
            self.pos += struct.calcsize(_SCALARS[item_type]) * length
            if self.pos > len(self.buf):
                raise self.truncated()
        elif item_type == _STRING:
            for _ in range(length):
                self.skip_string()
        else:
            for _ in range(length):
                self.value(item_type)


def read_gguf(path: str | Path) -> GGUFInfo:
    """Parse the header and tensor table; raise ModelFileError for anything unusable."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ModelFileError(f"No model file at {path}.") from None
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder; choose a .gguf file.")
    if size < 4:
        raise ModelFileError(f"{path.name} is empty or too small ({size} bytes) to be a model.")
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise ModelFileError(
                f"{path.name} is not a GGUF model (it does not start with 'GGUF'). DraftRx runs "
                "quantised GGUF files, e.g. *.Q4_K_M.gguf."
            )
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            info = _parse(_Reader(buf, path), size)
    if not info.tensors:
        raise ModelFileError(
            f"{path.name} holds no weights (a vocabulary or metadata-only GGUF), not a model."
        )
    if info.data_end > size:
        raise ModelFileError(
            f"{path.name} is truncated: it is {size:,} bytes but its weights need "
            f"{info.data_end:,} ({info.data_end - size:,} missing). Download or copy it again."
        )
    check_hparams(info)
    return info


def _largest(value: Any) -> int:
    """A count that may be given per layer (a list): its largest; anything else counts 0."""
    if isinstance(value, list):
        return max((v for v in value if isinstance(v, int)), default=0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class _Hparams:
    """Reads `{architecture}.*` values, refusing the file in one sentence when one is of the
    wrong type or out of range."""

    def __init__(self, info: GGUFInfo) -> None:
        self.info = info

    def refuse(self, what: str) -> ModelFileError:
        return ModelFileError(f"{self.info.path.name} cannot be run, because {what}; download "
                              "it again or choose another model.")  # fmt: skip

    def whole(self, key: str, low: int, high: int) -> int | None:
        """A whole number in [low, high], or None when absent."""
        name = f"{self.info.architecture}.{key}"
        value = self.info.metadata.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.refuse(f"its {name} is {_kind(value)}, not a whole number")
        if not low <= value <= high:
            raise self.refuse(f"its {name} is {value:,}, outside {low:,} to {high:,}")
        return value

    def counts(self, key: str) -> None:
        """A count given once or per layer (a list of whole numbers)."""
        name = f"{self.info.architecture}.{key}"
        value = self.info.metadata.get(name)
        items = value if isinstance(value, list) else [value]
        if isinstance(value, ArraySummary):
            return  # per layer, longer than kept: llama.cpp checks its length
        if value is not None and any(isinstance(v, bool) or not isinstance(v, int)
                                     for v in items):  # fmt: skip
            raise self.refuse(f"its {name} is {_kind(value)}, not a whole number")

    def number(self, key: str) -> None:
        """A finite, non-negative number where present (an epsilon: NaN aborts mid-run)."""
        name = f"{self.info.architecture}.{key}"
        value = self.info.metadata.get(name)
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.refuse(f"its {name} is {_kind(value)}, not a number")
        if not (math.isfinite(value) and value >= 0):
            raise self.refuse(f"its {name} is {value}, not a finite number of 0 or more")


def _kind(value: Any) -> str:
    if isinstance(value, list | ArraySummary):
        return "a list"
    return {bool: "true/false", str: "text", float: "a fraction"}.get(type(value), "a number")


def check_hparams(info: GGUFInfo) -> None:
    """Refuse, in one sentence, a header that would make llama.cpp abort the process (its
    asserts in llama_model::load_hparams and the graph builders), and values of the wrong
    type that DraftRx's own estimates read."""
    h = _Hparams(info)
    if not isinstance(info.metadata.get("general.architecture"), str):
        raise h.refuse("its header names no architecture (general.architecture)")
    # A missing key llama.cpp needs makes it refuse the file by itself, without aborting.
    h.whole("block_count", 1, LLAMA_MAX_LAYERS)
    h.whole("context_length", 1, MAX_CONTEXT_LENGTH)
    embedding = h.whole("embedding_length", 1, _MAX_COUNT)
    for key in ("attention.head_count", "attention.head_count_kv", "feed_forward_length"):
        h.counts(key)
    key_length = h.whole("attention.key_length", 0, _MAX_COUNT)
    value_length = h.whole("attention.value_length", 0, _MAX_COUNT)
    rot = h.whole("rope.dimension_count", 0, _MAX_COUNT)
    for key in ("attention.layer_norm_rms_epsilon", "attention.layer_norm_epsilon"):
        h.number(key)
    _check_experts(h)
    scaling = info.metadata.get(f"{info.architecture}.rope.scaling.type")
    if scaling is not None and scaling not in ROPE_SCALING_TYPES:
        raise h.refuse(f"its rope scaling type {str(scaling)[:40]!r} is none of "
                       f"{', '.join(ROPE_SCALING_TYPES)}")  # fmt: skip
    n_head = info.metadata.get(f"{info.architecture}.attention.head_count")
    plain = info.architecture in EQUAL_HEAD_SIZES and embedding is not None
    if plain and isinstance(n_head, int) and n_head > 0:
        head = embedding // n_head
        key = head if key_length is None else key_length
        sizes = {"key length": key, "value length": head if value_length is None else value_length,
                 "rotary dimensions": key if rot is None else rot}  # fmt: skip
        if len(set(sizes.values())) > 1:
            found = ", ".join(f"{k} {v}" for k, v in sizes.items())
            raise h.refuse(f"its attention head sizes disagree ({found}), which "
                           f"{info.architecture} models need equal")  # fmt: skip


def _check_experts(h: _Hparams) -> None:
    """Mixture-of-experts counts, as llama.cpp asserts them for every architecture."""
    n_expert = h.whole("expert_count", 0, LLAMA_MAX_EXPERTS) or 0
    used = h.whole("expert_used_count", 0, n_expert) or 0
    groups = h.whole("expert_group_count", 0, LLAMA_MAX_EXPERTS) or 0
    group_used = h.whole("expert_group_used_count", 0, LLAMA_MAX_EXPERTS) or 0
    if n_expert == 0 and (used or groups):
        raise h.refuse("its header uses experts but has none (expert_count 0)")
    if n_expert and not used:
        raise h.refuse(f"it has {n_expert} experts but uses none (expert_used_count 0)")
    if n_expert and groups >= n_expert:
        raise h.refuse(f"it has {groups} expert groups for {n_expert} experts")
    if groups > 1 and (n_expert % groups or not 0 < group_used < groups):
        raise h.refuse(f"its {n_expert} experts do not split into {groups} groups with "
                       f"{group_used} used")  # fmt: skip


def _parse(reader: _Reader, size: int) -> GGUFInfo:
    reader.pos = 4
    version = reader.unpack("<I")
    if version not in (2, 3):
        raise ModelFileError(
            f"{reader.path.name} is GGUF version {version}; this llama.cpp reads versions 2 and 3."
        )
    n_tensors = reader.count("tensors")
    n_kv = reader.count("metadata entries")
    metadata: dict[str, Any] = {}
    for _ in range(n_kv):
        key = reader.string()
        metadata[key] = reader.value(reader.unpack("<I"))
    tensors = []
    for _ in range(n_tensors):
        name = reader.string()
        n_dims = reader.unpack("<I")
        if n_dims > 8:
            raise ModelFileError(f"{reader.path.name} is corrupted: a tensor has {n_dims} dims.")
        shape = tuple(reader.unpack("<Q") for _ in range(n_dims))
        tensors.append(TensorInfo(name, shape, reader.unpack("<I"), reader.unpack("<Q")))
    alignment = int(metadata.get("general.alignment", DEFAULT_ALIGNMENT)) or DEFAULT_ALIGNMENT
    data_offset = -(-reader.pos // alignment) * alignment
    return GGUFInfo(reader.path, size, version, metadata, tensors, data_offset)
