package io.botvisor.supervisor.db;

/**
 * The fleet database as {@code ctl status} shows it. {@code state} is UP, DOWN (a restart is scheduled) or EXTERNAL
 * (not ours to restart; {@code problem} says whether it answers). Immutable.
 */
public record DatabaseStatus(String kind, String endpoint, String state, long pid, int restarts, String problem) {
}
