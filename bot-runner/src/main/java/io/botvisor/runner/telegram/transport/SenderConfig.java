package io.botvisor.runner.telegram.transport;

import java.time.Duration;

/**
 * The sender's settings: Telegram's outgoing limits (one message per {@code perChat} to a chat,
 * {@code groupPerMinute} to a group, {@code overallPerSecond} in all), how many rows to take per round
 * ({@code batch}), how many calls may be in flight at once (to different chats: {@code concurrency}), how often to look at the outbox when not woken ({@code idlePoll}), the retry backoff cap for
 * calls that did not reach Telegram, and the {@link UncertainPolicy}.
 */
public record SenderConfig(Duration perChat, int groupPerMinute, int overallPerSecond, int batch, int concurrency,
        Duration idlePoll, Duration retryBackoffMax, UncertainPolicy uncertainPolicy) {
    public SenderConfig {
        if (perChat.isNegative() || groupPerMinute < 1 || overallPerSecond < 1 || batch < 1 || concurrency < 1
                || idlePoll.isZero()
                || idlePoll.isNegative()) {
            throw new IllegalArgumentException("telegram: send limits must be positive (got one per " + perChat
                    + " per chat, " + groupPerMinute + " a minute per group, " + overallPerSecond
                    + " a second overall, batch " + batch + ", concurrency " + concurrency + ", idle poll " + idlePoll + ")");
        }
    }

    /**
     * Telegram's documented limits: 1 a second per chat, 20 a minute per group, 30 a second overall; 4 calls in
     * flight at once (one at a time, a bot 50 ms from Telegram could not reach 30 a second).
     */
    public static SenderConfig defaults(UncertainPolicy policy) {
        return new SenderConfig(Duration.ofSeconds(1), 20, 30, 100, 4, Duration.ofSeconds(2), Duration.ofSeconds(30),
                policy);
    }
}
