package io.botvisor.runner;

import java.time.Duration;
import java.util.Map;

/**
 * A bot, run by bot-runner in its own JVM. The runtime calls {@link #start} once on the main thread, then
 * {@link #selfCheck} once per heartbeat on the bot's work thread ({@link BotContext#executor()}), {@link #reconfigure}
 * on that thread too when the operator reloads a changed {@code config:}, and {@link #stop} once when the supervisor
 * asks, on a runtime thread. An implementation is a public class with a public no-argument
 * constructor.
 *
 * <p>A start that fails is reported to the supervisor with its cause (one line: the exception's message) before the
 * child exits: throw {@link BotConfigException} when the configuration is wrong (retrying cannot help: exit 78, the
 * bot is not restarted), anything else when it may pass (exit 1, restarted with backoff like a crash).
 */
public interface Bot {

    /**
     * Starts serving. Returning means ready: the supervisor is told READY. Throwing fails the start: a
     * {@link BotConfigException} means "my configuration is wrong, do not restart me" (exit 78); any other exception
     * means the start may succeed later (exit 1, restarted with backoff). Either way {@link #stop} is not called.
     */
    void start(BotContext ctx) throws Exception;

    /** Stops within {@code deadline}; after it the supervisor terminates the process. */
    void stop(Duration deadline) throws Exception;

    /**
     * The bot's own verdict on its health, reported in every heartbeat. A self-check that throws counts as failing,
     * with the exception as its detail; the heartbeats go on.
     */
    default SelfCheck selfCheck() {
        return SelfCheck.passing();
    }

    /**
     * Applies a changed {@code config:} while the bot runs ({@code botvisor ctl reload} after the fleet file's
     * {@code config:} of this bot changed, and nothing else of it): {@code newConfig} is the whole new configuration,
     * flattened to dotted keys as {@link BotContext#config()} gives it. Return true once the bot runs with it (from then
     * on {@link BotContext#config()} returns it too), false when it cannot apply it without a restart: the supervisor
     * then restarts the bot with it. Called on the bot's work thread, between its other tasks there, after
     * {@link #start} returned, and not once the runtime began to stop the bot (a {@link #stop} that begins while it runs
     * runs alongside it, as with any task of the work thread).
     * <p>Throwing means the new configuration could not be applied (a {@link BotConfigException} for a bad value); the
     * bot must go on with its old one. The supervisor reports the failure with the exception's message.
     * <p>The default returns false: live configuration is something a bot opts into.
     */
    default boolean reconfigure(Map<String, String> newConfig) throws Exception {
        return false;
    }
}
