package io.botvisor.supervisor.core;

import io.botvisor.ipc.Message;

/**
 * Everything that can happen to one bot's slot: the closed set of inputs of {@link Table#decide}. The shell turns
 * process exits, launch results, child messages, /proc samples, timers and control commands into these, and nothing
 * else reaches a decision. Events that concern one incarnation carry its {@code gen}; one for an incarnation the
 * slot no longer has is stale and changes nothing. Immutable.
 */
sealed interface Event {

    /**
     * An operator's command for this bot (ctl start/stop/restart). RESTART hands over to a new process without a gap
     * where the bot can (a RUNNING bot whose READY said it hands over: a Telegram bot), else stops and starts; RESTART_COLD always stops and starts.
     */
    enum Command { START, STOP, RESTART, RESTART_COLD }

    record Control(Command command, String reason) implements Event {
    }

    /**
     * A reload gave the bot a new spec. {@code restart}: the running child is stopped under the old spec and the bot
     * started again under the new one (if it is wanted up); otherwise the new spec only applies from the next launch
     * (the running child took the change live, or runs nothing the change touches).
     */
    record Respec(io.botvisor.supervisor.config.Specs.Bot spec, boolean restart, String reason) implements Event {
    }

    /** The supervisor is stopping: every bot goes down and stays down. */
    record Shutdown(String reason) implements Event {
    }

    /** The fleet's start gate gave this bot a place; {@code gen} names the incarnation it may launch. */
    record GateOpened(long gen) implements Event {
    }

    /** The launcher forked incarnation {@code gen}: it is process {@code pid}. */
    record Launched(long gen, long pid) implements Event {
    }

    /** The launcher could not start incarnation {@code gen} (spec or log files not writable, fork failed, …). */
    record LaunchFailed(long gen, String reason) implements Event {
    }

    /** Incarnation {@code gen}'s process ended with {@code code} (128 + N: killed by signal N). */
    record Exited(long gen, int code) implements Event {
    }

    /**
     * The child said READY; {@code startupMillis} is its own JVM start to READY; {@code handsOver}: its bot can hand
     * over to a successor (a restart is then a handover).
     */
    record Ready(long gen, long startupMillis, boolean handsOver) implements Event {
        Ready(long gen, long startupMillis) {
            this(gen, startupMillis, false);
        }
    }

    record Heartbeat(long gen, Message.Heartbeat heartbeat) implements Event {
    }

    /** Incarnation {@code gen}, asked to hand over, stopped taking work; its successor starts at {@code offset}. */
    record HandedOver(long gen, long offset) implements Event {
    }

    /** An event the child reported ({@code detail} is untrusted: escape it before logging). */
    record ChildEvent(long gen, String kind, String detail) implements Event {
    }

    /**
     * The /proc sample of incarnation {@code gen}: resident memory (-1 unknown), whether it is stopped (state T), and
     * while it starts its demand for CPU so far: CPU time used plus time its threads waited in a run queue, in
     * {@link io.botvisor.supervisor.process.ProcStats#TICKS_PER_SECOND}ths (-1 unknown, or not starting).
     */
    record ProcSample(long gen, long rssBytes, boolean stopped, long demandTicks) implements Event {
        /** A sample without the demand for CPU. */
        ProcSample(long gen, long rssBytes, boolean stopped) {
            this(gen, rssBytes, stopped, -1);
        }
    }

    /**
     * Reading the bot's events queue proved it tampered with (a read that faulted, hung on a FIFO, or failed or
     * crawled twice in a row; {@code what} says which, already escaped); {@code gen}: the incarnation current when it
     * was found (0: none). The shell no longer reads the queue and empties it before the bot's next launch.
     */
    record EventsTampered(long gen, String what) implements Event {
    }

    /** A timer the slot armed ran out; {@code gen} is the incarnation it was armed for (0: none). */
    record TimerFired(Timer timer, long gen) implements Event {
    }
}
