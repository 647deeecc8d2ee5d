#!/usr/bin/env bash
# Issue 3: N drill bots each writing a row every second through its own pool (dbWriteEvery: 1s) into the embedded
# PostgreSQL. Over WINDOW seconds after all RUNNING it samples the server's client connections every 100 ms (peak
# against the budget), then reads back each write's latency (connection wait + insert, which every row carries for the
# previous write) for p50/p99, and counts failed writes in the bots' output.
# Usage: scripts/bench/fleet_db.sh [BOTS=200] [WINDOW=60]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-200}"; window="${2:-60}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
sup=
trap 'kill "$sup" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
{ echo "bots:"; for i in $(seq 1 "$n"); do echo "  - { id: db-$i, type: chaos, config: { dbWriteEvery: 1s } }"; done; } \
  > "$work/fleet.yaml"
start_supervisor "$work/fleet.yaml"
await_log "is RUNNING" "$n"
budget=$(sed -n 's/.*connection(s) each from a budget of \([0-9]*\).*/\1/p' "$work/sup.log" | head -1)
cp="$root/supervisor/target/classes:$root/supervisor/target/lib/*"
cat > "$work/Sample.java" <<'JAVA'
import java.nio.file.*; import java.sql.*; import java.util.*;
public class Sample {
  public static void main(String[] a) throws Exception {
    Path st = Path.of(a[0]); long window = Long.parseLong(a[1]) * 1000;
    List<String> pid = Files.readAllLines(st.resolve("db/data/postmaster.pid"));
    String url = "jdbc:postgresql://127.0.0.1:" + pid.get(3).strip() + "/postgres";
    String pw = Files.readAllLines(st.resolve("db/secrets/postgres.password")).get(0).strip();
    try (Connection c = DriverManager.getConnection(url, "postgres", pw); Statement s = c.createStatement()) {
      int peak = 0; long end = System.currentTimeMillis() + window; long since = System.currentTimeMillis();
      while (System.currentTimeMillis() < end) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename LIKE 'bot\\_%'")) {
          rs.next(); peak = Math.max(peak, rs.getInt(1));
        }
        Thread.sleep(100);
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY l), "
          + "percentile_disc(0.99) WITHIN GROUP (ORDER BY l), max(l) FROM (SELECT (labels->>'prevLatencyMicros')::bigint / 1000.0 AS l "
          + "FROM botvisor.bot_metrics WHERE name = 'chaos.write' AND at > to_timestamp(" + since / 1000 + ") "
          + "AND (labels->>'prevLatencyMicros')::bigint >= 0) x")) {
        rs.next();
        System.out.printf("peak bot connections %d; writes %d in %d s, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
            peak, rs.getLong(1), window / 1000, rs.getDouble(2), rs.getDouble(3), rs.getDouble(4));
      }
    }
  }
}
JAVA
out=$(java -cp "$cp" "$work/Sample.java" "$work/state" "$window")
failures=$(cat "$work"/state/logs/*/stdout.log | grep -c "database write failed" || true)
echo "$n bots, dbWriteEvery 1s, budget $budget: $out; failed writes $failures"
