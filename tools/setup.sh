#!/usr/bin/env bash
# Installs every Debian package extensor's build, tests, examples and benchmarks need
# (only the missing ones, so a second run is quick), then configures and builds
# everything into ./build. Extra CMake arguments come from EXTENSOR_CMAKE_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libdnnl-dev ocl-icd-opencl-dev   # oneDNN; its CMake config needs OpenCL headers
  doctest-dev libspdlog-dev libfmt-dev zlib1g-dev nlohmann-json3-dev libcli11-dev
  dataset-fashion-mnist            # /usr/share/datasets/fashion-mnist
  python3 python3-torch libtorch-dev  # PyTorch 1.13: reference for benchmarks and cross-checks
  libopenblas0-openmp              # libtorch's BLAS (libblas.so.3) for the benchmarks, not the reference BLAS
  clang-format
  doxygen                          # the API reference (tools/docs.sh)
  clang libclang-rt-14-dev         # libFuzzer for tests/fuzz (tools/fuzz.sh)
  python3-matplotlib               # plots of the main jobs' metrics (tools/plot_metrics.py)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# shellcheck disable=SC2086
cmake -S . -B build -G Ninja ${EXTENSOR_CMAKE_ARGS:-}
cmake --build build -j "$(nproc)"
