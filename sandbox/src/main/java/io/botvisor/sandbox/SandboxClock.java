package io.botvisor.sandbox;

/**
 * The sandbox's time: every rule with a window (the 3 s anti-hot-loop and conflict windows, the 24 h update lifetime,
 * a week without updates, a 429's {@code retry_after}) reads {@link #millis()}, and every wait the server itself makes
 * (a parked poll's timeout, a delayed 409, a slow response) is scheduled here, so that a {@link ManualClock} moves
 * them all at once in tests. Implementations are thread-safe.
 */
public interface SandboxClock {

    /** Milliseconds since the epoch; never goes backwards. */
    long millis();

    /**
     * Runs {@code task} once, at or after {@code atMillis} on this clock. The task must be short (it hands work to the
     * server's pool); it may run on the caller's thread when the time has come already.
     */
    Cancellable schedule(long atMillis, Runnable task);

    /** A scheduled task that may be called off; cancelling one that ran already does nothing. */
    interface Cancellable {
        void cancel();
    }
}
