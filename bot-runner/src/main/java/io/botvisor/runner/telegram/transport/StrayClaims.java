package io.botvisor.runner.telegram.transport;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender's calls in flight, and the calls a claim left {@code sending} though they were never made. A claim
 * (queued → sending) that fails for the sender may have committed all the same — its answer lost with the database, or
 * a stopped server resuming the statement after the caller gave up — and a sending call holds its chat's later calls
 * back for the rest of the process. So for {@link #WINDOW} after a failed claim (counted from when the outbox can be
 * asked again), at most every {@link #EVERY}, {@link OutboxPort#requeueStray} puts back every sending call not in
 * flight here. Thread-safe: workers call {@link #began}, {@link #ended} and {@link #claimFailed}; the sender's thread
 * calls {@link #check}.
 */
final class StrayClaims {
    private static final Logger log = LoggerFactory.getLogger(StrayClaims.class);
    static final Duration WINDOW = Duration.ofSeconds(60);
    static final Duration EVERY = Duration.ofSeconds(1);

    private final String bot;
    private final OutboxPort port;
    private final LongSupplier nanoTime;
    /** Ids of the calls handed to a worker whose outcome is not recorded or owed yet. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean due;
    private volatile long until;
    private long lastCheck;

    StrayClaims(String bot, OutboxPort port, LongSupplier nanoTime) {
        this.bot = bot;
        this.port = port;
        this.nanoTime = nanoTime;
    }

    /** Call {@code id} is handed to a worker. */
    void began(long id) {
        inFlight.add(id);
    }

    /** Call {@code id}'s worker is done: its outcome is recorded, or owed (it must be owed before this). */
    void ended(long id) {
        inFlight.remove(id);
    }

    /** A claim failed, or found its call taken (an earlier failed claim may have committed meanwhile). */
    void claimFailed() {
        until = nanoTime.getAsLong() + WINDOW.toNanos();
        due = true;
    }

    /**
     * On the sender's thread, each turn: within the window, puts back the stray calls; returns how many. The calls in
     * flight are read before {@code nothingOwed} is asked: a worker owes its outcome before it {@link #ended}, so a
     * call that was made is either among those read or its outcome is owed — and then nothing is looked for.
     */
    int check(long now, BooleanSupplier nothingOwed) {
        if (!due || now - lastCheck < EVERY.toNanos()) {
            return 0;
        }
        lastCheck = now;
        Set<Long> flying = Set.copyOf(inFlight);
        int n;
        try {
            n = nothingOwed.getAsBoolean() ? port.requeueStray(flying) : -1;
        } catch (RuntimeException e) {
            n = -1; // the outbox is down: the calls the journal holds still go meanwhile
        }
        if (n < 0) {
            until = now + WINDOW.toNanos(); // the window counts from when the outbox can be asked
            return 0;
        }
        if (now - until > 0) {
            due = false;
        }
        if (n > 0) {
            log.warn("bot '{}': {} call{} left sending by a claim whose answer was lost with the database, never "
                    + "made: queued again", bot, n, n == 1 ? "" : "s");
        }
        return n;
    }
}
