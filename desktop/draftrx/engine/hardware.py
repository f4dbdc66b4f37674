"""What this machine offers the model: threads, GPU offload, free memory, peak RSS."""

from __future__ import annotations

import os
import sys

import llama_cpp
import psutil


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
    return "GPU offload" if gpu_offload_supported() else "CPU"
