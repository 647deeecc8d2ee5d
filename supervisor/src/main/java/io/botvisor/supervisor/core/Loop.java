package io.botvisor.supervisor.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's one thread. Tasks, periodic work and per-bot timers all run on it, one at a time; a task that
 * throws is logged and the loop goes on. Thread-safe to submit to; once shut down, submissions are dropped.
 */
final class Loop {
    private static final Logger log = LoggerFactory.getLogger(Loop.class);
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "supervisor-loop"));

    void execute(Runnable task) {
        if (executor.isShutdown()) {
            // After the last bot stopped nothing is left to decide; late exits and signals are ignored.
            return;
        }
        executor.execute(() -> runSafely(task));
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("supervisor task failed: {}", e.toString(), e);
        }
    }

    void every(Duration period, Runnable task) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // A failing periodic task must not end the schedule; the next run is the retry.
                log.error("supervisor periodic task failed: {}", e.toString(), e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the loop after {@code delay}; the timer is added to {@code timers} so it can be cancelled. */
    void after(List<ScheduledFuture<?>> timers, Duration delay, Runnable task) {
        if (!executor.isShutdown()) {
            timers.add(executor.schedule(() -> runSafely(task), delay.toNanos(), TimeUnit.NANOSECONDS));
        }
    }

    /** Runs {@code task} on the loop once after {@code delay}; null when the loop is shut down. */
    ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        return executor.isShutdown() ? null
                : executor.schedule(() -> runSafely(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    void shutdown() {
        executor.shutdown();
    }
}
