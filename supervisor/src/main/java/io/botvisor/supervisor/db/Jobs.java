package io.botvisor.supervisor.db;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keeper's executors, one thread each, named for their job (as HikariCP's "connection adder" and "house keeper"):
 * a job that hangs stops only itself, and a thread dump says which one. Stateless.
 */
final class Jobs {
    private static final Logger log = LoggerFactory.getLogger(Jobs.class);

    private Jobs() {
    }

    /**
     * One thread and at most {@code capacity} waiting tasks; a task that does not fit goes to {@code whenFull} on the
     * caller's thread, which must not block (the caller is the supervisor's loop or the control server).
     */
    static ThreadPoolExecutor bounded(String name, int capacity, RejectedExecutionHandler whenFull) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
                daemon(name), whenFull);
    }

    /**
     * One thread for a job's own periodic tasks. Its queue is unbounded in type only: nothing but the job's
     * {@code start()} schedules on it, a fixed number of periodic tasks; after shutdown they end.
     */
    static ScheduledThreadPoolExecutor periodic(String name) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, daemon(name),
                new ThreadPoolExecutor.DiscardPolicy());
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        e.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        return e;
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

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
