package io.botvisor.runner.telegram.transport;

/**
 * One update as received: {@code kind} is the update's field name ({@code message}, {@code edited_message},
 * {@code callback_query}, …); {@code chatId} the chat it belongs to where it has one; {@code json} the whole update.
 */
public record IncomingUpdate(long updateId, String kind, Long chatId, String json) {
}
