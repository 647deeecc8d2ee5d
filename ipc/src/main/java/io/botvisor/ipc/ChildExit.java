package io.botvisor.ipc;

/**
 * What a bot-runner child's exit code and last event mean to the supervisor: the contract between the two sides of
 * a start that fails. A child whose bot cannot start writes one {@link Message.Event} of kind
 * {@link #EVENT_START_FAILED} with the cause on one line, then exits: with {@link #CONFIG_ERROR} when retrying cannot
 * help (unknown bot class, bad bot config, a rejected credential), so the supervisor marks the bot FAILED at once
 * instead of crash-looping; with {@link #START_FAILED} otherwise (counted like a crash). Constants only.
 * <p>The event is on the bot's own events queue and is visible there before the process exits, so a reader that
 * drains the queue after seeing the exit finds it. Its detail does not repeat the bot's id (the reader knows it) and
 * carries no stack; it is at most 500 characters, but it comes from bot code: bound it again when reading.
 */
public final class ChildExit {
    /** The bot stopped on request (STOP, SIGTERM): the usual end. */
    public static final int OK = 0;
    /** The bot's start threw something retrying may cure (a dependency down): backoff and restart as for a crash. */
    public static final int START_FAILED = 1;
    /** The child could not even read its spec (bad environment, unreadable file): started wrongly. */
    public static final int BAD_SPEC = 2;
    /** sysexits.h EX_CONFIG: a configuration error that no restart will cure; the supervisor does not restart. */
    public static final int CONFIG_ERROR = 78;
    /** Event kind: the bot failed to start; detail is the cause, one line. */
    public static final String EVENT_START_FAILED = "start-failed";
    /**
     * Event kind: the heartbeat task failed (a heartbeat could not be composed or written); detail is the exception, one line. No
     * heartbeat follows: the bot will be killed as hung. A bot's {@code selfCheck} that throws is not this: it is
     * reported as a failing self-check in heartbeats that go on.
     */
    public static final String EVENT_HEARTBEAT_FAILED = "heartbeat-failed";

    private ChildExit() {
    }
}
