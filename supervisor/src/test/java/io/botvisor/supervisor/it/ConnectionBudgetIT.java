package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's connection budget, seen from the server: a busy bot's pool grows into what the others leave, never
 * past the budget, and gives it back when it is idle again.
 */
class ConnectionBudgetIT {
    private static final int BUDGET = 4;
    private static final String FLEET = """
            database: { maxConnections: 4, pools: { maxPerBot: 10, shrinkAfter: 3s } }
            defaults:
              health: { heartbeatInterval: 200ms, heartbeatTimeout: 5s, startupTimeout: 30s }
            bots:
              - { id: busy, type: chaos, config: { dbWriteEvery: 20ms, dbWriters: 6, dbHold: 100ms, dbWriteFor: 20s } }
              - { id: steady, type: chaos, config: { dbWriteEvery: 200ms } }
            """;

    @TempDir
    Path dir;

    @Test
    void aBusyPoolGrowsIntoWhatOthersLeaveWithinTheBudgetAndShrinksWhenIdle() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.awaitState("busy", "RUNNING");
            s.awaitState("steady", "RUNNING");
            DbEndpoint superuser = EmbeddedDatabase.running(DbFiles.under(dir.resolve("state")))
                    .orElseThrow(() -> new AssertionError("no embedded server is up"));
            List<Map<String, Row>> samples = new ArrayList<>();
            s.await("busy's pool to hold every connection steady leaves", () -> {
                Map<String, Row> now = roles(superuser);
                samples.add(now);
                Row busy = now.get("busy");
                return busy != null && busy.limit == BUDGET - 1 && busy.connections == BUDGET - 1;
            });
            for (Map<String, Row> sample : samples) {
                assertThat(sample.values().stream().mapToInt(r -> r.connections).sum())
                        .as("bot connections the server saw in %s", sample).isLessThanOrEqualTo(BUDGET);
                assertThat(sample.values().stream().mapToInt(r -> r.limit).sum())
                        .as("role limits in %s", sample).isLessThanOrEqualTo(BUDGET);
                sample.values().forEach(r -> assertThat(r.connections).as("%s", sample).isLessThanOrEqualTo(r.limit));
            }
            s.awaitBot("busy", "to be granted the rest of the budget",
                    b -> b.path("pool").path("grant").asInt() == BUDGET - 1);
            JsonNode busy = s.awaitBot("busy", "to show its waits for a full pool in its metrics",
                    b -> b.get("counters").path("db.contended").asLong() > 0
                            && b.get("counters").path("db.waitMillis").asLong() > 0);
            assertThat(busy.get("counters").path("errors").asLong()).isZero();
            assertThat(s.ctl("status").output()).contains("CONNECTIONS 4 of a budget of 4 reserved");
            long steadyWrites = s.bot("steady").get("counters").path("dbWrites").asLong();
            s.awaitBot("steady", "to keep writing on its guaranteed connection",
                    b -> b.get("counters").path("dbWrites").asLong() > steadyWrites + 3);

            s.awaitBot("busy", "to be cut back to one after it stopped writing",
                    b -> b.path("pool").path("grant").asInt() == 1 && b.path("pool").path("limit").asInt() == 1);
            Map<String, Row> after = roles(superuser);
            assertThat(after.get("busy").limit).isEqualTo(1);
            assertThat(after.get("busy").connections).isLessThanOrEqualTo(1);
            assertThat(s.log()).doesNotContain("could not set the connection limit");
        }
    }

    private record Row(int limit, int connections) {
    }

    /** Each bot's role limit and the connections the server has for it now. A failed read fails the test. */
    private static Map<String, Row> roles(DbEndpoint superuser) {
        Map<String, Row> out = new HashMap<>();
        try (Connection c = superuser.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT b.name, r.rolconnlimit, (SELECT count(*) FROM pg_stat_activity a "
                     + "WHERE a.usename = b.role_name)::int FROM botvisor.bots b JOIN pg_roles r "
                     + "ON r.rolname = b.role_name")) {
            while (rs.next()) {
                out.put(rs.getString(1), new Row(rs.getInt(2), rs.getInt(3)));
            }
        } catch (SQLException e) {
            // The server is up before any bot runs, so a failed read is a fault, not "not yet"; a sample taken as
            // empty would count as zero connections and pass every "never above the budget" check.
            throw new AssertionError("cannot sample the bots' role limits and connections: " + e, e);
        }
        return out;
    }
}
