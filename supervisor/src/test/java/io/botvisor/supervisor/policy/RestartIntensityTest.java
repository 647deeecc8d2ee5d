package io.botvisor.supervisor.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestartIntensityTest {
    private static final long S = 1_000_000_000L;

    /** restarts: seconds on the fake monotonic clock at which restarts happen; the last one is judged. */
    @ParameterizedTest(name = "max {0} in {1} s, restarts at {2} -> exceeded {3}")
    @CsvSource(delimiter = ';', value = {
            "3; 60; 0 1 2; false",
            "3; 60; 0 1 2 3; true",
            "3; 60; 0 1 2 60; false",
            "3; 10; 0 5 9 10 11; true",
            "0; 60; 0; true",
            "10; 60; 0 6 12 18 24 30 36 42 48 54 59; true",
            "10; 60; 0 6 12 18 24 30 36 42 48 54 60; false"})
    void limitIsExceededOnlyByMoreThanMaxRestartsInsideTheWindow(int max, long window, String at, boolean exceeded) {
        RestartIntensity r = new RestartIntensity(max, Duration.ofSeconds(window));
        boolean last = false;
        for (String t : at.split(" ")) {
            last = r.addRestart(Long.parseLong(t) * S);
        }
        assertThat(last).isEqualTo(exceeded);
    }

    @ParameterizedTest(name = "restarts at 0 10 20, asked at {0} s -> {1}")
    @CsvSource({"20, 3", "59, 3", "60, 2", "75, 1", "80, 0"})
    void restartsOlderThanTheWindowAreForgotten(long now, int expected) {
        RestartIntensity r = new RestartIntensity(10, Duration.ofSeconds(60));
        r.addRestart(0);
        r.addRestart(10 * S);
        r.addRestart(20 * S);
        assertThat(r.inWindow(now * S)).isEqualTo(expected);
    }
}
