#!/usr/bin/env bash
# Per-token instructions of llama-bench and of OffGrid's engine for one greedy stream at 1 thread, counted by callgrind
# (wall time is noise on a shared machine; instruction counts are not). Each side runs at N and 2N tokens, so start-up
# (.NET, JIT, model load) cancels out: per token = (run 2N - run N) / N. llama-bench runs against OffGrid's own
# runtime libraries (libllama, libggml from ~/.offgrid/runtime), so both sides decode with the same binaries; valgrind
# cannot run AVX-512 code, which ggml's dynamic CPU-variant loading avoids on its own (it asks the CPU valgrind emulates).
# Usage: bench/llama-cpp/overhead-callgrind.sh [N (128)]   (needs valgrind, build-tools.sh's llama-bench, a Release
# build of bench/OffGrid.Inference.Bench); about 2 minutes.
set -euo pipefail
n=${1:-128}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tools=${OFFGRID_LLAMA_CPP_TOOLS:-$HOME/.cache/offgrid-bench/llama.cpp-3.21.1/build/bin}
runtime=$(dirname "$(ls -d "${OFFGRID_HOME:-$HOME/.offgrid}"/runtime/*/libllama*.so | head -1)")
bench=$(ls -d "$repo"/bench/OffGrid.Inference.Bench/bin/Release/net*/ | head -1)
model=${OFFGRID_STORIES:-$repo/../shared/models/stories260K.gguf}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# llama-bench resolves libllama.so.0/libggml*.so.0 through LD_LIBRARY_PATH before its RUNPATH, and loads the CPU
# variants from its own folder.
ln -s "$runtime"/libggml-cpu-*.so "$work"/
ln -s "$runtime"/libllama.v*.so "$work"/libllama.so.0
ln -s "$runtime"/libggml.v*.so "$work"/libggml.so.0
ln -s "$runtime"/libggml-base.so "$work"/libggml-base.so.0
ln -s "$tools"/libllama-common.so.0 "$tools"/libllama-bench-impl.so "$work"/
cp "$tools"/llama-bench "$work"/

# Prints "<total> <inclusive llama_decode>" instructions of one callgrind run.
count() {
  local out=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" > "$out.log" 2>&1
  local total decode
  total=$(grep -E 'I +refs' "$out.log" | tr -d , | awk '{print $NF}')
  decode=$(callgrind_annotate --inclusive=yes --threshold=100 "$out" | grep -E ':llama_decode \[' | head -1 | tr -d , | awk '{print $1}')
  echo "$total $decode"
}

export DOTNET_TieredCompilation=0 DOTNET_TieredPGO=0 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 DOTNET_GCgen0size=0x10000000
for side in llama-bench offgrid; do
  for tokens in "$n" $((2 * n)); do
    if [[ $side == llama-bench ]]; then
      read -r total decode < <(LD_LIBRARY_PATH="$work" count "$work/$side-$tokens" "$work"/llama-bench -m "$model" -p 0 -n "$tokens" -t 1 -r 1)
    else
      read -r total decode < <(count "$work/$side-$tokens" dotnet "$bench"/OffGrid.Inference.Bench.dll overhead --tokens "$tokens" --stories "$model")
    fi
    echo "$side $tokens $total $decode"
  done
done | awk -v n="$n" '
  { total[$1, $2] = $3; decode[$1, $2] = $4; sides[$1] = 1 }
  END {
    printf "| Side | Instructions per token | in llama_decode | outside llama_decode |\n|---|---:|---:|---:|\n"
    for (s in sides) {
      t = (total[s, 2 * n] - total[s, n]) / n; d = (decode[s, 2 * n] - decode[s, n]) / n
      printf "| %s | %.0f | %.0f | %.0f |\n", s, t, d, t - d
    }
  }'
