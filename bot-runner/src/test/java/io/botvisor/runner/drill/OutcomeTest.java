package io.botvisor.runner.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A failed attempt is blocked only when the failure is a denial; anything else is an error the test must not pass. */
class OutcomeTest {
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new AccessDeniedException("/state/db/secrets/postgres.password"), Outcome.Kind.BLOCKED),
                Arguments.of(new NoSuchFileException("/state/home/peer"), Outcome.Kind.BLOCKED),
                Arguments.of(new SQLException("FATAL: password authentication failed", "28P01"),
                        Outcome.Kind.BLOCKED),
                Arguments.of(new SQLException("permission denied to set role", "42501"), Outcome.Kind.BLOCKED),
                // How IpcQueue reports a queue it may not open: the denial is the cause's message.
                Arguments.of(new IllegalStateException("cannot open queue", new FileNotFoundException(
                        "/state/ipc/control/requests/metadata.cq4t (Permission denied)")), Outcome.Kind.BLOCKED),
                Arguments.of(new IllegalStateException("Can't append to a read-only chronicle"),
                        Outcome.Kind.BLOCKED),
                Arguments.of(new SQLException("Connection to 127.0.0.1:5432 refused", "08001",
                        new ConnectException("Connection refused")), Outcome.Kind.ERROR),
                Arguments.of(new SQLException("FATAL: too many connections for role", "53300"), Outcome.Kind.ERROR),
                Arguments.of(new IOException("No space left on device"), Outcome.Kind.ERROR),
                Arguments.of(new NullPointerException(), Outcome.Kind.ERROR));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void failureIsBlockedOnlyWhenItIsADenial(Throwable failure, Outcome.Kind expected) {
        assertThat(Outcome.failed(failure).kind()).isEqualTo(expected);
    }

    @Test
    void lineNamesTheAttemptItsOutcomeAndTheReasonOnOneLine() {
        assertThat(Outcome.failed(new AccessDeniedException("/state/run/peer/spec.properties")).line("read-peer-spec"))
                .isEqualTo("attack read-peer-spec: blocked (AccessDeniedException: /state/run/peer/spec.properties)");
        assertThat(Outcome.escaped("read 33 bytes\nof a file").line("read-peer-password"))
                .isEqualTo("attack read-peer-password: ESCAPED (read 33 bytes of a file)");
        assertThat(Outcome.error("x".repeat(1000)).line("list-bots")).hasSize("attack list-bots: error ()".length()
                + Outcome.MAX_DETAIL);
    }
}
