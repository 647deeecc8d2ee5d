package io.botvisor.supervisor.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.LoggerFactory;

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
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String LEVEL_PROPERTY = "BOTVISOR_LOG_LEVEL";
    static final String STDERR_PROPERTY = "botvisor.log.stderr";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // Logback's own configurator reads the operator's file
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %msg%n");
        encoder.start();
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
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
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
        ch.qos.logback.classic.AsyncAppender async = new ch.qos.logback.classic.AsyncAppender();
        async.setContext(context);
        async.setName("ASYNC");
        async.setQueueSize(8192);
        async.setDiscardingThreshold(0); // keep INFO lines when the queue fills: the logger waits instead
        async.setNeverBlock(false);
        async.setMaxFlushTime(AsyncAppenderBase.DEFAULT_MAX_FLUSH_TIME);
        async.addAppender(out);
        async.start();
        root.addAppender(async);
        root.detachAppender(out);
    }

    /** Writes what is queued and stops logging; call right before the JVM exits (System.exit or halt). */
    public static void flush() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }
}
