package io.botvisor.supervisor.core;

/**
 * The named timers a slot may arm, at most one of each at a time (arming one again replaces it). The table says
 * which state arms which and what its firing does.
 */
enum Timer {
    /** STARTING: the child has until startupTimeout to say READY. */
    STARTUP,
    /** STARTING: every {@link Rules#SLOW_START} a starter that waits, not works, gives its start-gate place back. */
    SLOW_START,
    /** RUNNING: the heartbeat deadline (last heartbeat + heartbeatTimeout). */
    HEARTBEAT,
    /** BACKOFF: the restart delay is over. */
    BACKOFF,
    /** STOPPING: stopTimeout is over; the tree gets SIGTERM. */
    STOP_TIMEOUT,
    /** STOPPING: {@link Rules#KILL_GRACE} after that SIGTERM; the tree gets SIGKILL. */
    KILL_GRACE,
    /** A handover: the serving process has until stopTimeout to say it handed over; then it is killed. */
    HANDOVER,
    /** A handover: the successor has until startupTimeout to say READY (its own STARTUP). */
    SUCCESSOR_STARTUP
}
