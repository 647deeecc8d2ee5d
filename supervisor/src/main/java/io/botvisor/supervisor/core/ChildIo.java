package io.botvisor.supervisor.core;

import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageWriter;
import io.botvisor.supervisor.Threads;
import io.botvisor.supervisor.process.ChildProcess;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the supervisor does to its children that may block: signalling a process tree (each signal walks /proc for
 * the descendants), writing a command to a child's queue and ringing its doorbell (a pipe write), and killing what an
 * exited child left behind. One named thread ("child-io"), so the order of what is done to one child is the order it
 * was asked in; a bounded queue, and a task that cannot be queued is logged, not run on the caller (the loop).
 * Thread-safe.
 */
final class ChildIo implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChildIo.class);
    static final int CAPACITY = 8192;
    private final ThreadPoolExecutor thread =
            Threads.bounded("child-io", CAPACITY, new ThreadPoolExecutor.AbortPolicy());

    void signal(String bot, ChildProcess child, Effect.Signal signal) {
        run(bot, "signal " + signal, () -> {
            switch (signal) {
                case TERM_ROOT -> child.terminateRoot();
                case TERM_TREE -> child.terminateTree();
                case KILL_TREE -> child.killTree();
                default -> throw new IllegalArgumentException("unknown signal " + signal);
            }
        });
    }

    /** Writes {@code command} to the child's queue, then rings its doorbell (read it now). */
    void tell(String bot, MessageWriter commands, ChildProcess child, Message command) {
        run(bot, "send " + command.getClass().getSimpleName(), () -> {
            commands.write(command);
            child.ring();
        });
    }

    /** After an exit: kills what the child left behind and releases its stdin. */
    void reap(String bot, ChildProcess child) {
        run(bot, "reap", child::reapLeftovers);
    }

    private void run(String bot, String what, Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // A stop that was not delivered is escalated by the stop timer; a signal to a gone process is moot.
                    log.warn("bot '{}': {} failed: {}", bot, what, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            log.error("bot '{}': {} dropped: child-io queue full ({} waiting) or closed", bot, what, CAPACITY);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
