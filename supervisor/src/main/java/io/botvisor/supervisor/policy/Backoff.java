package io.botvisor.supervisor.policy;

import io.botvisor.supervisor.config.Specs;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Restart delays for one bot: {@code initial × multiplier^n}, capped at {@code max}, then spread by ± {@code jitter}
 * so that bots that crashed together do not restart together. {@link #resetIfStable} starts over once the bot has run
 * healthy for {@code resetAfter}. Not thread-safe: each instance is owned by one thread (a bot's by the supervisor's
 * loop; the embedded database server's by the keeper's {@code database-watch} thread).
 */
public final class Backoff {
    private final Specs.Backoff spec;
    private final Duration resetAfter;
    private final DoubleSupplier random;
    private int failures;

    /** {@code random} returns values in [0, 1); tests pass a constant. */
    public Backoff(Specs.Backoff spec, Duration resetAfter, DoubleSupplier random) {
        this.spec = spec;
        this.resetAfter = resetAfter;
        this.random = random;
    }

    /** The delay before the next start, and one more failure counted. */
    public Duration next() {
        return delay(spec, failures++, random.getAsDouble());
    }

    /**
     * The delay after {@code failures} earlier failures, {@code roll} in [0, 1) placing it within the jitter: the one
     * formula, for callers that keep the failure count themselves (the supervisor's decision table). Pure.
     */
    public static Duration delay(Specs.Backoff spec, int failures, double roll) {
        double base = spec.initial().toNanos() * Math.pow(spec.multiplier(), failures);
        double capped = Math.min(base, spec.max().toNanos());
        double spread = capped * spec.jitter() * (2 * roll - 1);
        return Duration.ofNanos(Math.max(0, Math.round(capped + spread)));
    }

    /** Starts over when the bot has been running and healthy for at least {@code resetAfter}; true if it did. */
    public boolean resetIfStable(Duration healthyFor) {
        if (failures > 0 && healthyFor.compareTo(resetAfter) >= 0) {
            failures = 0;
            return true;
        }
        return false;
    }

    public void reset() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}
