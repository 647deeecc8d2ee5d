package io.botvisor.supervisor.core;

/**
 * One process of a bot, from the launch the slot asked for to its exit. {@code pid} is 0 while the launch is in
 * flight. {@code stop} is set once the supervisor ends it; {@code startFailure} and {@code heartbeatFailure} are what
 * the child itself reported (one line each, untrusted, already escaped); {@code handsOver}: its READY said its bot can
 * hand over to a successor. Immutable.
 */
record Incarnation(long gen, long pid, long launchedNanos, Health health, StopOrder stop, String startFailure,
                   String heartbeatFailure, boolean handsOver) {

    static Incarnation launching(long gen, long nowNanos) {
        return new Incarnation(gen, 0, nowNanos, Health.fresh(nowNanos), null, null, null, false);
    }

    /** Its READY said whether its bot can hand over to a successor (see Handovers). */
    Incarnation withHandsOver(boolean can) {
        return new Incarnation(gen, pid, launchedNanos, health, stop, startFailure, heartbeatFailure, can);
    }

    Incarnation withPid(long newPid) {
        return new Incarnation(gen, newPid, launchedNanos, health, stop, startFailure, heartbeatFailure, handsOver);
    }

    Incarnation withHealth(Health h) {
        return new Incarnation(gen, pid, launchedNanos, h, stop, startFailure, heartbeatFailure, handsOver);
    }

    Incarnation withStop(StopOrder s) {
        return new Incarnation(gen, pid, launchedNanos, health, s, startFailure, heartbeatFailure, handsOver);
    }

    Incarnation withStartFailure(String cause) {
        return new Incarnation(gen, pid, launchedNanos, health, stop, cause, heartbeatFailure, handsOver);
    }

    Incarnation withHeartbeatFailure(String cause) {
        return new Incarnation(gen, pid, launchedNanos, health, stop, startFailure, cause, handsOver);
    }

    /**
     * Why and how the supervisor is ending an incarnation. {@code failure}: the end counts as a failure (hang,
     * startup timeout, memory, health: backoff and restart intensity apply), otherwise it is an operator's stop or
     * restart. {@code graceful}: STOP/SIGTERM first; otherwise SIGKILL at once. {@code cause}: what a failure is
     * counted as (null for an operator's stop). Immutable.
     */
    record StopOrder(String reason, boolean failure, boolean graceful, ExitCause cause) {
        /** An operator's stop or restart, or a kill whose cause is not counted. */
        StopOrder(String reason, boolean failure, boolean graceful) {
            this(reason, failure, graceful, null);
        }
    }
}
