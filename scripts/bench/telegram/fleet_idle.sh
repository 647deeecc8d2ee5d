#!/usr/bin/env bash
# Issue 12: what operators run today against botvisor, idle — BOTS echo bots under botvisor's supervisor (type: echo,
# one child JVM each, the embedded PostgreSQL) and BOTS grammY echo bots under PM2 (grammy-echo.js, one Node process
# each, fork mode), each fleet against a fresh sandbox (the fake Bot API server), one fleet at a time. Once every bot
# has called getUpdates (the sandbox's record), for each OFFSET (seconds after that) over WINDOW seconds: the fleet's
# CPU as % of one core (utime+stime from /proc/PID/stat: bots, supervisor or PM2's daemon, PostgreSQL), then PSS per
# bot (/proc/PID/smaps_rollup over the bot's process tree) and the fleet's total all-in (the same reading as
# scripts/bench/fleet.sh, by fleet_measure.py). The sandbox's own CPU and PSS are shown, not counted.
# Usage: scripts/bench/telegram/fleet_idle.sh [BOTS=200] [WINDOW=30] [OFFSET…=15 120]
# Env: SIDES="botvisor pm2" (which fleets, in order), GRAMMY_VARIANT=recommended|defaults, PM2_PMX=false (PM2
# without the in-process metrics module it loads into every app by default; the default is PM2's own), TG_FLEET_HEAD
# and TG_BOT_EXTRA (lib.sh). Needs: a built checkout with issue 12's sandbox and echo bot, Node 18+ (installed with
# apt-get when missing), npm ci of package-lock.json (done here).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
n="${1:-200}"; window="${2:-30}"; shift $(( $# < 2 ? $# : 2 ))
offsets=("$@"); [ ${#offsets[@]} -gt 0 ] || offsets=(15 120)
read -r -a sides <<< "${SIDES:-botvisor pm2}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
source "$root/scripts/bench/telegram/lib.sh"
trap 'tg_cleanup; rm -rf "$work"' EXIT

for side in "${sides[@]}"; do
  case "$side" in
    botvisor) tg_need_sandbox ;;
    pm2) tg_need_sandbox; tg_npm_ci ;;
    *) tg_fail "SIDES: \"$side\" is not a side (expected botvisor or pm2)" ;;
  esac
done
measure_args=(--window "$window"); for o in "${offsets[@]}"; do measure_args+=(--offset "$o"); done
bots_csv() { local IFS=,; echo "${tg_bot_pids[*]}"; }

for side in "${sides[@]}"; do
  tg_sandbox_start
  case "$side" in
    botvisor)
      # As fleet.sh: a one-bot run first, so that the database exists and the class-data archive is recorded.
      tg_botvisor_start 1
      tg_botvisor_stop
      tg_sandbox_stop; tg_sandbox_start   # a sandbox that has seen no poll yet
      t0=$SECONDS
      tg_botvisor_start "$n"
      echo "botvisor: $n echo bots RUNNING and polling $((SECONDS - t0)) s after 'botvisor run'"
      pm="$(tg_postmaster)"
      python3 "$root/scripts/bench/telegram/fleet_measure.py" --label "botvisor" --bots "$(bots_csv)" \
        ${pm:+--part postgres="$pm"} --part supervisor="$sup" --aside sandbox="$tg_sandbox" "${measure_args[@]}"
      tg_botvisor_stop
      ;;
    pm2)
      t0=$SECONDS
      tg_pm2_start "$n"
      echo "pm2: $n grammY echo bots (${GRAMMY_VARIANT:-recommended}) online and polling" \
           "$((SECONDS - t0)) s after 'pm2 start'"
      python3 "$root/scripts/bench/telegram/fleet_measure.py" --label "pm2+grammy" --bots "$(bots_csv)" \
        --part pm2-daemon="$tg_pm2_daemon" --aside sandbox="$tg_sandbox" "${measure_args[@]}"
      tg_pm2_stop
      ;;
  esac
  tg_sandbox_stop
done
