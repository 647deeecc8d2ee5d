package io.botvisor.supervisor;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The supervisor's worker threads: one thread per job, named for it (as HikariCP's "connection adder" and "house
 * keeper"), so that a job that hangs stops only itself and a thread dump says which one; daemons, so that none keeps
 * the JVM alive after the loop is done. Stateless.
 */
public final class Threads {
    private Threads() {
    }

    /**
     * One thread and at most {@code capacity} waiting tasks; a task that does not fit goes to {@code whenFull} on the
     * caller's thread, which must not block (the caller is often the supervisor's loop).
     */
    public static ThreadPoolExecutor bounded(String name, int capacity, RejectedExecutionHandler whenFull) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
                daemon(name), whenFull);
    }

    /**
     * One thread for a job's own periodic tasks. Its queue is unbounded in type only: nothing but the job's start
     * schedules on it, a fixed number of periodic tasks; after shutdown they end.
     */
    public static ScheduledThreadPoolExecutor periodic(String name) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, daemon(name),
                new ThreadPoolExecutor.DiscardPolicy());
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        e.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        return e;
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
