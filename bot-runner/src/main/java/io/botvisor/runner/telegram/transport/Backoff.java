package io.botvisor.runner.telegram.transport;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Retry delays: {@code initial × 2^n} capped at {@code max}, spread by ± {@code jitter} (a fraction) so that bots
 * that failed together do not retry together; {@link #reset()} after a success. The transport's twin of the
 * supervisor's {@code policy.Backoff} (bot-runner does not depend on the supervisor). Not thread-safe: each instance
 * is owned by one thread (the poller's or the sender's).
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final double jitter;
    private final DoubleSupplier random;
    private int failures;

    /** {@code random} returns values in [0, 1); tests pass a constant. */
    public Backoff(Duration initial, Duration max, double jitter, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max and 0 <= jitter < 1, got initial "
                    + initial + ", max " + max + ", jitter " + jitter);
        }
        this.initial = initial;
        this.max = max;
        this.jitter = jitter;
        this.random = random;
    }

    /** The delay before the next attempt, and one more failure counted. */
    public Duration next() {
        return delay(initial, max, jitter, failures++, random.getAsDouble());
    }

    /** The delay after {@code failures} earlier failures, {@code roll} in [0, 1) placing it within the jitter. Pure. */
    public static Duration delay(Duration initial, Duration max, double jitter, int failures, double roll) {
        double base = initial.toNanos() * Math.pow(2, Math.min(failures, 62));
        double capped = Math.min(base, max.toNanos());
        double spread = capped * jitter * (2 * roll - 1);
        return Duration.ofNanos(Math.max(0, Math.round(capped + spread)));
    }

    public void reset() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}
