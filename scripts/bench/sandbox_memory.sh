#!/usr/bin/env bash
# Issue 13: the sandbox's heap over a long run (a chaos run of 50 bots must fit a bounded heap for hours).
# MESSAGES user messages over BOTS bots x CHATS chats, each answered by its bot over real HTTP (getUpdates, then a
# sendMessage replying to it), in a sandbox configured as 'botvisor sandbox' runs it (its default record limit and chat
# history), in a JVM with HEAP of heap and the serial collector (as scripts/botvisor runs it). Every STEP messages:
# the heap in use after a full collection. At the end: the verdict (every message answered once) and the checks:
# the heap in use at the end at most TARGET_MB, and no more than GROWTH_MB above what it was halfway (the windows
# are full by then: anything still growing is a leak). Exit 0 when both hold and the verdict passed.
# Usage: scripts/bench/sandbox_memory.sh [MESSAGES=1000000] [BOTS=50] [CHATS=20] [HEAP=256m] [TARGET_MB=200]
# Env: STEP (default MESSAGES/10), WORKERS (bot threads, default 4), GROWTH_MB (default 16).
# Needs: a built checkout (mvn -B -q -DskipTests package: it compiles the test classes, MemoryBench among them).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
messages="${1:-1000000}"; bots="${2:-50}"; chats="${3:-20}"; heap="${4:-256m}"; target="${5:-200}"
step="${STEP:-$((messages / 10))}"; workers="${WORKERS:-4}"; growth="${GROWTH_MB:-16}"
box="$root/sandbox/target"
[ -f "$box/test-classes/io/botvisor/sandbox/MemoryBench.class" ] && [ -d "$box/lib" ] \
  || { echo "$(basename "$0"): the sandbox is not built; run: (cd $root && mvn -B -q -DskipTests package)" >&2; exit 1; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
echo "sandbox heap: $messages messages over $bots bots x $chats chats, -Xmx$heap, a line every $step messages"
"${JAVA_HOME:+$JAVA_HOME/bin/}java" "-Xmx$heap" -XX:+UseSerialGC -XX:-UsePerfData -Dsun.net.httpserver.nodelay=true \
  -cp "$box/test-classes:$box/classes:$box/lib/*" io.botvisor.sandbox.MemoryBench \
  "$messages" "$bots" "$chats" "$step" "$workers" | tee "$out"
# The heap halfway and at the end (the checkpoint at or after half the messages).
half="$(awk -F'[= ]' -v h=$((messages / 2)) '/^messages=/ && $2 >= h { print $4; exit }' "$out")"
end="$(awk -F'[= ]' '/^messages=/ { v = $4 } END { print v }' "$out")"
grep -q '^verdict passed=true ' "$out" || { echo "FAILED: the verdict did not pass (above)"; exit 1; }
awk -v e="$end" -v t="$target" 'BEGIN { exit !(e <= t) }' \
  || { echo "FAILED: heap in use at the end ${end} MB is above the target ${target} MB"; exit 1; }
awk -v e="$end" -v h="$half" -v g="$growth" 'BEGIN { exit !(e - h <= g) }' \
  || { echo "FAILED: heap in use grew from ${half} MB halfway to ${end} MB at the end (more than ${growth} MB)"; exit 1; }
echo "ok: heap in use ${half} MB halfway, ${end} MB at the end (target ${target} MB, growth at most ${growth} MB)"
