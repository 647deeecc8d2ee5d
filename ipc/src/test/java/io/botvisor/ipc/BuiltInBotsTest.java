package io.botvisor.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BuiltInBotsTest {
    @Test
    void builtInTypesAreTheTwoDrillBotsAndTheTwoTelegramBots() {
        assertThat(BuiltInBots.names()).containsExactlyInAnyOrder("chaos", "attack", "echo", "persona");
        assertThat(BuiltInBots.TELEGRAM).containsExactlyInAnyOrder("echo", "persona");
        assertThat(BuiltInBots.configKeys("chaso")).isEmpty();
    }

    @Test
    void attackRequiresItsPeerAndNothingElse() {
        assertThat(BuiltInBots.configKeys("attack").orElseThrow().values()).filteredOn(BuiltInBots.Key::required)
                .extracting(BuiltInBots.Key::name).containsExactly("peer");
        assertThat(BuiltInBots.configKeys("chaos").orElseThrow().values()).noneMatch(BuiltInBots.Key::required);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "OK", value = {
            "peer     | shop-1 | OK",
            "peer     | 0      | OK",
            "peer     | Shop_1 | is not a bot id (expected [a-z0-9][a-z0-9-]{0,39}, e.g. shop-1)",
            "peer     | -shop  | is not a bot id (expected [a-z0-9][a-z0-9-]{0,39}, e.g. shop-1)",
            "peer     | ../x   | is not a bot id (expected [a-z0-9][a-z0-9-]{0,39}, e.g. shop-1)",
            "forkBomb | 0      | OK",
            "forkBomb | 1024   | OK",
            "forkBomb | 1025   | is not valid (expected a whole number from 0 to 1024)"})
    void attackConfigValuesAreCheckedByTheirKind(String key, String value, String problem) {
        BuiltInBots.Key k = BuiltInBots.configKeys("attack").orElseThrow().get(key);
        assertThat(k.problem(value)).isEqualTo(problem);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "OK", value = {
            "crashAfter    | 20s    | OK",
            "crashAfter    | 0ms    | OK",
            "crashAfter    | 20     | is not a duration (expected e.g. 500ms, 10s, 5m, 1h, 30d)",
            "crashAfter    | -1s    | is negative (expected a duration of 0 or more, e.g. 20s)",
            "dbWriteFor    | 99999999d | is out of range (expected a duration of at most 36500d, 100 years)",
            "exitCode      | 3      | OK",
            "exitCode      | 255    | OK",
            "exitCode      | 256    | is not valid (expected a whole number from 0 to 255)",
            "exitCode      | three  | is not valid (expected a whole number from 0 to 255)",
            "exitCode      | 3.0    | is not valid (expected a whole number from 0 to 255)",
            "dbWriters     | 64     | OK",
            "dbWriters     | 0      | is not valid (expected a whole number from 1 to 64)",
            "leakPerSecond | 1m     | OK",
            "leakPerSecond | 1g     | OK",
            "leakPerSecond | 2g     | is out of range (expected from 0k to 1g)",
            "leakPerSecond | 1mb    | is not a size (expected e.g. 64m, 512k, 1g)",
            "ignoreStop    | true   | OK",
            "grandchild    | false  | OK",
            "ignoreStop    | yes    | is not true or false"})
    void chaosConfigValuesAreCheckedByTheirKind(String key, String value, String problem) {
        BuiltInBots.Key k = BuiltInBots.configKeys("chaos").orElseThrow().get(key);
        assertThat(k.problem(value)).isEqualTo(problem);
    }
}
