package io.botvisor.supervisor.db;

import io.botvisor.supervisor.Threads;
import io.botvisor.storage.BotRoles;
import io.botvisor.storage.DbEndpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link ConnectionBroker}'s orders to change a bot role's {@code CONNECTION LIMIT}, on its own thread
 * ({@value #THREAD}) over one kept session (a grant must not cost a login), each order in a transaction bounded by
 * {@link JobTimeouts#SHORT}. Every order is answered exactly once: true when the limit is set; false when it failed,
 * timed out, did not fit in the queue ({@link #CAPACITY}; answered at once on the caller's thread) or was still queued
 * at close. Thread-safe: {@link #set} from any thread; the session and the failure count are confined to the thread.
 */
final class LimitOrders {
    private static final Logger log = LoggerFactory.getLogger(LimitOrders.class);
    static final String THREAD = "database-limits";
    /** Far more than the broker has in flight (one order per bot at most), so a full queue means a stuck thread. */
    static final int CAPACITY = 1024;
    static final Duration WARN_EVERY = Duration.ofSeconds(60);
    private final DbEndpoint endpoint;
    private final LongSupplier nanos;
    private final Drops drops = new Drops(WARN_EVERY);
    private final ThreadPoolExecutor thread;
    /** Limits thread only. */
    private Connection session;
    /** Orders that failed since the last one that succeeded; limits thread only. */
    private int failures;

    LimitOrders(DbEndpoint manager, LongSupplier nanos) {
        this.endpoint = JobTimeouts.SHORT.endpoint(manager);
        this.nanos = nanos;
        this.thread = Threads.bounded(THREAD, CAPACITY, (r, e) -> {
            if (r instanceof Order o) {
                if (e.isShutdown()) {
                    o.answer(false); // closing: the broker's loop is stopping too
                } else {
                    rejected(o);
                }
            }
        });
    }

    /** Sets {@code role}'s limit later and answers {@code done} (on the limits thread, or at once when rejected). */
    void set(String role, int limit, Consumer<Boolean> done) {
        thread.execute(new Order(role, limit, done));
    }

    /** Ends the kept session and answers what is still queued at {@code deadlineNanos} with false. */
    void close(long deadlineNanos) {
        thread.execute(this::closeSession);
        for (Runnable r : Jobs.stop(THREAD, thread, deadlineNanos)) {
            if (r instanceof Order o) {
                o.answer(false);
            }
        }
    }

    private void rejected(Order o) {
        Drops.Warning w = drops.drop(nanos.getAsLong());
        if (w != null) {
            log.warn("database: connection-limit order for {} refused: {} orders wait already (the database is slow "
                    + "or down, or closing); the bot keeps its grant and asks again; refused {} since the last "
                    + "warning, {} in all", o.role, CAPACITY, w.since(), w.total());
        }
        o.answer(false);
    }

    private boolean apply(String role, int limit) {
        try {
            if (session == null || session.isClosed()) {
                session = endpoint.connect();
                session.setAutoCommit(false);
            }
            JobTimeouts.SHORT.apply(session);
            BotRoles.connectionLimit(session, role, limit);
            session.commit();
            if (failures > 0) {
                log.info("database: connection limits can be set again ({} attempts failed meanwhile)", failures);
                failures = 0;
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            // During an outage every bot's next order fails too: the first failure is a warning, the rest are counted.
            if (failures++ == 0) {
                log.warn("database: could not set the connection limit of {} to {}: {}; pools keep their grants, and "
                        + "orders are retried every few seconds", role, limit, Jobs.why(e));
            } else {
                log.debug("database: could not set the connection limit of {} to {}: {}", role, limit,
                        Jobs.why(e));
            }
            closeSession();
            return false;
        }
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                log.debug("database: closing the limits session: {}", Jobs.why(e));
            }
            session = null;
        }
    }

    /** One order; answered once, whichever of run, rejection or close comes first. */
    private final class Order implements Runnable {
        final String role;
        final int limit;
        private final Consumer<Boolean> done;
        private final AtomicBoolean answered = new AtomicBoolean();

        Order(String role, int limit, Consumer<Boolean> done) {
            this.role = role;
            this.limit = limit;
            this.done = done;
        }

        @Override
        public void run() {
            boolean ok = false;
            try {
                ok = apply(role, limit);
            } finally {
                answer(ok);
            }
        }

        void answer(boolean ok) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            try {
                done.accept(ok);
            } catch (RuntimeException e) {
                // The broker hands the answer to its loop; a loop already stopped has nobody left to tell.
                log.debug("database: the answer to the connection-limit order for {} was not taken: {}", role,
                        Jobs.why(e));
            }
        }
    }
}
