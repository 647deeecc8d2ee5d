package io.botvisor.supervisor.db;

import io.botvisor.supervisor.Threads;
import io.botvisor.ipc.Units;
import io.botvisor.storage.DbEndpoint;
import io.botvisor.supervisor.config.Specs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema's upkeep on its own thread ({@value #THREAD}): {@code botvisor.maintain} (months of partitions ahead,
 * expired ones dropped) then {@code botvisor.expire_rows} (handled inbox updates and finished outbox calls past their
 * retention) at start and every {@link #MAINTENANCE}, and {@code botvisor.health_check()} at start and every
 * {@link #HEALTH}; each in transactions bounded by {@link JobTimeouts#MAINTENANCE}. Thread-safe: the jobs run on the
 * maintenance thread only; {@link #health()} is a volatile read for any thread.
 */
final class Maintenance {
    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
    static final String THREAD = "database-maintenance";
    static final Duration MAINTENANCE = Duration.ofHours(1);
    static final Duration HEALTH = Duration.ofMinutes(1);
    static final int MONTHS_AHEAD = 3;
    /**
     * Rows of each table deleted per transaction, and transactions per run: a backlog goes in steps that each end well
     * within the statement timeout, and a run ends after at most a million rows of each (the rest at the next run).
     */
    static final int EXPIRE_STEP = 10_000;
    static final int EXPIRE_STEPS = 100;
    private final DbEndpoint endpoint;
    private final Specs.Retention keep;
    private final ScheduledThreadPoolExecutor thread = Threads.periodic(THREAD);
    /** The failing health checks, or null when all pass; written by the maintenance thread only. */
    private volatile String health;

    Maintenance(DbEndpoint manager, Specs.Retention keep) {
        this.endpoint = JobTimeouts.MAINTENANCE.endpoint(manager);
        this.keep = keep;
    }

    void start() {
        thread.scheduleWithFixedDelay(() -> {
            maintain();
            expireRows();
        }, 0, MAINTENANCE.toMillis(), TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::checkHealth, 0, HEALTH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What the last health check found wrong, or null. */
    String health() {
        return health;
    }

    /** Stops, without waiting: a statement under way ends by its own timeout, or when the server stops. */
    void close() {
        thread.shutdown();
    }

    private void maintain() {
        try (Connection c = endpoint.connect()) {
            c.setAutoCommit(false);
            JobTimeouts.MAINTENANCE.apply(c);
            List<String> dropped = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT action, partition_name FROM botvisor.maintain(?, "
                    + "make_interval(secs => ?), make_interval(secs => ?), make_interval(secs => ?))")) {
                ps.setInt(1, MONTHS_AHEAD);
                ps.setDouble(2, keep.messages().toSeconds());
                ps.setDouble(3, keep.metrics().toSeconds());
                ps.setDouble(4, keep.audit().toSeconds());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        dropped.add(rs.getString(2));
                    }
                }
            }
            c.commit();
            if (!dropped.isEmpty()) {
                log.info("database: maintenance dropped expired partitions {}", dropped);
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("database: maintenance failed (next run in {}): {}", Units.format(MAINTENANCE),
                    Jobs.why(e));
        }
    }

    /**
     * Deletes handled updates and sent or failed outbox calls past their retention, in steps of {@link #EXPIRE_STEP}
     * rows per table, each its own transaction (after the partitions' upkeep, which a slow delete must not undo).
     */
    private void expireRows() {
        long updates = 0;
        long outbox = 0;
        try (Connection c = endpoint.connect()) {
            c.setAutoCommit(false);
            for (int step = 0; step < EXPIRE_STEPS; step++) {
                JobTimeouts.MAINTENANCE.apply(c);
                long most = 0;
                try (PreparedStatement ps = c.prepareStatement("SELECT table_name, row_count FROM botvisor.expire_rows("
                        + "make_interval(secs => ?), make_interval(secs => ?), ?)")) {
                    ps.setDouble(1, keep.updates().toSeconds());
                    ps.setDouble(2, keep.outbox().toSeconds());
                    ps.setInt(3, EXPIRE_STEP);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long n = rs.getLong(2);
                            if ("updates".equals(rs.getString(1))) {
                                updates += n;
                            } else {
                                outbox += n;
                            }
                            most = Math.max(most, n);
                        }
                    }
                }
                c.commit();
                if (most < EXPIRE_STEP) {
                    break;
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("database: expiring inbox and outbox rows failed (next run in {}): {}",
                    Units.format(MAINTENANCE), Jobs.why(e));
        }
        if (updates > 0 || outbox > 0) {
            log.info("database: maintenance deleted {} handled updates and {} sent or failed outbox calls past their "
                    + "retention", updates, outbox);
        }
    }

    /**
     * The schema's own health check (next month's partitions present, connections below the server's limit); a change
     * in what fails is logged.
     */
    private void checkHealth() {
        List<String> failing = new ArrayList<>();
        try (Connection c = endpoint.connect()) {
            c.setAutoCommit(false);
            JobTimeouts.MAINTENANCE.apply(c);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT check_name, detail FROM botvisor.health_check() WHERE NOT ok")) {
                while (rs.next()) {
                    failing.add(rs.getString(1) + ": " + rs.getString(2));
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            failing.add("health check failed: " + Jobs.why(e));
        }
        String problem = failing.isEmpty() ? null : String.join("; ", failing);
        if (!Objects.equals(problem, health)) {
            if (problem != null) {
                log.warn("database: health check: {}", problem);
            } else {
                log.info("database: health check passes again");
            }
            health = problem;
        }
    }
}
