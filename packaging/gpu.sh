#!/usr/bin/env bash
# Rebuild llama-cpp-python for a GPU backend in the Python that runs DraftRx, then check that
# llama.cpp finds the GPU. Run packaging/build.sh afterwards to put it into the app.
#
#   packaging/gpu.sh cuda      NVIDIA: needs the CUDA toolkit (nvcc) and driver
#   packaging/gpu.sh metal     Apple silicon: needs the Xcode command-line tools
#   packaging/gpu.sh vulkan    AMD, Intel, NVIDIA: needs the Vulkan SDK (glslc) and driver
#   packaging/gpu.sh cpu       back to the CPU-only build
#   add --dry-run to print the command instead of running it
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
backend=${1:-}
dry_run=0
[ "${2:-}" = "--dry-run" ] && dry_run=1
# The version DraftRx is tested with: the one pinned in pyproject.toml.
version=$(sed -n 's/^ *"llama-cpp-python==\([^"]*\)".*/\1/p' "$ROOT/pyproject.toml")

case "$backend" in
    cuda) cmake_args="-DGGML_CUDA=on" tool=nvcc expect=CUDA ;;
    metal) cmake_args="-DGGML_METAL=on" tool=xcrun expect=Metal ;;
    vulkan) cmake_args="-DGGML_VULKAN=on" tool=glslc expect=Vulkan ;;
    cpu) cmake_args="" tool="" expect=CPU ;;
    *) sed -n 2,9p "$0"; exit 2 ;;
esac

cmd=("$PYTHON" -m pip install --force-reinstall --no-cache-dir --no-deps
     "llama-cpp-python==$version")
if [ "$dry_run" = 1 ]; then
    echo "CMAKE_ARGS=\"$cmake_args\" ${cmd[*]}"
    exit 0
fi
if [ -n "$tool" ] && ! command -v "$tool" >/dev/null; then
    echo "gpu.sh: $tool is not on PATH; install the $expect SDK first (packaging/README.md)" >&2
    exit 1
fi
echo "gpu.sh: compiling llama.cpp for $expect (several minutes)…"
CMAKE_ARGS="$cmake_args" "${cmd[@]}"

found=$("$PYTHON" -c "from draftrx.engine import hardware; print(hardware.backend_name())")
if [ "$found" != "$expect" ]; then
    echo "gpu.sh: llama.cpp was built for $expect, but runs on $found here: no usable" \
         "$expect device was found (is the driver installed?)" >&2
    exit 1
fi
echo "gpu.sh: llama.cpp runs on $found; \`draftrx doctor\` shows the device."
