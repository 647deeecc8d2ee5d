package io.botvisor.ipc;

import java.nio.file.Path;

/**
 * Where the queues live under a state directory. Every queue has exactly one writing process:
 * <ul>
 *   <li>{@code ipc/bots/ID/commands} — supervisor → child (STOP, PING)</li>
 *   <li>{@code ipc/bots/ID/events} — child → supervisor (READY, HEARTBEAT, EVENT, PONG)</li>
 *   <li>{@code ipc/control/requests} — CLI → supervisor; CLIs are short-lived and write one message each</li>
 *   <li>{@code ipc/control/replies} — supervisor → CLI</li>
 * </ul>
 * and one doorbell, {@code ipc/control/doorbell.sock}: a Unix socket the supervisor listens on; a CLI connects to it
 * after writing a request so that the request is read at once. It carries no data: the queue is the only carrier of
 * commands. (Beside it the supervisor's {@code control.StatusSocket} answers the read-only {@code ctl status}.)
 * Immutable.
 */
public record IpcLayout(Path stateDir) {

    public Path commands(String botId) {
        return stateDir.resolve("ipc").resolve("bots").resolve(botId).resolve("commands");
    }

    public Path events(String botId) {
        return stateDir.resolve("ipc").resolve("bots").resolve(botId).resolve("events");
    }

    public Path controlRequests() {
        return stateDir.resolve("ipc").resolve("control").resolve("requests");
    }

    public Path controlDoorbell() {
        return stateDir.resolve("ipc").resolve("control").resolve("doorbell.sock");
    }

    public Path controlReplies() {
        return stateDir.resolve("ipc").resolve("control").resolve("replies");
    }
}
