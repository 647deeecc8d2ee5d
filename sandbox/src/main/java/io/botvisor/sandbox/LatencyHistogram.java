package io.botvisor.sandbox;

import java.util.Arrays;

/**
 * Update → reply latencies in a fixed set of buckets (exact below 128 ms, then 64 per power of two: within 1.6 %),
 * so that a run of any length costs ~20 KB: what the verdict's p50/p99 read. Not thread-safe (its owner's lock).
 */
final class LatencyHistogram {

    private static final int EXACT = 128;
    private static final int SUB = 64;
    private final long[] counts = new long[EXACT + 57 * SUB];
    private long total;
    private long max;

    void record(long millis) {
        long v = Math.max(0, millis);
        counts[index(v)]++;
        total++;
        max = Math.max(max, v);
    }

    private static int index(long v) {
        if (v < EXACT) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v); // >= 7
        int sub = (int) ((v >> (exponent - 6)) & (SUB - 1));
        return EXACT + (exponent - 7) * SUB + sub;
    }

    private static long lowest(int index) {
        if (index < EXACT) {
            return index;
        }
        int exponent = (index - EXACT) / SUB + 7;
        long sub = (index - EXACT) % SUB;
        return (1L << exponent) + (sub << (exponent - 6));
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** Nearest-rank percentile, as the bucket's lowest value (0 when empty); never above the maximum seen. */
    long percentile(int p) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(lowest(i), max);
            }
        }
        return max;
    }

    void clear() {
        Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }
}
