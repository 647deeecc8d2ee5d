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

    public Path controlReplies() {
        return stateDir.resolve("ipc").resolve("control").resolve("replies");
    }
}
