package io.botvisor.supervisor.cli;

import java.io.PrintStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J for {@code botvisor ctl}, chosen by scripts/botvisor with {@code -Dslf4j.provider=} this class: what the
 * libraries under ctl log (Chronicle Queue's warnings) goes to stderr, one line each, at {@code BOTVISOR_LOG_LEVEL}
 * (WARN) and above. Logback's set-up is ~200 classes and ~15 ms of a ctl run that logs nothing (BENCHMARKS.md,
 * benchmark 5); the supervisor and {@code db} keep Logback ({@link LogSetup}). Thread-safe: a line is one
 * {@code println}.
 */
public final class CliLogProvider implements SLF4JServiceProvider {
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private ILoggerFactory loggers;

    @Override
    public void initialize() {
        Level threshold = level(System.getProperty(LogSetup.LEVEL_PROPERTY, "WARN"));
        ConcurrentMap<String, Logger> made = new ConcurrentHashMap<>();
        loggers = name -> made.computeIfAbsent(name, n -> new StderrLogger(n, threshold, System.err));
    }

    private static Level level(String name) {
        for (Level l : Level.values()) {
            if (l.name().equalsIgnoreCase(name.strip())) {
                return l;
            }
        }
        return Level.WARN;
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    /** One logger: lines at or above the threshold, as {@code botvisor ctl: LEVEL logger: message}. */
    static final class StderrLogger extends LegacyAbstractLogger {
        private final Level threshold;
        private final transient PrintStream err;

        StderrLogger(String name, Level threshold, PrintStream err) {
            this.name = name;
            this.threshold = threshold;
            this.err = err;
        }

        private boolean on(Level level) {
            return level.toInt() >= threshold.toInt();
        }

        @Override
        public boolean isTraceEnabled() {
            return on(Level.TRACE);
        }

        @Override
        public boolean isDebugEnabled() {
            return on(Level.DEBUG);
        }

        @Override
        public boolean isInfoEnabled() {
            return on(Level.INFO);
        }

        @Override
        public boolean isWarnEnabled() {
            return on(Level.WARN);
        }

        @Override
        public boolean isErrorEnabled() {
            return on(Level.ERROR);
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                                   Throwable throwable) {
            String text = MessageFormatter.basicArrayFormat(pattern, arguments);
            err.println("botvisor ctl: " + level + " " + name.substring(name.lastIndexOf('.') + 1) + ": " + text
                    + (throwable == null ? "" : " (" + throwable + ")"));
        }
    }
}
