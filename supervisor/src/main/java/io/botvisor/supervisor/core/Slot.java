package io.botvisor.supervisor.core;

import io.botvisor.supervisor.config.Specs;
import java.util.List;

/**
 * Everything the supervisor knows about one bot, as a value: what the operator wants ({@link #desired}), what is
 * ({@link #state} and the incarnation), and the restart history. {@link Table#decide} takes one and returns the next;
 * nothing else makes one. A slot has room for two incarnations, {@code current} and {@code successor}: the handover
 * restart of a later issue starts a successor while the current one still serves; today only {@code current} is used
 * and {@code successor} is always null. Immutable.
 *
 * @param desired        UP once started (start, restart), DOWN once stopped; a stop in flight and a start arriving
 *                       meanwhile are both just this, which is what the exit is then measured against
 * @param closing        the supervisor is shutting down: the bot goes down and no command brings it up again
 * @param sinceNanos     when {@code state} was entered (the supervisor's start for a bot that never ran)
 * @param queued         waiting in the fleet's start gate for a place
 * @param holdsGate      holds a start-gate place (a starter, until READY, its exit or SLOW_START)
 * @param restartTimes   restarts within the intensity window, oldest first (monotonic nanos)
 * @param backoffFailures failures since the backoff last started over (the exponent of the next delay)
 */
record Slot(Specs.Bot spec, Desired desired, boolean closing, ChildState state, long sinceNanos, boolean queued,
            boolean holdsGate, Incarnation current, Incarnation successor, List<Long> restartTimes,
            int backoffFailures, int restartsTotal, String failedReason, LastExit lastExit) {

    enum Desired { UP, DOWN }

    Slot {
        restartTimes = List.copyOf(restartTimes);
    }

    /** A bot as the supervisor starts: STOPPED, wanted UP, never run. */
    static Slot initial(Specs.Bot spec, long nowNanos) {
        return new Slot(spec, Desired.UP, false, ChildState.STOPPED, nowNanos, false, false, null, null, List.of(), 0,
                0, null, null);
    }

    String id() {
        return spec.id();
    }

    /** Whether {@code gen} names this slot's current incarnation. */
    boolean isCurrent(long gen) {
        return current != null && current.gen() == gen;
    }

    /** Restarts within the window ending at {@code nowNanos}. */
    int restartsInWindow(long nowNanos) {
        return inWindow(spec, restartTimes, nowNanos).size();
    }

    /** The restart times of {@code times} still inside the bot's intensity window at {@code nowNanos}. */
    static List<Long> inWindow(Specs.Bot spec, List<Long> times, long nowNanos) {
        long window = spec.restart().window().toNanos();
        return times.stream().filter(t -> nowNanos - t < window).toList();
    }

    /** Starting or stopping: its READY or exit should be seen at the supervisor's fast tick. */
    boolean inTransit() {
        return state == ChildState.STARTING || state == ChildState.STOPPING;
    }

    Draft draft() {
        return new Draft(this);
    }

    /** A mutable copy used inside one decision and turned back into a slot; never escapes {@link Table}. */
    static final class Draft {
        Specs.Bot spec;
        Desired desired;
        boolean closing;
        ChildState state;
        long sinceNanos;
        boolean queued;
        boolean holdsGate;
        Incarnation current;
        Incarnation successor;
        List<Long> restartTimes;
        int backoffFailures;
        int restartsTotal;
        String failedReason;
        LastExit lastExit;

        private Draft(Slot s) {
            spec = s.spec;
            desired = s.desired;
            closing = s.closing;
            state = s.state;
            sinceNanos = s.sinceNanos;
            queued = s.queued;
            holdsGate = s.holdsGate;
            current = s.current;
            successor = s.successor;
            restartTimes = s.restartTimes;
            backoffFailures = s.backoffFailures;
            restartsTotal = s.restartsTotal;
            failedReason = s.failedReason;
            lastExit = s.lastExit;
        }

        String id() {
            return spec.id();
        }

        boolean isCurrent(long gen) {
            return current != null && current.gen() == gen;
        }

        int restartsInWindowAt(long nowNanos) {
            return inWindow(spec, restartTimes, nowNanos).size();
        }

        Slot done() {
            return new Slot(spec, desired, closing, state, sinceNanos, queued, holdsGate, current, successor,
                    restartTimes, backoffFailures, restartsTotal, failedReason, lastExit);
        }
    }
}
