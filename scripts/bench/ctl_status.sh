#!/usr/bin/env bash
# Benchmark 5: 'botvisor ctl status' with N idle drill bots against 'supervisorctl status' with N 'sleep' programs
# (Debian's supervisor package), side by side in one run: each round times both, in alternating order, as whole
# command runs (a fresh CLI process each), and 'ctl top --once' after them. Reports medians, min and max of each and
# the ratio ctl / supervisorctl of the medians (the goal: <= 1.0). Both daemons run on temporary state: supervisord
# with a temp config and socket, botvisor with a temp state dir, no database (database.enabled: false: the bench is
# about the CLI, and an embedded PostgreSQL would only add load), no walls (isolation: none: bots of other state dirs
# on a shared host get the same uids, whose sweep at a bot's first launch would kill these), metric files on (the
# default; ctl top --once reads them).
# Usage: scripts/bench/ctl_status.sh [BOTS=50] [ROUNDS=15]
# CTL_BASELINE=DIR: also time DIR/scripts/botvisor ctl status (another checkout, built: e.g. the code before a change)
# against the same supervisor, in the same rounds.
# Needs supervisord/supervisorctl: installed with apt-get when run as root, else: sudo apt-get install supervisor
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bots="${1:-50}"; rounds="${2:-15}"
if ! command -v supervisord > /dev/null || ! command -v supervisorctl > /dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null; then
    echo "installing Debian's supervisor package (apt-get install supervisor)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends supervisor > /dev/null
  else
    echo "ctl_status.sh: supervisorctl is needed for the comparison: sudo apt-get install supervisor" >&2
    exit 1
  fi
fi
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
sup=; svd=
trap 'kill "$sup" "$svd" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# supervisord: N programs that sleep, its own socket, logs and pid file, in the foreground (as a child of this script).
mkdir -p "$work/sv/logs"
{
  printf '[unix_http_server]\nfile=%s/sv/supervisor.sock\n\n' "$work"
  printf '[supervisord]\nnodaemon=true\nlogfile=%s/sv/supervisord.log\npidfile=%s/sv/supervisord.pid\n' "$work" "$work"
  printf 'childlogdir=%s/sv/logs\n\n' "$work"
  printf '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n'
  printf '[supervisorctl]\nserverurl=unix://%s/sv/supervisor.sock\n\n' "$work"
  for i in $(seq 1 "$bots"); do printf '[program:idle-%d]\ncommand=sleep 1000000\nstartsecs=1\n\n' "$i"; done
} > "$work/sv/supervisord.conf"
supervisord -c "$work/sv/supervisord.conf" > "$work/sv/out.log" 2>&1 &
svd=$!
svctl=(supervisorctl -c "$work/sv/supervisord.conf" status)

# botvisor: N idle drill bots.
{ printf 'supervisor: { isolation: none }\ndatabase: { enabled: false }\nbots:\n'
  for i in $(seq 1 "$bots"); do echo "  - { id: idle-$i, type: chaos }"; done; } > "$work/fleet.yaml"
start_supervisor "$work/fleet.yaml"
await_log "is RUNNING" "$bots"
ctl=("$root/scripts/botvisor" ctl --state-dir "$work/state" status)
top=("$root/scripts/botvisor" ctl --state-dir "$work/state" top --once)
base=(true)
if [[ -n "${CTL_BASELINE:-}" ]]; then
  base=("$CTL_BASELINE/scripts/botvisor" ctl --state-dir "$work/state" status)
  "${base[@]}" > /dev/null; "${base[@]}" > "$work/base.out"
  [ "$(grep -c ' RUNNING ' "$work/base.out")" -eq "$bots" ] || { echo "baseline ctl status: not $bots RUNNING:"; cat "$work/base.out"; exit 1; }
fi
until [ "$("${svctl[@]}" 2>/dev/null | grep -c RUNNING || true)" -ge "$bots" ]; do
  kill -0 "$svd" 2>/dev/null || { cat "$work/sv/out.log"; exit 1; }
  sleep 0.2
done
until [ -f "$work/state/metrics/status.json" ]; do sleep 0.2; done

# Each command once before timing, and its output checked: N rows, every one running. The first ctl run records
# ctl's class-data archive when the build has none yet (scripts/botvisor).
"${ctl[@]}" > "$work/ctl.out"; "${ctl[@]}" > "$work/ctl.out"
[ "$(grep -c ' RUNNING ' "$work/ctl.out")" -eq "$bots" ] || { echo "ctl status: not $bots RUNNING:"; cat "$work/ctl.out"; exit 1; }
"${svctl[@]}" > "$work/svctl.out"
[ "$(grep -c ' RUNNING ' "$work/svctl.out")" -eq "$bots" ] || { echo "supervisorctl: not $bots RUNNING:"; cat "$work/svctl.out"; exit 1; }
"${top[@]}" > "$work/top.out"
[ "$(grep -c ' RUNNING ' "$work/top.out")" -eq "$bots" ] || { echo "ctl top --once: not $bots RUNNING:"; cat "$work/top.out"; exit 1; }

ms() { local a b; a=$(date +%s%N); "$@" > /dev/null; b=$(date +%s%N); echo $(( (b - a) / 1000000 )); }
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
: > "$work/times"
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then c=$(ms "${ctl[@]}"); s=$(ms "${svctl[@]}"); else s=$(ms "${svctl[@]}"); c=$(ms "${ctl[@]}"); fi
  t=$(ms "${top[@]}")
  b=$(ms "${base[@]}")
  echo "$c $s $t $b" >> "$work/times"
done
python3 - "$work/times" "$bots" "$rounds" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" "${CTL_BASELINE:-}" <<'PY'
import statistics, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1])]
bots, rounds, baseline = sys.argv[2], sys.argv[3], sys.argv[6]
ctl, sv, top, base = ([r[i] for r in rows] for i in range(4))
def show(name, xs):
    print(f"{name:<40} median {statistics.median(xs):6.0f} ms  (min {min(xs)}, max {max(xs)})")
print(f"{rounds} rounds, alternating order; load average before {sys.argv[4]}, after {sys.argv[5]}")
show(f"botvisor ctl status ({bots} bots)", ctl)
show(f"supervisorctl status ({bots} programs)", sv)
show(f"botvisor ctl top --once ({bots} bots)", top)
if baseline:
    show(f"baseline ctl status ({baseline})", base)
ratios = sorted(c / s for c, s in zip(ctl, sv))
print(f"ratio ctl / supervisorctl: {statistics.median(ctl) / statistics.median(sv):.2f} (of the medians; "
      f"per round: median {statistics.median(ratios):.2f}, min {ratios[0]:.2f}, max {ratios[-1]:.2f}); goal <= 1.0")
if baseline:
    print(f"ratio baseline / supervisorctl: {statistics.median(base) / statistics.median(sv):.2f}")
PY
