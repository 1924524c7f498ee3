#!/usr/bin/env bash
# The demo: installs what is missing, builds (normal variant), then starts a
# pool of three real hosts on this machine (`poolha demo`): enables HA, starts
# protected VMs, cuts the power of the host running them, prints the timeline
# until they run on a survivor and the failover time as a multiple of T, and
# boots the host again to show it rejoin.
#
# Usage: scripts/demo.sh [arguments for `poolha demo`, e.g. --vm qemu --timeout 20]
# The simulator's fault scenarios: build/src/cli/poolha sim --scenarios scenarios/contract
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

echo "== demo: installing missing packages"
"$ROOT/scripts/install-deps.sh"

echo "== demo: building (build/)"
"$ROOT/scripts/build.sh" normal

POOLHA=build/src/cli/poolha
if [[ ! -x "$POOLHA" ]]; then
  POOLHA="$(find build -path '*/CMakeFiles/*' -prune -o -type f -name poolha -executable \
            -print -quit)"
fi
if [[ -z "$POOLHA" || ! -x "$POOLHA" ]]; then
  echo "demo: the poolha executable was not found under build/" >&2
  exit 1
fi

echo "== demo: $POOLHA demo $*"
exec "$POOLHA" demo "$@"
