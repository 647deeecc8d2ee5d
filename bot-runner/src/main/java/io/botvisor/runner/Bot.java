package io.botvisor.runner;

import java.time.Duration;

/**
 * A bot, run by bot-runner in its own JVM. The runtime calls {@link #start} once on the main thread, then
 * {@link #selfCheck} once per heartbeat on the bot's work thread ({@link BotContext#executor()}), and {@link #stop}
 * once when the supervisor asks, on a runtime thread. An implementation needs a public no-argument constructor.
 */
public interface Bot {

    /** Starts serving. Returning means ready: the supervisor is told READY. Throwing fails the start (exit 1). */
    void start(BotContext ctx) throws Exception;

    /** Stops within {@code deadline}; after it the supervisor terminates the process. */
    void stop(Duration deadline) throws Exception;

    /** The bot's own verdict on its health, reported in every heartbeat. */
    default SelfCheck selfCheck() {
        return SelfCheck.passing();
    }
}
