package io.botvisor.supervisor.core;

import java.time.Instant;

/** The time a decision is made at: monotonic nanos for durations, wall-clock millis for what operators read. */
record Now(long nanos, long epochMillis) {
    Instant instant() {
        return Instant.ofEpochMilli(epochMillis);
    }
}
