package io.botvisor.supervisor.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.spi.FilterReply;
import io.botvisor.supervisor.SupervisorException;
import io.botvisor.supervisor.logs.BotEvents;
import io.botvisor.supervisor.logs.BotEventsAppender;
import io.botvisor.supervisor.logs.Stamps;
import io.botvisor.supervisor.process.RotatingFileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Logging for the supervisor and the CLI, set up in code: parsing a logback.xml costs a short-lived {@code ctl} run
 * ~60-90 ms (BENCHMARKS.md, benchmark 5). The supervisor logs to stdout (journald under systemd); each child's own
 * output goes to its files under STATE/logs/BOT/. The level comes from the system property {@code BOTVISOR_LOG_LEVEL}
 * (scripts/botvisor: INFO for run, WARN for ctl); Chronicle's own chatter is kept to warnings. An operator's
 * {@code -Dlogback.configurationFile=FILE} still wins: this configurator then steps aside.
 * <p>The supervisor ({@code botvisor run}) hands its lines to a writer thread ({@link #writeInBackground}): formatting
 * and writing a line cost the loop and the launcher ~0.3 ms each on the way from a crash to the restart's fork
 * (BENCHMARKS.md, issue 9). Nothing is dropped (a full queue makes the logger wait), and every way out of the JVM
 * calls {@link #flush} first.
 * <p>Once it holds its state dir, the supervisor also writes its log to {@code STATE/logs/supervisor.log} and each
 * bot's lifecycle lines to {@code STATE/logs/BOT/events.log} ({@link #toFiles}): both on the same writer thread, both
 * rotated by rename like the bots' files.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String LEVEL_PROPERTY = "BOTVISOR_LOG_LEVEL";
    static final String STDERR_PROPERTY = "botvisor.log.stderr";
    static final String PATTERN = "%d{" + Stamps.PATTERN + "} %-5level %msg%n";
    /** supervisor.log rotates as a bot's files do by default (Schema: logs.maxFileSize 10m, maxFiles 5). */
    static final long SUPERVISOR_LOG_BYTES = 10L << 20;
    static final int SUPERVISOR_LOG_FILES = 5;
    /** A bot's events.log: a few lines per start or exit, so ~5000 of them per file. */
    static final long EVENTS_LOG_BYTES = 1L << 20;
    static final int EVENTS_LOG_FILES = 5;

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // Logback's own configurator reads the operator's file
        }
        PatternLayoutEncoder encoder = encoder(context);
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("OUT");
        // 'botvisor db …' prints results on stdout; its log lines must not mix into them.
        out.setTarget(Boolean.getBoolean(STDERR_PROPERTY) ? "System.err" : "System.out");
        out.setEncoder(encoder);
        out.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty(LEVEL_PROPERTY, "INFO"), Level.INFO));
        root.addAppender(out);
        context.getLogger("net.openhft").setLevel(Level.WARN);
        // zonky narrates every start and stop (binaries found, initdb, "Did not clean up directory" for the data we
        // keep on purpose); botvisor says what matters in its own lines ("embedded PostgreSQL … started").
        context.getLogger("io.zonky").setLevel(Level.WARN);
        context.addTurboFilter(new ReadOnlyQueueFallback());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Drops Chronicle's warning "Failback to readonly tablestore … Metadata file not found in readOnly mode", logged
     * at every read-only open of a queue whose writer has not made its metadata file yet: each bot's events queue at
     * the supervisor's first start (one WARN with an exception's name per bot: 200 of them for a 200-bot fleet), by
     * design ({@link io.botvisor.ipc.IpcQueue#openReadOnly}: the supervisor writes nothing in a directory a bot can
     * write). Only that message: the builder's other warnings still reach the log.
     */
    static final class ReadOnlyQueueFallback extends TurboFilter {
        static final String LOGGER = "net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder";
        static final String MESSAGE = "Failback to readonly tablestore";

        @Override
        public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                                  Throwable t) {
            return format != null && format.startsWith(MESSAGE) && logger.getName().equals(LOGGER)
                    ? FilterReply.DENY : FilterReply.NEUTRAL;
        }
    }

    /**
     * From now on lines are written on Logback's "AsyncAppender-Worker-OUT" thread; a no-op under an operator's own
     * logback file. Call once, early, in a process that runs long.
     */
    static void writeInBackground() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> out = root.getAppender("OUT");
        if (out == null) {
            return;
        }
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("ASYNC");
        async.setQueueSize(8192);
        async.setDiscardingThreshold(0); // keep INFO lines when the queue fills: the logger waits instead
        async.setNeverBlock(false);
        async.setMaxFlushTime(AsyncAppenderBase.DEFAULT_MAX_FLUSH_TIME);
        // AsyncAppender takes one appender: the tee, to which toFiles adds the files once the state dir is known.
        Tee tee = new Tee();
        tee.setContext(context);
        tee.setName("TEE");
        tee.addAppender(out);
        tee.start();
        async.addAppender(tee);
        async.start();
        root.addAppender(async);
        root.detachAppender(out);
    }

    private static PatternLayoutEncoder encoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }

    /**
     * From now on the supervisor's lines also go to {@code logsDir/supervisor.log}, and each bot's lifecycle lines
     * ({@link BotEvents}) to {@code logsDir/BOT/events.log}, on the writer thread of {@link #writeInBackground} when
     * there is one. Call once the state dir is locked: a second supervisor, refused the lock, must not write to (or
     * rotate) the first one's files. Under an operator's own logback file only events.log is added (at that file's
     * levels): the rest is the operator's to configure. Throws {@link SupervisorException} when the files cannot be
     * opened.
     */
    static void toFiles(Path logsDir) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        AppenderAttachable<ILoggingEvent> host = root.getAppender("ASYNC") instanceof AsyncAppender a
                && a.getAppender("TEE") instanceof Tee tee ? tee : root;
        BotEventsAppender events = new BotEventsAppender(logsDir, encoder(context), EVENTS_LOG_BYTES,
                EVENTS_LOG_FILES);
        events.setContext(context);
        events.setName("EVENTS");
        events.start();
        if (System.getProperty("logback.configurationFile") != null) {
            host.addAppender(events);
            return;
        }
        Path file = logsDir.resolve("supervisor.log");
        OutputStreamAppender<ILoggingEvent> out = new OutputStreamAppender<>();
        try {
            out.setOutputStream(new RotatingFileOutputStream(file, SUPERVISOR_LOG_BYTES, SUPERVISOR_LOG_FILES));
        } catch (IOException e) {
            throw new SupervisorException("cannot write the supervisor's log " + file + ": " + e
                    + " (expected a state dir the supervisor's user may write to; see --state-dir)", e);
        }
        out.setContext(context);
        out.setName("FILE");
        out.setEncoder(encoder(context));
        BotEventsAppender.LevelGate gate = new BotEventsAppender.LevelGate(context);
        gate.start();
        out.addFilter(gate);
        out.start();
        Appender<ILoggingEvent> console = host.getAppender("OUT");
        if (console != null) {
            console.addFilter(gate);
        }
        host.addAppender(out);
        host.addAppender(events);
        BotEventsAppender.AtAnyLevel atAnyLevel = new BotEventsAppender.AtAnyLevel();
        atAnyLevel.setContext(context);
        atAnyLevel.start();
        context.addTurboFilter(atAnyLevel);
    }

    /** Writes what is queued and stops logging; call right before the JVM exits (System.exit or halt). */
    public static void flush() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }
}
