package io.botvisor.supervisor.core;

import io.botvisor.ipc.Message;
import java.util.List;

/**
 * What one incarnation's heartbeats and /proc samples say about it. Reset at every launch. {@code score} is -1 before
 * the first scored sample; times are monotonic nanos, -1 for "not since". Immutable.
 *
 * @param stoppedSamples consecutive /proc samples that found the process stopped by a signal (state T)
 */
record Health(Message.Heartbeat lastHeartbeat, long lastHeartbeatNanos, int score, List<String> reasons,
              long unhealthySinceNanos, long healthySinceNanos, long rssBytes, int stoppedSamples,
              double errorsPerMinute, double gcFraction) {

    static final Health NONE = fresh(0);

    Health {
        reasons = List.copyOf(reasons);
    }

    /** A new incarnation's: no heartbeat yet, its deadline counted from {@code nowNanos}. */
    static Health fresh(long nowNanos) {
        return new Health(null, nowNanos, -1, List.of(), -1, -1, -1, 0, 0, 0);
    }

    Health withHeartbeat(Message.Heartbeat h, long nowNanos, double errorsPerMin, double gc) {
        return new Health(h, nowNanos, score, reasons, unhealthySinceNanos, healthySinceNanos, rssBytes,
                stoppedSamples, errorsPerMin, gc);
    }

    /** Heartbeat deadline starts over now (READY counts as the first sign of life). */
    Health alive(long nowNanos) {
        return new Health(lastHeartbeat, nowNanos, score, reasons, unhealthySinceNanos, healthySinceNanos, rssBytes,
                stoppedSamples, errorsPerMinute, gcFraction);
    }

    Health withSample(long rss, int stopped) {
        return new Health(lastHeartbeat, lastHeartbeatNanos, score, reasons, unhealthySinceNanos, healthySinceNanos,
                rss, stopped, errorsPerMinute, gcFraction);
    }

    Health withScore(int value, List<String> why, long unhealthySince, long healthySince) {
        return new Health(lastHeartbeat, lastHeartbeatNanos, value, why, unhealthySince, healthySince, rssBytes,
                stoppedSamples, errorsPerMinute, gcFraction);
    }
}
