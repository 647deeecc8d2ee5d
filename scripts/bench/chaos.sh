#!/usr/bin/env bash
# Issue 13: the chaos suite at scale, RUNS runs (default 3) of scripts/chaos with BOTS bots (default 50) for DURATION
# (default 10m), seeds SEED, SEED+1, … (default 1). Prints each run's verdict and its main figures, then how many
# passed. Each run's state dir (its verdict.json, the supervisor's and the bots' logs) is kept under WORK.
# Usage: scripts/bench/chaos.sh [RUNS=3] [BOTS=50] [DURATION=10m] [SEED=1] [WORK=mktemp -d]
# Extra scripts/chaos options in CHAOS_OPTS (e.g. "--rate 100 --every 10s").
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-3}"; bots="${2:-50}"; duration="${3:-10m}"; seed="${4:-1}"; work="${5:-$(mktemp -d)}"
read -r -a extra <<< "${CHAOS_OPTS:-}"
passed=0
for run in $(seq 1 "$runs"); do
  s=$((seed + run - 1))
  out="$work/run-$run.txt"
  set +e
  "$root/scripts/chaos" --bots "$bots" --duration "$duration" --seed "$s" --state-dir "$work/run-$run" "${extra[@]}" \
      > "$out" 2>&1
  code=$?
  set -e
  [ "$code" -ne 0 ] || passed=$((passed + 1))
  echo "run $run (seed $s, exit $code):"
  sed -n '/^chaos verdict/,/faults/p' "$out" | sed 's/^/  /'
  grep -o "actions over ([^)]*)" "$out" | sed 's/^/  /' || true
done
echo "chaos at $bots bots for $duration: $passed of $runs runs passed (state dirs under $work)"
