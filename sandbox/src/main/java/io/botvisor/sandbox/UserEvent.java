package io.botvisor.sandbox;

/**
 * Something a user did that the sandbox turned into an update: a message (text or /command), a button press, a
 * group's migration. {@code messageId} is the user message's id in its chat (0 for a button press). Immutable.
 */
public record UserEvent(long botId, long chatId, long updateId, long messageId, String kind, String text, long atMillis) {
}
