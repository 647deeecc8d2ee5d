package io.botvisor.supervisor.core;

import io.botvisor.supervisor.Threads;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's one thread and its only thread-safe entry: a bounded inbox of tasks, and timers. Everything that
 * decides runs here, one task at a time, and nothing here blocks except the wait for the next task or timer.
 * <p>Other threads {@link #post} (process exits, launch results: waits while the inbox is full, so nothing is lost;
 * the loop is always draining) or {@link #offer} (samples, doorbells: dropped when full, the next one comes anyway).
 * Timers belong to the loop thread: only it arms and cancels them. A timer with slack may fire up to that much late,
 * which lets timers (heartbeat deadlines, the IPC tick) share wake-ups. Every task's lag — from being posted, or from
 * its timer's deadline, to running — is recorded ({@link #lag}).
 * <p>A task that throws is a bug in the supervisor: {@code onCrash} decides (the shell logs and exits).
 */
final class Loop {
    private static final Logger log = LoggerFactory.getLogger(Loop.class);
    /** Room for a whole fleet's exits and launches at once, many times over. */
    static final int INBOX = 16_384;

    private record Item(Runnable task, long postedNanos) {
    }

    /** A timer; {@link #cancel} is loop-only. */
    static final class Handle {
        private final long dueNanos;
        private final Runnable task;
        private boolean cancelled;

        private Handle(long dueNanos, Runnable task) {
            this.dueNanos = dueNanos;
            this.task = task;
        }

        void cancel() {
            cancelled = true;
        }

        long dueNanos() {
            return dueNanos;
        }
    }

    private final BlockingQueue<Item> inbox = new ArrayBlockingQueue<>(INBOX);
    private final PriorityQueue<Handle> timers = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos, b.dueNanos));
    private final ArrayDeque<Runnable> local = new ArrayDeque<>();
    private final LagRecorder lag = new LagRecorder();
    private final Thread thread;
    /** The loop's niceness: it must get a core before the bots it supervises do, and it uses little. */
    static final int NICE = -10;
    private final Consumer<Throwable> onCrash;
    private volatile boolean stopped;
    /** When the loop began to run: what was posted before waited for the start, not for the loop. Loop thread only. */
    private long startedNanos;

    Loop(Consumer<Throwable> onCrash) {
        this.onCrash = onCrash;
        this.thread = new Thread(this::run, "supervisor-loop");
    }

    void start() {
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop; waits while the inbox is full. From the loop itself: runs after this task. */
    void post(Runnable task) {
        if (stopped) {
            return;
        }
        if (inLoop()) {
            local.add(task);
            return;
        }
        try {
            inbox.put(new Item(task, System.nanoTime()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while handing a task to the supervisor loop; it is dropped");
        }
    }

    /** Runs {@code task} on the loop if the inbox has room; false if it was dropped. */
    boolean offer(Runnable task) {
        if (stopped) {
            return false;
        }
        if (inLoop()) {
            local.add(task);
            return true;
        }
        return inbox.offer(new Item(task, System.nanoTime()));
    }

    /**
     * Runs {@code task} on the loop after {@code delayNanos}, or up to {@code slackNanos} later: the deadline is
     * rounded up to a multiple of the slack, so timers with the same slack fire together. Loop thread only.
     */
    Handle at(long delayNanos, long slackNanos, Runnable task) {
        long due = System.nanoTime() + Math.max(0, delayNanos);
        if (slackNanos > 0) {
            due = Math.floorDiv(due + slackNanos - 1, slackNanos) * slackNanos;
        }
        Handle h = new Handle(due, task);
        timers.add(h);
        return h;
    }

    /** Stops after the current task; later posts are dropped. */
    void shutdown() {
        stopped = true;
        inbox.offer(new Item(() -> { }, System.nanoTime()));
    }

    LagRecorder.Snapshot lag() {
        return lag.snapshot();
    }

    private void run() {
        startedNanos = System.nanoTime();
        Threads.favourCurrent(NICE);
        try {
            while (!stopped) {
                Item item = inbox.poll(untilNextTimer(), TimeUnit.NANOSECONDS);
                if (item != null) {
                    lag.record(System.nanoTime() - Math.max(item.postedNanos, startedNanos));
                    item.task.run();
                    runLocal();
                }
                fireDueTimers();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            stopped = true;
            onCrash.accept(e);
        }
    }

    private long untilNextTimer() {
        while (!timers.isEmpty() && timers.peek().cancelled) {
            timers.poll();
        }
        return timers.isEmpty() ? TimeUnit.SECONDS.toNanos(60) : Math.max(0, timers.peek().dueNanos - System.nanoTime());
    }

    private void fireDueTimers() {
        long now = System.nanoTime();
        while (!stopped && !timers.isEmpty() && timers.peek().dueNanos <= now) {
            Handle h = timers.poll();
            if (!h.cancelled) {
                lag.record(System.nanoTime() - h.dueNanos);
                h.task.run();
                runLocal();
            }
        }
    }

    private void runLocal() {
        Runnable r;
        while ((r = local.poll()) != null) {
            r.run();
        }
    }
}
