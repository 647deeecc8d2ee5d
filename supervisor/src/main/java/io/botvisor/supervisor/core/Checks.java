package io.botvisor.supervisor.core;

import io.botvisor.ipc.Units;
import io.botvisor.supervisor.process.ProcStats;
import io.botvisor.supervisor.process.ProcessTable;
import java.time.Duration;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic checks of running children: hangs (no heartbeat for heartbeatTimeout → kill the tree), and once a
 * second /proc state (stopped by a signal → kill the tree), memory and health score, and every few seconds the
 * descendants snapshot (one /proc scan for the fleet). They find; the
 * supervisor decides, through {@link Stopper}. Loop thread only.
 */
final class Checks {
    private static final Logger log = LoggerFactory.getLogger(Checks.class);
    /** Every this many samples the descendants of every child are re-read. */
    static final int DESCENDANTS_EVERY = 2;
    /** Samples (one a second) in a row that must find a child stopped by a signal before it is killed. */
    static final int STOPPED_SAMPLES = 2;
    private final Stopper stopper;
    private long samples;

    /** How the checks ask for a child to be ended. */
    interface Stopper {
        void stop(BotSlot s, StopIntent intent, boolean graceful);
    }

    Checks(Stopper stopper) {
        this.stopper = stopper;
    }

    void hangs(Collection<BotSlot> slots, long now) {
        for (BotSlot s : slots) {
            if (s.state == ChildState.RUNNING && !s.spec.isCommand()) {
                Duration age = Duration.ofNanos(now - s.lastHeartbeatNanos);
                if (age.compareTo(s.spec.health().heartbeatTimeout()) > 0) {
                    String reason = "no heartbeat for " + Units.seconds(age) + " (hung or stopped)";
                    log.warn("bot '{}' (pid {}) {}; killing its process tree", s.id(), s.child.pid(), reason);
                    stopper.stop(s, StopIntent.failure(reason), false);
                }
            }
        }
    }

    /**
     * A bot-runner child found stopped by a signal (SIGSTOP; /proc state 'T') in {@link #STOPPED_SAMPLES} samples in
     * a row is hung as surely as one that stopped heartbeating, and is known sooner than heartbeatTimeout: kill its
     * tree. Returns whether it did.
     */
    private boolean stoppedTooLong(BotSlot s, ProcStats.Sample proc) {
        if (s.state != ChildState.RUNNING || s.spec.isCommand() || !proc.stopped()) {
            s.stoppedSamples = 0;
            return false;
        }
        if (++s.stoppedSamples < STOPPED_SAMPLES) {
            return false;
        }
        String reason = "stopped by a signal (state T) in " + s.stoppedSamples + " samples in a row";
        log.warn("bot '{}' (pid {}) {}; killing its process tree", s.id(), s.child.pid(), reason);
        stopper.stop(s, StopIntent.failure(reason), false);
        return true;
    }

    /**
     * Memory and health of every child; every {@link #DESCENDANTS_EVERY} samples also a fresh snapshot of every
     * child's descendants (one /proc scan, ~13 µs per process on the host: done less often than the memory sample).
     */
    void sample(Collection<BotSlot> slots, long now) {
        ProcessTable table = samples++ % DESCENDANTS_EVERY == 0 ? ProcessTable.scan() : null;
        for (BotSlot s : slots) {
            if (s.child == null || !s.state.hasProcess()) {
                continue;
            }
            if (table != null) {
                s.child.refreshDescendants(table);
            }
            ProcStats.Sample proc = table != null ? table.sample(s.child.pid()) : ProcStats.sample(s.child.pid());
            if (stoppedTooLong(s, proc)) {
                continue;
            }
            String restartFor = HealthTracker.sample(s, proc, now);
            if (restartFor != null && s.state == ChildState.RUNNING) {
                log.warn("bot '{}' (pid {}) {}; restarting it gracefully", s.id(), s.child.pid(), restartFor);
                stopper.stop(s, StopIntent.failure(restartFor), true);
            }
        }
    }
}
