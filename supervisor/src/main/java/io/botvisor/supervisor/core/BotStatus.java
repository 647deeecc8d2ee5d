package io.botvisor.supervisor.core;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of one bot for {@code ctl status} and the metric files (docs/status-json.md). Null where a value does not
 * apply or is not known yet: {@code pid} and {@code startTimeMillis} without a process; {@code health} unless RUNNING
 * and scored (never for a {@code command:} bot, which has no heartbeat); {@code rssBytes} before the process's first
 * /proc sample; the heartbeat's figures before the current process's first heartbeat. Times are epoch milliseconds.
 * Immutable.
 *
 * @param command    a {@code command:} bot (no heartbeats, so no health, heap or GC figures)
 * @param restarts   restarts since the supervisor started
 * @param counters   the current process's own counters from its latest heartbeat (empty without one)
 * @param totals     what accumulates across the bot's restarts
 */
public record BotStatus(String id, ChildState state, boolean command, Long pid, Integer health,
                        List<String> healthReasons, int restarts, int restartsInWindow, long stateForMillis,
                        Long rssBytes, String failedReason, LastExit lastExit, Map<String, Long> counters,
                        Long startTimeMillis, Long lastHeartbeatMillis, Long heapUsedBytes, Long heapMaxBytes,
                        Totals totals, Handover handover) {
    public BotStatus {
        healthReasons = List.copyOf(healthReasons);
        counters = Map.copyOf(counters);
    }

    /** A bot with no restart by handover in progress. */
    public BotStatus(String id, ChildState state, boolean command, Long pid, Integer health,
                     List<String> healthReasons, int restarts, int restartsInWindow, long stateForMillis,
                     Long rssBytes, String failedReason, LastExit lastExit, Map<String, Long> counters,
                     Long startTimeMillis, Long lastHeartbeatMillis, Long heapUsedBytes, Long heapMaxBytes,
                     Totals totals) {
        this(id, state, command, pid, health, healthReasons, restarts, restartsInWindow, stateForMillis, rssBytes,
                failedReason, lastExit, counters, startTimeMillis, lastHeartbeatMillis, heapUsedBytes, heapMaxBytes,
                totals, null);
    }

    /**
     * A restart by handover in progress: its phase (queued, warming, switching, retiring, aborting), the new
     * process's pid (null until launched) and why the bot is restarted. During it {@code pid} is the serving process.
     */
    public record Handover(String phase, Long successorPid, String reason) {
    }

    /**
     * Totals over the supervisor's lifetime, across the bot's restarts; none ever goes down (what a process reported
     * before it ended is kept, and what its successor reports is added to it).
     *
     * @param exits      ends that counted against the bot, by cause; every cause present
     * @param cpuSeconds user + system CPU time of the bot's processes, as /proc showed it at the last sample (each
     *                   second) of each
     * @param gcSeconds  time in GC the bot's JVMs reported in their heartbeats; null for a {@code command:} bot
     * @param counters   the bot's own counters (and its pool's cumulative ones, {@code db.*}) summed over its
     *                   processes, by name
     */
    public record Totals(Map<ExitCause, Long> exits, double cpuSeconds, Double gcSeconds, Map<String, Long> counters) {
        /** Kept in order (causes as declared, counters by name): status and the metric files list them so. */
        public Totals {
            exits = java.util.Collections.unmodifiableMap(new java.util.EnumMap<>(exits));
            counters = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(counters));
        }
    }
}
