package io.botvisor.supervisor.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging for the supervisor and the CLI, set up in code: parsing a logback.xml costs a short-lived {@code ctl} run
 * ~60-90 ms (BENCHMARKS.md, benchmark 5). The supervisor logs to stdout (journald under systemd); each child's own
 * output goes to its files under STATE/logs/BOT/. The level comes from the system property {@code BOTVISOR_LOG_LEVEL}
 * (scripts/botvisor: INFO for run, WARN for ctl); Chronicle's own chatter is kept to warnings. An operator's
 * {@code -Dlogback.configurationFile=FILE} still wins: this configurator then steps aside.
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
}
