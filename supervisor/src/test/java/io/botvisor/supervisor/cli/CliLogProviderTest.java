package io.botvisor.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class CliLogProviderTest {
    @Test
    void warningIsOneLineOnStderrNamingTheLoggerAndTheCause() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliLogProvider.StderrLogger log = new CliLogProvider.StderrLogger("net.openhft.chronicle.queue.Queue", Level.WARN,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        log.info("not shown {}", 1);
        log.warn("cannot map {} ({} bytes)", "cycle", 64, new IllegalStateException("busy"));
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("botvisor ctl: WARN Queue: cannot map cycle (64 bytes) (java.lang.IllegalStateException: busy)"
                        + System.lineSeparator());
    }

    @Test
    void providerReadsTheLevelOfTheLauncher() {
        String before = System.getProperty(LogSetup.LEVEL_PROPERTY);
        System.setProperty(LogSetup.LEVEL_PROPERTY, "error");
        try {
            CliLogProvider p = new CliLogProvider();
            p.initialize();
            assertThat(p.getLoggerFactory().getLogger("x").isWarnEnabled()).isFalse();
            assertThat(p.getLoggerFactory().getLogger("x").isErrorEnabled()).isTrue();
        } finally {
            if (before == null) {
                System.clearProperty(LogSetup.LEVEL_PROPERTY);
            } else {
                System.setProperty(LogSetup.LEVEL_PROPERTY, before);
            }
        }
    }
}
