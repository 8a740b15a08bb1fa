#!/usr/bin/env bash
# Fuzzes the harnesses of tests/fuzz with libFuzzer for a while each, then merges the
# inputs that reached new code into the committed corpora (tests/fuzz/README.md).
#
#   tools/fuzz.sh <idx|state_dict|safetensors|all> [minutes per harness, default 5]
#
# Builds (and on first use configures) a clang build with EXTENSOR_FUZZ=ON in
# $EXTENSOR_FUZZ_BUILD (default build-fuzz). New finds go to <build>/fuzz-scratch/<name>,
# crashing inputs to <build>/fuzz-artifacts/<name>/; the script exits non-zero if a
# harness crashed, after merging what it found before the crash.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: tools/fuzz.sh <idx|state_dict|safetensors|all> [minutes per harness]" >&2
  exit 2
}
(($# >= 1 && $# <= 2)) || usage
case "$1" in
  idx | state_dict | safetensors) names=("$1") ;;
  all) names=(idx state_dict safetensors) ;;
  *) usage ;;
esac
minutes=${2:-5}
[[ $minutes =~ ^[0-9]+$ ]] && ((minutes > 0)) || usage

if ! command -v clang++ > /dev/null || ! command -v clang > /dev/null; then
  echo "tools/fuzz.sh: libFuzzer needs clang, which is not installed" >&2
  echo "  (tools/setup.sh installs clang and libclang-rt-14-dev; gcc builds only replay the corpora)" >&2
  exit 1
fi

build=${EXTENSOR_FUZZ_BUILD:-build-fuzz}
if [[ ! -f $build/CMakeCache.txt ]]; then
  # -O1 and line tables only keep the sanitized build of the whole library short; crash
  # stacks still name files and lines.
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DEXTENSOR_FUZZ=ON -DEXTENSOR_BUILD_EXAMPLES=OFF \
    -DEXTENSOR_BUILD_TOOLS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG"
fi
targets=()
for name in "${names[@]}"; do targets+=("fuzz_$name"); done
cmake --build "$build" --target "${targets[@]}"

# Per input: at most 10 s and 2 GiB; a slower or larger one is reported as a finding.
limits=(-rss_limit_mb=2048 -timeout=10)
crashed=()
for name in "${names[@]}"; do
  fuzzer=$build/tests/fuzz/fuzz_$name
  corpus=tests/fuzz/corpus/$name
  scratch=$build/fuzz-scratch/$name
  artifacts=$build/fuzz-artifacts/$name
  mkdir -p "$scratch" "$artifacts"
  # A harness of a text format may have a dictionary of its tokens beside it.
  dict=()
  if [[ -f tests/fuzz/$name.dict ]]; then dict=("-dict=tests/fuzz/$name.dict"); fi
  echo "tools/fuzz.sh: fuzzing $name for $minutes min (new inputs in $scratch)"
  # libFuzzer writes new inputs into the first folder only: the committed corpus is
  # read, and changes only through the merge below.
  if ! "$fuzzer" "$scratch" "$corpus" "${limits[@]}" "${dict[@]}" -max_total_time=$((minutes * 60)) \
    -artifact_prefix="$artifacts/" -print_final_stats=1; then
    crashed+=("$name")
  fi
  echo "tools/fuzz.sh: merging $scratch into $corpus"
  "$fuzzer" -merge=1 "${limits[@]}" "$corpus" "$scratch"
done

if ((${#crashed[@]})); then
  echo "tools/fuzz.sh: ${crashed[*]} crashed: the inputs are in $build/fuzz-artifacts/" >&2
  exit 1
fi
