package io.botvisor.supervisor.db;

import java.time.Duration;

/**
 * Counts work that a full queue turned away and decides when that deserves a warning: the first drop, then at most one
 * per {@code every}, each with what was dropped since the previous warning (a flood of warnings would drown the log
 * the operator needs to find the cause). Thread-safe (synchronized: drops are rare, and the work is a few adds): the
 * callers of a full queue may be any threads.
 */
final class Drops {
    /** A warning's figures: drops since the previous warning (this one included), and in all. */
    record Warning(long since, long total) {
    }

    private final long everyNanos;
    private long total;
    private long atLastWarning;
    private long lastWarningNanos;
    private boolean warnedYet;

    Drops(Duration every) {
        this.everyNanos = every.toNanos();
    }

    /** Counts one drop at {@code nowNanos}: a warning to log, or null to stay quiet (it is counted in the next). */
    synchronized Warning drop(long nowNanos) {
        total++;
        if (warnedYet && nowNanos - lastWarningNanos < everyNanos) {
            return null;
        }
        warnedYet = true;
        lastWarningNanos = nowNanos;
        Warning w = new Warning(total - atLastWarning, total);
        atLastWarning = total;
        return w;
    }

    synchronized long total() {
        return total;
    }
}
