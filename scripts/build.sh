#!/usr/bin/env bash
# Configures and builds one variant of poolha with CMake + Ninja.
#
# Usage: scripts/build.sh [normal|sanitize|fuzz]      (default: normal)
#
#   normal    build/       g++, RelWithDebInfo
#   sanitize  build-asan/  g++, RelWithDebInfo, ASan + UBSan (-DPOOLHA_SANITIZE=ON)
#   fuzz      build-fuzz/  clang, RelWithDebInfo, libFuzzer targets (-DPOOLHA_FUZZ=ON), no tests
#
# Re-running reuses the build directory (incremental build). A build directory
# that was configured with another generator or compiler is reconfigured from
# scratch.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

usage() {
  echo "usage: $0 [normal|sanitize|fuzz]" >&2
  exit 2
}

(($# <= 1)) || usage
MODE="${1:-normal}"
BUILD_TARGETS=()

# Unity build: each target's sources are compiled in batches, so the heavy
# library headers (asio, json, gtest, spdlog) are parsed once per batch
# instead of once per file; a clean build takes about a fifth of the CPU time.
UNITY_ARGS=(-DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=10)

case "$MODE" in
  normal)
    BUILD_DIR=build
    CC_NAME=gcc
    CXX_NAME=g++
    # -g1: line tables for backtraces, about a fifth less compile time than -g.
    CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOOLHA_SANITIZE=OFF -DPOOLHA_FUZZ=OFF
                -DPOOLHA_TESTS=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
                "${UNITY_ARGS[@]}")
    ;;
  sanitize|asan)
    BUILD_DIR=build-asan
    CC_NAME=gcc
    CXX_NAME=g++
    # _GLIBCXX_ASSERTIONS adds cheap bounds checks to the standard library containers.
    # -Og -g1: with both sanitizers' instrumentation, -O1 doubles the compile
    # time while the tests run only about a fifth faster; -g1 keeps line
    # numbers in every sanitizer report. The pool tests run in the normal
    # build only, so they are not built here.
    CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOOLHA_SANITIZE=ON -DPOOLHA_FUZZ=OFF
                -DPOOLHA_TESTS=ON -DPOOLHA_POOL_TESTS=OFF "-DCMAKE_CXX_FLAGS=-D_GLIBCXX_ASSERTIONS"
                "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-Og -g1 -DNDEBUG" "${UNITY_ARGS[@]}")
    ;;
  fuzz)
    BUILD_DIR=build-fuzz
    CC_NAME=clang
    CXX_NAME=clang++
    CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOOLHA_FUZZ=ON -DPOOLHA_TESTS=OFF)
    # Only the fuzzers and their corpus generator: the rest of the tree is
    # built and tested by the other two variants.
    BUILD_TARGETS=(fuzz_heartbeat fuzz_statefile poolha_make_corpus)
    ;;
  -h|--help)
    usage
    ;;
  *)
    echo "build: unknown variant '$MODE'" >&2
    usage
    ;;
esac

for tool in cmake ninja "$CXX_NAME"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build: '$tool' not found; run scripts/install-deps.sh first" >&2
    exit 1
  fi
done

CXX_PATH="$(command -v "$CXX_NAME")"
CC_PATH="$(command -v "$CC_NAME" || true)"
JOBS="$(nproc)"

# A build directory is reused only if it was configured for Ninja with the
# same C++ compiler; otherwise its CMake cache is discarded.
CACHE="$BUILD_DIR/CMakeCache.txt"
if [[ -f "$CACHE" ]]; then
  cached_generator="$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$CACHE")"
  cached_cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$CACHE")"
  if [[ "$cached_generator" != "Ninja" ||
        "$(readlink -f "$cached_cxx" 2>/dev/null || true)" != "$(readlink -f "$CXX_PATH")" ]]; then
    echo "build: $BUILD_DIR was configured with '$cached_generator' / '$cached_cxx';" \
         "reconfiguring from scratch"
    rm -rf "$CACHE" "$BUILD_DIR/CMakeFiles"
  fi
fi

echo "build: variant=$MODE dir=$BUILD_DIR compiler=$CXX_PATH jobs=$JOBS"

# CC/CXX are read by CMake only when the cache has no compiler yet.
CC="${CC_PATH:-$CC_NAME}" CXX="$CXX_PATH" \
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja "${CMAKE_ARGS[@]}"

cmake --build "$BUILD_DIR" --parallel "$JOBS" ${BUILD_TARGETS:+--target "${BUILD_TARGETS[@]}"}
echo "build: $MODE build in $BUILD_DIR is up to date"
