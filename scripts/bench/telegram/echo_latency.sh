#!/usr/bin/env bash
# Issue 12: update -> reply latency of one echo bot, botvisor's (type: echo, under the supervisor, recording every
# update and reply in the embedded PostgreSQL) against grammY's (grammy-echo.js, one Node process, records nothing), at
# a steady RATE updates/s spread over CHATS chats for DURATION s (the sandbox's load driver, 'botvisor sandbox load';
# p50/p99 are the sandbox's own /sandbox/report: from the moment a message is injected to the moment the bot's reply
# to it arrives; also sent, answered, duplicate replies; a run waits up to 30 s for the last replies). Both
# bots run on one sandbox for the whole script, each with its own token; each run loads one bot while the other
# idles. RUNS runs each, alternating which side goes first; a warm-up of WARMUP s per side first, not counted. Prints
# each run, then the medians of the runs.
# Usage: scripts/bench/telegram/echo_latency.sh [RUNS=5] [DURATION=30] [RATE=50] [CHATS=100]
# Env: SIDES="botvisor grammy" (one alone only to try the script), WARMUP (default 20),
# GRAMMY_VARIANT=recommended|defaults, TG_SEND_LIMITS=open|defaults (botvisor's sender limits raised out of the way,
# or its own; lib.sh), TG_FLEET_HEAD / TG_BOT_EXTRA (other settings; lib.sh).
# Needs: a built checkout with issue 12's sandbox and echo bot; Node 18+; npm ci (done here); python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
runs="${1:-5}"; duration="${2:-30}"; rate="${3:-50}"; chats="${4:-100}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
source "$root/scripts/bench/telegram/lib.sh"
trap 'tg_cleanup; rm -rf "$work"' EXIT

tg_pair_sides
tg_need_sandbox
[[ " ${tg_sides[*]} " != *" grammy "* ]] || tg_npm_ci
tg_pair_start
echo "sandbox $tg_api; polling: ${tg_sides[*]} (botvisor echo-1 pid ${tg_bot_pids[0]:-none}, grammY" \
     "${GRAMMY_VARIANT:-recommended} pid ${tg_grammy:-none})"

for side in "${tg_sides[@]}"; do tg_steady "$side" "$rate" "$chats" "${WARMUP:-20}" > "$work/warmup-$side.txt"; done

for run in $(seq 1 "$runs"); do
  order=("${tg_sides[@]}"); [ $((run % 2)) -eq 1 ] || order=($(printf '%s\n' "${tg_sides[@]}" | tac))
  for side in "${order[@]}"; do
    result="$(tg_steady "$side" "$rate" "$chats" "$duration")"
    echo "RESULT side=$side run=$run $result" >> "$work/results-$side.txt"
    echo "run $run $side: $result"
  done
done

echo "echo latency at $rate updates/s over $chats chats, $duration s, medians of $runs runs:"
for side in "${tg_sides[@]}"; do
  f="$work/results-$side.txt"
  echo "  $side: p50 $(tg_median "$f" p50_ms) ms, p99 $(tg_median "$f" p99_ms) ms;" \
       "sent $(tg_median "$f" sent), answered $(tg_median "$f" answered), duplicates $(tg_median "$f" duplicates)"
done
[ ${#tg_sides[@]} -eq 2 ] || exit 0
python3 - "$work/results-botvisor.txt" "$work/results-grammy.txt" <<'PY'
import statistics, sys
def med(f, k):
    return statistics.median(float(kv.split("=")[1]) for l in open(f) for kv in l.split() if kv.startswith(k + "="))
b, g = med(sys.argv[1], "p99_ms"), med(sys.argv[2], "p99_ms")
print(f"  p99 botvisor / grammY = {b / g:.2f} (goal <= 2)" if g > 0 else "  p99 of grammY is 0: no ratio")
PY
