package io.botvisor.sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A clock that moves only when a test calls {@link #advance(Duration)}: the 3 s, 24 h and one-week rules and every
 * wait of the server (parked polls, delayed 409s, slow responses, 429 windows) are tested without waiting. Due tasks
 * run on the thread that advances the clock, after the time has moved. Thread-safe.
 */
public final class ManualClock implements SandboxClock {

    private final PriorityQueue<Entry> due = new PriorityQueue<>();
    private long now;
    private long sequence;

    /** A clock at {@code startMillis} since the epoch (message dates are derived from it). */
    public ManualClock(long startMillis) {
        this.now = startMillis;
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public ManualClock() {
        this(1_767_225_600_000L);
    }

    @Override
    public synchronized long millis() {
        return now;
    }

    @Override
    public Cancellable schedule(long atMillis, Runnable task) {
        Entry entry;
        synchronized (this) {
            if (atMillis > now) {
                entry = new Entry(atMillis, sequence++, task);
                due.add(entry);
                return () -> entry.cancelled = true;
            }
        }
        task.run();
        return () -> { };
    }

    /** Moves the clock forward and runs every task that has come due, in time order. */
    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("ManualClock.advance: " + by + " is negative (a clock never goes back)");
        }
        List<Entry> run = new ArrayList<>();
        synchronized (this) {
            now += by.toMillis();
            while (!due.isEmpty() && due.peek().at <= now) {
                run.add(due.poll());
            }
        }
        for (Entry entry : run) {
            if (!entry.cancelled) {
                entry.task.run();
            }
        }
    }

    private static final class Entry implements Comparable<Entry> {
        final long at;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;

        Entry(long at, long seq, Runnable task) {
            this.at = at;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Entry o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
        }
    }
}
