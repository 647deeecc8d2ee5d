package io.botvisor.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "64k         | 65536",
            "64m         | 67108864",
            "1G          | 1073741824",
            "0k          | 0",
            "8589934591g | 9223372035781033984", // the largest whole number of gigabytes in a long
            "8796093022207m | 9223372036853727232",
            "9007199254740991k | 9223372036854774784"})
    void sizesThatFitInALongAreExact(String text, long bytes) {
        assertThat(Units.bytes(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "17179869185g  | \"17179869185g\" is too large (expected at most 8589934591g)", // once read as 1 GiB
            "8589934592g   | \"8589934592g\" is too large (expected at most 8589934591g)",
            "8796093022208m | \"8796093022208m\" is too large (expected at most 8796093022207m)",
            "9007199254740992k | \"9007199254740992k\" is too large (expected at most 9007199254740991k)",
            "99999999999999999999999g | \"99999999999999999999999g\" is too large (expected at most 8589934591g)",
            "-1m           | \"-1m\" is negative (expected e.g. 64m)",
            "64x           | \"64x\" is not a size (expected e.g. 64m, 512k, 1g)",
            "512           | \"512\" is not a size (expected e.g. 64m, 512k, 1g)"})
    void sizesThatOverflowOrAreNegativeAreRejectedNamingTheLimit(String text, String message) {
        assertThatThrownBy(() -> Units.bytes(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
        assertThat(Units.sizeProblem(text)).isEqualTo(message.substring(text.length() + 3));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "500ms  | PT0.5S",
            "0.1s   | PT0.1S",
            "1.5m   | PT1M30S",
            "30d    | PT720H",
            "36500d | PT876000H",
            "-2s    | PT-2S"})
    void durationsAreExact(String text, Duration expected) {
        assertThat(Units.duration(text)).isEqualTo(expected);
        assertThat(Units.durationProblem(text)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "999999999999999d | \"999999999999999d\" is out of range (expected a duration of at most 36500d, 100 years)",
            "36500.001d       | \"36500.001d\" is out of range (expected a duration of at most 36500d, 100 years)",
            "876001h          | \"876001h\" is out of range (expected a duration of at most 36500d, 100 years)",
            "-999999999999999d | \"-999999999999999d\" is out of range (expected a duration of at most 36500d, 100 years)",
            "10               | \"10\" is not a duration (expected e.g. 500ms, 10s, 5m, 1h, 30d)"})
    void durationsOutOfRangeAreRejectedInsteadOfSaturating(String text, String message) {
        assertThatThrownBy(() -> Units.duration(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThat(Units.durationProblem(text)).isEqualTo(message.substring(text.length() + 3));
    }
}
