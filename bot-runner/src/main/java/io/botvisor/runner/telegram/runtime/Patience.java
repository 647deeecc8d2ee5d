package io.botvisor.runner.telegram.runtime;

import java.time.Duration;

/**
 * How long to wait for the database before the bot calls it down and runs from its journal: a few times longer than
 * it takes to answer now, as TCP's retransmission timeout is computed (RFC 6298: a smoothed answer time plus four of
 * its mean deviations), never below {@link #MIN} nor above {@link #MAX}; {@link #MAX} until it has answered once. A
 * stopped server is found down within about a second where the database answers in tens of milliseconds, and a busy
 * one that answers in hundreds is given up to {@link #MAX}: every message said meanwhile waits for the verdict, and a
 * verdict given too early sends the bot to its journal for nothing (its handlers that need the database wait): so a
 * call given up on still teaches it when its answer comes late, and the wait doubles after each call given up on
 * until one is answered (a surge of load after a quiet spell costs one early verdict, not one per call). Pure;
 * thread-safe.
 */
final class Patience {
    static final Duration MIN = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofSeconds(5);
    private static final long MIN_NANOS = MIN.toNanos();
    private static final long MAX_NANOS = MAX.toNanos();

    private boolean answered;
    private double smoothed;
    private double deviation;
    /** After a call went unanswered: the wait doubled (RFC 6298's back-off), until the next answer; else 0. */
    private long backedOff;

    /**
     * The database answered a call in {@code nanos} — also one answered after its caller gave up on it (a late answer
     * is what a busy database takes; one that stopped for a minute counts as {@link #MAX}).
     */
    synchronized void answered(long nanos) {
        double r = Math.max(0, Math.min(nanos, MAX_NANOS));
        backedOff = 0;
        if (!answered) {
            answered = true;
            smoothed = r;
            deviation = r / 2;
            return;
        }
        deviation = 0.75 * deviation + 0.25 * Math.abs(smoothed - r);
        smoothed = 0.875 * smoothed + 0.125 * r;
    }

    /** A call went unanswered for {@link #deadline}: the next calls are given twice that, until one is answered. */
    synchronized void unanswered() {
        backedOff = Math.min(MAX_NANOS, 2 * deadline().toNanos());
    }

    /** The wait before a call without an answer counts as the database being down. */
    synchronized Duration deadline() {
        if (!answered) {
            return MAX;
        }
        long d = (long) Math.min(MAX_NANOS, smoothed + 4 * deviation);
        return Duration.ofNanos(Math.max(Math.max(MIN_NANOS, backedOff), d));
    }
}
