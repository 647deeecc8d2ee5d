package io.botvisor.supervisor.core;

import io.botvisor.ipc.IpcLayout;
import io.botvisor.ipc.IpcQueue;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageReader;
import io.botvisor.ipc.MessageWriter;
import io.botvisor.supervisor.config.Specs;
import io.botvisor.supervisor.policy.Backoff;
import io.botvisor.supervisor.policy.RestartIntensity;
import io.botvisor.supervisor.process.ChildProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * Everything the supervisor knows about one bot. Plain mutable fields, touched only by the supervisor's loop thread;
 * transitions go through {@link Supervisor}, never by assigning {@link #state} elsewhere.
 */
final class BotSlot {
    final Specs.Bot spec;
    final Backoff backoff;
    final RestartIntensity intensity;
    ChildState state = ChildState.STOPPED;
    long stateSinceNanos;
    ChildProcess child;
    StopIntent stopIntent;
    String failedReason;
    LastExit lastExit;
    int restartsTotal;
    final List<ScheduledFuture<?>> timers = new ArrayList<>();

    // Heartbeat-derived health, reset at every spawn.
    Message.Heartbeat lastHeartbeat;
    long lastHeartbeatNanos;
    int health = -1;
    List<String> healthReasons = List.of();
    long unhealthySinceNanos = -1;
    long healthySinceNanos = -1;
    long rssBytes = -1;
    /** Consecutive samples that found the child stopped by a signal. */
    int stoppedSamples;
    double errorsPerMinute;
    double gcFraction;

    // IPC, opened once per bot and kept across restarts.
    IpcQueue commandQueue;
    IpcQueue eventQueue;
    MessageWriter commands;
    MessageReader events;

    BotSlot(Specs.Bot spec, Backoff backoff, RestartIntensity intensity) {
        this.spec = spec;
        this.backoff = backoff;
        this.intensity = intensity;
    }

    String id() {
        return spec.id();
    }

    /** Opens this bot's queues once; they are kept across restarts. A {@code command:} bot has none. */
    void openQueues(IpcLayout layout) {
        if (!spec.isCommand()) {
            commandQueue = IpcQueue.open(layout.commands(id()));
            eventQueue = IpcQueue.open(layout.events(id()));
            commands = commandQueue.writer();
            events = eventQueue.readerFromEnd();
        }
    }

    /** Closes the queues; a tick that was already queued then finds nothing to read. */
    void closeQueues() {
        if (commandQueue != null) {
            events = null;
            commands = null;
            commandQueue.close();
            eventQueue.close();
        }
    }

    /** Starting or stopping: its READY or exit should be seen at the supervisor's fast tick. */
    boolean inTransit() {
        return state == ChildState.STARTING || state == ChildState.STOPPING;
    }

    void cancelTimers() {
        timers.forEach(t -> t.cancel(false));
        timers.clear();
    }

    BotStatus status(long nowNanos) {
        return new BotStatus(id(), state, child == null ? 0 : child.pid(), state == ChildState.RUNNING ? health : -1,
                healthReasons, restartsTotal, intensity.inWindow(nowNanos), (nowNanos - stateSinceNanos) / 1_000_000,
                child == null ? -1 : rssBytes, failedReason, lastExit,
                lastHeartbeat == null ? java.util.Map.of() : lastHeartbeat.counters());
    }

    void resetHealth(long nowNanos) {
        lastHeartbeat = null;
        lastHeartbeatNanos = nowNanos;
        health = -1;
        healthReasons = List.of();
        unhealthySinceNanos = -1;
        healthySinceNanos = -1;
        rssBytes = -1;
        stoppedSamples = 0;
        errorsPerMinute = 0;
        gcFraction = 0;
    }

    /** Sends a command to the running child and rings its doorbell (a command is waiting). */
    void tell(java.util.function.LongFunction<Message> command) {
        commands.write(command.apply(child.gen()));
        child.ring();
    }

    /** Tells a RUNNING bot-runner child its pool's new maximum; false when there is no such child to tell. */
    boolean grantPool(int maxConnections, long nowMillis) {
        if (state != ChildState.RUNNING || child == null || spec.isCommand()) {
            return false;
        }
        tell(gen -> new Message.PoolGrant(gen, maxConnections, nowMillis));
        return true;
    }
}
