package io.botvisor.supervisor.core;

import java.time.Duration;

/**
 * What a decision asks the shell to do: the closed set of outputs of {@link Table#decide}. The shell carries each
 * out without blocking the loop (launches, signals and pipe writes run on their own executors) and reports results
 * back as {@link Event}s. Immutable.
 */
sealed interface Effect {

    /**
     * Launch incarnation {@code gen} (write its spec and log files, fork); answered by Launched or LaunchFailed.
     * {@code standby}: a handover's successor, which warms up and says READY but takes no work until told.
     */
    record Launch(long gen, boolean standby) implements Effect {
        Launch(long gen) {
            this(gen, false);
        }
    }

    enum Signal {
        /** SIGTERM to the child only (a command: child's stop, or a bot-runner child not yet READY). */
        TERM_ROOT,
        /** SIGTERM to the child and every descendant. */
        TERM_TREE,
        /** SIGKILL to the child and every descendant. */
        KILL_TREE
    }

    record SignalTree(long gen, Signal signal) implements Effect {
    }

    /** Ask a READY bot-runner child to stop gracefully within {@code timeout} (STOP over IPC, then its doorbell). */
    record SendStop(long gen, String reason, Duration timeout) implements Effect {
    }

    /** Arm {@code timer} for incarnation {@code gen}, replacing one of that name; {@code slack}: it may fire that late. */
    record Arm(Timer timer, Duration delay, Duration slack, long gen) implements Effect {
        Arm(Timer timer, Duration delay, long gen) {
            this(timer, delay, Duration.ZERO, gen);
        }
    }

    record Cancel(Timer timer) implements Effect {
    }

    /** Queue for a place in the fleet's start gate; the shell answers with GateOpened when one is free. */
    record JoinGate() implements Effect {
    }

    /** Give back the start-gate place this slot holds, or leave the queue. */
    record LeaveGate() implements Effect {
    }

    /** Incarnation {@code gen} runs (the connection broker starts lending to it). */
    record ChildStarted(long gen) implements Effect {
    }

    /**
     * Incarnation {@code gen} is gone: release its pipes, stop lending to it, and with {@code sweep} kill what it left
     * behind (every process of the bot's uid: not while another incarnation of the bot runs).
     */
    record ChildGone(long gen, boolean sweep) implements Effect {
        ChildGone(long gen) {
            this(gen, true);
        }
    }

    /** Ask the serving incarnation {@code gen} to hand over to its READY successor (HANDOVER over IPC). */
    record SendHandover(long gen, Duration timeout) implements Effect {
    }

    /** Tell the successor {@code gen} to take over from {@code offset}; with {@code serve} also to do the work. */
    record SendTakeover(long gen, long offset, boolean serve) implements Effect {
    }

    /** The bot's visible state changed (control replies and status listeners hear of it). */
    record StateChanged(ChildState from, ChildState to) implements Effect {
    }

    enum Level { INFO, WARN, ERROR }

    /** A line for the supervisor's log; the text is complete (bot id first) and already safe to print. */
    record Log(Level level, String text) implements Effect {
    }
}
