package io.botvisor.runner.telegram.transport;

/**
 * One outbox row to send: a Bot API {@code method} and its JSON payload (which holds {@code chat_id});
 * {@code attempts} is how many times it was tried before; {@code resent}: it is queued to be sent once more after a
 * send in doubt ({@link OutboxPort#resendOnce}), so a second doubt is the policy's last word.
 */
public record OutgoingCall(long id, long chatId, String method, String payloadJson, int attempts, boolean resent) {
}
