package io.botvisor.supervisor.db;

import io.botvisor.supervisor.Threads;
import io.botvisor.storage.Audit;
import io.botvisor.storage.DbEndpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit rows of control actions on its own thread ({@value #THREAD}), a connection each, within
 * {@link JobTimeouts#SHORT} unless told otherwise. At most {@code capacity} rows wait; a row that does not fit is
 * dropped and counted, with a warning at most every {@link #WARN_EVERY} (the caller, the supervisor's loop or the
 * control server, must never wait on the database). Thread-safe: {@link #write} from any thread; the writing itself
 * is confined to the audit thread.
 */
final class AuditWriter {
    private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);
    static final String THREAD = "database-audit";
    static final Duration WARN_EVERY = Duration.ofSeconds(60);
    private final DbEndpoint endpoint;
    private final JobTimeouts timeouts;
    private final int capacity;
    private final LongSupplier nanos;
    private final Drops drops = new Drops(WARN_EVERY);
    private final ThreadPoolExecutor thread;

    AuditWriter(DbEndpoint manager, JobTimeouts timeouts, int capacity, LongSupplier nanos) {
        this.endpoint = timeouts.endpoint(manager);
        this.timeouts = timeouts;
        this.capacity = capacity;
        this.nanos = nanos;
        this.thread = Threads.bounded(THREAD, capacity, (r, e) -> dropped((Row) r));
    }

    /** One control action, written later; never blocks. {@code detailJson} goes to {@code after}. */
    void write(String action, String botName, String detailJson, String correlationId) {
        write(action, botName, null, detailJson, correlationId);
    }

    /** One control action with the state it found ({@code before}) and the one it asks for ({@code after}). */
    void write(String action, String botName, String beforeJson, String afterJson, String correlationId) {
        thread.execute(new Row(action, botName, beforeJson, afterJson, correlationId));
    }

    /** Rows dropped because the queue was full (or the writer closed). */
    long dropped() {
        return drops.total();
    }

    /** Writes what is queued until {@code deadlineNanos}, then drops the rest (counted). */
    void close(long deadlineNanos) {
        for (Runnable r : Jobs.stop(THREAD, thread, deadlineNanos)) {
            dropped((Row) r);
        }
    }

    private void dropped(Row r) {
        Drops.Warning w = drops.drop(nanos.getAsLong());
        if (w != null) {
            log.warn("database: audit row dropped: {} {} (request {}); {} rows wait already (the database is slow "
                            + "or down, or closing); dropped {} since the last warning, {} in all; the next warning "
                            + "comes at most {} from now", r.action, r.target(), r.correlationId, capacity,
                    w.since(), w.total(), WARN_EVERY.toSeconds() + " s");
        }
    }

    private final class Row implements Runnable {
        final String action;
        final String botName;
        final String beforeJson;
        final String afterJson;
        final String correlationId;

        Row(String action, String botName, String beforeJson, String afterJson, String correlationId) {
            this.action = action;
            this.botName = botName;
            this.beforeJson = beforeJson;
            this.afterJson = afterJson;
            this.correlationId = correlationId;
        }

        String target() {
            return botName == null ? "fleet" : "bot '" + botName + "'";
        }

        @Override
        public void run() {
            try (Connection c = endpoint.connect()) {
                c.setAutoCommit(false);
                timeouts.apply(c);
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
                Audit.write(c, botId, action, botName == null ? "fleet" : botName, beforeJson, afterJson,
                        correlationId);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                log.warn("database: could not audit {} of {} (request {}): {}; the action itself was carried out",
                        action, target(), correlationId, Jobs.why(e));
            }
        }
    }
}
