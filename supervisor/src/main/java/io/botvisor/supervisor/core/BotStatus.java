package io.botvisor.supervisor.core;

import java.util.List;

/**
 * A snapshot of one bot for {@code ctl status}. {@code pid} is 0 without a process, {@code health} -1 before the first
 * heartbeat (or for a {@code command:} bot, which has none), {@code rssBytes} -1 when unknown. Immutable.
 */
public record BotStatus(String id, ChildState state, long pid, int health, List<String> healthReasons,
                        int restarts, int restartsInWindow, long stateForMillis, long rssBytes, String failedReason,
                        LastExit lastExit, java.util.Map<String, Long> counters) {
    public BotStatus {
        healthReasons = List.copyOf(healthReasons);
        counters = java.util.Map.copyOf(counters);
    }
}
