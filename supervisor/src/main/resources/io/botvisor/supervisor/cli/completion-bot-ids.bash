# --- Bot ids (written by hand in botvisor's source; the part above is picocli's) ---------------------------------
# A bot id is completed after 'ctl start|stop|restart|status' (every word), after 'ctl logs|loglevel|dump' (the
# first word) and after '--bot'. The ids are those the state dir has seen: directories under STATE/logs/ and the
# names in STATE/uids. STATE: the line's --state-dir, else ./state if there is one, else /var/lib/botvisor.

_botvisor_state_dir() {
  local i
  for (( i = 1; i < COMP_CWORD; i++ )); do
    case "${COMP_WORDS[i]}" in
      --state-dir) echo "${COMP_WORDS[i+1]}"; return ;;
      --state-dir=*) echo "${COMP_WORDS[i]#--state-dir=}"; return ;;
    esac
  done
  if [[ -d state ]]; then echo state; else echo /var/lib/botvisor; fi
}

_botvisor_bot_ids() {
  local dir d line
  dir="$(_botvisor_state_dir)"
  dir="${dir/#\~/$HOME}"
  for d in "$dir"/logs/*/; do
    [[ -d "$d" ]] || continue
    d="${d%/}"
    echo "${d##*/}"
  done
  if [[ -r "$dir/uids" ]]; then
    while IFS= read -r line; do
      [[ "$line" == *=* && "$line" != \#* ]] && echo "${line%%=*}"
    done < "$dir/uids"
  fi
}

# Succeeds when the word being completed is a bot id.
_botvisor_wants_bot() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" word command="" i ctl=0 n=0
  [[ "$cur" == -* ]] && return 1
  [[ "$prev" == --bot ]] && return 0
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word="${COMP_WORDS[i]}"
    if (( ! ctl )); then
      [[ "$word" == ctl ]] && ctl=1
      continue
    fi
    case "$word" in
      --state-dir|--timeout|-n|--since) (( i++ )) ;;  # an option and its value
      -*) ;;
      *) if [[ -z "$command" ]]; then command="$word"; else (( n++ )); fi ;;
    esac
  done
  [[ -n "$command" ]] || return 1
  case "$prev" in --state-dir|--timeout|-n|--since) return 1 ;; esac
  case "$command" in
    start|stop|restart|status) return 0 ;;
    logs|loglevel|dump) (( n == 0 )) ;;
    *) return 1 ;;
  esac
}

_botvisor_complete() {
  if _botvisor_wants_bot; then
    local cur="${COMP_WORDS[COMP_CWORD]}"
    COMPREPLY=( $(compgen -W "$(_botvisor_bot_ids | sort -u)" -- "$cur") )
    return 0
  fi
  _complete_botvisor "$@"
}

complete -F _botvisor_complete -o default botvisor scripts/botvisor ./scripts/botvisor
