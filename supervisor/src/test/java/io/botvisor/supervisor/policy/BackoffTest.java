package io.botvisor.supervisor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.config.Specs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Specs.Backoff SPEC =
            new Specs.Backoff(Duration.ofMillis(500), Duration.ofSeconds(60), 2.0, 0.2);

    private static List<Long> delays(Backoff b, int n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(b.next().toMillis());
        }
        return out;
    }

    @Test
    void delaysGrowGeometricallyUpToTheCapWithoutJitter() {
        Backoff b = new Backoff(SPEC, Duration.ofSeconds(60), () -> 0.5);
        assertThat(delays(b, 10)).containsExactly(500L, 1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L,
                60000L, 60000L);
    }

    @ParameterizedTest(name = "random {0} -> {1} ms")
    @CsvSource({"0.0, 400", "0.25, 450", "0.5, 500", "0.75, 550", "0.9, 580"})
    void jitterSpreadsTheDelayByTheConfiguredFraction(double random, long expectedMillis) {
        assertThat(new Backoff(SPEC, Duration.ofSeconds(60), () -> random).next().toMillis())
                .isEqualTo(expectedMillis);
    }

    @Test
    void jitterAppliesAroundTheCapToo() {
        Backoff b = new Backoff(SPEC, Duration.ofSeconds(60), () -> 0.0);
        assertThat(delays(b, 9).get(8)).isEqualTo(48000L);
    }

    @ParameterizedTest(name = "healthy for {0} s -> reset {1}")
    @CsvSource({"0, false", "59, false", "60, true", "600, true"})
    void backoffStartsOverOnlyAfterRunningHealthyForResetAfter(long seconds, boolean reset) {
        Backoff b = new Backoff(SPEC, Duration.ofSeconds(60), () -> 0.5);
        delays(b, 3);
        assertThat(b.resetIfStable(Duration.ofSeconds(seconds))).isEqualTo(reset);
        assertThat(b.next().toMillis()).isEqualTo(reset ? 500L : 4000L);
    }
}
