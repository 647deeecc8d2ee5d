package io.botvisor.supervisor.core;

import io.botvisor.supervisor.process.ExitStatus;

/**
 * Why a bot's process ended when the end counts against it (a restart or FAILED follows): the closed set that
 * {@code botvisor_bot_exits_total{reason}} and status' {@code exits} count. An operator's stop or restart, a shutdown
 * and a clean exit under {@code on-failure} have no cause. Immutable.
 */
public enum ExitCause {
    /** It ended by itself (any code, a signal nobody in the supervisor sent), or broke its events queue. */
    CRASH("crash"),
    /** No heartbeat for heartbeatTimeout: killed. */
    HANG("hang"),
    /** /proc showed it stopped by a signal (state T) twice in a row: killed. */
    STOPPED_BY_SIGNAL("stopped-by-signal"),
    /** Resident memory above memoryLimit: restarted. */
    MEMORY("memory"),
    /** Health score below minScore for unhealthyFor: restarted. */
    UNHEALTHY("unhealthy"),
    /** No READY within startupTimeout: killed. */
    STARTUP_TIMEOUT("startup-timeout"),
    /** The process could not be started at all. */
    LAUNCH_FAILED("launch-failed"),
    /**
     * A bot-runner JVM exited with {@link #JVM_OOM_EXIT}: the code {@code -XX:+ExitOnOutOfMemoryError} (which every
     * bot-runner child gets) exits with. A bot that calls {@code System.exit(3)} itself is counted here too; the
     * kernel's OOM killer (SIGKILL) cannot be told from a {@code kill -9} and counts as a crash.
     */
    OOM("oom");

    /** What the JVM exits with on an OutOfMemoryError under {@code -XX:+ExitOnOutOfMemoryError}. */
    static final int JVM_OOM_EXIT = 3;

    private final String label;

    ExitCause(String label) {
        this.label = label;
    }

    /** The name in metrics and status: lower case, hyphenated. */
    public String label() {
        return label;
    }

    /** The cause of an end nobody asked for, from its exit status. */
    static ExitCause ofExit(ExitStatus status, boolean command) {
        return status.code() == JVM_OOM_EXIT && !command ? OOM : CRASH;
    }
}
