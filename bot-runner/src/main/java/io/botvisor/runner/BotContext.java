package io.botvisor.runner;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the runtime gives a bot. Thread-safe.
 *
 * <p>{@link #executor()} is the bot's work thread. The runtime composes every heartbeat on it, so a bot whose work
 * runs there and gets stuck stops heartbeating and is restarted as hung. Work belongs on this thread.
 */
public interface BotContext {

    String botId();

    /** The bot's {@code config:} from the fleet file, flattened to dotted keys. */
    Map<String, String> config();

    /** A config value parsed as a duration ({@code 500ms}, {@code 20s}), or {@code fallback} when absent. */
    Duration durationConfig(String key, Duration fallback);

    ScheduledExecutorService executor();

    /** Adds {@code delta} to a named counter reported in every heartbeat ({@code errors} feeds the health score). */
    void count(String counter, long delta);
}
