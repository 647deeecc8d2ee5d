#!/usr/bin/env bash
# Issue 13: a Telegram bot's restart under load, by handover ('ctl restart') against cold ('ctl restart --cold'), in
# the same invocation. One echo bot under the supervisor (embedded PostgreSQL) polls the sandbox; the sandbox's load
# driver ('botvisor sandbox load') says RATE messages/s over CHATS chats for DURATION s, and RESTART_AT s into each run
# the bot is restarted one way or the other. Per run: the longest time no process polled the token (from the sandbox's
# call record: the old process's confirming getUpdates to the new one's first poll; poll_gap.py), the 409s the sandbox
# answered, update -> reply p50/p99 over the whole run (the sandbox's report), sent, answered, duplicates, and how long
# 'ctl restart' took. RUNS runs of each, alternating which goes first; prints each run, then the medians.
# Usage: scripts/bench/telegram/handover.sh [RUNS=5] [RATE=50] [CHATS=50] [DURATION=20] [RESTART_AT=8]
# Env: TG_SEND_LIMITS=open (default: the sender's limits raised out of the way)|defaults, TG_FLEET_HEAD, TG_BOT_EXTRA
# (lib.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
runs="${1:-5}"; rate="${2:-50}"; chats="${3:-50}"; duration="${4:-20}"; restart_at="${5:-8}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
source "$root/scripts/bench/telegram/lib.sh"
trap 'tg_cleanup; rm -rf "$work"' EXIT

tg_need_sandbox
if [ -z "${TG_FLEET_HEAD:-}" ] && [ "${TG_SEND_LIMITS:-open}" = open ]; then
  # The sender's limits out of the way (as in the other echo benchmarks): the restart is what is measured.
  TG_FLEET_HEAD="defaults: { telegram: { sendLimits: { perChat: 999999/s, perGroup: 999999/min, overall: 999999/s } } }"
fi
tg_sandbox_start
tg_botvisor_start 1
bot="$(tg_token botvisor 1 | cut -d: -f1)"
echo "sandbox $tg_api; botvisor echo-1 pid ${tg_bot_pids[0]}; $rate msg/s over $chats chats, $duration s per run," \
     "restart at ${restart_at} s"

seq_now() { python3 "$tg_dir/poll_gap.py" --api "$tg_api" --bot "$bot" --since 0 | sed 's/.*last_seq=//'; }

one_run() { # mode(handover|cold) run
  local mode="$1" since t0 t1 flag=()
  [ "$mode" = cold ] && flag=(--cold)
  since="$(seq_now)"
  "$root/scripts/botvisor" sandbox load --url "$tg_api" --bots "$bot" --rate "$rate" --chats "$chats" \
      --duration "${duration}s" --grace 30 --json > "$work/load.json" &
  local load=$!
  sleep "$restart_at"
  t0="$(date +%s%N)"
  "$root/scripts/botvisor" ctl --state-dir "$work/state" restart "${flag[@]}" echo-1 > "$work/ctl.txt" 2>&1 \
    || tg_fail "ctl restart ${flag[*]} echo-1 failed: $(cat "$work/ctl.txt")"
  t1="$(date +%s%N)"
  wait "$load" || tg_fail "the load run failed (botvisor sandbox load)"
  local gap load_figures
  gap="$(python3 "$tg_dir/poll_gap.py" --api "$tg_api" --bot "$bot" --since "$since")"
  load_figures="$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
print(" ".join(f"{k}={r[k]}" for k in ("sent", "answered", "duplicates", "p50_ms", "p99_ms")))' "$work/load.json")"
  echo "RESULT mode=$mode run=$2 $gap $load_figures ctl_ms=$(((t1 - t0) / 1000000))" | tee -a "$work/results-$mode.txt"
}

for run in $(seq 1 "$runs"); do
  if [ $((run % 2)) -eq 1 ]; then one_run handover "$run"; one_run cold "$run"; else one_run cold "$run"; one_run handover "$run"; fi
done

echo "restart under $rate msg/s, medians of $runs runs:"
for mode in handover cold; do
  f="$work/results-$mode.txt"
  echo "  $mode: longest gap without a poller $(tg_median "$f" max_gap_ms) ms, 409s $(tg_median "$f" conflicts)," \
       "p50 $(tg_median "$f" p50_ms) ms, p99 $(tg_median "$f" p99_ms) ms, sent $(tg_median "$f" sent)," \
       "answered $(tg_median "$f" answered), duplicates $(tg_median "$f" duplicates), ctl restart $(tg_median "$f" ctl_ms) ms"
done
