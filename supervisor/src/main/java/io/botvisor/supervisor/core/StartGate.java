package io.botvisor.supervisor.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Bounds how many children start at once, so that starting 200 JVMs does not thrash the machine. A bot joins the
 * queue; when a place is free it is given one ({@code open}), and holds it until its slot gives it back (READY, exit,
 * or a {@link Rules#SLOW_START} look that finds it waiting rather than working, whichever is first), so one slow
 * starter never blocks the rest. Loop thread only.
 */
final class StartGate {
    private final int limit;
    private final Deque<String> waiting = new ArrayDeque<>();
    private final Set<String> holding = new HashSet<>();

    StartGate(int limit) {
        this.limit = limit;
    }

    void enqueue(String bot) {
        if (!waiting.contains(bot) && !holding.contains(bot)) {
            waiting.addLast(bot);
        }
    }

    /** Leaves the queue, or gives back the place held. */
    void leave(String bot) {
        waiting.remove(bot);
        holding.remove(bot);
    }

    /** Gives free places to queued bots, in order; {@code open} is told each one. */
    void pump(Consumer<String> open) {
        while (holding.size() < limit && !waiting.isEmpty()) {
            String bot = waiting.pollFirst();
            holding.add(bot);
            open.accept(bot);
        }
    }
}
