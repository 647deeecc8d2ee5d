package io.botvisor.runner.telegram.transport;

/**
 * Where the transport adds to its counters; the runtime passes one that feeds the heartbeat. Called from the poller's
 * and the sender's threads: implementations must be thread-safe.
 */
@FunctionalInterface
public interface TransportCounters {
    TransportCounters NONE = (counter, delta) -> { };

    void add(TransportCounter counter, long delta);
}
