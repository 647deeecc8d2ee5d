package io.botvisor.sandbox;

import java.time.Duration;

/**
 * A fault the server injects into a call instead of (or around) handling it. Immutable.
 *
 * @param kind what happens
 * @param status the HTTP status for {@link Kind#STATUS} and {@link Kind#TOO_MANY_REQUESTS}
 * @param retryAfterSeconds {@code retry_after} of a 429
 * @param delayMillis how long a {@link Kind#DELAY} holds the response back
 */
public record Fault(Kind kind, int status, int retryAfterSeconds, long delayMillis) {

    /** The kinds of fault. */
    public enum Kind {
        /** 429 with {@code parameters.retry_after}; the bot's later calls inside the window are violations. */
        TOO_MANY_REQUESTS,
        /** An error status: 500 (envelope "Internal Server Error"), 502 (a proxy's HTML page, no envelope), 401... */
        STATUS,
        /** The connection is closed before the call is handled: nothing applied. */
        DROP_BEFORE_APPLYING,
        /** The call is applied, then the connection is closed without a response (the "uncertain send"). */
        DROP_AFTER_APPLYING,
        /** The call is applied and answered after a delay. */
        DELAY
    }

    public static Fault tooManyRequests(int retryAfterSeconds) {
        if (retryAfterSeconds < 1) {
            throw new IllegalArgumentException("fault: retry_after " + retryAfterSeconds + " is below 1 s");
        }
        return new Fault(Kind.TOO_MANY_REQUESTS, 429, retryAfterSeconds, 0);
    }

    /** 500, 502, 401, 403 or any other error status. */
    public static Fault status(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("fault: status " + status + " is not an error status (expected 400-599)");
        }
        return new Fault(Kind.STATUS, status, 0, 0);
    }

    public static Fault dropBeforeApplying() {
        return new Fault(Kind.DROP_BEFORE_APPLYING, 0, 0, 0);
    }

    public static Fault dropAfterApplying() {
        return new Fault(Kind.DROP_AFTER_APPLYING, 0, 0, 0);
    }

    public static Fault delay(Duration delay) {
        return new Fault(Kind.DELAY, 0, 0, delay.toMillis());
    }

    /** The name the record and the control API use: {@code 429}, {@code 500}, {@code drop-before}, ... */
    public String label() {
        switch (kind) {
            case TOO_MANY_REQUESTS:
                return "429";
            case STATUS:
                return Integer.toString(status);
            case DROP_BEFORE_APPLYING:
                return "drop-before";
            case DROP_AFTER_APPLYING:
                return "drop-after";
            default:
                return "delay";
        }
    }
}
