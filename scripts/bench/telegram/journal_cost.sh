#!/usr/bin/env bash
# Issue 13: what the local journal costs a Telegram bot's child — its start-to-READY (the child's own "ready in N ms",
# from the JVM's start to READY) and its PSS once it polls — for this checkout and, when BASELINE=DIR is set, another
# built checkout (e.g. the code before the journal), in one run, alternating sides each round. One echo bot against
# a sandbox of its own with the embedded PostgreSQL; each round kill -9s the bot, the supervisor starts a new child (backoff
# 1 ms), and that child's READY time and PSS (/proc/PID/smaps_rollup, read when it has polled and again 5 s later)
# are taken. Prints medians, min and max per side.
# Usage: [BASELINE=DIR] scripts/bench/telegram/journal_cost.sh [ROUNDS=7]
set -euo pipefail
here="$(cd "$(dirname "$0")/../../.." && pwd)"
rounds="${1:-7}"
sides=("$here"); [ -z "${BASELINE:-}" ] || sides+=("$BASELINE")
out="$(mktemp -d)"
trap 'for w in "$out"/w*; do [ -f "$w/sup.pid" ] && kill "$(cat "$w/sup.pid")" 2>/dev/null || true; done; \
      for p in "${tg_pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$out"' EXIT

root="$here"
work="$out"
source "$here/scripts/bench/lib.sh"
source "$here/scripts/bench/telegram/lib.sh"
tg_need_sandbox
TG_FLEET_HEAD="defaults: { restart: { backoff: { initial: 1ms, max: 1ms, jitter: 0.0 }, intensity: { maxRestarts: 1000, window: 60s } } }"

pss_of() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
# Private pages (clean + dirty): what the child alone costs, whoever else maps the shared ones.
private_of() { awk '/^Private_(Clean|Dirty):/ {n += $2} END {print n + 0}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }

# One round of one side: start its supervisor if needed, kill its bot, await the new one polling, take the figures.
i=0
for side in "${sides[@]}"; do
  i=$((i + 1)); w="$out/w$i"; mkdir -p "$w"
  root="$side"; work="$w"
  tg_sandbox_start   # a sandbox per side: the two bots share a token
  tg_botvisor_start 1
  echo "$sup" > "$w/sup.pid"
  echo "side $i: $side, supervisor $sup; $(grep -m1 -o 'class-data sharing[^;(]*' "$w/sup.log" || echo 'class-data sharing: see its log')" >&2
done

for r in $(seq 1 "$rounds"); do
  i=0
  for side in "${sides[@]}"; do
    i=$((i + 1)); w="$out/w$i"
    pid="$(sed -n "s/.*bot 'echo-1' is RUNNING \[pid \([0-9]*\).*/\1/p" "$w/sup.log" | tail -1)"
    runs="$(grep -c "bot 'echo-1' is RUNNING" "$w/sup.log")"
    kill -9 "$pid"
    until [ "$(grep -c "bot 'echo-1' is RUNNING" "$w/sup.log")" -gt "$runs" ]; do sleep 0.1; done
    new="$(sed -n "s/.*bot 'echo-1' is RUNNING \[pid \([0-9]*\).*/\1/p" "$w/sup.log" | tail -1)"
    ready="$(grep -o "ready in [0-9]* ms" "$w/state/logs/echo-1/stderr.log" | tail -1 | grep -o '[0-9]*')"
    p0="$(pss_of "$new")"; sleep 5; p5="$(pss_of "$new")"; v5="$(private_of "$new")"
    echo "$i $ready $p0 $p5 $v5" >> "$out/figures"
    echo "round $r side $i: READY ${ready} ms, PSS ${p0} kB at READY, ${p5} kB 5 s later (private ${v5} kB)" >&2
  done
done

python3 - "$out/figures" "${sides[@]}" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
for i, side in enumerate(sys.argv[2:], 1):
    r = [x for x in rows if x[0] == str(i)]
    for name, col, unit in (("start-to-READY", 1, "ms"), ("PSS at READY", 2, "MB"), ("PSS 5 s later", 3, "MB"),
                            ("private 5 s later", 4, "MB")):
        v = sorted(int(x[col]) / (1024 if unit == "MB" else 1) for x in r)
        print(f"{side}: {name} over {len(v)} starts: median {statistics.median(v):.1f} {unit}, "
              f"min {v[0]:.1f}, max {v[-1]:.1f}")
PY
