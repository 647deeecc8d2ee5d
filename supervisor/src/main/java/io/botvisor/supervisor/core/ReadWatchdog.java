package io.botvisor.supervisor.core;

import io.botvisor.ipc.Units;
import io.botvisor.supervisor.Threads;
import io.botvisor.supervisor.process.FifoRelease;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the loop while it reads a bot's events queue, and frees it when the read blocks: a FIFO the bot planted
 * under a name Chronicle opens makes Chronicle's open(2) wait for a writer forever, and nothing on the loop can end
 * that wait. Once a read has lasted {@link #BOUND}, every FIFO in that bot's events directory (and every symlink
 * there to one) is opened for writing ({@link FifoRelease}), which ends the wait; the loop then hears, when the
 * read returns, what was opened, and treats the queue as tampered with.
 * <p>Threads: {@link #enter} and {@link #leave} are the loop's (two volatile writes a read); the checks run on the
 * watchdog's own thread ("events-watchdog"), every {@link #CHECK}: one wake-up for the whole fleet, not one per bot,
 * and a check of an idle loop reads one volatile field. {@link Watch} is shared between the two as noted there.
 */
final class ReadWatchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadWatchdog.class);
    /**
     * A read takes microseconds (tens when it decodes a batch); after this long the FIFOs are opened. That is harmless
     * for a read only slow for other reasons (a GC pause): with no FIFO in the directory nothing is opened, and the
     * verdict on the read is {@link EventsGuard}'s.
     */
    static final Duration BOUND = Duration.ofMillis(500);
    /**
     * Two wake-ups a second for the whole fleet (at four a second the thread used 30 ms of CPU in a minute, at 10 ms
     * clock-tick resolution: ~0.05 % of a core, against ~0.8 % for a whole idle supervisor of 200 bots).
     */
    static final Duration CHECK = Duration.ofMillis(500);
    /** A read stuck this long with no FIFO to open is logged, then every {@link #REPORT_EVERY} while it stays. */
    static final Duration REPORT_STUCK = Duration.ofSeconds(5);
    static final Duration REPORT_EVERY = Duration.ofSeconds(30);

    /** One bot's events directory. The loop writes {@code since} before it publishes the watch as the one read. */
    static final class Watch {
        final String bot;
        final Path dir;
        private volatile long sinceNanos;
        /** What the watchdog opened during the current read (set before it opens), or null; the loop reads it. */
        private volatile String released;
        /** Watchdog thread only: whether, for which read (its start) and when a stuck read was last logged. */
        private boolean reported;
        private long reportedSince;
        private long reportedNanos;

        Watch(String bot, Path dir) {
            this.bot = bot;
            this.dir = dir;
        }
    }

    private final ScheduledExecutorService thread;
    private volatile Watch inside;

    ReadWatchdog() {
        this.thread = Threads.periodic("events-watchdog");
    }

    void start() {
        thread.scheduleWithFixedDelay(this::check, CHECK.toMillis(), CHECK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The loop is about to read {@code w}'s queue. Loop only. */
    void enter(Watch w) {
        w.released = null;
        w.sinceNanos = System.nanoTime();
        inside = w;
    }

    /** The read of {@code w}'s queue returned; returns what the watchdog opened to end it, or null. Loop only. */
    String leave(Watch w) {
        inside = null;
        return w.released;
    }

    private void check() {
        try {
            checkOnce();
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again: log, and keep watching.
            log.error("events watchdog: check failed: {}", e.toString(), e);
        }
    }

    private void checkOnce() {
        Watch w = inside;
        if (w == null) {
            return;
        }
        long now = System.nanoTime();
        long since = w.sinceNanos;
        Duration stuck = Duration.ofNanos(now - since);
        if (stuck.compareTo(BOUND) < 0 || inside != w) {
            return;
        }
        // Said once a read, then every REPORT_EVERY while it stays stuck; the opens are retried on every check
        // (Chronicle opens the file again after each failed attempt to map it).
        boolean report = !w.reported || w.reportedSince != since || now - w.reportedNanos >= REPORT_EVERY.toNanos();
        List<Path> fifos;
        try {
            fifos = FifoRelease.candidates(w.dir);
        } catch (IOException | RuntimeException e) {
            if (report && stuck.compareTo(REPORT_STUCK) >= 0) {
                reported(w, since, now);
                log.error("bot '{}': reading its events queue has held the supervisor's loop for {}, and its events "
                        + "directory {} cannot be listed: {}", w.bot, Units.seconds(stuck), w.dir, e.toString());
            }
            return;
        }
        if (fifos.isEmpty()) {
            if (report && stuck.compareTo(REPORT_STUCK) >= 0) {
                reported(w, since, now);
                log.error("bot '{}': reading its events queue has held the supervisor's loop for {}, and its events "
                        + "directory {} holds no FIFO whose opening would end the read", w.bot, Units.seconds(stuck),
                        w.dir);
            }
            return;
        }
        List<String> names = new ArrayList<>();
        fifos.forEach(f -> names.add(String.valueOf(f.getFileName())));
        // Published before the opens: the read they end must find it when it returns.
        w.released = String.join(", ", names);
        if (report) {
            reported(w, since, now);
        }
        for (Path f : fifos) {
            try {
                String how = FifoRelease.release(f);
                if (report) {
                    log.warn("bot '{}': reading its events queue has held the supervisor's loop for {}; {}", w.bot,
                            Units.seconds(stuck), how);
                }
            } catch (IOException | RuntimeException e) {
                if (report) {
                    log.error("bot '{}': reading its events queue has held the supervisor's loop for {}; cannot open "
                            + "{} to end it: {}", w.bot, Units.seconds(stuck), f, e.toString());
                }
            }
        }
    }

    private static void reported(Watch w, long since, long now) {
        w.reported = true;
        w.reportedSince = since;
        w.reportedNanos = now;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
