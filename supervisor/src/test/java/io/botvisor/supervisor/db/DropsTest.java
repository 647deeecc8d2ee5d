package io.botvisor.supervisor.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DropsTest {
    private static final long S = 1_000_000_000L;

    /** drops: seconds on the fake clock at which drops happen; warnings: "since/total" of each warning given. */
    @ParameterizedTest(name = "every 60 s, drops at {0} -> warnings {1}")
    @CsvSource(delimiter = ';', value = {
            "0; 1/1",
            "0 1 2; 1/1",
            "0 1 2 60; 1/1 3/4",
            "0 59 60 61 119 120; 1/1 2/3 3/6",
            "5 500 1000; 1/1 1/2 1/3"})
    void warnsAtTheFirstDropThenAtMostOncePerIntervalWithWhatWasDroppedMeanwhile(String at, String warnings) {
        Drops drops = new Drops(Duration.ofSeconds(60));
        List<String> given = new ArrayList<>();
        for (String t : at.split(" ")) {
            Drops.Warning w = drops.drop(Long.parseLong(t) * S);
            if (w != null) {
                given.add(w.since() + "/" + w.total());
            }
        }
        assertThat(String.join(" ", given)).isEqualTo(warnings);
        assertThat(drops.total()).isEqualTo(at.split(" ").length);
    }
}
