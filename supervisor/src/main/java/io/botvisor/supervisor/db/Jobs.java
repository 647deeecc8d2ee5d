package io.botvisor.supervisor.db;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the keeper's jobs share: stopping a job's thread within a deadline, and an exception's message for a log
 * line. Their threads come from {@link io.botvisor.supervisor.Threads}. Stateless.
 */
final class Jobs {
    private static final Logger log = LoggerFactory.getLogger(Jobs.class);

    private Jobs() {
    }

    /**
     * Waits for {@code e}'s tasks until {@code deadlineNanos} (System.nanoTime), then interrupts it. Returns the tasks
     * that never started, so the caller can answer them. A thread still busy then is abandoned (a daemon), with a
     * warning: the statement it waits on ends by its own timeout.
     */
    static List<Runnable> stop(String name, ExecutorService e, long deadlineNanos) {
        e.shutdown();
        try {
            long left = deadlineNanos - System.nanoTime();
            if (e.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                return List.of();
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        List<Runnable> never = e.shutdownNow();
        log.warn("database: {} still busy at shutdown; {} queued tasks dropped, its current one is abandoned", name,
                never.size());
        return never;
    }

    /**
     * An exception's message on one line, for a log line (pgjdbc appends the server's "Position: …" and hints on lines
     * of their own); its class when it has no message.
     */
    static String why(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m).strip();
    }
}
