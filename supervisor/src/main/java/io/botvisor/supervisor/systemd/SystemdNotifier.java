package io.botvisor.supervisor.systemd;

import io.botvisor.supervisor.Threads;
import io.botvisor.supervisor.core.ChildState;
import io.botvisor.supervisor.core.Supervisor;
import io.botvisor.supervisor.db.DatabaseStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the supervisor tells systemd ({@code Type=notify}, docs/systemd.md): {@code READY=1} once every bot's first start
 * is behind it and the database is up; a one-line {@code STATUS=} ({@code 12 running, 1 backoff, 0 failed; db up})
 * kept current, at most one send per {@link #DEBOUNCE}; {@code WATCHDOG=1} every half {@code WATCHDOG_USEC}, but only
 * while the decision loop ticks (within {@link #STALL_AFTER}) — a stuck loop stops the pings and systemd restarts the
 * service;
 * {@code RELOADING=1} and {@code READY=1} around a reload; {@code STOPPING=1} at shutdown.
 * <p>Threads: what reads the supervisor ({@link #refresh}, the tick counter) runs on the supervisor's loop, as its
 * state-change listener and poll hook; sends run on this class's own thread ({@code sd-notify}), except
 * {@link #stopping}, {@link #reloading} and {@link #reloaded}, which send on the caller's thread before returning. Any
 * thread may call the public methods.
 */
public final class SystemdNotifier {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);
    /** A 200-bot start changes states hundreds of times a second; systemd needs the line, not each step. */
    static final Duration DEBOUNCE = Duration.ofMillis(250);

    private final SdNotify notify;
    private final ScheduledThreadPoolExecutor sender;
    private final AtomicReference<String> pendingStatus = new AtomicReference<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicBoolean readyDue = new AtomicBoolean();
    private volatile boolean stopping;
    /**
     * How long the loop may go without a tick and still count as making progress: it ticks every second when idle
     * (core.Ticker), up to ~150 ms late under load (BENCHMARKS.md, issue 9); three missed ticks are a stuck loop.
     */
    static final Duration STALL_AFTER = Duration.ofSeconds(3);
    /** When the loop last ticked (System.nanoTime), 0 before its first: written by the loop only. */
    private volatile long lastTickNanos;
    /** The last line handed to systemd; written on the loop only. */
    private volatile String lastLine = "starting";
    // Loop thread only.
    private Supervisor supervisor;
    private Supplier<DatabaseStatus> database;
    private Path stallFile;
    private boolean readySent;
    // Sender thread only.
    private boolean stallSaid;

    private SystemdNotifier(SdNotify notify) {
        this.notify = notify;
        this.sender = notify.enabled() ? Threads.periodic("sd-notify") : null;
    }

    /**
     * Starts telling systemd, if it listens: the first message ({@code STATUS=starting}) goes at once on the
     * {@code sd-notify} thread, so that junixsocket's native library loads while the supervisor starts its database,
     * not on its way.
     */
    public static SystemdNotifier start(SdNotify notify) {
        SystemdNotifier n = new SystemdNotifier(notify);
        if (n.sender != null) {
            n.sender.execute(() -> {
                long t0 = System.nanoTime();
                if (notify.send("STATUS=starting")) {
                    log.info("sd_notify: systemd is told how the supervisor is (first send {} ms{})",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                            notify.watchdogInterval() == null ? "; no watchdog"
                                    : "; watchdog pings every " + notify.watchdogInterval().toMillis() + " ms while the "
                                    + "loop ticks");
                }
            });
        }
        return n;
    }

    /**
     * Follows {@code supervisor} from now on (call before its {@code start}): its state changes and loop ticks.
     * {@code database} says how the fleet's database is (null for a fleet without one). {@code stallFile} is a test
     * hook, null in production: once that file exists, the loop's next tick stalls it for good (docs/systemd.md).
     */
    public void watch(Supervisor supervisor, Supplier<DatabaseStatus> database, Path stallFile) {
        if (sender == null && stallFile == null) {
            return;
        }
        this.supervisor = supervisor;
        this.database = database;
        this.stallFile = stallFile;
        supervisor.addPollHook(this::onTick);
        supervisor.onStateChange(this::refresh);
        Duration every = notify.watchdogInterval();
        if (sender != null && every != null) {
            sender.scheduleAtFixedRate(this::ping, every.toNanos(), every.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** {@code STOPPING=1}, sent before returning; nothing but pings follows. Any thread, more than once is fine. */
    public void stopping(String reason) {
        stopping = true;
        notify.send("STOPPING=1\nSTATUS=stopping (" + reason + ")");
    }

    /** {@code RELOADING=1} with the {@code MONOTONIC_USEC} systemd 253+ requires; call at the start of a reload. */
    public void reloading() {
        // System.nanoTime() is CLOCK_MONOTONIC on Linux, which MONOTONIC_USEC is measured on.
        notify.send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=reloading");
    }

    /** {@code READY=1} again after a reload (applied or refused: the service runs either way), with the status. */
    public void reloaded() {
        if (!stopping) {
            notify.send("READY=1\nSTATUS=" + lastLine);
        }
    }

    // ---- on the loop -------------------------------------------------------------------------------------------------

    private void onTick() {
        lastTickNanos = System.nanoTime();
        if (stallFile != null && Files.exists(stallFile)) {
            stallForTests();
        }
        refresh();
    }

    /** The state counts and the database as one line; READY once every bot's first start is over. Loop only. */
    private void refresh() {
        if (sender == null || stopping) {
            return;
        }
        Map<ChildState, Integer> counts = new EnumMap<>(ChildState.class);
        boolean allStarted = true;
        for (String id : supervisor.botIds()) {
            counts.merge(supervisor.state(id), 1, Integer::sum);
            allStarted = allStarted && (readySent || supervisor.pastFirstStart(id));
        }
        DatabaseStatus db = database == null ? null : database.get();
        String line = statusLine(counts, db);
        boolean ready = !readySent && allStarted && databaseUp(db);
        if (line.equals(lastLine) && !ready) {
            return;
        }
        lastLine = line;
        pendingStatus.set(line);
        if (ready) {
            readySent = true;
            readyDue.set(true);
            sender.execute(this::flush);
        } else if (flushScheduled.compareAndSet(false, true)) {
            sender.schedule(this::flush, DEBOUNCE.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** {@code 12 running, 1 backoff, 0 failed; db up}, with the other states appended when some bot is in them. */
    static String statusLine(Map<ChildState, Integer> counts, DatabaseStatus db) {
        StringBuilder sb = new StringBuilder();
        sb.append(counts.getOrDefault(ChildState.RUNNING, 0)).append(" running, ")
                .append(counts.getOrDefault(ChildState.BACKOFF, 0)).append(" backoff, ")
                .append(counts.getOrDefault(ChildState.FAILED, 0)).append(" failed");
        for (ChildState s : new ChildState[] {ChildState.STARTING, ChildState.STOPPING, ChildState.STOPPED}) {
            int n = counts.getOrDefault(s, 0);
            if (n > 0) {
                sb.append(", ").append(n).append(' ').append(s.name().toLowerCase(Locale.ROOT));
            }
        }
        sb.append("; ").append(db == null ? "no db" : "db " + db.state().toLowerCase(Locale.ROOT));
        return sb.toString();
    }

    /** Up, external (checked at start; not ours to watch) or none at all. */
    static boolean databaseUp(DatabaseStatus db) {
        return db == null || db.state().equals("UP") || db.state().equals("EXTERNAL");
    }

    /** The test hook: blocks the loop thread for good, as a decision stuck in a read would. */
    private void stallForTests() {
        log.warn("test hook: {} exists; stalling the supervisor's loop for good", stallFile);
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- on the sender thread ----------------------------------------------------------------------------------------

    private void flush() {
        flushScheduled.set(false);
        String line = pendingStatus.getAndSet(null);
        boolean ready = readyDue.getAndSet(false);
        if (stopping) {
            return;
        }
        if (ready) {
            notify.send("READY=1" + (line == null ? "" : "\nSTATUS=" + line));
            log.info("sd_notify: READY ({})", line == null ? lastLine : line);
        } else if (line != null) {
            notify.send("STATUS=" + line);
        }
    }

    /** A ping only for progress: the loop ticked within {@link #STALL_AFTER}. */
    private void ping() {
        long last = lastTickNanos;
        if (stopping || last == 0) {
            return; // after STOPPING=1 systemd no longer watches; before the first tick there is no loop to vouch for
        }
        long since = System.nanoTime() - last;
        if (since <= STALL_AFTER.toNanos()) {
            if (stallSaid) {
                stallSaid = false;
                log.info("watchdog: the supervisor's loop ticks again; pinging systemd again");
            }
            notify.send("WATCHDOG=1");
        } else if (!stallSaid) {
            stallSaid = true;
            log.error("watchdog: the supervisor's loop has not ticked for {} ms (it ticks every second when idle); "
                    + "not pinging systemd, which kills and restarts the service once WatchdogSec passes without a "
                    + "ping", TimeUnit.NANOSECONDS.toMillis(since));
        }
    }
}
