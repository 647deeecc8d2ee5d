package io.botvisor.supervisor.db;

import io.botvisor.storage.Audit;
import io.botvisor.storage.BotRoles;
import io.botvisor.supervisor.config.Specs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the fleet's database: watches the embedded server like a supervised child (its postmaster gone → restarted
 * with backoff, on the same data and port, so bots' pools reconnect by themselves), runs the maintenance job (months
 * ahead, retention) at start and hourly, and writes audit rows for control actions. All database work happens on its
 * own thread, never on the supervisor's loop. Thread-safe to call; {@link #status()} never blocks.
 */
public final class DatabaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseKeeper.class);
    static final Duration WATCH = Duration.ofSeconds(1);
    static final Duration MAINTENANCE = Duration.ofHours(1);
    static final Duration HEALTH = Duration.ofMinutes(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    static final int MONTHS_AHEAD = 3;
    private final FleetDatabase db;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "database-keeper");
        t.setDaemon(true);
        return t;
    });
    private volatile DatabaseStatus status;
    private String health;
    private int restarts;
    private long nextAttemptNanos;
    private Duration backoff = Duration.ofSeconds(1);
    /** The connection role limits are set over, kept open (a grant must not cost a login); this thread only. */
    private Connection limitsSession;
    /** Limit changes that failed since the last one that succeeded (this thread only). */
    private int limitFailures;

    public DatabaseKeeper(FleetDatabase db) {
        this.db = db;
        this.status = up();
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::watch, WATCH.toMillis(), WATCH.toMillis(), TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::maintain, 0, MAINTENANCE.toMillis(), TimeUnit.MILLISECONDS);
        thread.execute(this::checkHealth);
        thread.scheduleWithFixedDelay(this::checkHealth, HEALTH.toMillis(), HEALTH.toMillis(), TimeUnit.MILLISECONDS);
    }

    public DatabaseStatus status() {
        return status;
    }

    /** Records a control action in the audit log, later, on this keeper's thread; a failure is logged, not thrown. */
    public void audit(String action, String botName, String detailJson, String correlationId) {
        thread.execute(() -> {
            try (Connection c = db.manager().connect()) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL ROLE botvisor_admin");
                }
                int botId = Audit.FLEET;
                if (botName != null) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT bot_id FROM botvisor.bots WHERE name = ?")) {
                        ps.setString(1, botName);
                        try (ResultSet rs = ps.executeQuery()) {
                            botId = rs.next() ? rs.getInt(1) : Audit.FLEET;
                        }
                    }
                }
                Audit.write(c, botId, action, botName == null ? "fleet" : botName, null, detailJson, correlationId);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                log.warn("database: could not audit {} {} (request {}): {}", action, botName, correlationId,
                        e.toString());
            }
        });
    }

    /**
     * Sets a bot role's CONNECTION LIMIT on this keeper's thread and tells {@code done} whether it did (for
     * {@link ConnectionBroker}); a failure is logged, and the broker tries again when the bot next asks.
     */
    public void setConnectionLimit(String role, int limit, Consumer<Boolean> done) {
        try {
            thread.execute(() -> done.accept(applyConnectionLimit(role, limit)));
        } catch (RejectedExecutionException e) {
            done.accept(false);
        }
    }

    private boolean applyConnectionLimit(String role, int limit) {
        try {
            if (limitsSession == null || limitsSession.isClosed()) {
                limitsSession = db.manager().connect();
            }
            BotRoles.connectionLimit(limitsSession, role, limit);
            if (limitFailures > 0) {
                log.info("database: connection limits can be set again ({} attempts failed meanwhile)", limitFailures);
                limitFailures = 0;
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            // During an outage every bot's next order fails too: the first failure is a warning, the rest are counted.
            if (limitFailures++ == 0) {
                log.warn("database: could not set the connection limit of {} to {}: {}; pools keep their grants, and "
                        + "orders are retried every few seconds", role, limit, e.toString());
            } else {
                log.debug("database: could not set the connection limit of {} to {}: {}", role, limit, e.toString());
            }
            closeLimitsSession();
            return false;
        }
    }

    private void closeLimitsSession() {
        if (limitsSession != null) {
            try {
                limitsSession.close();
            } catch (SQLException e) {
                log.debug("database: closing the limits session: {}", e.toString());
            }
            limitsSession = null;
        }
    }

    private void watch() {
        try {
            if (!db.embedded()) {
                return;
            }
            if (db.embeddedAlive()) {
                if (!"UP".equals(status.state())) {
                    status = up();
                }
                return;
            }
            if (System.nanoTime() < nextAttemptNanos) {
                return;
            }
            String problem = "embedded PostgreSQL (pid " + status.pid() + ") exited";
            status = new DatabaseStatus("embedded", db.url(), "DOWN", 0, restarts, problem);
            log.error("database: {}; restarting it (restart {}, next attempt in {} s if this fails)", problem,
                    restarts + 1, backoff.toSeconds());
            restarts++;
            nextAttemptNanos = System.nanoTime() + backoff.toNanos();
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            db.restartEmbedded();
            backoff = Duration.ofSeconds(1);
            status = up();
            log.info("database: embedded PostgreSQL is up again (pid {})", status.pid());
        } catch (RuntimeException e) {
            status = new DatabaseStatus(status.kind(), status.endpoint(), "DOWN", 0, restarts, e.getMessage());
            log.error("database: embedded PostgreSQL did not restart: {}", e.getMessage());
        }
    }

    private void maintain() {
        Specs.Retention keep = db.spec().retention();
        try (Connection c = db.manager().connect();
             PreparedStatement ps = c.prepareStatement("SELECT action, partition_name FROM botvisor.maintain(?, "
                     + "make_interval(secs => ?), make_interval(secs => ?), make_interval(secs => ?))")) {
            ps.setInt(1, MONTHS_AHEAD);
            ps.setDouble(2, keep.messages().toSeconds());
            ps.setDouble(3, keep.metrics().toSeconds());
            ps.setDouble(4, keep.audit().toSeconds());
            List<String> dropped = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    dropped.add(rs.getString(2));
                }
            }
            if (!dropped.isEmpty()) {
                log.info("database: maintenance dropped expired partitions {}", dropped);
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("database: maintenance failed (next run in {}): {}", MAINTENANCE, e.toString());
        }
    }

    /**
     * The schema's own health check ({@code botvisor.health_check()}: next month's partitions present, connections
     * below the server's limit); failing checks become the status's problem, and are logged when they change.
     */
    private void checkHealth() {
        List<String> failing = new ArrayList<>();
        try (Connection c = db.manager().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT check_name, detail FROM botvisor.health_check() WHERE NOT ok")) {
            while (rs.next()) {
                failing.add(rs.getString(1) + ": " + rs.getString(2));
            }
        } catch (SQLException | RuntimeException e) {
            failing.add("health check failed: " + e.getMessage());
        }
        String problem = failing.isEmpty() ? null : String.join("; ", failing);
        DatabaseStatus now = status;
        if (!java.util.Objects.equals(problem, health)) {
            if (problem != null) {
                log.warn("database: health check: {}", problem);
            } else {
                log.info("database: health check passes again");
            }
            health = problem;
        }
        if (!"DOWN".equals(now.state())) {
            status = new DatabaseStatus(now.kind(), now.endpoint(), now.state(), now.pid(), now.restarts(), problem);
        }
    }

    private DatabaseStatus up() {
        return db.embedded()
                ? new DatabaseStatus("embedded", db.url(), "UP", db.embeddedPid(), restarts, health)
                : new DatabaseStatus("external", db.url(), "EXTERNAL", 0, 0, health);
    }

    /** Stops watching; pending audit rows are written first (up to 10 s). */
    @Override
    public void close() {
        try {
            thread.execute(this::closeLimitsSession);
        } catch (RejectedExecutionException e) {
            // already closed
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
