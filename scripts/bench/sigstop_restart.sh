#!/usr/bin/env bash
# Benchmark 3: SIGSTOP -> restarted, with the built-in defaults (no 'defaults:' in the fleet file). One supervisor
# with N idle drill bots; each bot in turn is SIGSTOPped once (so each restart is that bot's first: backoff at its
# initial value). Reported: SIGSTOP -> the supervisor's kill decision (a stopped JVM is seen in /proc, or its
# heartbeats stop, whichever comes first), -> new child spawned, -> new child READY.
# Usage: scripts/bench/sigstop_restart.sh [BOTS=7]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-7}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
trap 'kill "$sup" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
{ echo "bots:"; for i in $(seq 1 "$n"); do echo "  - { id: hang-$i, type: chaos }"; done; } > "$work/fleet.yaml"
start_supervisor "$work/fleet.yaml"
await_log "is RUNNING" "$n"
: > "$work/stops.txt"
for i in $(seq 1 "$n"); do
  pid=$(grep "bot 'hang-$i' is RUNNING" "$work/sup.log" | tail -1 | sed 's/.*\[pid \([0-9]*\),.*/\1/')
  echo "hang-$i $(date +%s%N) $pid" >> "$work/stops.txt"
  kill -STOP "$pid"
  await_log "bot 'hang-$i' is RUNNING" 2
done
python3 - "$work/sup.log" "$work/stops.txt" <<'PY'
import sys, statistics, datetime
t = lambda l: datetime.datetime.fromisoformat(l.split(' ')[0]).timestamp()
log = open(sys.argv[1]).read().splitlines()
kill, spawn, ready = [], [], []
for line in open(sys.argv[2]):
    bot, ns, pid = line.split(); t0 = int(ns) / 1e9
    after = [l for l in log if f"'{bot}'" in l and t(l) >= t0 - 0.001]
    k = next(t(l) for l in after if "killing its process tree" in l)
    s = next(t(l) for l in after if "launched" in l and t(l) >= k)
    r = next(t(l) for l in after if "is RUNNING" in l and t(l) >= s)
    kill.append((k - t0) * 1000); spawn.append((s - t0) * 1000); ready.append((r - t0) * 1000)
f = lambda x: f"median {statistics.median(x):.0f} (min {min(x):.0f}, max {max(x):.0f})"
print(f"SIGSTOP -> ms over {len(kill)} bots: kill decided {f(kill)}; new child spawned {f(spawn)}; new child READY {f(ready)}")
PY
