# Shared by issue 12's benchmarks against grammY and PM2 (sourced after scripts/bench/lib.sh). The caller sets $root
# (the checkout) and $work (a scratch dir), and calls tg_cleanup from its EXIT trap: it stops everything these
# functions started (the sandbox, grammY bots, PM2's daemon, the supervisor and the database it left), by pid.
# Every check fails with what is missing and the next step, before anything is started.

tg_dir="$root/scripts/bench/telegram"
tg_pids=()      # processes started here (sandbox, grammY bots), stopped by tg_cleanup
tg_pm2_home=    # set by tg_pm2_start: PM2's daemon lives there, 'pm2 kill' stops it
tg_pm2_daemon=
tg_bot_pids=()
sup=

tg_fail() { echo "$(basename "$0"): $*" >&2; exit 1; }

# Node 18+ and npm (pm2 7 needs Node 18). CI never runs these benchmarks: installing Node here is acceptable.
tg_need_node() {
  if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
    [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null \
      || tg_fail "Node.js and npm are needed for the grammY/PM2 side (install nodejs and npm, Node 18 or later)"
    echo "$(basename "$0"): Node.js/npm not found; installing Debian's nodejs and npm with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm > /dev/null
  fi
  local major; major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 18 ] || tg_fail "Node $(node --version) is too old for pm2 7 (expected 18 or later)"
}

# grammy, @grammyjs/auto-retry and pm2 at the versions of package-lock.json, into scripts/bench/telegram/node_modules.
tg_npm_ci() {
  tg_need_node
  local want; want="$(md5sum < "$tg_dir/package-lock.json")"
  if [ "$(cat "$tg_dir/node_modules/.bench-lock-md5" 2>/dev/null)" != "$want" ]; then
    echo "$(basename "$0"): npm ci in $tg_dir (grammy, @grammyjs/auto-retry, pm2 as pinned in package-lock.json)" >&2
    (cd "$tg_dir" && npm ci --no-audit --no-fund --loglevel=error > /dev/null) \
      || tg_fail "npm ci failed in $tg_dir (the npm registry must be reachable the first time)"
    echo "$want" > "$tg_dir/node_modules/.bench-lock-md5"
  fi
}

# The built checkout: scripts/botvisor needs supervisor/target and bot-runner/target.
tg_need_botvisor() {
  [ -d "$root/supervisor/target/lib" ] && [ -d "$root/bot-runner/target/lib" ] \
    || tg_fail "botvisor is not built; run: (cd $root && mvn -B -q -DskipTests package)"
}

# ---- The sandbox (issue 12's fake Bot API server, 'botvisor sandbox'; docs/sandbox.md), its load driver ('botvisor
# sandbox load') and its control endpoints under /sandbox/ (through sandbox_drive.py).
tg_need_sandbox() {
  tg_need_botvisor
  "$root/scripts/botvisor" sandbox --help > /dev/null 2>&1 \
    || tg_fail "'botvisor sandbox' is missing (issue 12's fake Bot API server, module sandbox): merge it and build"
}

tg_free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# tg_sandbox_start: a fresh sandbox on a free port; sets $tg_port, $tg_api (its root URL) and $tg_sandbox (pid).
tg_sandbox_start() {
  tg_port="$(tg_free_port)"
  tg_api="http://127.0.0.1:$tg_port"
  "$root/scripts/botvisor" sandbox --port "$tg_port" > "$work/sandbox.log" 2>&1 &
  tg_sandbox=$!
  tg_pids+=("$tg_sandbox")
  local deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null "$tg_api/sandbox/faults" 2>/dev/null; do
    kill -0 "$tg_sandbox" 2>/dev/null || { cat "$work/sandbox.log" >&2; tg_fail "the sandbox exited at start (log above)"; }
    [ $SECONDS -lt $deadline ] || tg_fail "the sandbox did not answer on $tg_api/sandbox/ within 60 s ($work/sandbox.log)"
    sleep 0.2
  done
}

tg_sandbox_stop() {
  kill "$tg_sandbox" 2>/dev/null || true
  wait "$tg_sandbox" 2>/dev/null || true
}

tg_drive() { python3 "$tg_dir/sandbox_drive.py" "$@"; }

# tg_await_polled TOKEN…: waits (deadline $TG_POLL_DEADLINE s, default 300) until every bot has called getUpdates
# on the sandbox (its call record): a bot that polls is started and idle.
tg_await_polled() {
  local ids=() t
  for t in "$@"; do ids+=("${t%%:*}"); done
  tg_drive await-polled --api "$tg_api" --deadline "${TG_POLL_DEADLINE:-300}" "${ids[@]}" \
    || tg_fail "not every bot polled the sandbox (logs: $work)"
}

# ---- Tokens: <bot id>:<35 characters>, the shape of Telegram's. grammY bots 7000000000+i, botvisor's 6000000000+i.
tg_token() { # side(grammy|botvisor) i
  local base=6000000000 tag=Botvisor
  [ "$1" = grammy ] && { base=7000000000; tag=Grammy; }
  local secret; secret="$(printf 'AAbench%s%06dxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' "$tag" "$2")"
  echo "$((base + $2)):${secret:0:35}"
}

# ---- botvisor's side: N 'type: echo' bots (TG_BOT_TYPE=persona: persona bots) against the sandbox, each token in a
# secretsFile, named TYPE-i. TG_FLEET_HEAD: YAML before 'bots:' (e.g. defaults); TG_BOT_EXTRA: more keys for every
# bot's mapping (flow style, e.g. 'config: { … }') — both for settings the benchmark must state (the sender's limits).
tg_bot_type="${TG_BOT_TYPE:-echo}"
tg_botvisor_fleet() { # N fleet-file
  local n="$1" out="$2" i
  mkdir -p "$work/secrets"
  {
    [ -z "${TG_FLEET_HEAD:-}" ] || echo "$TG_FLEET_HEAD"
    echo "bots:"
    for i in $(seq 1 "$n"); do
      (umask 077; echo "TELEGRAM_BOT_TOKEN=$(tg_token botvisor "$i")" > "$work/secrets/$tg_bot_type-$i.env")
      echo "  - { id: $tg_bot_type-$i, type: $tg_bot_type, telegram: { apiUrl: \"$tg_api\" }," \
           "secretsFile: $work/secrets/$tg_bot_type-$i.env${TG_BOT_EXTRA:+, $TG_BOT_EXTRA} }"
    done
  } > "$out"
}

# tg_botvisor_start N: the supervisor with N echo bots (state in $work/state, kept across calls so the database is
# made once); returns when all are RUNNING and have polled. Sets $sup; bot pids in tg_bot_pids.
tg_botvisor_start() {
  local n="$1" deadline
  tg_botvisor_fleet "$n" "$work/fleet.yaml"
  start_supervisor "$work/fleet.yaml"
  deadline=$((SECONDS + ${TG_START_DEADLINE:-600}))
  until [ "$(grep -c "is RUNNING" "$work/sup.log" 2>/dev/null || true)" -ge "$n" ]; do
    if ! kill -0 "$sup" 2>/dev/null; then
      cat "$work/sup.log" >&2
      tg_fail "the supervisor exited before its $n echo bots ran (log above). 'type: echo' and the 'telegram:' section
are issue 12's Telegram runtime: is it merged and built?"
    fi
    [ $SECONDS -lt $deadline ] || tg_fail "$(grep -c "is RUNNING" "$work/sup.log") of $n echo bots RUNNING after \
${TG_START_DEADLINE:-600} s ($work/sup.log; the bots' logs are in $work/state/logs/)"
    sleep 0.2
  done
  mapfile -t tg_bot_pids < <(sed -n "s/.*bot '$tg_bot_type-[0-9]*' is RUNNING \[pid \([0-9]*\).*/\1/p" "$work/sup.log")
  local tokens=() i
  for i in $(seq 1 "$n"); do tokens+=("$(tg_token botvisor "$i")"); done
  tg_await_polled "${tokens[@]}"
}

tg_botvisor_stop() {
  kill "$sup" 2>/dev/null || true
  wait "$sup" 2>/dev/null || true
  sup=
}

# The embedded PostgreSQL's postmaster (pg_ctl detaches it: not in the supervisor's tree), or nothing.
tg_postmaster() { head -1 "$work/state/db/data/postmaster.pid" 2>/dev/null || true; }

# ---- grammY's side, one bot: node grammy-echo.js (no PM2: one process, as botvisor's one child). Sets $tg_grammy.
tg_grammy_start() { # i
  TELEGRAM_BOT_TOKEN="$(tg_token grammy "$1")" TELEGRAM_API_ROOT="$tg_api" \
    GRAMMY_VARIANT="${GRAMMY_VARIANT:-recommended}" NODE_ENV=production \
    node "$tg_dir/grammy-echo.js" >> "$work/grammy-$1.log" 2>&1 &
  tg_grammy=$!
  tg_pids+=("$tg_grammy")
  tg_await_polled "$(tg_token grammy "$1")"
  kill -0 "$tg_grammy" 2>/dev/null || { cat "$work/grammy-$1.log" >&2; tg_fail "the grammY bot exited (log above)"; }
}

# SIGTERM runs grammY's bot.stop(), which confirms the offset with one more getUpdates: the sandbox must still be up,
# and with the auto-retry plugin a bot whose sandbox is gone retries that call for good. After 10 s: SIGKILL.
tg_grammy_stop() {
  [ -n "${tg_grammy:-}" ] || return 0
  kill -CONT "$tg_grammy" 2>/dev/null || true
  kill "$tg_grammy" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while kill -0 "$tg_grammy" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  kill -9 "$tg_grammy" 2>/dev/null || true
  wait "$tg_grammy" 2>/dev/null || true
  tg_grammy=
}

# ---- grammY's side, a fleet: N bots under PM2 (its home in $work/pm2: the user's ~/.pm2 is never touched).
tg_pm2() { PM2_HOME="$tg_pm2_home" "$tg_dir/node_modules/.bin/pm2" "$@"; }

# tg_pm2_start N: PM2's daemon and N grammY echo bots; returns when all have polled. Sets tg_bot_pids, $tg_pm2_daemon.
tg_pm2_start() {
  local n="$1" i
  tg_pm2_home="$work/pm2"
  mkdir -p "$tg_pm2_home"
  node "$tg_dir/pm2-ecosystem.js" "$n" "$tg_api" "$work/ecosystem.config.js" "$work/pm2-logs" \
    "${GRAMMY_VARIANT:-recommended}" > /dev/null
  tg_pm2 start "$work/ecosystem.config.js" > "$work/pm2-start.log" 2>&1 \
    || { cat "$work/pm2-start.log" >&2; tg_fail "pm2 start failed (output above)"; }
  tg_pm2_daemon="$(cat "$tg_pm2_home/pm2.pid")"
  local tokens=()
  for i in $(seq 1 "$n"); do tokens+=("$(tg_token grammy "$i")"); done
  tg_await_polled "${tokens[@]}"
  mapfile -t tg_bot_pids < <(tg_pm2 jlist | node -e '
    let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
      for (const p of JSON.parse(s)) if (p.name.startsWith("grammy-")) console.log(p.pid); });')
  [ "${#tg_bot_pids[@]}" -eq "$n" ] || tg_fail "PM2 lists ${#tg_bot_pids[@]} grammY bots, expected $n"
}

tg_pm2_stop() {
  [ -n "$tg_pm2_home" ] && [ -d "$tg_pm2_home" ] || return 0
  tg_pm2 kill > /dev/null 2>&1 || true
  # 'pm2 kill' returns before its daemon has gone; one that does not go within 10 s is stopped by pid, with its bots.
  local p deadline=$((SECONDS + 10))
  while [ -n "${tg_pm2_daemon:-}" ] && kill -0 "$tg_pm2_daemon" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
    sleep 0.2
  done
  for p in ${tg_pm2_daemon:-} "${tg_bot_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  tg_pm2_home= tg_pm2_daemon= tg_bot_pids=()
}

tg_cleanup() {
  local p pm
  # A bot left stopped by an interrupted burst would never see its SIGTERM.
  for p in "${tg_pids[@]}" "${tg_bot_pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; done
  tg_pm2_stop
  tg_grammy_stop
  pm="$(tg_postmaster)"
  [ -z "$sup" ] || tg_botvisor_stop
  # A database a supervisor left running (one killed, or before 2026-12-01 one stopped by SIGTERM: fixed, DatabaseIT) is
  # stopped here by its pid, before its data dir goes: SIGINT is PostgreSQL's fast shutdown; SIGKILL after 15 s.
  if [ -n "$pm" ] && kill -0 "$pm" 2>/dev/null; then
    kill -INT "$pm" 2>/dev/null || true
    local deadline=$((SECONDS + 15))
    while kill -0 "$pm" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -9 "$pm" 2>/dev/null || true
  fi
  for p in "${tg_pids[@]}"; do kill "$p" 2>/dev/null || true; done  # the sandbox, last
  wait 2>/dev/null || true
}

# tg_median FILE KEY: the median of KEY=value over a file's RESULT lines (one per run).
tg_median() {
  python3 - "$@" <<'PY'
import statistics, sys
vals = [float(kv.split("=", 1)[1]) for line in open(sys.argv[1]) if line.startswith("RESULT ")
        for kv in line.split()[1:] if kv.split("=", 1)[0] == sys.argv[2]]
print(f"{statistics.median(vals):.2f}".rstrip("0").rstrip(".") if vals else "n/a")
PY
}

# ---- One echo bot of each side on one sandbox (echo_latency.sh, echo_throughput.sh).
# TG_SEND_LIMITS=open (default): botvisor's sender limits raised out of the way (grammY has none: it would meet
# Telegram's 429s, which the sandbox does not send unless told to); =defaults: botvisor's own (1/s per chat, 30/s
# overall), which cap the echo bot by design. With 'pause' (bursts stop the bot while they queue), botvisor's
# heartbeat timeout is 60 s, so that the supervisor does not restart a child stopped for a second or two.
# TG_FLEET_HEAD, when set, replaces all of this.
tg_pair_start() { # [pause]
  local parts=()
  case "${TG_SEND_LIMITS:-open}" in
    open) parts+=("telegram: { sendLimits: { perChat: 999999/s, perGroup: 999999/min, overall: 999999/s } }") ;;
    defaults) ;;
    *) tg_fail "TG_SEND_LIMITS \"$TG_SEND_LIMITS\" is not a choice (expected open or defaults)" ;;
  esac
  [ "${1:-}" != pause ] || parts+=("health: { heartbeatTimeout: 60s }")
  if [ -z "${TG_FLEET_HEAD:-}" ] && [ ${#parts[@]} -gt 0 ]; then
    TG_FLEET_HEAD="defaults: { $(IFS=,; echo "${parts[*]}") }"
  fi
  tg_sandbox_start
  local side
  for side in "${tg_sides[@]}"; do
    case "$side" in
      botvisor) echo "botvisor's fleet head: ${TG_FLEET_HEAD:-(none: built-in defaults)}"; tg_botvisor_start 1 ;;
      grammy) tg_grammy_start 1 ;;
    esac
  done
}

# SIDES="botvisor grammy" (default): which echo bots the pair scripts run; sets tg_sides. One side alone is for trying
# a script while the other is not ready: the comparison needs both.
tg_pair_sides() {
  read -r -a tg_sides <<< "${SIDES:-botvisor grammy}"
  local side
  for side in "${tg_sides[@]}"; do
    [ "$side" = botvisor ] || [ "$side" = grammy ] \
      || tg_fail "SIDES: \"$side\" is not a side (expected botvisor or grammy)"
  done
  [ ${#tg_sides[@]} -gt 0 ] || tg_fail "SIDES is empty (expected botvisor, grammy or both)"
}

# The bot id of a side's echo bot (the sandbox names bots by the id part of their token).
tg_pair_bot() { # side
  if [ "$1" = botvisor ]; then tg_token botvisor 1 | cut -d: -f1; else tg_token grammy 1 | cut -d: -f1; fi
}

# The pid that stands for a side's echo bot (its child JVM, or the node process): paused during a burst's queueing.
tg_pair_pid() { # side
  if [ "$1" = botvisor ]; then echo "${tg_bot_pids[0]}"; else echo "$tg_grammy"; fi
}

# tg_steady SIDE RATE CHATS SECONDS: the sandbox's load driver ('botvisor sandbox load': messages on a fixed schedule,
# then up to 30 s for the replies), its report as one line: sent answered duplicates p50_ms p99_ms.
tg_steady() {
  "$root/scripts/botvisor" sandbox load --url "$tg_api" --bots "$(tg_pair_bot "$1")" --rate "$2" --chats "$3" \
      --duration "${4}s" --grace 30 --json > "$work/load.json" \
    || tg_fail "the load run against $1's bot failed (botvisor sandbox load)"
  python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
print(" ".join(f"{k}={r[k]}" for k in ("sent", "answered", "duplicates", "p50_ms", "p99_ms")))' "$work/load.json"
}

# tg_burst SIDE M CHATS: M messages queued with the bot paused, then timed (answered duplicates seconds per_second),
# and the CPU the side spent per reply: botvisor's child JVM and every postgres process (the database is its work:
# every update and reply recorded), or grammY's node process. The sandbox serves both and is counted on neither.
tg_burst() {
  local cpu=(--cpu "$(tg_pair_pid "$1")")
  [ "$1" != botvisor ] || cpu+=(--cpu-comm postgres)
  tg_drive burst --api "$tg_api" --bot "$(tg_pair_bot "$1")" --count "$2" --chats "$3" --pause "$(tg_pair_pid "$1")" \
      "${cpu[@]}" || tg_fail "the burst against $1's bot failed"
}
