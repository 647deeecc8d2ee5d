package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class ChildLogLineTest {
    private final LoggerContext context = new LoggerContext();

    private String line(Throwable t) {
        ChildLogLine layout = new ChildLogLine();
        layout.setContext(context);
        layout.start();
        LoggingEvent e = new LoggingEvent("fqcn", context.getLogger("io.botvisor.X"), Level.WARN, "bot '{}' said {}", t,
                new Object[] {"b1", 42});
        e.setThreadName("main");
        return layout.doLayout(e);
    }

    @Test
    void lineHasTimeThreadLevelLoggerAndMessage() {
        assertThat(line(null)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d{4} \\[main\\] WARN "
                + "io\\.botvisor\\.X - bot 'b1' said 42\\n");
    }

    @Test
    void throwableFollowsWithItsStackAndNoBlankLine() {
        String text = line(new IllegalStateException("boom"));
        assertThat(text).contains(" - bot 'b1' said 42\njava.lang.IllegalStateException: boom\n\tat ")
                .endsWith(")\n").doesNotContain("\n\n");
    }
}
