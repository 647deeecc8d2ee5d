package io.botvisor.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;
import io.botvisor.ipc.IpcQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The supervisor's logging as LogSetup configures it in this JVM (it is the registered Logback configurator). */
class LogSetupTest {
    @TempDir
    Path dir;
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();
    private LoggerContext context;

    @BeforeEach
    void listen() {
        context = (LoggerContext) LoggerFactory.getILoggerFactory();
        seen.setContext(context);
        seen.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);
    }

    @AfterEach
    void stopListening() {
        context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(seen);
    }

    private List<String> warnings() {
        return seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** What Chronicle itself logs when the supervisor opens a bot's events queue before the bot wrote to it. */
    private void openEmptyQueueReadOnly(String name) throws Exception {
        Path queue = Files.createDirectories(dir.resolve(name));
        try (IpcQueue q = IpcQueue.openReadOnly(queue)) {
            q.readerFromEnd();
        }
    }

    @Test
    void chroniclesReadOnlyFallbackWarningIsKeptOutOfTheLogAndItsOtherWarningsAreNot() throws Exception {
        List<TurboFilter> filters = context.getTurboFilterList();
        TurboFilter fallback = filters.stream().filter(f -> f instanceof LogSetup.ReadOnlyQueueFallback).findFirst()
                .orElseThrow(() -> new AssertionError("LogSetup installed no filter: " + filters));
        // First without the filter: the warning is there to be seen.
        filters.remove(fallback);
        try {
            openEmptyQueueReadOnly("unfiltered");
        } finally {
            context.addTurboFilter(fallback);
        }
        assertThat(warnings()).anySatisfy(m -> assertThat(m).startsWith(LogSetup.ReadOnlyQueueFallback.MESSAGE));
        seen.list.clear();

        openEmptyQueueReadOnly("filtered");
        LoggerFactory.getLogger(LogSetup.ReadOnlyQueueFallback.LOGGER).warn("another warning of the builder");
        assertThat(warnings()).containsExactly("another warning of the builder");
    }
}
