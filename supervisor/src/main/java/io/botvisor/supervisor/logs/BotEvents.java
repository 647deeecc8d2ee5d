package io.botvisor.supervisor.logs;

import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * Marks a line of the supervisor's log as part of one bot's history: besides the supervisor's log it goes to
 * {@code STATE/logs/BOT/events.log} ({@link BotEventsAppender}), whatever the supervisor's log level. Use it on the
 * lifecycle lines (launch, READY, exit, restart, health, stop, reload): {@code log.info(BotEvents.of(bot), "bot '{}'
 * …", bot, …)}. The markers are detached (never registered in SLF4J's factory): nothing accumulates. Stateless;
 * thread-safe.
 */
public final class BotEvents {
    private static final String PREFIX = "botvisor-bot:";
    /** As the fleet file's ids (FleetFileReader): a marker can never name a path outside STATE/logs. */
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

    private BotEvents() {
    }

    /** The marker of {@code bot}'s lifecycle lines. */
    public static Marker of(String bot) {
        return MarkerFactory.getDetachedMarker(PREFIX + bot);
    }

    /** The bot whose history a line belongs to, or null when it is no bot's (or names no valid bot id). */
    static String botOf(List<Marker> markers) {
        if (markers == null) {
            return null;
        }
        for (Marker m : markers) {
            String bot = botOf(m);
            if (bot != null) {
                return bot;
            }
        }
        return null;
    }

    static String botOf(Marker m) {
        if (m == null || !m.getName().startsWith(PREFIX)) {
            return null;
        }
        String bot = m.getName().substring(PREFIX.length());
        return ID.matcher(bot).matches() ? bot : null;
    }
}
