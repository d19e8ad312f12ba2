#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench and llama-server from the node-llama-cpp source bundle that OffGrid's
# runtime is built from, so benches compare against the very same llama.cpp. Idempotent: a finished build in the
# cache is reused and only the two targets are (re)built when missing. Prints the bin folder on the last line.
#
# Usage: bench/llama-cpp/build-tools.sh            (cache: ${OFFGRID_BENCH_CACHE:-~/.cache/offgrid-bench})
# Needs npm (with the machine's registry configuration), git, cmake, ninja (or make) and a C++ compiler.
set -euo pipefail

version="3.21.1"
cache="${OFFGRID_BENCH_CACHE:-$HOME/.cache/offgrid-bench}"
src="$cache/llama.cpp-$version"
bin="$src/build/bin"

if [[ -x "$bin/llama-bench" && -x "$bin/llama-server" ]]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache"
if [[ ! -f "$src/CMakeLists.txt" ]]; then
  echo "Fetching the llama.cpp sources of node-llama-cpp@$version into $src ..." >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack "node-llama-cpp@$version" --silent >/dev/null)
  tar -xzf "$work"/node-llama-cpp-*.tgz -C "$work" package/llama/gitRelease.bundle
  rm -rf "$src"
  git clone --quiet "$work/package/llama/gitRelease.bundle" "$src"
fi

if [[ ! -f "$src/build/CMakeCache.txt" ]]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  echo "Configuring llama.cpp (Release, native CPU, no curl) ..." >&2
  cmake -S "$src" -B "$src/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DGGML_NATIVE=ON \
    >"$cache/cmake-configure.log" 2>&1 || { tail -20 "$cache/cmake-configure.log" >&2; exit 1; }
fi

echo "Building llama-bench and llama-server: this takes about 15 minutes on 2 cores (log: $cache/cmake-build.log) ..." >&2
cmake --build "$src/build" --target llama-bench llama-server >"$cache/cmake-build.log" 2>&1 \
  || { tail -20 "$cache/cmake-build.log" >&2; exit 1; }
echo "$bin"
