package io.botvisor.supervisor.core;

import io.botvisor.supervisor.config.Specs;
import java.util.List;

/**
 * Everything the supervisor knows about one bot, as a value: what the operator wants ({@link #desired}), what is
 * ({@link #state} and the incarnation), and the restart history. {@link Table#decide} takes one and returns the next;
 * nothing else makes one. A slot has room for two incarnations, {@code current} and {@code successor}: a handover
 * restart ({@link Handover}) starts a successor while the current one still serves, and the successor becomes current
 * once its predecessor is gone; otherwise {@code successor} is null. Immutable.
 *
 * @param desired        UP once started (start, restart), DOWN once stopped; a stop in flight and a start arriving
 *                       meanwhile are both just this, which is what the exit is then measured against
 * @param closing        the supervisor is shutting down: the bot goes down and no command brings it up again
 * @param sinceNanos     when {@code state} was entered (the supervisor's start for a bot that never ran)
 * @param queued         waiting in the fleet's start gate for a place
 * @param holdsGate      holds a start-gate place (a starter, until READY, its exit or a SLOW_START look finds it idle)
 * @param restartTimes   restarts within the intensity window, oldest first (monotonic nanos)
 * @param backoffFailures failures since the backoff last started over (the exponent of the next delay)
 * @param handover       the handover restart in progress, or null
 * @param handoverFailure why the last handover restart failed (the current process kept serving), or null
 */
record Slot(Specs.Bot spec, Desired desired, boolean closing, ChildState state, long sinceNanos, boolean queued,
            boolean holdsGate, Incarnation current, Incarnation successor, List<Long> restartTimes,
            int backoffFailures, int restartsTotal, String failedReason, LastExit lastExit, Handover handover,
            String handoverFailure) {

    enum Desired { UP, DOWN }

    /**
     * A handover restart: the successor is started in standby while the current process serves, the current one
     * hands over when the successor is READY, the successor takes over, the current one finishes and exits.
     * {@code offset}: where the successor takes over (what the current one reported; 0 until then). Immutable.
     */
    record Handover(Phase phase, String reason, long offset) {
        enum Phase {
            /** Waiting for a place in the fleet's start gate. */
            QUEUED,
            /** The successor is starting; the current process serves. */
            WARMING,
            /** The successor is READY (standby); the current process was asked to hand over. */
            SWITCHING,
            /** The current process handed over and finishes what it has; the successor takes the new work. */
            RETIRING,
            /** The handover was given up; the successor is being stopped. */
            ABORTING
        }

        Handover to(Phase next) {
            return new Handover(next, reason, offset);
        }
    }

    Slot {
        restartTimes = List.copyOf(restartTimes);
    }

    /** A bot as the supervisor starts: STOPPED, wanted UP, never run. */
    static Slot initial(Specs.Bot spec, long nowNanos) {
        return new Slot(spec, Desired.UP, false, ChildState.STOPPED, nowNanos, false, false, null, null, List.of(), 0,
                0, null, null, null, null);
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

    /** Starting, stopping or handing over: its READY, report or exit should be seen at the supervisor's fast tick. */
    boolean inTransit() {
        return state == ChildState.STARTING || state == ChildState.STOPPING || handover != null;
    }

    /**
     * Whether the bot got where it was last sent: RUNNING (or FAILED) when wanted up, STOPPED (or FAILED) when not;
     * not while it waits for a start-gate place or hands over.
     */
    boolean settled() {
        if (queued || handover != null) {
            return false;
        }
        return desired == Desired.UP
                ? state == ChildState.RUNNING || state == ChildState.FAILED
                : state == ChildState.STOPPED || state == ChildState.FAILED;
    }

    /**
     * Whether the bot's first start is behind it: it got to RUNNING, or the start ended otherwise (it exited, failed,
     * waits in backoff, or was stopped). What systemd's READY waits for (systemd.SystemdNotifier).
     */
    boolean pastFirstStart() {
        return switch (state) {
            case STARTING -> false;
            case STOPPED -> !queued && (lastExit != null || desired == Desired.DOWN);
            default -> true;
        };
    }

    /** Whether {@code gen} names this slot's successor (a handover's new process). */
    boolean isSuccessor(long gen) {
        return successor != null && successor.gen() == gen;
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
        Handover handover;
        String handoverFailure;

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
            handover = s.handover;
            handoverFailure = s.handoverFailure;
        }

        String id() {
            return spec.id();
        }

        boolean isCurrent(long gen) {
            return current != null && current.gen() == gen;
        }

        boolean isSuccessor(long gen) {
            return successor != null && successor.gen() == gen;
        }

        int restartsInWindowAt(long nowNanos) {
            return inWindow(spec, restartTimes, nowNanos).size();
        }

        Slot done() {
            return new Slot(spec, desired, closing, state, sinceNanos, queued, holdsGate, current, successor,
                    restartTimes, backoffFailures, restartsTotal, failedReason, lastExit, handover, handoverFailure);
        }
    }
}
