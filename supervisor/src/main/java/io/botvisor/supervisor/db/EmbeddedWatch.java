package io.botvisor.supervisor.db;

import io.botvisor.supervisor.Threads;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.policy.Backoff;
import io.botvisor.supervisor.policy.RestartIntensity;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded server, supervised like a bot, on its own thread ({@value #THREAD}): every {@link #EVERY} it looks
 * whether the postmaster still runs; when it is gone, a restart is due after the next {@link Backoff} delay, on the
 * same data and port (bots' pools reconnect by themselves). Backoff starts over once the server has been up for
 * {@code resetAfter}. Every restart is counted in a {@link RestartIntensity}: one more than it allows within its window
 * and the watch gives up, FAILED, with a message that says what to do. A restart blocks this thread only (zonky waits
 * for the server up to 60 s), never the audit, limit or maintenance jobs.
 *
 * <p>Thread-safety: {@link #tick} and all state but {@link #snapshot} are confined to the watch thread;
 * {@link #snapshot} is a volatile immutable record, for any thread.
 */
final class EmbeddedWatch {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedWatch.class);
    static final String THREAD = "database-watch";
    static final Duration EVERY = Duration.ofSeconds(1);

    enum State { UP, DOWN, FAILED }

    /** What status shows. Immutable. */
    record Snapshot(State state, long pid, int restarts, String problem) {
    }

    private final FleetDatabase db;
    private final Backoff backoff;
    private final Duration resetAfter;
    private final RestartIntensity intensity;
    private final LongSupplier nanos;
    private final ScheduledThreadPoolExecutor thread = Threads.periodic(THREAD);
    private volatile Snapshot snapshot;
    private State state = State.UP;
    private long upSinceNanos;
    private long nextAttemptNanos;
    private int restarts;

    EmbeddedWatch(FleetDatabase db, Backoff backoff, Duration resetAfter, RestartIntensity intensity,
                  LongSupplier nanos) {
        this.db = db;
        this.backoff = backoff;
        this.resetAfter = resetAfter;
        this.intensity = intensity;
        this.nanos = nanos;
        this.upSinceNanos = nanos.getAsLong();
        this.snapshot = new Snapshot(State.UP, db.embeddedPid(), 0, null);
    }

    void start() {
        thread.scheduleWithFixedDelay(this::tick, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Stops watching, without waiting: a restart under way is not interrupted (that could leave a half-started
     * server); it finishes on this thread, and {@link FleetDatabase#close()} waits for it.
     */
    void close() {
        thread.shutdown();
    }

    private void tick() {
        try {
            long now = nanos.getAsLong();
            switch (state) {
                case UP -> {
                    if (db.embeddedAlive()) {
                        backoff.resetIfStable(Duration.ofNanos(now - upSinceNanos));
                    } else {
                        restartLater(now, "embedded PostgreSQL (pid " + snapshot.pid() + ") exited");
                    }
                }
                case DOWN -> {
                    if (now - nextAttemptNanos >= 0) {
                        restart();
                    }
                }
                case FAILED -> {
                    // given up: only an operator brings it back (see the problem)
                }
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: that must not end the watch silently.
            log.error("database: the embedded server's watch failed: {}; watching on", e.toString(), e);
        }
    }

    private void restart() {
        if (jvmShuttingDown()) {
            // zonky's own shutdown hook stops the server at the JVM's shutdown, while the supervisor still stops its
            // bots: restarting it then raced the close, and a postmaster started late outlived the supervisor (seen in
            // the chaos suite). The supervisor is going: its database stays down.
            log.info("database: the supervisor is shutting down; the embedded PostgreSQL is not restarted");
            return;
        }
        restarts++;
        try {
            db.restartEmbedded();
        } catch (RuntimeException e) {
            restartLater(nanos.getAsLong(), "embedded PostgreSQL did not restart: " + Jobs.why(e));
            return;
        }
        state = State.UP;
        upSinceNanos = nanos.getAsLong();
        snapshot = new Snapshot(State.UP, db.embeddedPid(), restarts, null);
        log.info("database: embedded PostgreSQL is up again (pid {})", snapshot.pid());
    }

    /** Counts the restart that {@code what} calls for; schedules it, or gives up when that is one too many. */
    private void restartLater(long now, String what) {
        String window = Units.format(intensity.window());
        if (intensity.addRestart(now)) {
            state = State.FAILED;
            String problem = what + "; giving up: more than " + intensity.maxRestarts() + " restarts in " + window
                    + ". Bots keep running without their database. Find the cause in "
                    + db.files().serverLog() + " and " + db.files().serverLogDir() + ", fix it, then restart the "
                    + "supervisor";
            snapshot = new Snapshot(State.FAILED, 0, restarts, problem);
            log.error("database: {}", problem);
            return;
        }
        Duration delay = backoff.next();
        nextAttemptNanos = now + delay.toNanos();
        state = State.DOWN;
        String next = "restart " + intensity.inWindow(now) + " of " + intensity.maxRestarts() + " in " + window;
        snapshot = new Snapshot(State.DOWN, 0, restarts, what + "; " + next);
        log.error("database: {}; restarting it in {} ({})", what, Units.seconds(delay), next);
    }

    /** Whether the JVM runs its shutdown hooks (a hook can no longer be added then). */
    static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> { }, "botvisor-shutdown-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
