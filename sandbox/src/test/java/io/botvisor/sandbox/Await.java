package io.botvisor.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline (10 s) passes, which fails the test naming the condition. */
final class Await {

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 10 s").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** Until the server has handled (answered or parked) {@code n} getUpdates calls of the bot. */
    static void polled(SandboxServer server, long botId, int n) {
        until(n + " getUpdates handled", () -> server.record().handledCount(botId, "getUpdates") >= n);
    }
}
