#!/usr/bin/env bash
# Issue 12: update -> reply latency of the built-in 'persona' bot (type: persona: every user, conversation and message
# kept in the embedded PostgreSQL, the reply in the first persona's voice) at a steady RATE updates/s per bot over
# BOTS bots, CHATS chats each, for DURATION s: the sandbox's load driver ('botvisor sandbox load' over every bot at
# once, BOTS x RATE messages a second in all, round-robin), its p50/p99 from a message's injection to its reply's
# arrival; also sent, answered and duplicate replies (a run waits up to 30 s for the last replies). The bots keep
# Telegram's own send limits (1 a second per chat: CHATS must be above RATE; 30 a second per bot). A warm-up of
# WARMUP s first, not counted. RUNS runs; prints each, then the medians. botvisor alone: grammY has no persona bot.
# Usage: scripts/bench/telegram/persona_latency.sh [RUNS=3] [BOTS=50] [RATE=20] [DURATION=30] [CHATS=40]
# Env: WARMUP (default 20), TG_FLEET_HEAD / TG_BOT_EXTRA (other settings; lib.sh).
# Needs: a built checkout (mvn -B -q -DskipTests package); python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
runs="${1:-3}"; bots="${2:-50}"; rate="${3:-20}"; duration="${4:-30}"; chats="${5:-40}"
[ "$chats" -gt "$rate" ] || { echo "$(basename "$0"): CHATS $chats must be above RATE $rate (one reply a second per chat)" >&2; exit 2; }
work="$(mktemp -d)"
export TG_BOT_TYPE=persona
# The sandbox keeps every message and reply: at 1,000 a second its default 512 MB runs out within a minute.
export BOTVISOR_SANDBOX_HEAP="${BOTVISOR_SANDBOX_HEAP:-3g}"
source "$root/scripts/bench/lib.sh"
source "$root/scripts/bench/telegram/lib.sh"
trap 'tg_cleanup; rm -rf "$work"' EXIT

tg_need_sandbox
tg_sandbox_start
tg_botvisor_start "$bots"
ids="$(for i in $(seq 1 "$bots"); do tg_token botvisor "$i" | cut -d: -f1; done | paste -sd,)"
total=$((bots * rate))
echo "sandbox $tg_api; $bots persona bots polling; $rate updates/s per bot ($total in all) over $chats chats each"

steady() { # SECONDS
  "$root/scripts/botvisor" sandbox load --url "$tg_api" --bots "$ids" --rate "$total" --chats "$chats" \
      --duration "${1}s" --grace 30 --json > "$work/load.json" || tg_fail "the load run failed (botvisor sandbox load)"
  python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
print(" ".join(f"{k}={r[k]}" for k in ("sent", "answered", "duplicates", "p50_ms", "p99_ms")))' "$work/load.json"
}

steady "${WARMUP:-20}" > "$work/warmup.txt"
echo "warm-up: $(cat "$work/warmup.txt")"
for run in $(seq 1 "$runs"); do
  result="$(steady "$duration")"
  echo "RESULT run=$run $result" >> "$work/results.txt"
  echo "run $run: $result"
done
f="$work/results.txt"
echo "persona latency, $bots bots x $rate updates/s over $chats chats each, $duration s, medians of $runs runs:"
echo "  p50 $(tg_median "$f" p50_ms) ms, p99 $(tg_median "$f" p99_ms) ms; sent $(tg_median "$f" sent)," \
     "answered $(tg_median "$f" answered), duplicates $(tg_median "$f" duplicates)"
