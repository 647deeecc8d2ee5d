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

    /** Until {@code n} getUpdates calls of the bot are parked (arrived, not answered). */
    static void parked(SandboxServer server, long botId, int n) {
        until(n + " getUpdates parked", () -> server.record().calls(botId, "getUpdates").stream()
                .filter(c -> c.delivery() == Delivery.PENDING).count() >= n);
    }
}
