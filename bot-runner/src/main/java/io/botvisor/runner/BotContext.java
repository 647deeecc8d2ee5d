package io.botvisor.runner;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;

/**
 * What the runtime gives a bot. Thread-safe.
 *
 * <p>{@link #executor()} is the bot's work thread. The runtime composes every heartbeat on it, so a bot whose work
 * runs there and gets stuck stops heartbeating and is restarted as hung. Work belongs on this thread.
 */
public interface BotContext {

    String botId();

    /**
     * The bot's {@code config:} from the fleet file, flattened to dotted keys; after a {@link Bot#reconfigure} that
     * returned true, the configuration it applied.
     */
    Map<String, String> config();

    /**
     * A config value parsed as a duration ({@code 500ms}, {@code 20s}), or {@code fallback} when absent.
     *
     * @throws BotConfigException when the value is not a duration; thrown on from {@link Bot#start} it fails the
     *         start as a configuration error
     */
    Duration durationConfig(String key, Duration fallback);

    ScheduledExecutorService executor();

    /**
     * The bot's {@code telegram:} section from the fleet file (checked by the supervisor, built-in defaults filled in),
     * flattened to dotted keys: {@code apiUrl}, {@code pollTimeout}, {@code allowedUpdates} (comma-separated),
     * {@code handlerThreads}, {@code handlerTimeout}, {@code sendLimits.perChat}, {@code sendLimits.perGroup},
     * {@code sendLimits.overall}, {@code uncertainSends}. Empty for a child started without one.
     */
    default Map<String, String> telegram() {
        return Map.of();
    }

    /**
     * Whether this process was started as a handover successor (see {@link HandsOver}): its bot warms up in
     * {@link Bot#start} but takes no work until {@link HandsOver#takeOver}.
     */
    default boolean standby() {
        return false;
    }

    /**
     * Adds {@code delta} to a named counter reported in every heartbeat ({@code errors} feeds the health score).
     *
     * @throws IllegalArgumentException when the name does not match {@code [A-Za-z0-9_.-]{1,64}} (the heartbeat could
     *         not carry it)
     */
    void count(String counter, long delta);

    /**
     * The bot's own connection pool to the fleet's database, as the bot's own role (it sees only its own rows), or
     * empty when the fleet has no database. Opened on first call. It starts with one connection and the supervisor
     * grows it while its borrowers find it full, as far as the fleet's connection budget allows (and cuts it back
     * when they no longer do). A connection may have to be waited for: take it off the work thread, or a long wait
     * stops the heartbeats.
     */
    Optional<DataSource> database();
}
