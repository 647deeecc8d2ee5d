package io.botvisor.runner.internal;

import io.botvisor.ipc.ChildExit;
import io.botvisor.ipc.Message;
import io.botvisor.ipc.MessageWriter;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a heartbeat every interval, from the bot's work thread, so that a stuck work loop stops them.
 *
 * <p>What counts as a failure: a bot's {@code selfCheck} that throws is not one; {@link HeartbeatComposer} reports it
 * as a failing self-check and the heartbeats go on (the bot is unhealthy, not hung, and the health score deals with
 * it). Anything else that goes wrong (the JVM's figures cannot be read, the events queue does not take the write) is
 * logged once, reported as a {@link ChildExit#EVENT_HEARTBEAT_FAILED} event if the queue still takes one, and ends the
 * heartbeats: the supervisor then kills the bot as hung, with the cause in its log. Trying again instead would keep
 * a child alive that cannot show whether it is healthy. Without this, the executor would end the schedule silently
 * at the first exception.
 *
 * <p>Runs on the work thread; {@link #schedule} may be called from any thread, once.
 */
final class HeartbeatTask implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatTask.class);
    private final String botId;
    private final long gen;
    private final Supplier<Message.Heartbeat> composer;
    private final MessageWriter events;
    private volatile boolean failed;
    private volatile ScheduledFuture<?> future;

    HeartbeatTask(String botId, long gen, Supplier<Message.Heartbeat> composer, MessageWriter events) {
        this.botId = botId;
        this.gen = gen;
        this.composer = composer;
        this.events = events;
    }

    /** Starts the heartbeats on {@code executor}, the first one now; returns their schedule. */
    ScheduledFuture<?> schedule(ScheduledExecutorService executor, Duration interval) {
        ScheduledFuture<?> f = executor.scheduleAtFixedRate(this, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        future = f;
        if (failed) {
            f.cancel(false); // the first heartbeat failed before the schedule was known
        }
        return f;
    }

    @Override
    public void run() {
        if (failed) {
            return;
        }
        try {
            events.write(composer.get());
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void fail(Throwable t) {
        failed = true;
        ScheduledFuture<?> f = future;
        if (f != null) {
            f.cancel(false);
        }
        String cause = OneLine.of(t);
        log.error("bot '{}': heartbeat failed, no more heartbeats (the supervisor will stop the bot as hung): {}",
                botId, cause, t);
        try {
            events.write(new Message.Event(gen, ChildExit.EVENT_HEARTBEAT_FAILED, cause, System.currentTimeMillis()));
        } catch (RuntimeException e) {
            log.warn("bot '{}': could not report the failed heartbeat either: {}", botId, e.toString());
        }
    }
}
