"""What this machine offers the model: compute devices, threads, free memory, peak RSS."""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from functools import cache

import llama_cpp
import psutil

# enum ggml_backend_dev_type, in ggml-backend.h's order
_DEVICE_KINDS = ("CPU", "GPU", "integrated GPU", "accelerator")


@dataclass(frozen=True)
class Device:
    """One compute device llama.cpp registered: which backend drives it, and what it is."""

    backend: str  # CPU, CUDA, Metal, Vulkan...
    name: str  # CUDA0, Vulkan0...
    description: str  # the hardware, e.g. "NVIDIA H100 80GB HBM3"
    kind: str  # one of _DEVICE_KINDS

    @property
    def is_gpu(self) -> bool:
        return self.kind in ("GPU", "integrated GPU")


@cache
def devices() -> tuple[Device, ...]:
    """The devices this llama.cpp build found on this machine, from ggml's registry.

    A CUDA build on a machine without an NVIDIA GPU registers no GPU, so this says what the
    model will really run on, not what the build could do.
    """
    import llama_cpp._ggml as ggml

    lib = ggml.libggml
    lib.ggml_backend_dev_count.restype = ctypes.c_size_t
    lib.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
    lib.ggml_backend_dev_get.restype = ctypes.c_void_p
    for fn in ("ggml_backend_dev_name", "ggml_backend_dev_description"):
        getattr(lib, fn).argtypes = [ctypes.c_void_p]
        getattr(lib, fn).restype = ctypes.c_char_p
    lib.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
    lib.ggml_backend_dev_type.restype = ctypes.c_int
    lib.ggml_backend_dev_backend_reg.argtypes = [ctypes.c_void_p]
    lib.ggml_backend_dev_backend_reg.restype = ctypes.c_void_p
    lib.ggml_backend_reg_name.argtypes = [ctypes.c_void_p]
    lib.ggml_backend_reg_name.restype = ctypes.c_char_p

    def text(raw: bytes | None) -> str:
        return (raw or b"").decode("utf-8", errors="replace").strip()

    found = []
    for i in range(lib.ggml_backend_dev_count()):
        dev = lib.ggml_backend_dev_get(i)
        kind = lib.ggml_backend_dev_type(dev)
        found.append(Device(
            backend=text(lib.ggml_backend_reg_name(lib.ggml_backend_dev_backend_reg(dev))),
            name=text(lib.ggml_backend_dev_name(dev)),
            description=text(lib.ggml_backend_dev_description(dev)),
            kind=_DEVICE_KINDS[kind] if 0 <= kind < len(_DEVICE_KINDS) else f"type {kind}",
        ))  # fmt: skip
    return tuple(found)


def gpu_device() -> Device | None:
    """The GPU llama.cpp offloads to first (it splits layers across all of them)."""
    return next((d for d in devices() if d.is_gpu), None)


def gpu_offload_supported() -> bool:
    """True when this llama.cpp build can put layers on a GPU (CUDA, Metal, Vulkan...)."""
    return bool(llama_cpp.llama_supports_gpu_offload())


def default_gpu_layers() -> int:
    """All layers on a GPU build (-1), none otherwise."""
    return -1 if gpu_offload_supported() else 0


def default_threads() -> int:
    """Physical cores: decoding is memory-bound and hyper-threads only add contention."""
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def batch_threads() -> int:
    """Prompt processing is compute-bound and can use every logical core."""
    return os.cpu_count() or 1


def available_ram() -> int:
    return psutil.virtual_memory().available


def peak_rss() -> int:
    """The most resident memory this process has used so far, in bytes."""
    if sys.platform == "win32":
        return psutil.Process().memory_info().peak_wset
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def backend_name() -> str:
    """ "CUDA", "Metal", "Vulkan"... when a GPU takes layers; "CPU" otherwise."""
    gpu = gpu_device()
    return gpu.backend if gpu and gpu_offload_supported() else "CPU"
