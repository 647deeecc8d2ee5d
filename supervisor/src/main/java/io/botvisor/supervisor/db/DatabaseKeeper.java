package io.botvisor.supervisor.db;

import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.policy.Backoff;
import io.botvisor.supervisor.policy.RestartIntensity;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps the fleet's database, one job per thread so that a job waiting on the database stops only itself:
 * <ul>
 *   <li>{@value EmbeddedWatch#THREAD}: the embedded server, supervised (postmaster gone → restarted with backoff on
 *   the same data and port; given up, FAILED, after too many restarts in a window) — {@link EmbeddedWatch};</li>
 *   <li>{@value Maintenance#THREAD}: partitions ahead and retention, hourly, and the schema's health check, every
 *   minute; statements bounded at 30 s — {@link Maintenance};</li>
 *   <li>{@value AuditWriter#THREAD}: audit rows of control actions; a full queue drops, counts and warns; statements
 *   bounded at 5 s — {@link AuditWriter};</li>
 *   <li>{@value LimitOrders#THREAD}: roles' connection limits for {@link ConnectionBroker}; statements bounded at
 *   5 s — {@link LimitOrders}.</li>
 * </ul>
 * Every connection it opens has connect, login and socket timeouts, and every transaction a statement and lock timeout
 * ({@link JobTimeouts}). Thread-safe: every public method may be called from any thread, and none but {@link #close()}
 * waits (the callers are the supervisor's loop and the control server).
 */
public final class DatabaseKeeper implements AutoCloseable {
    /** How long {@link #close()} waits, in all, for queued audit rows and the jobs under way. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private final FleetDatabase db;
    private final EmbeddedWatch watch;
    private final Maintenance maintenance;
    private final AuditWriter audit;
    private final LimitOrders limits;

    /**
     * How the keeper is tuned; {@link #DEFAULTS} in production, smaller limits in tests. Immutable.
     *
     * @param backoff      delays between restarts of the embedded server
     * @param resetAfter   up this long, and the backoff starts over
     * @param maxRestarts  more restarts than this within {@code window}, and the keeper gives up (FAILED)
     * @param window       the sliding window restarts are counted in
     * @param auditQueue   audit rows that may wait; more are dropped
     * @param auditTimeout an audit row's statement and lock timeout
     */
    record Settings(Specs.Backoff backoff, Duration resetAfter, int maxRestarts, Duration window, int auditQueue,
                    JobTimeouts auditTimeout) {
        /**
         * 1 s doubling to 60 s; more than 10 restarts in 30 min gives up: a server that does not start at all is
         * tried for about 6 minutes (1 + 2 + 4 + … + 60 s), long enough to ride out a full disk being cleaned.
         */
        static final Settings DEFAULTS = new Settings(
                new Specs.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.0), Duration.ofMinutes(2),
                10, Duration.ofMinutes(30), 1000, JobTimeouts.SHORT);
    }

    public DatabaseKeeper(FleetDatabase db) {
        this(db, Settings.DEFAULTS, System::nanoTime);
    }

    DatabaseKeeper(FleetDatabase db, Settings settings, LongSupplier nanos) {
        this.db = db;
        // The one database server needs no jitter: nothing else restarts with it.
        this.watch = db.embedded() ? new EmbeddedWatch(db, new Backoff(settings.backoff(), settings.resetAfter(),
                () -> 0.5), settings.resetAfter(), new RestartIntensity(settings.maxRestarts(), settings.window()),
                nanos) : null;
        this.maintenance = new Maintenance(db.manager(), db.spec().retention());
        this.audit = new AuditWriter(db.manager(), settings.auditTimeout(), settings.auditQueue(), nanos);
        this.limits = new LimitOrders(db.manager(), nanos);
    }

    public void start() {
        if (watch != null) {
            watch.start();
        }
        maintenance.start();
    }

    /**
     * The database as {@code ctl status} shows it: the embedded server's state (UP, DOWN, FAILED) or EXTERNAL; the
     * problem is the watch's while the server is not UP, else the health check's. Never blocks.
     */
    public DatabaseStatus status() {
        String health = maintenance.health();
        if (watch == null) {
            return new DatabaseStatus("external", db.url(), "EXTERNAL", 0, 0, health);
        }
        EmbeddedWatch.Snapshot s = watch.snapshot();
        return new DatabaseStatus("embedded", db.url(), s.state().name(), s.pid(), s.restarts(),
                s.state() == EmbeddedWatch.State.UP ? health : s.problem());
    }

    /**
     * Records a control action in the audit log, later, on the audit thread; never blocks. A failure is logged; a row
     * that finds the queue full is dropped and counted ({@link #auditsDropped()}).
     */
    public void audit(String action, String botName, String detailJson, String correlationId) {
        audit.write(action, botName, detailJson, correlationId);
    }

    /** As {@link #audit(String, String, String, String)}, with what the action found ({@code beforeJson}) too. */
    public void audit(String action, String botName, String beforeJson, String afterJson, String correlationId) {
        audit.write(action, botName, beforeJson, afterJson, correlationId);
    }

    /** Audit rows dropped so far because their queue was full. */
    public long auditsDropped() {
        return audit.dropped();
    }

    /**
     * Sets a bot role's CONNECTION LIMIT on the limits thread and tells {@code done}, exactly once, whether it did
     * (for {@link ConnectionBroker}); never blocks. Refused at once (false, on the caller's thread) when the queue is
     * full; the broker asks again when the bot next needs it.
     */
    public void setConnectionLimit(String role, int limit, Consumer<Boolean> done) {
        limits.set(role, limit, done);
    }

    /**
     * Stops every job: queued audit rows are written first, and the jobs under way may finish, within
     * {@link #CLOSE_WAIT} in all; limit orders still queued then are answered false. A restart of the embedded server
     * under way is left to finish on its thread ({@link FleetDatabase#close()} waits for it).
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        if (watch != null) {
            watch.close();
        }
        maintenance.close();
        audit.close(deadline);
        limits.close(deadline);
    }
}
