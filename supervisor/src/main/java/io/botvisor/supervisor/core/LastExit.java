package io.botvisor.supervisor.core;

import java.time.Instant;

/** The most recent end of a bot's child: exit code, signal name if any, the reason, and when. Immutable. */
public record LastExit(int code, String signal, String reason, Instant time) {
}
