"""Which devices llama.cpp found, and where the engine says its layers run (real model)."""

from __future__ import annotations

import pytest

from draftrx.engine import hardware
from draftrx.engine.gguf import read_gguf


def test_ggml_registry_lists_this_machine() -> None:
    devices = hardware.devices()
    cpu = [d for d in devices if d.kind == "CPU"]
    assert len(cpu) == 1 and cpu[0].backend == "CPU" and cpu[0].description
    gpu = hardware.gpu_device()
    assert (gpu is not None) == hardware.gpu_offload_supported()
    assert hardware.backend_name() == (gpu.backend if gpu else "CPU")


@pytest.mark.model
def test_engine_reports_backend_and_offloaded_layers(engine) -> None:
    info = engine.describe()
    assert info["n_layers"] == read_gguf(engine.config.model_path).n_layers == 24
    gpu = hardware.gpu_device()
    if gpu is None:
        assert (info["backend"], info["gpu_layers"], info["gpu_device"]) == ("CPU", 0, "")
    else:  # a GPU build takes every layer unless told otherwise
        assert (info["backend"], info["gpu_device"]) == (gpu.backend, gpu.description)
        assert info["gpu_layers"] == info["n_layers"]
