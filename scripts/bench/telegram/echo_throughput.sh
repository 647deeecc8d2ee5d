#!/usr/bin/env bash
# Issue 12: updates -> replies throughput of one echo bot, botvisor's (type: echo, under the supervisor, recording
# every update and reply in the embedded PostgreSQL) against grammY's (grammy-echo.js, one Node process, records
# nothing). Each run stops the bot's process (SIGSTOP), queues M messages over CHATS chats for it on the sandbox,
# resumes it (SIGCONT) and times the replies (sandbox_drive.py burst): throughput = replies / seconds from the resume
# to the last reply (the sandbox's /sandbox/report), so that the queueing's own speed does not count. botvisor's
# heartbeat timeout is raised to 60 s for this (lib.sh), so that its supervisor lets the stopped child be. Both bots
# run on one sandbox for the whole script, each with its own token; each run bursts one bot while the other idles.
# RUNS runs each, alternating which side goes first; one burst per side first as a warm-up, not counted. Prints each
# run, then the medians of the runs.
# Usage: scripts/bench/telegram/echo_throughput.sh [RUNS=5] [M=1000] [CHATS=100]
# M is bounded by botvisor's stop detector: its supervisor kills a child seen stopped in two samples in a row (1-2 s),
# so the queueing (~2,000 messages a second here) must end well within a second.
# Env: SIDES="botvisor grammy" (one alone only to try the script), GRAMMY_VARIANT=recommended|defaults,
# TG_SEND_LIMITS=open|defaults (botvisor's sender limits raised out of the way, or its own: one message a second per
# chat and 30 a second overall, which cap its throughput by design; lib.sh), TG_FLEET_HEAD / TG_BOT_EXTRA (lib.sh).
# Needs: a built checkout with issue 12's sandbox and echo bot; Node 18+; npm ci (done here); python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
runs="${1:-5}"; m="${2:-1000}"; chats="${3:-100}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
source "$root/scripts/bench/telegram/lib.sh"
trap 'tg_cleanup; rm -rf "$work"' EXIT

tg_pair_sides
tg_need_sandbox
[[ " ${tg_sides[*]} " != *" grammy "* ]] || tg_npm_ci
tg_pair_start pause
echo "sandbox $tg_api; polling: ${tg_sides[*]} (botvisor echo-1 pid ${tg_bot_pids[0]:-none}, grammY" \
     "${GRAMMY_VARIANT:-recommended} pid ${tg_grammy:-none})"

for side in "${tg_sides[@]}"; do tg_burst "$side" "$m" "$chats" > "$work/warmup-$side.txt"; done

for run in $(seq 1 "$runs"); do
  order=("${tg_sides[@]}"); [ $((run % 2)) -eq 1 ] || order=($(printf '%s\n' "${tg_sides[@]}" | tac))
  for side in "${order[@]}"; do
    result="$(tg_burst "$side" "$m" "$chats")"
    echo "RESULT side=$side run=$run $result" >> "$work/results-$side.txt"
    echo "run $run $side: $result"
  done
done

echo "echo throughput, bursts of $m messages over $chats chats, medians of $runs runs:"
for side in "${tg_sides[@]}"; do
  f="$work/results-$side.txt"
  echo "  $side: $(tg_median "$f" per_second) replies/s (answered $(tg_median "$f" answered) of $m," \
       "duplicates $(tg_median "$f" duplicates), last reply after $(tg_median "$f" seconds) s," \
       "CPU $(tg_median "$f" cpu_ms_per_reply) ms per reply)"
done
[ ${#tg_sides[@]} -eq 2 ] || exit 0
python3 - "$work/results-botvisor.txt" "$work/results-grammy.txt" <<'PY'
import statistics, sys
def med(f, k):
    return statistics.median(float(kv.split("=")[1]) for l in open(f) for kv in l.split() if kv.startswith(k + "="))
b, g = med(sys.argv[1], "per_second"), med(sys.argv[2], "per_second")
print(f"  throughput botvisor / grammY = {b / g:.2f} (goal >= 1)" if g > 0 else "  grammY answered nothing: no ratio")
PY
