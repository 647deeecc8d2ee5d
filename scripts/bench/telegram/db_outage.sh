#!/usr/bin/env bash
# Issue 13: a database outage under load. BOTS echo bots under the supervisor (embedded PostgreSQL) poll the sandbox;
# the sandbox's load driver ('botvisor sandbox load') says RATE messages/s per bot over CHATS chats a bot. Each run:
# NORMAL s of load as the baseline (p50/p99), then OUTAGE s of load with the embedded PostgreSQL stopped (SIGSTOP of
# the postmaster and every backend: down, not restarted) for the whole window, then resumed. Per run: replies that
# arrived while the database was down (the sandbox's report just before the resume, over the messages said in the
# outage), p50/p99 of the outage window's messages (answered within the load's 30 s grace), the replay time (from the
# resume until every bot's journal is empty: telegram_journal_depth 0 in STATE/metrics/status.json, written every
# second here) and, at the end of all runs, the database's count of updates against the messages said (each recorded
# once, all handled). RUNS runs; prints each, then the medians and the outage p99 / normal p99 ratio (goal <= 2).
# answered_while_down counts replies the sandbox saw before the resume, said_while_down the messages the load had said
# by then (the load driver falls behind its schedule on a busy host and catches up later). KEEP=1 keeps the state dir.
# Usage: scripts/bench/telegram/db_outage.sh [RUNS=3] [BOTS=20] [RATE=20] [CHATS=20] [OUTAGE=60] [NORMAL=30]
# Needs: a built checkout; python3; psql (postgresql-client) for the final database check.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
runs="${1:-3}"; bots="${2:-20}"; rate="${3:-20}"; chats="${4:-20}"; outage="${5:-60}"; normal="${6:-30}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
source "$root/scripts/bench/telegram/lib.sh"
trap 'resume_db; tg_cleanup; [ -n "${KEEP:-}" ] && echo "state kept in $work" || rm -rf "$work"' EXIT
command -v psql > /dev/null || tg_fail "psql is needed for the final database check (apt-get install postgresql-client)"

tg_need_sandbox
TG_FLEET_HEAD="supervisor: { metrics: { interval: 1s } }
defaults: { telegram: { sendLimits: { perChat: 999999/s, perGroup: 999999/min, overall: 999999/s } } }"
tg_sandbox_start
tg_botvisor_start "$bots"
ids=(); for i in $(seq 1 "$bots"); do ids+=("$(tg_token botvisor "$i" | cut -d: -f1)"); done
idlist="$(IFS=,; echo "${ids[*]}")"
total_rate=$((rate * bots))
echo "sandbox $tg_api; $bots echo bots; $rate msg/s each ($total_rate in all) over $chats chats a bot;" \
     "outage ${outage} s, baseline ${normal} s"

stopped=()
stop_db() {
  local pm; pm="$(tg_postmaster)"; [ -n "$pm" ] || tg_fail "no postmaster.pid in $work/state/db/data"
  stopped=("$pm" $(pgrep -P "$pm" || true))
  kill -STOP "${stopped[@]}"
}
resume_db() { [ ${#stopped[@]} -eq 0 ] || kill -CONT "${stopped[@]}" 2>/dev/null || true; stopped=(); }

load() { # seconds out-file
  "$root/scripts/botvisor" sandbox load --url "$tg_api" --bots "$idlist" --rate "$total_rate" --chats "$chats" \
      --duration "${1}s" --grace 30 --json > "$2"
}
figures() { python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
print(" ".join(f"{sys.argv[2]}{k}={r[k]}" for k in ("sent", "answered", "duplicates", "p50_ms", "p99_ms")))' "$1" "$2"; }

journal_depth() { python3 - "$work/state/metrics/status.json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print(-1); sys.exit()
print(sum(b.get("counters", {}).get("telegram_journal_depth", 0) for b in d.get("bots", [])))
PY
}

for run in $(seq 1 "$runs"); do
  load "$normal" "$work/normal.json" || tg_fail "the baseline load failed"
  since_ms=$(( $(date +%s%3N) ))
  load "$outage" "$work/outage.json" & loader=$!
  stop_db
  sleep "$outage"
  during="$(curl -fsS "$tg_api/sandbox/report?bots=$idlist&since=$since_ms" | python3 -c 'import json, sys
r = json.load(sys.stdin)["result"]; print(r.get("answered", 0), "said_while_down=%d" % r.get("sent", 0))')"
  peak="$(journal_depth)"
  resume_db
  resumed=$(date +%s%3N)
  deadline=$((SECONDS + 600))
  until [ "$(journal_depth)" = 0 ]; do
    [ $SECONDS -lt $deadline ] || tg_fail "the journals were not empty 600 s after the resume"
    sleep 0.2
  done
  replay_ms=$(( $(date +%s%3N) - resumed ))
  wait "$loader" || tg_fail "the outage load failed"
  echo "RESULT run=$run $(figures "$work/normal.json" normal_) $(figures "$work/outage.json" outage_)" \
       "answered_while_down=$during journal_depth_at_resume=$peak replay_ms=$replay_ms" | tee -a "$work/results.txt"
done

# Every message said, from the loads' own counts (the sandbox's report covers only its kept window).
said="$(python3 -c 'import sys
print(sum(int(kv.split("=")[1]) for l in open(sys.argv[1]) for kv in l.split() if kv.split("=")[0] in ("normal_sent", "outage_sent")))' "$work/results.txt")"
db="$("$root/scripts/botvisor" db --config "$work/fleet.yaml" --state-dir "$work/state" psql -- -tA -c \
  "SELECT count(*) || ' ' || count(DISTINCT (bot_id, update_id)) || ' ' || count(handled_at) FROM botvisor.updates")"
echo "database: $db (updates, distinct, handled) for $said messages said"
f="$work/results.txt"
echo "database outage of $outage s under $rate msg/s per bot across $bots bots, medians of $runs runs:"
echo "  baseline: p50 $(tg_median "$f" normal_p50_ms) ms, p99 $(tg_median "$f" normal_p99_ms) ms"
echo "  outage:   p50 $(tg_median "$f" outage_p50_ms) ms, p99 $(tg_median "$f" outage_p99_ms) ms, sent" \
     "$(tg_median "$f" outage_sent), answered $(tg_median "$f" outage_answered), answered while down" \
     "$(tg_median "$f" answered_while_down) of $(tg_median "$f" said_while_down) said by then, duplicates $(tg_median "$f" outage_duplicates)"
echo "  replay: $(tg_median "$f" replay_ms) ms (journal depth at the resume $(tg_median "$f" journal_depth_at_resume))"
python3 - "$f" <<'PY'
import statistics, sys
def med(k):
    return statistics.median(float(kv.split("=")[1]) for l in open(sys.argv[1]) for kv in l.split() if kv.startswith(k + "="))
n, o = med("normal_p99_ms"), med("outage_p99_ms")
print(f"  outage p99 / baseline p99 = {o / n:.2f} (goal <= 2)" if n > 0 else "  baseline p99 is 0: no ratio")
PY
