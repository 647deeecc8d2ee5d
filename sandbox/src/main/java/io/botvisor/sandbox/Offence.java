package io.botvisor.sandbox;

/**
 * One item a {@link Verdict} check found wrong, with what is needed to find it in a failing run: the bot, the chat
 * and user message it is about (0 when it is about a call), the call's {@link Call#seq()} (0 when it is about a
 * message), when it happened on the sandbox's clock, and what happened in words. Immutable.
 */
public record Offence(long botId, long chatId, long messageId, long seq, long atMillis, String what) {
}
