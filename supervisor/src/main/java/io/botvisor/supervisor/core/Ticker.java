package io.botvisor.supervisor.core;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The supervisor's IPC tick, at two speeds: {@link #FAST} while something waits on a quick answer (a bot starting or
 * stopping: its READY), {@link #SLOW} otherwise: heartbeats come once a second, and whatever is judged on them reads
 * the bot's queue first anyway (a heartbeat deadline, a /proc sample's health score), so a faster idle tick only
 * polled empty queues (BENCHMARKS.md, issue 9). Every tick is a wake-up: slow ticks land on a grid that heartbeat
 * deadlines ({@link Rules#HEARTBEAT_SLACK}) share, so they share wake-ups. Control requests do not wait for a tick
 * (they ring {@code control.Doorbell}). Loop thread only.
 */
final class Ticker {
    static final Duration FAST = Duration.ofMillis(50);
    static final Duration SLOW = Duration.ofSeconds(1);
    private final Loop loop;
    private final Runnable task;
    private final BooleanSupplier hurried;
    private Loop.Handle next;
    private boolean fast;

    /** {@code hurried} says, after each tick, whether the next one must come at the fast pace. */
    Ticker(Loop loop, Runnable task, BooleanSupplier hurried) {
        this.loop = loop;
        this.task = task;
        this.hurried = hurried;
    }

    void start() {
        schedule(true);
    }

    /** Brings the next tick forward to the fast pace, e.g. when a bot starts. */
    void hurry() {
        if (next != null && !fast) {
            next.cancel();
            schedule(true);
        }
    }

    private void tick() {
        try {
            task.run();
        } finally {
            schedule(hurried.getAsBoolean());
        }
    }

    private void schedule(boolean atFastPace) {
        fast = atFastPace;
        next = atFastPace ? loop.at(FAST.toNanos(), 0, this::tick) : loop.at(SLOW.toNanos(), SLOW.toNanos(), this::tick);
    }
}
