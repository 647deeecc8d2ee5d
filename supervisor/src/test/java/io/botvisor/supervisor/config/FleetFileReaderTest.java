package io.botvisor.supervisor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetFileReaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("fleet.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private List<String> problems(String yaml) throws IOException {
        Path f = write(yaml);
        return catchThrowableOfType(InvalidFleetFileException.class, () -> FleetFileReader.read(f)).problems();
    }

    @Test
    void exampleFleetFromTheRepositoryIsAcceptedAsWritten() {
        Specs.Fleet fleet = FleetFileReader.read(Path.of("../examples/fleet.yaml"));
        assertThat(fleet.bots()).extracting(Specs.Bot::id).containsExactly("drill-1", "drill-2", "side-car");
        Specs.Bot drill1 = fleet.bot("drill-1").orElseThrow();
        assertThat(drill1.runner()).isEqualTo("chaos");
        assertThat(drill1.config()).containsEntry("crashAfter", "20s").containsEntry("exitCode", "3");
        assertThat(drill1.restart().backoff())
                .isEqualTo(new Specs.Backoff(Duration.ofMillis(500), Duration.ofSeconds(60), 2.0, 0.2));
        assertThat(drill1.jvm().heapBytes()).isEqualTo(64L << 20);
        Specs.Bot drill2 = fleet.bot("drill-2").orElseThrow();
        assertThat(drill2.memoryLimit()).isEqualTo(256L << 20);
        assertThat(drill2.jvm()).isEqualTo(new Specs.Jvm(96L << 20, List.of("-XX:+UseSerialGC")));
        Specs.Bot sideCar = fleet.bot("side-car").orElseThrow();
        assertThat(sideCar.isCommand()).isTrue();
        assertThat(sideCar.restart().policy()).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(sideCar.restart().maxRestarts()).isEqualTo(10);
        assertThat(sideCar.env()).isEqualTo(Map.of("GREETING", "hello"));
    }

    @Test
    void everyProblemIsListedAtOnceNamingFileBotFieldValueAndExpectation() throws IOException {
        String f = dir.resolve("fleet.yaml").toString();
        List<String> problems = problems("""
                defaults:
                  health: { heartbeatTimeout: 0s }
                bots:
                  - id: Bad_Id
                    type: chaos
                  - id: ok-1
                    type: chaos
                    colour: blue
                  - id: ok-1
                    type: chaos
                  - id: both
                    command: ["/bin/true"]
                    class: com.example.Bot
                  - id: neg
                    type: chaos
                    restart: { backoff: { initial: -1s } }
                    stopTimeout: 0s
                    jvm: { heap: 64x }
                """);
        assertThat(problems).containsExactly(
                f + ": bots[0]: id \"Bad_Id\" is not valid (expected [a-z0-9][a-z0-9-]{0,39}, e.g. shop-1)",
                f + ": defaults: health.heartbeatTimeout \"0s\" is zero (expected a positive duration, e.g. 1s)",
                f + ": bot 'ok-1': unknown key 'colour' (expected one of: " + String.join(", ", Schema.BOT.keySet()) + ")",
                f + ": bots[2]: id \"ok-1\" is a duplicate (first used by bots[1])",
                f + ": bot 'both': command and class are both set (expected either a command: for any executable, "
                        + "or a class: run by bot-runner)",
                f + ": bot 'neg': restart.backoff.initial \"-1s\" is negative (expected a duration of 0 or more, e.g. 500ms)",
                f + ": bot 'neg': stopTimeout \"0s\" is zero (expected a positive duration, e.g. 1s)",
                f + ": bot 'neg': jvm.heap \"64x\" is not a size (expected e.g. 64m, 512k, 1g)");
    }

    @Test
    void unknownKeyInsideASectionIsNamedWithItsPath() throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: chaos, restart: { backof: { initial: 1s } } }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": bot 'a': unknown key 'restart.backof' (expected one of: "
                        + "policy, backoff, intensity, resetAfter)");
    }

    @Test
    void durationWithoutUnitIsRejected() throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: chaos, stopTimeout: 10 }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": bot 'a': stopTimeout 10 is not a duration "
                        + "(expected a number with a unit, e.g. 500ms, 10s, 5m)");
    }

    @Test
    void unknownRestartPolicyIsRejected() throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: chaos, restart: { policy: sometimes } }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": bot 'a': restart.policy \"sometimes\" is not a "
                        + "restart policy (expected always, on-failure or never)");
    }

    @Test
    void heartbeatTimeoutMustExceedInterval() throws IOException {
        assertThat(problems("bots:\n  - { id: a, type: chaos, health: { heartbeatInterval: 2s, heartbeatTimeout: 2s } }\n"))
                .containsExactly(dir.resolve("fleet.yaml") + ": bot 'a': health.heartbeatTimeout \"2s\" is not longer "
                        + "than health.heartbeatInterval \"2s\" (expected timeout > interval)");
    }

    @Test
    void tinyInitialBackoffIsAccepted() throws IOException {
        Specs.Fleet fleet = FleetFileReader.read(write(
                "bots:\n  - { id: a, type: chaos, restart: { backoff: { initial: 1ms } } }\n"));
        assertThat(fleet.bots().get(0).restart().backoff().initial()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void duplicateYamlKeyIsRejected() throws IOException {
        assertThat(problems("bots:\n  - id: a\n    type: chaos\n    type: chaos\n").get(0))
                .contains("not valid YAML").contains("Duplicate field 'type'");
    }

    @Test
    void secretsFileValuesReachTheEnvironmentButNeverAnErrorMessage() throws IOException {
        Files.writeString(dir.resolve("secrets.env"), "# token\nTOKEN=s3cr3t-value\nnot a pair s3cr3t-value\n");
        List<String> problems = problems("bots:\n  - { id: a, type: chaos, secretsFile: secrets.env }\n");
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains("line 3 is not KEY=VALUE").doesNotContain("s3cr3t");
        Files.writeString(dir.resolve("secrets.env"), "TOKEN=s3cr3t-value\n");
        Specs.Fleet fleet = FleetFileReader.read(dir.resolve("fleet.yaml"));
        assertThat(fleet.bots().get(0).env()).containsEntry("TOKEN", "s3cr3t-value");
    }

    @Test
    void botWithoutTypeClassOrCommandIsRejected() throws IOException {
        assertThat(problems("bots:\n  - { id: a }\n")).containsExactly(dir.resolve("fleet.yaml")
                + ": bot 'a': none of type, class or command is set (expected one of them)");
    }
}
