package io.botvisor.supervisor.core;

import io.botvisor.supervisor.process.ProcStats;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The fixed parts of every decision: the delays that are not in the fleet file, and the source of backoff jitter
 * (values in [0, 1); tests pass a constant so that decisions repeat exactly). Immutable.
 */
record Rules(DoubleSupplier jitter) {
    /** How often a starter without READY is looked at: still working (keeps its start-gate place) or waiting. */
    static final Duration SLOW_START = Duration.ofSeconds(2);
    /**
     * A starter that used, or waited in a run queue for, at least this share of one core since the last look is
     * working. An idle JVM uses well under 1 % and waits for none; a starting one, even one of dozens sharing two
     * cores, wants far more.
     */
    static final double WORKING_CPU_SHARE = 0.05;
    /** {@link #WORKING_CPU_SHARE} of a core over one {@link #SLOW_START}, in /proc ticks. */
    static final long WORKING_TICKS = Math.round(SLOW_START.toMillis() * ProcStats.TICKS_PER_SECOND / 1000.0
            * WORKING_CPU_SHARE);
    /** Between SIGTERM and SIGKILL of a child tree that outlived its stop timeout. */
    static final Duration KILL_GRACE = Duration.ofSeconds(2);
    /** How late a heartbeat deadline may be checked: it then shares the loop's wake-up with the IPC tick. */
    static final Duration HEARTBEAT_SLACK = Duration.ofMillis(250);
}
