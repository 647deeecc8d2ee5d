package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.storage.DbEndpoint;
import io.botvisor.storage.DbFiles;
import io.botvisor.storage.EmbeddedDatabase;
import io.botvisor.storage.Migrations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * botvisor as a new operator meets it: where the fleet file comes from, db options before the command, which signal
 * stopped the supervisor, what its log says at INFO, and what an audit row of a ctl action holds.
 */
class OperatorCliIT {
    private static final String ONE_BOT = SupervisorProcess.FAST_DEFAULTS + "database: { enabled: false }\n"
            + "bots:\n  - { id: one, type: chaos, jvm: { options: [\"-Dbotvisor.test=1\"] } }\n";

    @TempDir
    Path dir;

    @Test
    void runWithoutAFleetFileNamesTheFileItLookedForAndWhatToDo() throws Exception {
        SupervisorProcess.DbRun r = SupervisorProcess.run(dir, "run");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).isEqualTo("botvisor: fleet file fleet.yaml does not exist (in " + dir.toAbsolutePath()
                + "); name the fleet file with --config FILE, e.g. 'botvisor run --config examples/fleet.yaml'\n"
                + "botvisor: nothing was started\n");
    }

    @Test
    void dbWithoutAFleetFileSaysWhereItLookedAndWhatToDo() throws Exception {
        Path state = dir.resolve("st").toAbsolutePath();
        SupervisorProcess.DbRun r = SupervisorProcess.run(dir, "db", "--state-dir", state.toString(), "status");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).isEqualTo("botvisor db: no fleet file: --config was not given, no supervisor has run "
                + "with state dir " + state + " (no " + state.resolve("fleet-file") + "), and there is no fleet.yaml "
                + "in " + dir.toAbsolutePath() + "; name the fleet file with --config FILE, or the state dir of a supervisor "
                + "that ran with --state-dir DIR\n");
    }

    @Test
    void dbTakesItsOptionsBeforeTheCommandAndPlanSaysWhenNothingIsPending() throws Exception {
        Path fleet = SupervisorProcess.writeFleet(dir, SupervisorProcess.ONE_BOT_DB_FLEET);
        String state = dir.resolve("st").toString();
        SupervisorProcess.DbRun migrate = SupervisorProcess.run(dir, "db", "--config", fleet.toString(), "--state-dir",
                state, "migrate");
        assertThat(migrate.exitCode()).as(migrate.stderr()).isZero();
        assertThat(migrate.stdout()).startsWith("applied: 1-roles, 2-settings-and-bots");
        SupervisorProcess.DbRun plan = SupervisorProcess.run(dir, "db", "--config", fleet.toString(), "--state-dir",
                state, "plan");
        assertThat(plan.exitCode()).as(plan.stderr()).isZero();
        assertThat(plan.stdout())
                .isEqualTo("nothing pending (" + Migrations.changeIds().size() + " changes applied)\n");
    }

    @Test
    void dbCommandsReadTheFleetFileTheSupervisorOfTheStateDirStartedWith() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        String state = dir.resolve("state").toString();
        try (SupervisorProcess s = SupervisorProcess.start(dir, SupervisorProcess.ONE_BOT_DB_FLEET)) {
            s.awaitState("one", "RUNNING");
            assertThat(Files.readString(dir.resolve("state/fleet-file")))
                    .isEqualTo(dir.resolve("fleet.yaml").toAbsolutePath() + "\n");
            SupervisorProcess.DbRun status = SupervisorProcess.run(elsewhere, "db", "--state-dir", state, "status");
            assertThat(status.exitCode()).as(status.stderr()).isZero();
            assertThat(status.stdout()).contains(Migrations.changeIds().size() + " applied, 0 pending");
            assertThat(s.ctl("shutdown").exitCode()).isZero();
            s.await("the supervisor to exit", () -> !s.isAlive());
        }
        Files.move(dir.resolve("fleet.yaml"), dir.resolve("moved.yaml"));
        SupervisorProcess.DbRun moved = SupervisorProcess.run(elsewhere, "db", "status", "--state-dir", state);
        assertThat(moved.exitCode()).isEqualTo(2);
        assertThat(moved.stderr()).startsWith("botvisor db: fleet file " + dir.resolve("fleet.yaml").toAbsolutePath()
                + " (the one the supervisor of " + state + " started with, remembered in " + state + "/fleet-file) "
                + "does not exist any more; name the fleet file with --config FILE");
    }

    @Test
    void theLogNamesTheSignalThatStoppedTheSupervisorWhichExitsZero() throws Exception {
        for (String signal : List.of("INT", "TERM")) {
            Path run = Files.createDirectories(dir.resolve(signal));
            ProcessBuilder pb = SupervisorProcess.command(run, SupervisorProcess.writeFleet(run, ONE_BOT));
            // A JVM started with SIGINT ignored (a background job of a shell) keeps it ignored: give it the default.
            pb.command().addAll(0, List.of("env", "--default-signal=INT"));
            try (SupervisorProcess s = SupervisorProcess.launch(run, pb)) {
                s.await("the supervisor to take its lock", () -> s.log().contains("supervising"));
                s.awaitState("one", "RUNNING");
                SupervisorProcess.signal(s.process.pid(), signal);
                assertThat(s.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(s.process.exitValue()).as(s.log()).isZero();
                assertThat(s.log()).contains("shutting down: SIG" + signal + "; stopping 1 bots")
                        .doesNotContain("shutting down: SIG" + (signal.equals("INT") ? "TERM" : "INT"));
            }
        }
    }

    @Test
    void statusRequestsAreNotLoggedAtInfoButActionsAre() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, ONE_BOT)) {
            s.awaitState("one", "RUNNING");
            assertThat(s.ctl("status").exitCode()).isZero();
            assertThat(s.ctl("stop", "one").exitCode()).isZero();
            s.await("the stop to be logged", () -> s.log().contains("control: stop one (request "));
            assertThat(s.log()).doesNotContain("control: status");
        }
    }

    @Test
    void theLaunchLineNamesTheBotItsPidAndOnlyWhatSetsItApart() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, ONE_BOT)) {
            long pid = s.awaitState("one", "RUNNING").get("pid").asLong();
            String line = s.log().lines().filter(l -> l.contains("bot 'one' launched")).findFirst().orElseThrow();
            String gen = line.replaceAll(".*\\(gen (\\d+),.*", "$1");
            assertThat(line).endsWith("bot 'one' launched (gen " + gen + ", pid " + pid
                    + "): bot-runner -Xmx65536k -Dbotvisor.test=1 [env: ]");
        }
    }

    @Test
    void anAuditRowOfACtlActionHoldsTheStateFoundAndTheStateAskedFor() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, SupervisorProcess.FAST_DEFAULTS
                + SupervisorProcess.ONE_BOT_DB_FLEET)) {
            s.awaitState("one", "RUNNING");
            assertThat(s.ctl("stop", "one").exitCode()).isZero();
            assertThat(s.ctl("start", "one").exitCode()).isZero();
            DbEndpoint superuser = EmbeddedDatabase.running(DbFiles.under(s.stateDir))
                    .orElseThrow(() -> new AssertionError("no embedded server is up"));
            String rows = "SELECT string_agg(action || ' ' || before::text || ' -> ' || after::text, '; ' ORDER BY at) "
                    + "FROM botvisor.audit_log WHERE action LIKE 'ctl.%' AND target = 'one'";
            s.await("both actions to be audited", () -> query(superuser, rows) != null
                    && query(superuser, rows).contains("ctl.start"));
            assertThat(query(superuser, rows)).isEqualTo("ctl.stop {\"state\": \"RUNNING\"} -> "
                    + "{\"wanted\": \"stopped\"}; ctl.start {\"state\": \"STOPPED\"} -> {\"wanted\": \"running\"}");
        }
    }

    private static String query(DbEndpoint e, String sql) {
        try (Connection c = e.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException ex) {
            throw new AssertionError(sql + ": " + ex, ex);
        }
    }
}
