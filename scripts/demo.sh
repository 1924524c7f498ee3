#!/usr/bin/env bash
# The demo: installs what is missing, builds (normal variant), then runs the
# simulator over the fault scenarios of the behaviour contract and prints their timeline.
#
# Usage: scripts/demo.sh [extra arguments for `poolha sim`]
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

echo "== demo: $POOLHA sim --scenarios scenarios/contract $*"
exec "$POOLHA" sim --scenarios scenarios/contract "$@"
