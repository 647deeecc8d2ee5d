package io.botvisor.supervisor.core;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageReader;
import io.botvisor.ipc.Printable;
import io.botvisor.ipc.Units;
import io.botvisor.supervisor.isolation.DirectoryWipe;
import io.botvisor.supervisor.process.AsyncLauncher;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the bot-runner bots' events queues for the loop, and judges every read. A bot owns its events directory (its
 * writer must create the cycle files there), so it can plant anything in it, and the loop that reads it decides for
 * the whole fleet: a read that fails, or that takes longer than any healthy read, is that bot's protocol violation.
 * Measured: a file planted under the next cycle's name holds every read for 2 × Chronicle's timeout (23 s by default,
 * 0.47 s read-only); a FIFO there holds it forever (the {@link ReadWatchdog} ends that, in about 1 s); a truncated
 * mapped file faults. A healthy read takes microseconds. The verdict:
 * <ul>
 * <li>at once for a fault (an {@link Error}: a mapped file truncated or replaced) and for a read the watchdog had to
 * end by opening a FIFO;
 * <li>when reads have failed (an exception) or taken over {@link #SLOW}, every one of them, for {@link #HELD} (at least
 * {@link #STRIKES} reads): one slow read may be a GC pause, and a healthy writer descheduled between creating a cycle
 * file and writing its header holds reads the same way as a planted file — for as long as it waits for a core. On a
 * starved host (50 bots starting on 2 cores) a bot's first write after a launch, which creates its cycle file, held
 * two reads in a row for ~200 ms each (the header wait's timeout) again and again: judged on two reads, healthy bots
 * were killed as tampering at every start, and their next start created the file anew (a restart loop). A planted file
 * holds every read for ever. Between suspect reads the queue is not read at all, for {@link #FIRST_PAUSE} doubling up
 * to {@link #MAX_PAUSE}: a planted file costs the loop about five held reads before the verdict, not one per tick.
 * </ul>
 * A violation is returned to the shell (which kills the bot through the table) and quarantines the queue: it is not
 * read again until the bot's next launch, before which — on the launcher's thread, in order with launches — the
 * directory is emptied without following symlinks ({@link DirectoryWipe}) and the queue opened afresh, from its end.
 * <p>Threads: the loop's, except the wipe and the reopening (the launcher's; the new reader reaches the loop through
 * its inbox, before the launch it precedes can report) and the watchdog's checks.
 */
final class EventsGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventsGuard.class);
    /**
     * Slower than this, a read is suspect. Measured (read-only queue, 20,000 reads each): an empty read 0.35 µs
     * (p99 3.6 µs), a read of one heartbeat 10–13 µs (p99 0.14 ms, p99.9 2.5–4.7 ms, the slowest 13–72 ms in a JVM
     * still compiling); a GC pause or a wait for a core can add tens of ms.
     */
    static final Duration SLOW = Duration.ofMillis(100);
    static final int STRIKES = 2;
    /** How long every read must have been suspect before the verdict. */
    static final Duration HELD = Duration.ofSeconds(5);
    /** After a suspect read, the queue is left alone this long, then twice as long after each further one. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    static final Duration MAX_PAUSE = Duration.ofSeconds(4);
    /** Messages one read delivers at most (the rest wait for the next). */
    static final int BATCH = 64;

    /** One bot's queue, as the guard sees it (loop only, but for the watch). */
    private static final class Guarded {
        final ReadWatchdog.Watch watch;
        int strikes;
        /** The first suspect read of this run of them, and when the queue is read next (the loop's clock). */
        long suspectSince;
        long pauseUntil;
        boolean quarantined;
        boolean reopening;

        Guarded(ReadWatchdog.Watch watch) {
            this.watch = watch;
        }
    }

    private final IpcLayout layout;
    private final Consumer<Runnable> toLoop;
    private final Predicate<Runnable> beforeLaunches;
    private final java.util.function.LongSupplier nanos;
    private final ReadWatchdog watchdog = new ReadWatchdog();
    private final Map<String, Guarded> bots = new HashMap<>();
    private List<Message> spare = new ArrayList<>();

    /**
     * {@code toLoop}: runs a task on the loop ({@link Loop#post}); {@code beforeLaunches}: runs a task on the launcher's
     * thread before every launch asked for after it, false if it cannot ({@link AsyncLauncher#inOrder}); {@code nanos}:
     * the loop's clock (the pauses and {@link #HELD}; a read's own duration is always the real one).
     */
    EventsGuard(IpcLayout layout, Consumer<Runnable> toLoop, Predicate<Runnable> beforeLaunches,
                java.util.function.LongSupplier nanos) {
        this.layout = layout;
        this.toLoop = toLoop;
        this.beforeLaunches = beforeLaunches;
        this.nanos = nanos;
    }

    /**
     * Removes what is not a regular file from a bot's events directory before the supervisor first opens it (its
     * caller's thread, before the loop and the watchdog run): a FIFO a bot left there, or a symlink to one, would hold
     * that first open forever. Regular files stay (a bad one costs that open at most {@code 2 × timeoutMS}, then
     * the loop's reads judge it), and so does the queue's metadata: Chronicle logs a warning with a stack trace for
     * every read-only queue opened without one.
     */
    static void clearAtStart(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        DirectoryWipe.Result r = DirectoryWipe.removeAllButFiles(dir);
        if (r.removed() > 0 || !r.left().isEmpty()) {
            log.warn("{}: removed {} entries that were not regular files before opening it{}", dir, r.removed(),
                    r.left().isEmpty() ? "" : "; could not remove " + left(r));
        }
    }

    void start() {
        watchdog.start();
    }

    /**
     * Reads what {@code bot} wrote into {@code sink}, unless its queue is quarantined or paused after a suspect read;
     * returns the violation this read proved (the queue is then quarantined), or null. Loop only.
     */
    String read(String bot, Link link, Consumer<Message> sink) {
        Guarded g = bots.get(bot);
        if (g == null) {
            g = new Guarded(new ReadWatchdog.Watch(bot, layout.events(bot)));
            bots.put(bot, g);
        }
        long now = nanos.getAsLong();
        if (g.quarantined || pausedAt(g, now)) {
            return null;
        }
        MessageReader reader = link.events;
        long failuresBefore = reader.failures();
        List<Message> got = spare != null ? spare : new ArrayList<>();
        spare = null;
        String released;
        Throwable fault = null;
        long start = System.nanoTime();
        watchdog.enter(g.watch);
        try {
            // Collected, then delivered: the time judged is the queue's alone, not the decisions it leads to.
            reader.poll(BATCH, got::add);
        } catch (InternalError e) {
            // A fault in a mapped file (SIGBUS in compiled code) is raised at the thread's next safepoint poll, not where
            // it happened: measured, it can surface as poll returns, past poll's own catch. (One that surfaces later
            // still, outside this try, stops the loop as a bug would.)
            fault = e;
        } finally {
            released = watchdog.leave(g.watch);
        }
        long took = System.nanoTime() - start;
        Throwable failure = fault != null ? fault
                : reader.failures() > failuresBefore ? reader.lastFailure() : null;
        try {
            got.forEach(sink);
        } finally {
            got.clear();
            spare = got;
        }
        String violation = judge(bot, g, Duration.ofNanos(took), failure, released, now);
        if (violation != null) {
            g.quarantined = true;
            g.strikes = 0;
            log.warn("bot '{}': its events queue is not read again until it has been emptied, before the bot's next "
                    + "launch", bot);
        }
        return violation;
    }

    private static String judge(String bot, Guarded g, Duration took, Throwable failure, String released, long now) {
        if (released != null) {
            return "a FIFO in it (" + Printable.oneLine(released, 200) + ") held the supervisor's read for "
                    + Units.seconds(took) + ", until the supervisor opened it";
        }
        if (failure instanceof Error) {
            return "reading it faulted (" + Printable.oneLine(failure.toString(), 300)
                    + "): a file of it was truncated or replaced while mapped";
        }
        String suspect = failure != null ? "reading it failed (" + Printable.oneLine(failure.toString(), 300) + ")"
                : took.compareTo(SLOW) > 0 ? "a read of it took " + took.toMillis() + " ms (healthy reads take "
                        + "microseconds; at most " + SLOW.toMillis() + " ms)"
                : null;
        if (suspect == null) {
            g.strikes = 0;
            return null;
        }
        if (g.strikes++ == 0) {
            g.suspectSince = now;
        }
        long held = now - g.suspectSince;
        if (g.strikes >= STRIKES && held >= HELD.toNanos()) {
            return suspect + ", " + g.strikes + " reads in a row over " + Units.seconds(Duration.ofNanos(held));
        }
        long pause = Math.min(MAX_PAUSE.toNanos(), FIRST_PAUSE.toNanos() << Math.min(g.strikes - 1, 16));
        g.pauseUntil = now + pause;
        log.warn("bot '{}': {}; its events queue is read again in {} ms; if its reads are still as slow or failing {} "
                + "s after the first, it is treated as tampered with", bot, suspect, pause / 1_000_000,
                HELD.toSeconds());
        return null;
    }

    /** Whether {@code bot}'s queue is left unread for now after a suspect read. Loop only. */
    boolean paused(String bot) {
        Guarded g = bots.get(bot);
        return g != null && pausedAt(g, nanos.getAsLong());
    }

    private static boolean pausedAt(Guarded g, long now) {
        return g.strikes > 0 && now - g.pauseUntil < 0;
    }

    /** Whether {@code bot}'s queue is quarantined. Loop only. */
    boolean quarantined(String bot) {
        Guarded g = bots.get(bot);
        return g != null && g.quarantined;
    }

    /**
     * The quarantined {@code bot} is about to be launched (call before the launch is handed to the launcher): its
     * directory is emptied and its queue reopened first, on the launcher's thread, so that neither can meet the new
     * process. Loop only.
     */
    void beforeLaunch(String bot, Link link) {
        Guarded g = bots.get(bot);
        if (g == null || !g.quarantined || g.reopening) {
            return;
        }
        g.reopening = true;
        Path dir = g.watch.dir;
        boolean queued = beforeLaunches.test(() -> {
            DirectoryWipe.Result wiped;
            IpcQueue fresh;
            MessageReader reader;
            try {
                wiped = DirectoryWipe.empty(dir);
                fresh = IpcQueue.openReadOnly(dir);
                reader = fresh.readerFromEnd();
            } catch (RuntimeException e) {
                toLoop.accept(() -> {
                    g.reopening = false;
                    log.error("bot '{}': cannot empty and reopen its events queue {}: {}; it stays unread, and the "
                            + "bot's next launch tries again", bot, dir, e.toString());
                });
                return;
            }
            toLoop.accept(() -> reopened(bot, g, link, fresh, reader, wiped));
        });
        if (!queued) {
            g.reopening = false;
            log.error("bot '{}': cannot empty its events queue before its launch: the launcher is closed or full; it "
                    + "stays unread", bot);
        }
    }

    private void reopened(String bot, Guarded g, Link link, IpcQueue fresh, MessageReader reader,
                          DirectoryWipe.Result wiped) {
        IpcQueue old = link.replaceEvents(fresh, reader);
        try {
            old.close();
        } catch (RuntimeException e) {
            log.warn("bot '{}': closing its old events queue failed: {}", bot, e.toString());
        }
        g.quarantined = false;
        g.reopening = false;
        g.strikes = 0;
        if (wiped.left().isEmpty()) {
            log.info("bot '{}': emptied its events directory ({} entries removed) and opened its events queue afresh",
                    bot, wiped.removed());
        } else {
            log.warn("bot '{}': emptied its events directory ({} entries removed, left {}) and opened its events queue "
                    + "afresh", bot, wiped.removed(), left(wiped));
        }
    }

    private static String left(DirectoryWipe.Result r) {
        List<String> l = r.left();
        return Printable.oneLine(String.join("; ", l.subList(0, Math.min(5, l.size())))
                + (l.size() > 5 ? "; and " + (l.size() - 5) + " more" : ""), 1000);
    }

    @Override
    public void close() {
        watchdog.close();
    }
}
