package io.botvisor.supervisor.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.storage.BotCredentials;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.supervisor.config.Specs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DatabaseKeeper's jobs against a real embedded PostgreSQL: each job on its own, bounded, with timeouts. */
class DatabaseKeeperIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Specs.Database SPEC = new Specs.Database(true, null, null, null, null, 10, false, 4,
            new Specs.Pools(4, Duration.ofSeconds(30)),
            new Specs.Retention(Duration.ofDays(30), Duration.ofDays(30), Duration.ofDays(365), Duration.ofDays(7),
                    Duration.ofDays(30)));

    @TempDir
    Path dir;
    private FleetDatabase db;
    private String role;
    private final LogCapture logs = new LogCapture();

    @BeforeEach
    void openDatabase() {
        db = FleetDatabase.open(SPEC, dir, 1, Map.of());
        List<BotCredentials> bots = db.registerAll(List.of("shop-1"), "test", 1);
        role = bots.get(0).role();
    }

    @AfterEach
    void closeDatabase() {
        logs.close();
        db.close();
    }

    @Test
    void aHungAuditWriteDoesNotStopConnectionLimitOrdersAndEndsByItsLockTimeout() throws Exception {
        DatabaseKeeper keeper = new DatabaseKeeper(db);
        try (Connection blocker = db.manager().connect()) {
            lockAuditLog(blocker);
            keeper.audit("ctl.restart", "shop-1", "{}", "req-hung");
            await("the audit write to wait for the lock", () -> auditWritersWaitingOnALock() == 1);

            CompletableFuture<Boolean> done = new CompletableFuture<>();
            keeper.setConnectionLimit(role, 3, done::complete);
            assertThat(done.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(query("SELECT rolconnlimit FROM pg_roles WHERE rolname = '" + role + "'")).isEqualTo("3");

            await("the audit write to give up", () -> logs.warnings().stream()
                    .anyMatch(l -> l.startsWith("database: could not audit ctl.restart of bot 'shop-1' (request "
                            + "req-hung): ") && l.contains("canceling statement due to lock timeout")));
            blocker.rollback();
        } finally {
            keeper.close();
        }
    }

    @Test
    void aFullAuditQueueDropsAndCountsWithOneWarningInsteadOfBlockingTheCaller() throws Exception {
        AtomicLong clock = new AtomicLong();
        DatabaseKeeper.Settings small = new DatabaseKeeper.Settings(DatabaseKeeper.Settings.DEFAULTS.backoff(),
                Duration.ofMinutes(2), 10, Duration.ofMinutes(30), 2,
                new JobTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(5)));
        DatabaseKeeper keeper = new DatabaseKeeper(db, small, clock::get);
        try (Connection blocker = db.manager().connect()) {
            lockAuditLog(blocker);
            keeper.audit("ctl.stop", "shop-1", "{}", "req-1");
            await("the first audit write to wait for the lock", () -> auditWritersWaitingOnALock() == 1);
            for (int i = 2; i <= 6; i++) {
                keeper.audit("ctl.stop", "shop-1", "{}", "req-" + i);
            }
            // Returned while the writer still waits (its lock timeout is 5 min): no call waited for room.
            assertThat(auditWritersWaitingOnALock()).isEqualTo(1);
            assertThat(keeper.auditsDropped()).isEqualTo(3);
            assertThat(logs.warnings()).filteredOn(l -> l.startsWith("database: audit row dropped"))
                    .containsExactly("database: audit row dropped: ctl.stop bot 'shop-1' (request req-4); 2 rows wait "
                            + "already (the database is slow or down, or closing); dropped 1 since the last warning, "
                            + "1 in all; the next warning comes at most 60 s from now");
            blocker.commit();
            await("the queued rows to be written", () -> count("req-1", "req-2", "req-3") == 3);
        } finally {
            keeper.close();
        }
        assertThat(count("req-4", "req-5", "req-6")).isZero();
    }

    @Test
    void aConnectionLimitOrderAfterCloseIsAnsweredFalseOnceAtOnce() {
        DatabaseKeeper keeper = new DatabaseKeeper(db);
        keeper.close();
        List<Boolean> answers = new ArrayList<>();
        keeper.setConnectionLimit(role, 2, answers::add);
        assertThat(answers).containsExactly(false);
    }

    @Test
    void anEmbeddedServerThatCannotStartIsGivenUpAfterTheRestartLimit() throws Exception {
        DatabaseKeeper keeper = new DatabaseKeeper(db, withBackoff(Duration.ofMillis(10), 2), System::nanoTime);
        try {
            keeper.start();
            long postmaster = keeper.status().pid();
            assertThat(keeper.status().state()).isEqualTo("UP");
            // Its data directory made unusable: no start can succeed.
            Path data = db.files().data();
            Files.move(data, dir.resolve("data.moved"));
            Files.writeString(data, "not a directory");
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();

            await("the keeper to give up", () -> keeper.status().state().equals("FAILED"));
            DatabaseStatus failed = keeper.status();
            assertThat(failed.restarts()).isEqualTo(2);
            assertThat(failed.problem()).startsWith("embedded PostgreSQL did not restart: cannot start the embedded "
                    + "PostgreSQL in " + data)
                    .endsWith("; giving up: more than 2 restarts in 10m. Bots keep running without their database. "
                            + "Find the cause in " + db.files().serverLog() + " and " + db.files().serverLogDir()
                            + ", fix it, then restart the supervisor");
            assertThat(logs.warnings()).filteredOn(l -> l.contains("restarting it in")).containsExactly(
                    "database: embedded PostgreSQL (pid " + postmaster + ") exited; restarting it in 0.0 s "
                            + "(restart 1 of 2 in 10m)",
                    "database: embedded PostgreSQL did not restart: cannot start the embedded PostgreSQL in " + data
                            + ": " + data + "; restarting it in 0.0 s (restart 2 of 2 in 10m)");
        } finally {
            keeper.close();
        }
    }

    @Test
    void aServerThatFailedToStartIsRestartedOnceItsCauseIsFixed() throws Exception {
        // Time enough to put the configuration right between the failed start and the next.
        DatabaseKeeper keeper = new DatabaseKeeper(db, withBackoff(Duration.ofSeconds(3), 5), System::nanoTime);
        try {
            keeper.start();
            long postmaster = keeper.status().pid();
            Path conf = db.files().data().resolve("postgresql.conf");
            String good = Files.readString(conf);
            Files.writeString(conf, good + "\nthis is not a setting\n"); // an operator's typo
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();
            // zonky waits its full 60 s for a server that will not come up.
            await("a restart to fail", () -> logs.warnings().stream()
                    .anyMatch(l -> l.startsWith("database: embedded PostgreSQL did not restart: ")));
            Files.writeString(conf, good);

            await("the server to be up again", () -> keeper.status().state().equals("UP")
                    && keeper.status().pid() != postmaster);
            assertThat(keeper.status().restarts()).isGreaterThanOrEqualTo(2);
            assertThat(query("SELECT 'answers'")).isEqualTo("answers");
        } finally {
            keeper.close();
        }
    }

    @Test
    void aKilledEmbeddedServerIsRestartedOnTheSamePortAndCounted() throws Exception {
        DatabaseKeeper keeper = new DatabaseKeeper(db);
        try {
            keeper.start();
            long postmaster = keeper.status().pid();
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();
            await("the server to be up again", () -> keeper.status().state().equals("UP")
                    && keeper.status().pid() != postmaster);
            assertThat(keeper.status().restarts()).isEqualTo(1);
            assertThat(query("SELECT 'answers at the same address'")).isEqualTo("answers at the same address");
        } finally {
            keeper.close();
        }
    }

    /** Restarts {@code every} apart, more than {@code maxRestarts} in 10 minutes given up. */
    private static DatabaseKeeper.Settings withBackoff(Duration every, int maxRestarts) {
        return new DatabaseKeeper.Settings(new Specs.Backoff(every, every, 1.0, 0.0), Duration.ofMinutes(2),
                maxRestarts, Duration.ofMinutes(10), 10, JobTimeouts.SHORT);
    }

    private static void lockAuditLog(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("LOCK TABLE botvisor.audit_log IN ACCESS EXCLUSIVE MODE");
        }
    }

    /** Sessions of the supervisor waiting for a lock on an INSERT into audit_log. */
    private int auditWritersWaitingOnALock() {
        try {
            return Integer.parseInt(query("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    + "AND query LIKE '%INSERT INTO botvisor.audit_log%'"));
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private int count(String... correlationIds) {
        try {
            return Integer.parseInt(query("SELECT count(*) FROM botvisor.audit_log WHERE correlation_id IN ('"
                    + String.join("','", correlationIds) + "')"));
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private String query(String sql) throws SQLException {
        DbEndpoint e = db.manager();
        try (Connection c = e.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        AtomicInteger polls = new AtomicInteger();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + polls + " polls waiting for " + what + "; warnings: "
                        + logs.warnings());
            }
            polls.incrementAndGet();
            try {
                // Polling a condition against a deadline, not a timing guess.
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
