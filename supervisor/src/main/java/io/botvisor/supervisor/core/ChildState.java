package io.botvisor.supervisor.core;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A bot's lifecycle state. The allowed transitions are this table and nothing else; {@link #check} throws on any
 * other, so a bug in the loop shows up as an error instead of a bot in a state nobody can explain.
 */
public enum ChildState {
    STOPPED, STARTING, RUNNING, STOPPING, BACKOFF, FAILED;

    private static final Map<ChildState, Set<ChildState>> ALLOWED = Map.of(
            STOPPED, EnumSet.of(STARTING),
            STARTING, EnumSet.of(RUNNING, STOPPING, BACKOFF, FAILED, STOPPED),
            RUNNING, EnumSet.of(STOPPING, BACKOFF, FAILED, STOPPED),
            STOPPING, EnumSet.of(STOPPED, BACKOFF, FAILED),
            BACKOFF, EnumSet.of(STARTING, STOPPED),
            FAILED, EnumSet.of(STARTING, STOPPED));

    public static void check(String botId, ChildState from, ChildState to) {
        if (!ALLOWED.get(from).contains(to)) {
            throw new IllegalStateException("bot '" + botId + "': illegal transition " + from + " -> " + to);
        }
    }

    /** A child process exists in these states. */
    public boolean hasProcess() {
        return this == STARTING || this == RUNNING || this == STOPPING;
    }
}
