#!/usr/bin/env bash
# Benchmark 4: N idle drill bots with the built-in defaults. Reports the time from the supervisor's "supervising"
# line to the last "is RUNNING" line, and the time from the launch of 'botvisor run' (class-data archive already
# recorded in the state dir by a one-bot warm-up run, as on every start but the very first). Then, for each offset
# (seconds after all RUNNING), over WINDOW seconds: the whole fleet's CPU and the supervisor's own CPU, as % of one
# core (utime+stime from /proc/PID/stat); and PSS per child (/proc/PID/smaps_rollup) at the end. Also the
# supervisor loop's lag (p99, max) over the cold start, from 'ctl status --json'. Early windows include
# the JIT warm-up of the heartbeat path (a method is compiled after ~200 calls: at one heartbeat a second, minutes).
# Usage: scripts/bench/fleet.sh [BOTS=50] [WINDOW=30] [OFFSET…=15 120]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-50}"; window="${2:-30}"; shift $(( $# < 2 ? $# : 2 ))
offsets=("$@"); [ ${#offsets[@]} -gt 0 ] || offsets=(15 120)
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
sup=
trap 'kill "$sup" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
run_until_running() { # fleet-file bots
  start_supervisor "$1"
  await_log "is RUNNING" "$2"
}
printf 'bots:\n  - { id: warm-up, type: chaos }\n' > "$work/warm.yaml"
run_until_running "$work/warm.yaml" 1
kill "$sup"; wait "$sup" 2>/dev/null || true
# FLEET_HEAD: YAML put before the bots (e.g. "supervisor: { metrics: { enabled: false } }") to compare settings.
{ [ -z "${FLEET_HEAD:-}" ] || echo "$FLEET_HEAD"; echo "bots:"; for i in $(seq 1 "$n"); do echo "  - { id: idle-$i, type: chaos }"; done; } > "$work/fleet.yaml"
start=$(date +%s%N)
run_until_running "$work/fleet.yaml" "$n"
total_ms=$(( ($(date +%s%N) - start) / 1000000 ))
# The loop's lag over the cold start (from the supervisor's own recorder: arrival of an event to its handling).
"$root/scripts/botvisor" ctl --state-dir "$work/state" status --json > "$work/status.json"
lag="$(python3 - "$work/status.json" <<'PY'
import json, sys
l = json.load(open(sys.argv[1]))["loop"]
print(f"loop lag over the cold start: p99 {l['lagP99Micros'] / 1000:.1f} ms, max {l['lagMaxMicros'] / 1000:.1f} ms "
      f"over {l['events']} events")
PY
)"
python3 - "$work/sup.log" "$sup" "$n" "$window" "$total_ms" "$lag" "${offsets[@]}" <<'PY'
import sys, re, time, statistics, datetime, os
log, sup, n, window, total_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
lag = sys.argv[6]
offsets = [float(x) for x in sys.argv[7:]]
t0 = time.time()
lines = open(log).read().splitlines()
t = lambda l: datetime.datetime.fromisoformat(l.split(' ')[0]).timestamp()
first = next(t(l) for l in lines if "supervising" in l)
last = max(t(l) for l in lines if "is RUNNING" in l)
pids = [int(m.group(1)) for l in lines for m in [re.search(r"is RUNNING \[pid (\d+)", l)] if m]
assert len(pids) == n, f"{len(pids)} children seen, expected {n}"
def ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    fields = s[s.rindex(')') + 2:].split()
    return int(fields[11]) + int(fields[12])
def pss(pid):
    for l in open(f"/proc/{pid}/smaps_rollup"):
        if l.startswith("Pss:"): return int(l.split()[1]) / 1024
hz = os.sysconf("SC_CLK_TCK")
cpu = []
for off in offsets:
    time.sleep(max(0.0, t0 + off - time.time()))
    c0, s0, w0 = sum(ticks(p) for p in pids), ticks(sup), time.time()
    time.sleep(window)
    c1, s1, w1 = sum(ticks(p) for p in pids), ticks(sup), time.time()
    cpu.append(f"t+{off:.0f}s fleet {100 * (c1 - c0) / hz / (w1 - w0):.1f} % / supervisor {100 * (s1 - s0) / hz / (w1 - w0):.2f} %")
p = [pss(x) for x in pids]
print(f"{n} bots: all RUNNING {last - first:.1f} s after 'supervising' ({total_ms / 1000:.1f} s from launch); "
      f"PSS per child median {statistics.median(p):.1f} MB (max {max(p):.1f}, total {sum(p):.0f} MB); "
      f"{lag}; idle CPU over {window:.0f} s windows (% of a core): " + "; ".join(cpu))
PY
