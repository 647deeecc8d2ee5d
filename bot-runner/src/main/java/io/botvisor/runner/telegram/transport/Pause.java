package io.botvisor.runner.telegram.transport;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A wait that {@link #wake()} ends early: the sender waits here for new outbox rows or its next due send, the poller
 * for its backoff. Interruptible. Thread-safe: one thread waits, any thread wakes.
 */
final class Pause {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean wakeup;

    /** Waits up to {@code wait}; returns early (true) if woken, now or since the last wait. */
    boolean await(Duration wait) throws InterruptedException {
        lock.lock();
        try {
            long left = wait.toNanos();
            while (!wakeup && left > 0) {
                left = woken.awaitNanos(left);
            }
            boolean wasWoken = wakeup;
            wakeup = false;
            return wasWoken;
        } finally {
            lock.unlock();
        }
    }

    void wake() {
        lock.lock();
        try {
            wakeup = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
