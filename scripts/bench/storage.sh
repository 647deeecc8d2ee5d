#!/usr/bin/env bash
# Issue 3 storage benchmarks on a fresh embedded PostgreSQL 17 (see StorageBench's Javadoc):
#   scripts/bench/storage.sh ingest [ROWS=100000] [ROUNDS=5]   storage API vs COPY into the partitioned messages table
#   scripts/bench/storage.sh rls [QUERIES=20000]               one bot-scoped query as the bot's role vs as the admin
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cpfile="$root/storage/target/bench.classpath"
if [[ ! -f "$cpfile" || ! -d storage/target/test-classes ]]; then
  mvn -B -q -pl storage -am test-compile dependency:build-classpath -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >/dev/null
fi
what="${1:-ingest}"; shift || true
case "$what" in
  ingest) args=(ingest "${1:-100000}" "${2:-5}") ;;
  rls) args=(rls "${1:-20000}") ;;
  *) echo "usage: $0 ingest [ROWS] [ROUNDS] | rls [QUERIES]" >&2; exit 2 ;;
esac
exec java -Xmx512m -cp "storage/target/test-classes:storage/target/classes:$(cat "$cpfile")" \
  io.botvisor.storage.bench.StorageBench "${args[@]}" 2> >(grep -v "^SLF4J\|INFO" >&2)
