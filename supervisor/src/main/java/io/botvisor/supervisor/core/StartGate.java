package io.botvisor.supervisor.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Bounds how many children start at once, so that starting 200 JVMs does not thrash the machine. A starter holds its
 * place until READY, exit, or {@link #SLOW_START} — whichever is first — so one slow starter never blocks the rest.
 * Not thread-safe: used from the supervisor's loop only.
 */
final class StartGate {
    /** A JVM's start-up CPU burst is well under this; past it a starter is waiting, not working. */
    static final Duration SLOW_START = Duration.ofSeconds(2);
    private final int limit;
    private final Deque<BotSlot> waiting = new ArrayDeque<>();
    private final Set<BotSlot> holding = new HashSet<>();

    StartGate(int limit) {
        this.limit = limit;
    }

    void enqueue(BotSlot slot) {
        if (!waiting.contains(slot)) {
            waiting.addLast(slot);
        }
    }

    void remove(BotSlot slot) {
        waiting.remove(slot);
    }

    boolean isQueued(BotSlot slot) {
        return waiting.contains(slot);
    }

    /** Starts queued slots while places are free; {@code spawn} must call {@link #hold} for each it starts. */
    void pump(Consumer<BotSlot> spawn) {
        while (holding.size() < limit && !waiting.isEmpty()) {
            spawn.accept(waiting.pollFirst());
        }
    }

    void hold(BotSlot slot) {
        holding.add(slot);
    }

    /** True if the slot held a place (the caller then pumps). */
    boolean release(BotSlot slot) {
        return holding.remove(slot);
    }
}
