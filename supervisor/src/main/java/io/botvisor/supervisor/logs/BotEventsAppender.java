package io.botvisor.supervisor.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import io.botvisor.supervisor.process.RotatingFileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Marker;

/**
 * Writes each line marked with {@link BotEvents#of} to its bot's {@code events.log} under the logs dir, rotated like
 * the bots' other files ({@link RotatingFileOutputStream}). The file is opened for each line and closed again:
 * lifecycle lines are a handful a minute per bot, and a fleet of hundreds then holds no descriptor for them, nor one
 * for a bot that was removed. Under walls the logs dir is root's alone (StateLayout), so no bot can write to it.
 * Called on Logback's async worker thread (cli/LogSetup); AppenderBase serialises calls.
 */
public final class BotEventsAppender extends AppenderBase<ILoggingEvent> {
    private final Path logsDir;
    private final Encoder<ILoggingEvent> encoder;
    private final long maxBytes;
    private final int maxFiles;
    /** Bots whose last write failed: said once on stderr, not at every line. */
    private final Set<String> failing = new HashSet<>();

    public BotEventsAppender(Path logsDir, Encoder<ILoggingEvent> encoder, long maxBytes, int maxFiles) {
        this.logsDir = logsDir;
        this.encoder = encoder;
        this.maxBytes = maxBytes;
        this.maxFiles = maxFiles;
    }

    /** The events file of {@code bot} in {@code logsDir}. */
    public static Path file(Path logsDir, String bot) {
        return logsDir.resolve(bot).resolve("events.log");
    }

    @Override
    protected void append(ILoggingEvent event) {
        String bot = BotEvents.botOf(event.getMarkerList());
        if (bot == null) {
            return;
        }
        Path file = file(logsDir, bot);
        try (OutputStream out = new RotatingFileOutputStream(file, maxBytes, maxFiles)) {
            out.write(encoder.encode(event));
            failing.remove(bot);
        } catch (IOException | RuntimeException e) {
            if (failing.add(bot)) {
                // The supervisor's own log still has the line; this appender has no logger of its own to tell.
                System.err.println("botvisor: bot '" + bot + "': cannot write " + file + ": " + e
                        + "; its lifecycle lines are in the supervisor's log only until it can");
            }
        }
    }

    /**
     * Lets a bot's lifecycle lines through whatever the logger's level ({@code BOTVISOR_LOG_LEVEL=WARN} keeps them in
     * events.log); {@link LevelGate} keeps the supervisor's own outputs at its level. Thread-safe.
     */
    public static final class AtAnyLevel extends TurboFilter {
        @Override
        public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                                  Throwable t) {
            return BotEvents.botOf(marker) != null ? FilterReply.ACCEPT : FilterReply.NEUTRAL;
        }
    }

    /** On an appender of the supervisor's log: drops a lifecycle line below its logger's level. Thread-safe. */
    public static final class LevelGate extends Filter<ILoggingEvent> {
        private final LoggerContext loggers;

        public LevelGate(LoggerContext loggers) {
            this.loggers = loggers;
        }

        @Override
        public FilterReply decide(ILoggingEvent event) {
            if (BotEvents.botOf(event.getMarkerList()) == null) {
                return FilterReply.NEUTRAL;
            }
            Level wanted = loggers.getLogger(event.getLoggerName()).getEffectiveLevel();
            return event.getLevel().isGreaterOrEqual(wanted) ? FilterReply.NEUTRAL : FilterReply.DENY;
        }
    }
}
