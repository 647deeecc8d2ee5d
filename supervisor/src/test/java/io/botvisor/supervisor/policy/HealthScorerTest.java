package io.botvisor.supervisor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HealthScorerTest {

    @ParameterizedTest(name = "age {0} ms, selfCheck {1}, errors/min {2}, heap {3}%, gc {4}, restarts {5} -> {6}")
    @CsvSource({
            "1000, true, 0, 10, 0, 0, 100",
            "1500, true, 0, 10, 0, 0, 100",
            "2250, true, 0, 10, 0, 0, 80",
            "3000, true, 0, 10, 0, 0, 60",
            "9000, true, 0, 10, 0, 0, 60",
            "1000, false, 0, 10, 0, 0, 40",
            "1000, true, 5, 10, 0, 0, 95",
            "1000, true, 100, 10, 0, 0, 85",
            "1000, true, 0, 90, 0, 0, 95",
            "1000, true, 0, 100, 0, 0, 90",
            "1000, true, 0, 10, 0.1, 0, 95",
            "1000, true, 0, 10, 0.5, 0, 90",
            "1000, true, 0, 10, 0, 2, 90",
            "1000, true, 0, 10, 0, 7, 85",
            "3000, false, 100, 100, 0.5, 7, 0"})
    void scoreFollowsTheDocumentedFormula(long ageMs, boolean ok, double errors, int heapPct, double gc,
                                          int restarts, int expected) {
        var in = new HealthScorer.Inputs(Duration.ofMillis(ageMs), Duration.ofSeconds(1), Duration.ofSeconds(3), ok,
                errors, heapPct, 100, gc, restarts);
        assertThat(HealthScorer.score(in).value()).isEqualTo(expected);
    }

    @Test
    void everyDeductionIsExplained() {
        var in = new HealthScorer.Inputs(Duration.ofMillis(1000), Duration.ofSeconds(1), Duration.ofSeconds(3), false,
                0, 10, 100, 0, 1);
        assertThat(HealthScorer.score(in).reasons()).containsExactly("self-check failing (-60)",
                "1 recent restart(s) (-5)");
    }
}
