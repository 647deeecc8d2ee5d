#!/usr/bin/env bash
# Issue 3: N drill bots each writing a row every second through its own pool (dbWriteEvery: 1s) into the embedded
# PostgreSQL. Over WINDOW seconds after all RUNNING it samples the server's client connections every 100 ms (peak
# against the budget), then reads back each write's latency (connection wait + insert, which every row carries for the
# previous write) for p50/p99, and counts failed writes in the bots' output. With BUSY > 0, that many more bots each
# run 4 writers that hold their connection 50 ms every 100 ms: their pools find themselves full and borrow from the
# budget (ConnectionBroker); the sampler also reports the most the bots' role limits ever added up to.
# Usage: scripts/bench/fleet_db.sh [BOTS=200] [WINDOW=60] [BUSY=0]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-200}"; window="${2:-60}"; busy="${3:-0}"
work="$(mktemp -d)"
source "$root/scripts/bench/lib.sh"
sup=
trap 'kill "$sup" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
{ echo "bots:"; for i in $(seq 1 "$n"); do echo "  - { id: db-$i, type: chaos, config: { dbWriteEvery: 1s } }"; done
  for i in $(seq 1 "$busy"); do
    echo "  - { id: busy-$i, type: chaos, config: { dbWriteEvery: 100ms, dbWriters: 4, dbHold: 50ms } }"; done
} > "$work/fleet.yaml"
start_supervisor "$work/fleet.yaml"
await_log "is RUNNING" "$((n + busy))"
budget=$(sed -n 's/.*budget \([0-9]*\) connections.*/\1/p' "$work/sup.log" | head -1)
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
      int peak = 0, limits = 0; long end = System.currentTimeMillis() + window; long since = System.currentTimeMillis();
      while (System.currentTimeMillis() < end) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename LIKE 'bot\\_%'")) {
          rs.next(); peak = Math.max(peak, rs.getInt(1));
        }
        try (ResultSet rs = s.executeQuery("SELECT sum(rolconnlimit) FROM pg_roles WHERE rolname LIKE 'bot\\_%' AND rolcanlogin")) {
          rs.next(); limits = Math.max(limits, rs.getInt(1));
        }
        Thread.sleep(100);
      }
      System.out.printf("peak bot connections %d, role limits at most %d in total;", peak, limits);
      try (ResultSet rs = s.executeQuery("SELECT b.name LIKE 'busy-%', count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY l), "
          + "percentile_disc(0.99) WITHIN GROUP (ORDER BY l), max(l) FROM (SELECT bot_id, (labels->>'prevLatencyMicros')::bigint / 1000.0 AS l "
          + "FROM botvisor.bot_metrics WHERE name LIKE 'chaos.write%' AND at > to_timestamp(" + since / 1000 + ") "
          + "AND (labels->>'prevLatencyMicros')::bigint >= 0) x JOIN botvisor.bots b USING (bot_id) GROUP BY 1 ORDER BY 1")) {
        while (rs.next()) {
          System.out.printf(" %s bots: writes %d in %d s, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms;",
              rs.getBoolean(1) ? "busy" : "steady", rs.getLong(2), window / 1000, rs.getDouble(3), rs.getDouble(4), rs.getDouble(5));
        }
      }
      System.out.println();
    }
  }
}
JAVA
out=$(java -cp "$cp" "$work/Sample.java" "$work/state" "$window")
failures=$(cat "$work"/state/logs/*/stdout.log | grep -c "database write failed" || true)
echo "$n bots (dbWriteEvery 1s) + $busy busy, budget $budget: $out failed writes $failures"
