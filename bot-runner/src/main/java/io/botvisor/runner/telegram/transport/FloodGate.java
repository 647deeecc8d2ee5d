package io.botvisor.runner.telegram.transport;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One bot's "Telegram said wait" (429 {@code retry_after}): once closed, neither the poller nor the sender calls
 * Telegram until it opens again. Shared by both; thread-safe. Time is an injected monotonic nanosecond clock.
 */
public final class FloodGate {
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long closedUntil;
    private boolean closed;

    public FloodGate(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Closes the gate for {@code wait} from now, or leaves it closed longer if an earlier 429 asked for more. */
    public void close(Duration wait) {
        lock.lock();
        try {
            long until = nanoTime.getAsLong() + wait.toNanos();
            if (!closed || until - closedUntil > 0) {
                closedUntil = until;
                closed = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Obeys a 429: closes the gate for {@code retryAfterSeconds} plus up to one second ({@code roll} in [0, 1)) so
     * that the poller and the sender do not both call at the very instant it opens. Returns the wait.
     */
    public Duration obey(int retryAfterSeconds, double roll) {
        Duration wait = Duration.ofSeconds(retryAfterSeconds).plusMillis(Math.round(roll * 1000));
        close(wait);
        return wait;
    }

    /** How long the gate stays closed from now; zero when open. */
    public Duration remaining() {
        lock.lock();
        try {
            return Duration.ofNanos(remainingNanos());
        } finally {
            lock.unlock();
        }
    }

    /** Blocks while the gate is closed (a later {@link #close} extends the wait). */
    public void awaitOpen() throws InterruptedException {
        lock.lock();
        try {
            for (long left = remainingNanos(); left > 0; left = remainingNanos()) {
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private long remainingNanos() {
        if (!closed) {
            return 0;
        }
        long left = closedUntil - nanoTime.getAsLong();
        if (left <= 0) {
            closed = false;
            return 0;
        }
        return left;
    }

    /** For tests on a fake clock: the wait {@link #awaitOpen} would do now, without doing it. */
    long waitNanos() {
        lock.lock();
        try {
            return remainingNanos();
        } finally {
            lock.unlock();
        }
    }
}
