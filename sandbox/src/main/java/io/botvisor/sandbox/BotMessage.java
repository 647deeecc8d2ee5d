package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message a bot sent to a chat, as the sandbox delivered it: its per-chat {@code messageId}, its text (the latest
 * after {@code editCount} edits), the user message it replied to (0 when none), when it was applied, and the Message
 * object the bot got back. Immutable snapshot.
 */
public record BotMessage(
        long botId, long chatId, long messageId, String text, long replyToMessageId, long sentAtMillis, int editCount,
        JsonNode json) {
}
