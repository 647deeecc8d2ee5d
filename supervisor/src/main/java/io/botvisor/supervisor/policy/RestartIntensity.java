package io.botvisor.supervisor.policy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * OTP's restart intensity: more than {@code maxRestarts} restarts within {@code window} means the bot cannot be kept
 * up and is given up on (FAILED). Times are monotonic nanoseconds from the supervisor's clock. Not thread-safe: each
 * instance is owned by one thread (a bot's by the supervisor's loop; the embedded database server's by the keeper's
 * {@code database-watch} thread).
 */
public final class RestartIntensity {
    private final int maxRestarts;
    private final Duration window;
    private final Deque<Long> restarts = new ArrayDeque<>();

    public RestartIntensity(int maxRestarts, Duration window) {
        this.maxRestarts = maxRestarts;
        this.window = window;
    }

    /** Records a restart at {@code nowNanos}; true if that exceeds the limit. */
    public boolean addRestart(long nowNanos) {
        restarts.addLast(nowNanos);
        prune(nowNanos);
        return restarts.size() > maxRestarts;
    }

    /** Restarts within the window ending at {@code nowNanos}. */
    public int inWindow(long nowNanos) {
        prune(nowNanos);
        return restarts.size();
    }

    public void clear() {
        restarts.clear();
    }

    public int maxRestarts() {
        return maxRestarts;
    }

    public Duration window() {
        return window;
    }

    private void prune(long nowNanos) {
        while (!restarts.isEmpty() && nowNanos - restarts.peekFirst() >= window.toNanos()) {
            restarts.removeFirst();
        }
    }
}
