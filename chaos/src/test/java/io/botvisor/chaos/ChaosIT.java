package io.botvisor.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite at a small scale, as CI runs it: the packaged botvisor of this checkout (scripts/botvisor), three
 * echo bots, the sandbox's faults and one action every few seconds for a minute. The verdict must pass.
 */
class ChaosIT {
    @TempDir
    Path dir;

    @Test
    void aSmallChaosRunLosesNothingHandlesNothingTwiceAndEndsWithEveryBotRunning() throws Exception {
        Path home = Path.of("").toAbsolutePath().getParent();
        assertThat(home.resolve("scripts/botvisor")).as("the checkout's launcher").isExecutable();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        Checks.Outcome outcome = new ChaosRun(new ChaosRun.Settings(3, Duration.ofSeconds(60), 20261201L,
                dir.resolve("state"), 6, 10, Duration.ofSeconds(6), home), out).run();
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(outcome.passed()).as(text).isTrue();
        JsonNode verdict = new ObjectMapper().readTree(dir.resolve("state/chaos/verdict.json").toFile());
        assertThat(verdict.get("passed").asBoolean()).isTrue();
        assertThat(verdict.get("actions").size()).as("actions were taken").isPositive();
        assertThat(verdict.get("sandbox").get("answered").get("figures").get("said").asLong()).isPositive();
        assertThat(Files.readString(dir.resolve("state/chaos/supervisor.log"))).contains("is RUNNING");
    }
}
