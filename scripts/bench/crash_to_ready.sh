#!/usr/bin/env bash
# Benchmark 2: crash -> READY of a bot-runner child, from the supervisor's own log timestamps (the "exited with" line
# to the next "is RUNNING" line). Backoff is 1 ms with no jitter, so the figure is the respawn + JVM start + READY.
# Runs twice in one invocation: with the class-data archive (the default) and with --no-class-sharing.
# Usage: scripts/bench/crash_to_ready.sh [CRASHES=15]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-15}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
trap 'kill "$sup" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/fleet.yaml" <<YAML
defaults:
  restart: { backoff: { initial: 1ms, max: 1ms, jitter: 0.0 }, intensity: { maxRestarts: 1000, window: 60s } }
bots:
  - { id: crasher, type: chaos, config: { crashAfter: 1s, exitCode: 3 } }
YAML
measure() { # label, extra run options
label="$1"; shift
rm -rf "$work/state"
start_supervisor "$work/fleet.yaml" "$@"
await_log "bot 'crasher' is RUNNING" $((n + 1))
kill "$sup"; wait "$sup" 2>/dev/null || true
python3 - "$work/sup.log" "$label" <<'PY'
import re, sys, statistics, datetime
t = lambda l: datetime.datetime.fromisoformat(l.split(' ')[0].replace('Z', '+00:00')).timestamp()
exit_at, d = None, []
for l in open(sys.argv[1]):
    if "bot 'crasher' exited with code 3" in l: exit_at = t(l)
    elif "bot 'crasher' is RUNNING" in l and exit_at is not None:
        d.append((t(l) - exit_at) * 1000); exit_at = None
d.sort()
print(f"{sys.argv[2]:>22}: crash->READY ms over {len(d)} crashes: median {statistics.median(d):.0f}, min {d[0]:.0f}, max {d[-1]:.0f}")
PY
}
measure "class-data archive"
measure "no archive" --no-class-sharing
