package io.botvisor.supervisor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code supervisor.metrics} in the fleet file. */
class MetricsSectionTest {
    private static final String BOTS = "bots:\n  - { id: a, type: chaos }\n";
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private List<String> problems(String yaml) throws IOException {
        Path f = write(yaml);
        InvalidFleetFileException e = catchThrowableOfType(InvalidFleetFileException.class,
                () -> FleetFileReader.read(f));
        assertThat(e).as("the file is refused").isNotNull();
        return e.problems();
    }

    @Test
    void withoutTheSectionMetricFilesAreWrittenEveryFiveSecondsForTheSupervisorsGroup() throws IOException {
        Specs.Metrics m = FleetFileReader.read(write(BOTS)).metrics();
        assertThat(m).isEqualTo(new Specs.Metrics(true, Duration.ofSeconds(5), null));
    }

    @Test
    void sectionSetsIntervalGroupAndWhetherFilesAreWritten() throws IOException {
        Specs.Metrics m = FleetFileReader.read(write(
                "supervisor: { metrics: { enabled: false, interval: 15s, group: prometheus } }\n" + BOTS)).metrics();
        assertThat(m).isEqualTo(new Specs.Metrics(false, Duration.ofSeconds(15), "prometheus"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "interval: 0s      | metrics.interval \"0s\" is out of range (expected 1s to 5m, e.g. 5s)",
        "interval: 10m     | metrics.interval \"10m\" is out of range (expected 1s to 5m, e.g. 5s)",
        "interval: 5       | metrics.interval 5 is not a duration (expected a number with a unit, e.g. 5s)",
        "enabled: yes-ish  | metrics.enabled \"yes-ish\" is not valid (expected true or false)",
        "group: 'Bad Name' | metrics.group \"Bad Name\" is not a group name (expected a group of this host, e.g. "
                + "prometheus, or its number)",
    })
    void badValueIsReportedInTheHouseForm(String keys, String problem) throws IOException {
        Path f = dir.resolve("fleet.yaml");
        assertThat(problems("supervisor: { metrics: { " + keys + " } }\n" + BOTS))
                .containsExactly(f + ": supervisor: " + problem);
    }

    @Test
    void unknownKeyIsReportedWithTheKnownOnes() throws IOException {
        assertThat(problems("supervisor: { metrics: { intervall: 5s } }\n" + BOTS)).containsExactly(
                dir.resolve("fleet.yaml") + ": top level: unknown key 'supervisor.metrics.intervall' (expected one of: "
                        + "enabled, interval, group)");
    }
}
