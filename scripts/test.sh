#!/usr/bin/env bash
# The whole test suite:
#   1. install missing Debian packages           (scripts/install-deps.sh)
#   2. normal build (g++) + ctest                (unit tests, scenarios, random sweeps)
#   3. ASan + UBSan build (g++, in the background during the normal tests) + ctest
#   4. fuzz build (clang) + every fuzz_* target for FUZZ_SECONDS seconds each
#
# Every stage runs even if an earlier one failed, so one run shows everything;
# the exit status is non-zero if any stage failed.
#
# Environment:
#   FUZZ_SECONDS   libFuzzer -max_total_time per target (default 12)
#   CTEST_TIMEOUT  default per-test timeout in seconds for tests that set no
#                  TIMEOUT property themselves (default 300)
#   POOLHA_TEST_ON_DISK
#                  if set, the tests' scratch files stay in TMPDIR (or /tmp)
#                  instead of a RAM directory under /dev/shm
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

JOBS="$(nproc)"
FUZZ_SECONDS="${FUZZ_SECONDS:-12}"
CTEST_TIMEOUT="${CTEST_TIMEOUT:-300}"
LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/poolha-test.XXXXXX")"
# The tests' scratch files go to RAM where there is a tmpfs. The pool tests
# run real daemons at a T of a few seconds, so their storage heartbeats time
# out after a few hundred ms; on a slow or busy disk a single fsync can take
# that long, and the tests would measure the disk instead of the HA logic.
# They stop processes, never the kernel, so RAM keeps every write they check.
# Tests that need O_DIRECT use /var/tmp themselves.
TEST_TMPDIR=""
if [[ -z "${POOLHA_TEST_ON_DISK:-}" && -d /dev/shm && -w /dev/shm ]] &&
   [[ "$(stat -f -c %T /dev/shm)" == "tmpfs" ]]; then
  TEST_TMPDIR="$(mktemp -d /dev/shm/poolha-test.XXXXXX)"
fi
trap 'echo; echo "test: interrupted" >&2; exit 130' INT TERM
# A background build still running is stopped with the suite, however it ends.
trap 'if ((${BACKGROUND_PID:-0} > 0)); then kill -- -"$BACKGROUND_PID" 2>/dev/null || true; fi
      rm -rf "$LOG_DIR" ${TEST_TMPDIR:+"$TEST_TMPDIR"}' EXIT

STAGE_NAMES=()
STAGE_RESULTS=()
STAGE_TIMES=()
STAGE_NOTES=()
FAILED=0

header() {
  echo
  echo "================================================================================"
  echo "== $*"
  echo "================================================================================"
}

fmt_duration() {
  local s=$1
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}

record() {  # name result seconds note
  STAGE_NAMES+=("$1")
  STAGE_RESULTS+=("$2")
  STAGE_TIMES+=("$3")
  STAGE_NOTES+=("$4")
  if [[ "$2" != "passed" ]]; then
    FAILED=1
  fi
}

# run_stage NAME FUNCTION [ARGS...]
# Runs FUNCTION in a subshell with `set -euo pipefail` in effect, records its
# result and duration, and sets LAST_RC to its exit status. It always returns 0
# and must be called as a plain command (not in `if`, `||`, `&&`): bash ignores
# errexit inside anything called from such a context, even in subshells, so a
# failing command in the middle of a stage would go unnoticed.
# A stage may write a one-line note for the summary to "$NOTE_FILE".
LAST_RC=0
run_stage() {
  local name=$1
  shift
  header "$name"
  NOTE_FILE="$LOG_DIR/note.${#STAGE_NAMES[@]}"
  : >"$NOTE_FILE"
  local start=$SECONDS rc
  set +e
  (
    set -euo pipefail
    "$@"
  )
  rc=$?
  set -e
  end_stage "$name" "$rc" $((SECONDS - start)) "$(head -n 1 "$NOTE_FILE")"
}

# end_stage NAME RC SECONDS NOTE: records a stage that ran, says how it
# ended and sets LAST_RC.
end_stage() {
  local name=$1 rc=$2 elapsed=$3 note=$4
  if ((rc == 0)); then
    record "$name" passed "$elapsed" "$note"
    echo "-- $name: passed ($(fmt_duration "$elapsed"))"
  else
    record "$name" "FAILED (exit $rc)" "$elapsed" "$note"
    echo "-- $name: FAILED with exit status $rc ($(fmt_duration "$elapsed"))" >&2
  fi
  LAST_RC=$rc
}

# A build that runs in the background while another stage runs in front:
# the normal tests mostly wait on timeouts (the pool tests run one at a time),
# so the sanitizer build uses the idle cores meanwhile. It runs at the lowest
# CPU priority (in a session of its own, so that also holds where the kernel
# groups processes by session), so the tests in front are never starved.
BACKGROUND_PID=0
BACKGROUND_START=0
BACKGROUND_LOG=""
start_background_build() {  # variant
  BACKGROUND_LOG="$LOG_DIR/build-$1.log"
  BACKGROUND_START=$SECONDS
  # The build lowers its own session's scheduling group, from inside the new
  # session: written from here, it could reach this script's group instead,
  # if it ran before the child had left it, and starve the tests in front.
  # shellcheck disable=SC2016
  setsid --wait bash -c 'echo 19 >/proc/self/autogroup 2>/dev/null; exec nice -n 19 "$@"' \
    build "$ROOT/scripts/build.sh" "$1" >"$BACKGROUND_LOG" 2>&1 &
  BACKGROUND_PID=$!
  echo "test: $1 build started in the background (pid $BACKGROUND_PID, log shown when it ends)"
}

# finish_background_build NAME: waits for the background build, shows its
# log and records it as stage NAME, timed from its start; sets LAST_RC.
finish_background_build() {
  local name=$1 rc
  header "$name"
  set +e
  wait "$BACKGROUND_PID"
  rc=$?
  set -e
  BACKGROUND_PID=0
  cat "$BACKGROUND_LOG"
  end_stage "$name" "$rc" $((SECONDS - BACKGROUND_START)) \
    "ran in the background from the start of the normal tests"
}

skip_stage() {  # name reason
  header "$1"
  echo "-- $1: SKIPPED ($2)"
  record "$1" "SKIPPED" 0 "$2"
}

# ---------------------------------------------------------------------------
# Stage bodies (each runs in a subshell under set -euo pipefail)

stage_deps() {
  "$ROOT/scripts/install-deps.sh"
}

stage_build() {  # variant
  "$ROOT/scripts/build.sh" "$1"
}

stage_ctest() {  # build-dir jobs [ctest arguments...]
  local dir=$1 jobs=$2 log rc
  shift 2
  log="$LOG_DIR/ctest.$(basename "$dir").log"
  # --no-tests=error: a build that registers no tests is a failure, not a pass.
  # ctest's own output (including its closing "N% tests passed" line) stays visible.
  set +e
  TMPDIR="${TEST_TMPDIR:-${TMPDIR:-/tmp}}" \
    ctest --test-dir "$dir" --output-on-failure --no-tests=error \
          --timeout "$CTEST_TIMEOUT" -j "$jobs" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 >"$NOTE_FILE" || true
  return "$rc"
}

stage_fuzz() {
  local dir=build-fuzz
  local targets=()
  local t
  while IFS= read -r t; do
    targets+=("$t")
  done < <(find "$dir" -path "$dir/CMakeFiles" -prune -o -path '*/CMakeFiles/*' -prune -o \
                -type f -name 'fuzz_*' -perm -u+x -print | sort)
  if ((${#targets[@]} == 0)); then
    echo "fuzz: no fuzz_* executables found in $dir" >&2
    echo "no fuzz targets found" >"$NOTE_FILE"
    return 1
  fi
  echo "fuzz: ${#targets[@]} target(s): $(for t in "${targets[@]}"; do basename "$t"; done | tr '\n' ' ')"

  # Seed corpus: if the project builds a generator (an executable named
  # make_corpus or *_make_corpus, usage: make_corpus DIR), (re)create the corpus
  # with it. Seeds for fuzz_X are taken from DIR/fuzz_X or DIR/X if one exists,
  # else from DIR itself.
  local seeds="$dir/fuzz-seeds"
  local gen
  gen="$(find "$dir" -path '*/CMakeFiles/*' -prune -o -type f \
              \( -name make_corpus -o -name '*_make_corpus' \) -perm -u+x -print | sort | sed -n 1p)"
  rm -rf "$seeds"
  if [[ -n "$gen" ]]; then
    echo "fuzz: creating seed corpus with $gen $seeds"
    mkdir -p "$seeds"
    "$gen" "$seeds"
  else
    echo "fuzz: no make_corpus generator found; fuzzing from an empty corpus"
  fi

  local work="$dir/fuzz-work" artifacts="$dir/fuzz-artifacts"
  rm -rf "$work" "$artifacts"
  mkdir -p "$work" "$artifacts"

  local failed=() passed=0 name rc log
  local corpus_args
  for t in "${targets[@]}"; do
    name="$(basename "$t")"
    echo
    echo "---- $name (max_total_time=$FUZZ_SECONDS s)"
    # libFuzzer adds new inputs to the first corpus directory: a scratch
    # directory, so the seed corpus stays as generated.
    corpus_args=("$work/$name")
    mkdir -p "$work/$name"
    if [[ -d "$seeds/$name" ]]; then
      corpus_args+=("$seeds/$name")       # per-target seed directory
    elif [[ -d "$seeds/${name#fuzz_}" ]]; then
      corpus_args+=("$seeds/${name#fuzz_}")
    elif [[ -n "$(find "$seeds" -maxdepth 1 -type f -print -quit 2>/dev/null)" ]]; then
      corpus_args+=("$seeds")             # one shared seed directory
    fi
    log="$artifacts/$name.log"
    set +e
    "$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -print_final_stats=1 \
         -artifact_prefix="$artifacts/$name-" "${corpus_args[@]}" >"$log" 2>&1
    rc=$?
    set -e
    if ((rc == 0)); then
      tail -n 12 "$log"
      echo "---- $name: passed"
      passed=$((passed + 1))
    else
      tail -n 200 "$log"
      echo "---- $name: FAILED (exit $rc); full log: $log; crashing input: $artifacts/$name-*" >&2
      failed+=("$name")
    fi
  done

  echo
  if ((${#failed[@]} != 0)); then
    echo "${#failed[@]} of ${#targets[@]} fuzz targets failed: ${failed[*]}" | tee "$NOTE_FILE"
    return 1
  fi
  echo "$passed of ${#targets[@]} fuzz targets ran ${FUZZ_SECONDS}s each without a crash" \
    | tee "$NOTE_FILE"
}

# ---------------------------------------------------------------------------

TOTAL_START=$SECONDS
echo "test: poolha test suite in $ROOT ($JOBS cores)"
if [[ -n "$TEST_TMPDIR" ]]; then
  echo "test: the tests' scratch files are in RAM, under $TEST_TMPDIR"
else
  echo "test: the tests' scratch files are under ${TMPDIR:-/tmp}"
fi

run_stage "install dependencies" stage_deps

# (a) normal build; (b) the ASan+UBSan build then starts behind the normal tests
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
run_stage "build: normal (g++, build/)" stage_build normal
NORMAL_BUILD_RC=$LAST_RC
start_background_build sanitize
if ((NORMAL_BUILD_RC == 0)); then
  # One job more than cores: the pool tests (one at a time, under a resource
  # lock) mostly wait on timeouts while two CPU-bound tests run beside them.
  run_stage "tests: normal (ctest build/)" stage_ctest build "$((JOBS + 1))"
else
  skip_stage "tests: normal (ctest build/)" "build failed"
fi

finish_background_build "build: ASan+UBSan (g++, build-asan/)"
if ((LAST_RC == 0)); then
  # The multi-process integration tests (pools of real daemons, minutes of
  # wall time each run) run in the normal stage only.
  run_stage "tests: ASan+UBSan (ctest build-asan/)" stage_ctest build-asan "$JOBS" -LE integration
else
  skip_stage "tests: ASan+UBSan (ctest build-asan/)" "build failed"
fi

# (c) fuzzers
run_stage "build: fuzzers (clang, build-fuzz/)" stage_build fuzz
if ((LAST_RC == 0)); then
  run_stage "fuzz: every fuzz_* target, ${FUZZ_SECONDS}s each" stage_fuzz
else
  skip_stage "fuzz: every fuzz_* target, ${FUZZ_SECONDS}s each" "build failed"
fi

header "summary"
for i in "${!STAGE_NAMES[@]}"; do
  printf '%-48s %-18s %8s' "${STAGE_NAMES[$i]}" "${STAGE_RESULTS[$i]}" \
         "$(fmt_duration "${STAGE_TIMES[$i]}")"
  if [[ -n "${STAGE_NOTES[$i]}" ]]; then
    printf '   %s' "${STAGE_NOTES[$i]}"
  fi
  printf '\n'
done
echo "total: $(fmt_duration $((SECONDS - TOTAL_START)))"
if ((FAILED)); then
  echo "RESULT: FAILED"
  exit 1
fi
echo "RESULT: all stages passed"
