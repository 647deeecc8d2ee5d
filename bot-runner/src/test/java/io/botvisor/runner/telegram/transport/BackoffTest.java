package io.botvisor.runner.telegram.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @ParameterizedTest(name = "after {0} failures, roll {1}: {2} ms")
    @CsvSource({
        "0, 0.5, 1000",
        "1, 0.5, 2000",
        "4, 0.5, 16000",
        "5, 0.5, 30000",
        "40, 0.5, 30000",
        "0, 0.0, 800",
        "0, 0.75, 1100",
        "5, 0.0, 24000",
    })
    void doublesFromOneSecondCappedAtThirtyWithTwentyPercentJitter(int failures, double roll, long millis) {
        assertThat(Backoff.delay(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, failures, roll).toMillis())
                .isEqualTo(millis);
    }

    @Test
    void resetStartsOver() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0, () -> 0.5);
        backoff.next();
        backoff.next();
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(4));
        backoff.reset();
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void conflictBackoffReachesSixtySeconds() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0, () -> 0.5);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 10; i++) {
            last = backoff.next();
        }
        assertThat(last).isEqualTo(Duration.ofSeconds(60));
    }
}
