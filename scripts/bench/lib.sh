# Shared by the benchmark scripts (sourced). The caller sets $root (the checkout) and $work (a scratch dir);
# start_supervisor sets $sup, which the caller's EXIT trap kills.

# start_supervisor FLEET [RUN-OPTIONS…]: 'botvisor run' in the background, state in $work/state, log in $work/sup.log.
start_supervisor() {
  local fleet="$1"; shift
  # mktemp -d makes $work 0700: bots running as users of their own (as root) could not reach the state dir in it.
  chmod o+x "$work"
  "$root/scripts/botvisor" run --config "$fleet" --state-dir "$work/state" "$@" > "$work/sup.log" 2>&1 &
  sup=$!
}

# await_log PATTERN COUNT: waits until COUNT lines of the supervisor's log match PATTERN; if the supervisor dies
# first, prints its log and exits 1.
await_log() {
  # grep -c prints nothing for a log not made yet: 0.
  until [ "$(grep -c -- "$1" "$work/sup.log" 2>/dev/null || true)" -ge "$2" ] 2>/dev/null; do
    kill -0 "$sup" 2>/dev/null || { cat "$work/sup.log"; exit 1; }
    sleep 0.1
  done
}
