package io.botvisor.supervisor.core;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The fixed parts of every decision: the delays that are not in the fleet file, and the source of backoff jitter
 * (values in [0, 1); tests pass a constant so that decisions repeat exactly). Immutable.
 */
record Rules(DoubleSupplier jitter) {
    /** A JVM's start-up CPU burst is well under this; past it a starter is waiting, not working. */
    static final Duration SLOW_START = Duration.ofSeconds(2);
    /** Between SIGTERM and SIGKILL of a child tree that outlived its stop timeout. */
    static final Duration KILL_GRACE = Duration.ofSeconds(2);
    /** How late a heartbeat deadline may be checked: it then shares the loop's wake-up with the IPC tick. */
    static final Duration HEARTBEAT_SLACK = Duration.ofMillis(250);
}
