package io.botvisor.supervisor.core;

/**
 * The loop's lag — from a task's arrival (or its timer's deadline) to its start — as counts in power-of-two
 * microsecond buckets, and the maximum. Written by the loop thread; {@link #snapshot} may be called from any thread
 * (it reads a consistent copy under the lock, which the loop holds for nanoseconds).
 */
public final class LagRecorder {
    private static final int BUCKETS = 32;
    private final long[] counts = new long[BUCKETS];
    private long maxNanos;
    private long total;

    /** Percentiles are bucket upper bounds: at most 2× the true value, never below it. */
    public record Snapshot(long events, long p50Micros, long p99Micros, long maxMicros) {
    }

    synchronized void record(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        int bucket = micros == 0 ? 0 : Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(micros));
        counts[bucket]++;
        total++;
        maxNanos = Math.max(maxNanos, nanos);
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(total, percentile(0.50), percentile(0.99), maxNanos / 1000);
    }

    private long percentile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(i == 0 ? 1 : 1L << i, maxNanos / 1000);
            }
        }
        return maxNanos / 1000;
    }
}
