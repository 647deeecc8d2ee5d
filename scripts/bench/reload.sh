#!/usr/bin/env bash
# Benchmark: reload of an N-bot fleet where one bot changed. Starts N idle drill bots, waits until all RUNNING, then
# ROUNDS times: changes one bot's stopTimeout in the fleet file (a different bot each round) and times
# 'botvisor ctl reload --wait' (the reply comes once the changed bot runs again). Checks after each round that exactly
# that bot got a new pid and every other bot kept its own. Prints each round's reply time and the median.
# Usage: scripts/bench/reload.sh [BOTS=200] [ROUNDS=7]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-200}"; rounds="${2:-7}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
sup=
trap 'kill "$sup" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
fleet() { # fleet FILE CHANGED-INDEX ROUND
  { echo "database: { enabled: false }"; echo "bots:"
    for i in $(seq 1 "$n"); do
      if [ "$i" = "$2" ]; then echo "  - { id: idle-$i, type: chaos, stopTimeout: $((10 + $3))s }"
      else echo "  - { id: idle-$i, type: chaos }"; fi
    done; } > "$1"
}
fleet "$work/fleet.yaml" 0 0
start_supervisor "$work/fleet.yaml"
await_log "is RUNNING" "$n"
ctl() { "$root/scripts/botvisor" ctl --state-dir "$work/state" "$@"; }
pids() { ctl status --json | python3 -c 'import json,sys; print("\n".join("%s %s" % (b["id"], b["pid"]) for b in json.load(sys.stdin)["bots"]))'; }
times=()
for r in $(seq 1 "$rounds"); do
  victim=$(( (r * 37) % n + 1 ))
  before="$(pids)"
  fleet "$work/fleet.yaml" "$victim" "$r"
  t0=$(date +%s%N)
  out="$(ctl reload --wait)" || { echo "reload failed: $out"; exit 1; }
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  after="$(pids)"
  changed="$(diff <(echo "$before") <(echo "$after") | grep '^>' | awk '{print $2}' | tr '\n' ' ' || true)"
  [ "$changed" = "idle-$victim " ] || { echo "round $r: expected only idle-$victim to restart, got: '$changed'"; exit 1; }
  echo "round $r: reload --wait of $n bots, idle-$victim changed: ${ms} ms (only idle-$victim restarted)"
  times+=("$ms")
  # back to the original spec for the next round (untimed: it restarts the same bot again)
  fleet "$work/fleet.yaml" 0 0
  ctl reload --wait > /dev/null
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median reply of reload --wait: " a[int((NR+1)/2)] " ms over " NR " rounds (min " a[1] ", max " a[NR] ")"}'
