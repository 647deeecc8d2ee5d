package io.botvisor.supervisor.core;

import io.botvisor.ipc.Units;
import io.botvisor.supervisor.process.ChildProcess;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forced end of a graceful stop that did not finish: SIGTERM to the child's whole tree after stopTimeout, then
 * SIGKILL to it {@link #KILL_GRACE} later. Each step is skipped once that child has exited. Loop thread only.
 */
final class Escalation {
    private static final Logger log = LoggerFactory.getLogger(Escalation.class);
    /** Between SIGTERM and SIGKILL of a child tree that outlived its stop timeout. */
    static final Duration KILL_GRACE = Duration.ofSeconds(2);

    private Escalation() {
    }

    static void schedule(Loop loop, BotSlot s, ChildProcess child, Duration timeout) {
        loop.after(s.timers, timeout, () -> {
            if (s.child != child) {
                return;
            }
            log.warn("bot '{}' (pid {}) did not stop within {}; sending SIGTERM to its process tree", s.id(),
                    child.pid(), Units.seconds(timeout));
            child.terminateTree();
            loop.after(s.timers, KILL_GRACE, () -> {
                if (s.child == child) {
                    log.warn("bot '{}' (pid {}) survived SIGTERM for {}; sending SIGKILL to its process tree",
                            s.id(), child.pid(), Units.seconds(KILL_GRACE));
                    child.killTree();
                }
            });
        });
    }
}
