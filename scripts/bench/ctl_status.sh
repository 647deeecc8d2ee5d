#!/usr/bin/env bash
# Benchmark 5: wall time of 'scripts/botvisor ctl status' (a whole CLI JVM run) against a supervisor with N idle
# drill bots. Usage: scripts/bench/ctl_status.sh [BOTS=50] [RUNS=15]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bots="${1:-50}"; runs="${2:-15}"
work="$(mktemp -d)"
trap 'kill "$sup" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
{ echo "bots:"; for i in $(seq 1 "$bots"); do echo "  - { id: idle-$i, type: chaos }"; done; } > "$work/fleet.yaml"
start=$(date +%s.%N)
"$root/scripts/botvisor" run --config "$work/fleet.yaml" --state-dir "$work/state" > "$work/sup.log" 2>&1 &
sup=$!
until [ "$(grep -c "is RUNNING" "$work/sup.log" || true)" -ge "$bots" ]; do
  kill -0 "$sup" 2>/dev/null || { cat "$work/sup.log"; exit 1; }
  sleep 0.2
done
echo "all $bots RUNNING after $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s (includes the supervisor's own start)"
ms=()
for i in $(seq 1 "$runs"); do
  a=$(date +%s%N); "$root/scripts/botvisor" ctl --state-dir "$work/state" status > /dev/null; b=$(date +%s%N)
  ms+=($(( (b - a) / 1000000 )))
done
printf '%s\n' "${ms[@]}" | sort -n | awk '{a[NR]=$1} END {printf "ctl status ms over %d runs: median %d, min %d, max %d\n", NR, (NR%2?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2), a[1], a[NR]}'
