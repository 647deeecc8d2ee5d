package io.botvisor.sandbox;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Real time: wall-clock milliseconds at start, advanced by {@link System#nanoTime()} so that durations are monotonic.
 * Owns one daemon scheduler thread, stopped by {@link #close()}. Thread-safe.
 */
final class SystemClock implements SandboxClock, AutoCloseable {

    private final long startMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-timer");
        t.setDaemon(true);
        return t;
    });

    @Override
    public long millis() {
        return startMillis + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Override
    public Cancellable schedule(long atMillis, Runnable task) {
        long delay = atMillis - millis();
        if (delay <= 0) {
            task.run();
            return () -> { };
        }
        ScheduledFuture<?> future = timer.schedule(task, delay, TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
