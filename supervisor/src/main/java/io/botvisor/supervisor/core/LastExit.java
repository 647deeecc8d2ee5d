package io.botvisor.supervisor.core;

import java.time.Instant;

/**
 * The most recent end of a bot's child: exit code, signal name if any, the reason, when, and its {@link ExitCause}
 * (null when the end did not count against the bot: an operator's stop, a shutdown). Immutable.
 */
public record LastExit(int code, String signal, String reason, Instant time, ExitCause cause) {
}
