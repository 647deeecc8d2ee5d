package io.botvisor.supervisor.core;

/**
 * One process of a bot, from the launch the slot asked for to its exit. {@code pid} is 0 while the launch is in
 * flight. {@code stop} is set once the supervisor ends it; {@code startFailure} and {@code heartbeatFailure} are what
 * the child itself reported (one line each, untrusted, already escaped); {@code handsOver}: its READY said its bot can
 * hand over to a successor. {@code demandTicks}: its demand for CPU by the last /proc sample while it started (see
 * {@link Event.ProcSample}; -1: none yet); {@code checkedDemandTicks}: what it was when the slow-start look last looked
 * (see Table's SLOW_START). Immutable.
 */
record Incarnation(long gen, long pid, long launchedNanos, Health health, StopOrder stop, String startFailure,
                   String heartbeatFailure, boolean handsOver, long demandTicks, long checkedDemandTicks) {

    static Incarnation launching(long gen, long nowNanos) {
        return new Incarnation(gen, 0, nowNanos, Health.fresh(nowNanos), null, null, null, false, -1, 0);
    }

    /** The demand for CPU a /proc sample showed (-1: unknown; an unknown value keeps the last one known). */
    Incarnation withDemandTicks(long ticks) {
        return ticks < 0 ? this : new Incarnation(gen, pid, launchedNanos, health, stop, startFailure, heartbeatFailure,
                handsOver, ticks, checkedDemandTicks);
    }

    /** The slow-start look looked now: the next one measures the demand from here. */
    Incarnation checkedDemand() {
        return new Incarnation(gen, pid, launchedNanos, health, stop, startFailure, heartbeatFailure, handsOver,
                demandTicks, Math.max(demandTicks, 0));
    }

    /** Its READY said whether its bot can hand over to a successor (see Handovers). */
    Incarnation withHandsOver(boolean can) {
        return new Incarnation(gen, pid, launchedNanos, health, stop, startFailure, heartbeatFailure, can, demandTicks,
                checkedDemandTicks);
    }

    Incarnation withPid(long newPid) {
        return new Incarnation(gen, newPid, launchedNanos, health, stop, startFailure, heartbeatFailure, handsOver,
                demandTicks, checkedDemandTicks);
    }

    Incarnation withHealth(Health h) {
        return new Incarnation(gen, pid, launchedNanos, h, stop, startFailure, heartbeatFailure, handsOver,
                demandTicks, checkedDemandTicks);
    }

    Incarnation withStop(StopOrder s) {
        return new Incarnation(gen, pid, launchedNanos, health, s, startFailure, heartbeatFailure, handsOver,
                demandTicks, checkedDemandTicks);
    }

    Incarnation withStartFailure(String cause) {
        return new Incarnation(gen, pid, launchedNanos, health, stop, cause, heartbeatFailure, handsOver,
                demandTicks, checkedDemandTicks);
    }

    Incarnation withHeartbeatFailure(String cause) {
        return new Incarnation(gen, pid, launchedNanos, health, stop, startFailure, cause, handsOver, demandTicks,
                checkedDemandTicks);
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
