package io.botvisor.runner.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Changes a logger's level in this JVM's Logback, for {@code botvisor ctl loglevel}. The change holds until the next
 * one or the end of the JVM (a restarted bot starts at the levels its configuration gives). Thread-safe (Logback's
 * levels are).
 */
final class LogLevels {
    /** The levels an operator may set, as {@code ctl loglevel} documents them. */
    static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private LogLevels() {
    }

    /**
     * Sets {@code logger} ({@code ROOT}, any case: the root logger) to {@code level} and returns what to tell the
     * operator: {@code logger 'x' set to DEBUG (was INFO, inherited)}.
     *
     * @throws IllegalArgumentException naming the bad level, or saying that this JVM does not log through Logback (a
     *         bot's classpath brought another SLF4J provider that won)
     */
    static String set(String logger, String level) {
        String wanted = level.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(wanted)) {
            throw new IllegalArgumentException("level \"" + level + "\" is unknown (expected one of "
                    + String.join(", ", LEVELS) + ")");
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            throw new IllegalArgumentException("this bot logs through " + factory.getClass().getName()
                    + ", not Logback: its levels cannot be changed while it runs");
        }
        boolean root = logger.equalsIgnoreCase(Logger.ROOT_LOGGER_NAME);
        Logger l = context.getLogger(root ? Logger.ROOT_LOGGER_NAME : logger);
        Level before = l.getLevel();
        String was = before != null ? before.toString() : l.getEffectiveLevel() + ", inherited";
        l.setLevel(Level.toLevel(wanted));
        return "logger '" + (root ? Logger.ROOT_LOGGER_NAME : logger) + "' set to " + wanted + " (was " + was + ")";
    }
}
