package io.botvisor.runner.internal;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One log line of a child: {@code 2026-11-30T20:55:50.318+0000 [main] INFO io.botvisor.X - message}, then the stack
 * of a throwable, as slf4j-simple wrote them before. Written by hand rather than with Logback's PatternLayout, whose
 * pattern compiler loads ~150 more classes into every child's start (1,156 against 1,003 classes for a JVM that logs one
 * line; ~40 ms of CPU more, measured without a class-data archive).
 * Without its time when the supervisor stamps the lines ({@link #TIME_PROPERTY}).
 * Thread-safe (immutable).
 */
final class ChildLogLine extends LayoutBase<ILoggingEvent> {
    /** {@code -Dbotvisor.log.time=false}: no time of its own (the supervisor stamps each line as it arrives). */
    static final String TIME_PROPERTY = "botvisor.log.time";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
            .withZone(ZoneId.systemDefault());
    private final boolean withTime = !"false".equals(System.getProperty(TIME_PROPERTY));

    @Override
    public String doLayout(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder(128);
        if (withTime) {
            TIME.formatTo(Instant.ofEpochMilli(e.getTimeStamp()), sb);
            sb.append(' ');
        }
        sb.append("[").append(e.getThreadName()).append("] ").append(e.getLevel()).append(' ')
                .append(e.getLoggerName()).append(" - ").append(e.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) {
            sb.append(ThrowableProxyUtil.asString(t)); // ends with a line separator
        }
        return sb.toString();
    }
}
