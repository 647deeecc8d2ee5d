package io.botvisor.supervisor.core;

/**
 * Why the supervisor is ending a child, which decides what its exit means. {@code FAILURE} ends (hang, startup
 * timeout, memory, health) count as failures: backoff and restart intensity apply. Immutable.
 */
record StopIntent(Kind kind, String reason) {
    enum Kind { STOP, RESTART, FAILURE }

    static StopIntent stop(String reason) {
        return new StopIntent(Kind.STOP, reason);
    }

    static StopIntent restart(String reason) {
        return new StopIntent(Kind.RESTART, reason);
    }

    static StopIntent failure(String reason) {
        return new StopIntent(Kind.FAILURE, reason);
    }
}
