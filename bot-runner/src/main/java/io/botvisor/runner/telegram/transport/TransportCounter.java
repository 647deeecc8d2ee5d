package io.botvisor.runner.telegram.transport;

/** What the transport counts; {@link #key()} is the name in the heartbeat's counters. */
public enum TransportCounter {
    POLLS("telegram_polls"),
    UPDATES_RECEIVED("telegram_updates_received"),
    SENDS("telegram_sends"),
    SENDS_FAILED("telegram_sends_failed"),
    UNCERTAIN_SENDS("telegram_sends_uncertain"),
    RATE_LIMITED("telegram_429s"),
    RETRY_AFTER_SECONDS("telegram_retry_after_seconds"),
    CONFLICTS("telegram_conflicts");

    private final String key;

    TransportCounter(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
