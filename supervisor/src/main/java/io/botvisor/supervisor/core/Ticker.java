package io.botvisor.supervisor.core;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The supervisor's IPC tick, at two speeds: {@link #FAST} while something waits on a quick answer (a bot starting or
 * stopping: its READY or exit), {@link #SLOW} otherwise (heartbeats and hang checks need no more). Every tick is a
 * wake-up, and wake-ups were most of an idle supervisor's CPU (BENCHMARKS.md, benchmark 4); control requests do not
 * wait for a tick (they ring {@code control.Doorbell}). Loop thread only.
 */
final class Ticker {
    static final Duration FAST = Duration.ofMillis(50);
    static final Duration SLOW = Duration.ofMillis(250);
    private final Loop loop;
    private final Runnable task;
    private final BooleanSupplier hurried;
    private ScheduledFuture<?> next;

    /** {@code hurried} says, after each tick, whether the next one must come at the fast pace. */
    Ticker(Loop loop, Runnable task, BooleanSupplier hurried) {
        this.loop = loop;
        this.task = task;
        this.hurried = hurried;
    }

    void start() {
        schedule(FAST);
    }

    /** Brings the next tick forward to the fast pace, e.g. when a bot starts. */
    void hurry() {
        if (next != null && next.getDelay(TimeUnit.NANOSECONDS) > FAST.toNanos()) {
            next.cancel(false);
            schedule(FAST);
        }
    }

    private void tick() {
        try {
            task.run();
        } finally {
            schedule(hurried.getAsBoolean() ? FAST : SLOW);
        }
    }

    private void schedule(Duration delay) {
        next = loop.schedule(delay, this::tick);
    }
}
