package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import io.botvisor.storage.internal.Secrets;
import io.botvisor.storage.Migrations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor with its embedded PostgreSQL: started before the bots, each bot writing as itself, stopped last. */
class DatabaseIT {
    private static final String FLEET = """
            defaults:
              health: { heartbeatInterval: 200ms, heartbeatTimeout: 2s, startupTimeout: 30s }
            bots:
              - { id: writer-1, type: chaos, config: { dbWriteEvery: 100ms } }
              - { id: writer-2, type: chaos, config: { dbWriteEvery: 100ms } }
            """;

    @TempDir
    Path dir;

    @Test
    void botsWriteThroughTheirOwnRolesIntoTheEmbeddedDatabaseWhichStopsAfterTheLastBot() throws Exception {
        DbFiles files = DbFiles.under(dir.resolve("state"));
        long postmaster;
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.awaitState("writer-1", "RUNNING");
            s.awaitState("writer-2", "RUNNING");
            assertThat(s.log()).contains("embedded PostgreSQL created and started")
                    .contains("database: 2 bots registered");
            DbEndpoint superuser = superuser(files);
            s.await("both bots to have written rows", () -> rowsPerBot(superuser).size() == 2
                    && rowsPerBot(superuser).stream().allMatch(n -> n >= 3));
            assertThat(SupervisorProcess.query(superuser, "SELECT string_agg(r.rolname || '=' || r.rolconnlimit, ',' ORDER BY r.rolname) "
                    + "FROM pg_roles r WHERE r.rolname LIKE 'bot\\_%'")).isEqualTo("bot_1=1,bot_2=1");
            for (String bot : List.of("writer-1", "writer-2")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.botPassword(bot))))
                        .isEqualTo("rw-------");
                assertThat(s.log()).doesNotContain(Secrets.read(files.botPassword(bot)));
            }
            com.fasterxml.jackson.databind.JsonNode w = s.awaitBot("writer-1", "to report its writes",
                    b -> b.get("counters").path("dbWrites").asLong() > 0);
            assertThat(w.get("counters").has("dbWaitMillis")).isTrue();
            postmaster = Long.parseLong(Files.readAllLines(files.data().resolve("postmaster.pid")).get(0).strip());
            assertThat(ProcessHandle.of(postmaster)).isPresent();
            assertThat(s.ctl("shutdown").exitCode()).isZero();
            s.await("the supervisor to exit", () -> !s.isAlive());
            assertThat(s.log()).contains("embedded PostgreSQL stopped")
                    .as("no tick reads a queue closed at shutdown").doesNotContain("cannot read the next document");
        }
        SupervisorProcess.awaitGone(postmaster);
    }

    @Test
    void sigtermStopsTheEmbeddedDatabaseBeforeTheSupervisorExits() throws Exception {
        DbFiles files = DbFiles.under(dir.resolve("state"));
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.awaitState("writer-1", "RUNNING");
            long postmaster = Long.parseLong(Files.readAllLines(files.data().resolve("postmaster.pid")).get(0).strip());
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).contains(true);
            s.process.destroy(); // SIGTERM
            assertThat(s.process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(s.process.exitValue()).isZero();
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
                    .as("the postmaster, once the supervisor has exited").isFalse();
            assertThat(s.log()).contains("embedded PostgreSQL stopped");
        }
    }

    @Test
    void theDatabaseIsNotRestartedWhileTheSupervisorStopsSlowBots() throws Exception {
        // At the JVM's shutdown the embedded server stops at once (zonky's own hook), while the supervisor still waits
        // for a bot that ignores SIGTERM; the watch used to restart the server then, and a late postmaster outlived
        // the supervisor.
        DbFiles files = DbFiles.under(dir.resolve("state"));
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET + """
                  - id: stubborn
                    command: ["/bin/sh", "-c", "trap '' TERM; while true; do sleep 1; done"]
                    stopTimeout: 4s
                """)) {
            s.awaitState("writer-1", "RUNNING");
            s.awaitState("stubborn", "RUNNING");
            s.process.destroy(); // SIGTERM
            assertThat(s.process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(s.log()).contains("shutting down: SIGTERM", "did not stop within 4.0 s")
                    .doesNotContain("embedded PostgreSQL is up again");
            assertThat(io.botvisor.storage.EmbeddedDatabase.running(files)).as("a postmaster after the supervisor exited")
                    .isEmpty();
        }
    }

    @Test
    void ctlActionsAreAuditedAndStatusShowsTheDatabase() throws Exception {
        DbFiles files = DbFiles.under(dir.resolve("state"));
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.awaitState("writer-1", "RUNNING");
            assertThat(s.ctl("restart", "writer-1").exitCode()).isZero();
            DbEndpoint superuser = superuser(files);
            s.await("the restart to be audited", () -> polled(superuser, "SELECT count(*) FROM botvisor.audit_log a "
                    + "JOIN botvisor.bots b USING (bot_id) WHERE a.action = 'ctl.restart' AND b.name = 'writer-1' AND "
                    + "a.correlation_id IS NOT NULL").equals("1"));
            SupervisorProcess.DbRun db = SupervisorProcess.db(dir, dir.resolve("fleet.yaml"), "status");
            assertThat(db.exitCode()).as(db.stderr()).isZero();
            assertThat(db.stdout()).as(db.stderr()).contains(Migrations.changeIds().size() + " applied, 0 pending");
            assertThat(db.stderr()).doesNotContain("starting the embedded PostgreSQL for this command");
            String status = s.ctl("status").output();
            assertThat(status).startsWith("DATABASE embedded jdbc:postgresql://127.0.0.1:");
            assertThat(status.lines().findFirst().orElseThrow()).contains(" UP pid ");
        }
    }

    @Test
    void killedEmbeddedServerIsRestartedAndBotsWriteAgain() throws Exception {
        DbFiles files = DbFiles.under(dir.resolve("state"));
        try (SupervisorProcess s = SupervisorProcess.start(dir, FLEET)) {
            s.awaitState("writer-1", "RUNNING");
            long postmaster = Long.parseLong(Files.readAllLines(files.data().resolve("postmaster.pid")).get(0).strip());
            SupervisorProcess.signal(postmaster, "KILL");
            s.await("the embedded server to be restarted", () -> s.log().contains("embedded PostgreSQL is up again"));
            assertThat(s.log()).contains("database: embedded PostgreSQL (pid " + postmaster + ") exited; restarting it");
            DbEndpoint superuser = superuser(files);
            String before = SupervisorProcess.query(superuser, "SELECT count(*) FROM botvisor.bot_metrics");
            s.await("the bots to write again", () -> Long.parseLong(polled(superuser,
                    "SELECT count(*) FROM botvisor.bot_metrics")) > Long.parseLong(before) + 4);
            com.fasterxml.jackson.databind.JsonNode db = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(s.ctl("status", "--json").output()).get("database");
            assertThat(db.get("state").asText()).isEqualTo("UP");
            assertThat(db.get("restarts").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aBotRemovedFromTheFleetFileHasItsRoleDisabledAtTheNextStart() throws Exception {
        DbFiles files = DbFiles.under(dir.resolve("state"));
        try (SupervisorProcess s = SupervisorProcess.start(dir, "bots:\n  - { id: keep, type: chaos }\n"
                + "  - { id: gone, type: chaos }\n")) {
            s.awaitState("gone", "RUNNING");
            assertThat(s.ctl("shutdown").exitCode()).isZero();
            s.await("the supervisor to exit", () -> !s.isAlive());
        }
        try (SupervisorProcess s = SupervisorProcess.start(dir, "bots:\n  - { id: keep, type: chaos }\n")) {
            s.awaitState("keep", "RUNNING");
            assertThat(s.log()).contains("roles of bots no longer in the fleet file disabled: [gone]");
            DbEndpoint superuser = superuser(files);
            assertThat(SupervisorProcess.query(superuser, "SELECT r.rolcanlogin || ' ' || b.enabled FROM botvisor.bots b JOIN pg_roles r "
                    + "ON r.rolname = b.role_name WHERE b.name = 'gone'")).isEqualTo("false false");
            assertThat(SupervisorProcess.query(superuser, "SELECT count(*) FROM botvisor.audit_log WHERE action = 'bot.disable' AND "
                    + "target = 'gone' AND correlation_id = 'supervisor-start'")).isEqualTo("1");
        }
    }

    @Test
    void aReloadGivesAnAddedBotItsOwnRoleAndDisablesTheRoleOfARemovedOneAndIsAudited() throws Exception {
        DbFiles files = DbFiles.under(dir.resolve("state"));
        try (SupervisorProcess s = SupervisorProcess.start(dir, "bots:\n  - { id: keep, type: chaos }\n"
                + "  - { id: gone, type: chaos }\n")) {
            s.awaitState("gone", "RUNNING");
            SupervisorProcess.writeFleet(dir, "bots:\n  - { id: keep, type: chaos }\n"
                    + "  - { id: added, type: chaos, config: { dbWriteEvery: 100ms } }\n");
            io.botvisor.supervisor.control.ControlClient.Result r = s.ctl("reload", "--wait");
            assertThat(r.exitCode()).as(r.output()).isZero();
            s.awaitBot("added", "to write through its own pool",
                    b -> b.get("counters").path("dbWrites").asLong() > 0 && b.get("pool").has("grant"));
            DbEndpoint superuser = superuser(files);
            s.await("the removed bot's role to be disabled", () -> polled(superuser, "SELECT r.rolcanlogin || ' ' || "
                    + "b.enabled FROM botvisor.bots b JOIN pg_roles r ON r.rolname = b.role_name WHERE b.name = 'gone'")
                    .equals("false false"));
            assertThat(SupervisorProcess.query(superuser, "SELECT count(*) FROM botvisor.bot_metrics m JOIN botvisor.bots b "
                    + "USING (bot_id) WHERE b.name = 'added'")).isNotEqualTo("0");
            s.await("the reload to be audited", () -> polled(superuser, "SELECT count(*) FROM botvisor.audit_log "
                    + "WHERE action = 'reload' AND after::text LIKE '%added%'").equals("1"));
        }
    }

    private static DbEndpoint superuser(DbFiles files) {
        return EmbeddedDatabase.running(files).orElseThrow(() -> new AssertionError("no embedded server is up"));
    }

    private static List<Long> rowsPerBot(DbEndpoint e) {
        try (Connection c = e.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM botvisor.bot_metrics WHERE name = 'chaos.write' "
                     + "GROUP BY bot_id")) {
            List<Long> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
            return out;
        } catch (SQLException ex) {
            throw new AssertionError("cannot count the bots' rows: " + ex, ex);
        }
    }

    /**
     * {@link #query} for a condition polled while the server is up (the bots are running, or it said it is up
     * again): a failed read is a fault to show, not "not yet" to wait out until the deadline hides its cause.
     */
    private static String polled(DbEndpoint e, String sql) {
        try {
            return SupervisorProcess.query(e, sql);
        } catch (SQLException ex) {
            throw new AssertionError("query failed: " + sql + ": " + ex, ex);
        }
    }
}
