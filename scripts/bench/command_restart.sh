#!/usr/bin/env bash
# Benchmark 1: crash -> restart of a plain 'command:' Java child against a bare start of the same JVM, in one run.
# The child prints "up <epoch-us>" first thing in main, "down <epoch-us>" 200 ms later, and exits 1.
# bare start    = spawn (taken by the harness just before fork) -> "up" line, N times, before and after the fleet;
# JVM teardown  = "down" -> the harness has reaped the exited JVM (same bare runs): the crash itself, not ours;
# crash->restart = "down" of one incarnation -> "up" of the next, under the supervisor (backoff 1 ms, no jitter),
#                  minus the median JVM teardown, so that it runs from the moment the process is gone.
#                  BACKOFF=0ms measures with no restart delay at all, as PM2's default (restart_delay 0).
# The raw figure (from "down") is printed too.
# Usage: [BACKOFF=1ms] scripts/bench/command_restart.sh [CYCLES=15]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-15}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
trap 'kill "$sup" 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
java="$(readlink -f "$(command -v java)")"
mkdir -p "$work/cls"
cat > "$work/Crash.java" <<'JAVA'
public class Crash {
    static long us() { java.time.Instant i = java.time.Instant.now(); return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000; }
    public static void main(String[] a) throws Exception {
        System.out.println("up " + us());
        Thread.sleep(200);
        System.out.println("down " + us());
        System.exit(1);
    }
}
JAVA
javac -d "$work/cls" "$work/Crash.java"
jvm=(-Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$work/cls" Crash)
bare() {
  python3 - "$java" "$n" "${jvm[@]}" <<'PY'
import subprocess, sys, time
java, n, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for _ in range(n):
    t0 = time.time_ns() // 1000
    p = subprocess.Popen([java] + args, stdout=subprocess.PIPE, text=True)
    up = int(p.stdout.readline().split()[1])
    down = int(p.stdout.readline().split()[1])
    p.wait()
    print((up - t0) / 1000, (time.time_ns() // 1000 - down) / 1000)
PY
}
bare > "$work/bare.txt"
{ echo "defaults:"
  echo "  restart: { backoff: { initial: ${BACKOFF:-1ms}, max: 1ms, jitter: 0.0 }, intensity: { maxRestarts: 10000, window: 60s } }"
  echo "bots:"
  printf '  - { id: crash, command: [%s' "\"$java\""; for a in "${jvm[@]}"; do printf ', "%s"' "$a"; done; echo '] }'
} > "$work/fleet.yaml"
start_supervisor "$work/fleet.yaml"
out="$work/state/logs/crash/stdout.log"
until [ -f "$out" ] && [ "$(grep -c '^up' "$out" || true)" -gt "$n" ]; do
  kill -0 "$sup" 2>/dev/null || { cat "$work/sup.log"; exit 1; }
  sleep 0.2
done
kill "$sup"; wait "$sup" 2>/dev/null || true
bare >> "$work/bare.txt"
python3 - "$out" "$work/bare.txt" <<'PY'
import sys, statistics
down, d = None, []
for l in open(sys.argv[1]):
    k, v = l.split()
    if k == "down": down = int(v)
    elif k == "up" and down is not None: d.append((int(v) - down) / 1000); down = None
rows = [l.split() for l in open(sys.argv[2])]
b, td = [float(r[0]) for r in rows], [float(r[1]) for r in rows]
mb, mt, md = statistics.median(b), statistics.median(td), statistics.median(d)
print(f"bare start ms over {len(b)}: median {mb:.1f} (min {min(b):.0f}, max {max(b):.0f}); JVM teardown median {mt:.1f}; "
      f"crash->restart over {len(d)}: median {md - mt:.1f} ms (raw from 'down' {md:.1f}, min {min(d):.0f}, "
      f"max {max(d):.0f}); ratio {(md - mt) / mb:.2f} (raw {md / mb:.2f})")
PY
