#!/usr/bin/env bash
# Benchmark 5: wall time of 'scripts/botvisor ctl status' (a whole CLI JVM run) against a supervisor with N idle
# drill bots. Usage: scripts/bench/ctl_status.sh [BOTS=50] [RUNS=15]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bots="${1:-50}"; runs="${2:-15}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
trap 'kill "$sup" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
{ echo "bots:"; for i in $(seq 1 "$bots"); do echo "  - { id: idle-$i, type: chaos }"; done; } > "$work/fleet.yaml"
start=$(date +%s.%N)
start_supervisor "$work/fleet.yaml"
await_log "is RUNNING" "$bots"
echo "all $bots RUNNING after $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s (includes the supervisor's own start)"
ms=()
for i in $(seq 1 "$runs"); do
  a=$(date +%s%N); "$root/scripts/botvisor" ctl --state-dir "$work/state" status > /dev/null; b=$(date +%s%N)
  ms+=($(( (b - a) / 1000000 )))
done
printf '%s\n' "${ms[@]}" | sort -n | awk '{a[NR]=$1} END {printf "ctl status ms over %d runs: median %d, min %d, max %d\n", NR, (NR%2?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2), a[1], a[NR]}'
