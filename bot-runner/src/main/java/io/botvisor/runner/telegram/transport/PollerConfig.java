package io.botvisor.runner.telegram.transport;

import java.time.Duration;
import java.util.List;

/**
 * The poller's settings. {@code timeoutSeconds} 0..50 (the server's range), {@code limit} 1..100;
 * {@code allowedUpdates} is sent as given (explicit: Telegram otherwise keeps the last list it was sent).
 */
public record PollerConfig(int timeoutSeconds, int limit, List<String> allowedUpdates, Duration errorBackoffMax,
        Duration conflictBackoffMax) {
    public PollerConfig {
        if (timeoutSeconds < 0 || timeoutSeconds > 50) {
            throw new IllegalArgumentException("telegram: poll timeout " + timeoutSeconds
                    + " s is out of range (expected 0..50 s, the Bot API's limit)");
        }
        if (limit < 1 || limit > 100) {
            throw new IllegalArgumentException("telegram: poll limit " + limit
                    + " is out of range (expected 1..100, the Bot API's limit)");
        }
        allowedUpdates = List.copyOf(allowedUpdates);
    }

    /** 25 s polls of up to 100 updates; errors back off 1 s … 30 s, conflicts 1 s … 60 s. */
    public static PollerConfig defaults(List<String> allowedUpdates) {
        return new PollerConfig(25, 100, allowedUpdates, Duration.ofSeconds(30), Duration.ofSeconds(60));
    }
}
