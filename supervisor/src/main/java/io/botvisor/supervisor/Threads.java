package io.botvisor.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's worker threads: one thread per job, named for it (as HikariCP's "connection adder" and "house
 * keeper"), so that a job that hangs stops only itself and a thread dump says which one; daemons, so that none keeps
 * the JVM alive after the loop is done. Stateless.
 */
public final class Threads {
    private static final Logger log = LoggerFactory.getLogger(Threads.class);

    private Threads() {
    }

    /**
     * Gives the calling thread (only it: Linux niceness is per thread) nice {@code nice}, ahead of everything at the
     * default 0 — the bots, which it forks from other threads. For the supervisor's loop: when 200 JVMs start on two
     * cores it waited up to 150 ms for a core (BENCHMARKS.md, issue 9). Needs CAP_SYS_NICE (root has it); without
     * it the thread keeps nice 0, said once. The {@code renice} runs on a short-lived thread of its own, so the caller
     * does not wait for the exec.
     */
    public static void favourCurrent(int nice) {
        String name = Thread.currentThread().getName();
        String tid;
        try {
            // "PID/task/TID": this thread's own id, which Java does not expose.
            tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        } catch (IOException | RuntimeException e) {
            log.info("{} keeps the default priority: cannot find its thread id ({})", name, e.toString());
            return;
        }
        Thread t = new Thread(() -> {
            try {
                Process p = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor() == 0) {
                    log.info("{} runs at nice {}, ahead of the bots", name, nice);
                } else {
                    log.info("{} keeps the default priority (renice: {}); under load it may wait for a core", name,
                            out.isEmpty() ? "exit " + p.exitValue() : out.replace('\n', ' '));
                }
            } catch (IOException e) {
                log.info("{} keeps the default priority: {}", name, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "renice");
        t.setDaemon(true);
        t.start();
    }

    /**
     * One thread and at most {@code capacity} waiting tasks; a task that does not fit goes to {@code whenFull} on the
     * caller's thread, which must not block (the caller is often the supervisor's loop).
     */
    public static ThreadPoolExecutor bounded(String name, int capacity, RejectedExecutionHandler whenFull) {
        ThreadPoolExecutor e = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(capacity), daemon(name), whenFull);
        // Started now, by the creating thread: a thread made on first use by the loop would inherit the loop's
        // raised priority (favourCurrent), and so would every child it forked.
        e.prestartAllCoreThreads();
        return e;
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
        e.prestartAllCoreThreads(); // see bounded()
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
