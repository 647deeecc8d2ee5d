package io.botvisor.runner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.ipc.ChildExit;
import io.botvisor.ipc.Message;
import io.botvisor.runner.testbots.SelfCheckThrowsBot;
import io.botvisor.runner.testbots.StartThrowsBot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A real bot-runner child JVM against the test playing its supervisor: failed starts, heartbeats, orphaning. */
class ChildRuntimeIT {
    @TempDir
    Path dir;

    @Test
    void unknownBotTypeExitsAsConfigErrorAndSaysWhy() throws Exception {
        try (RunnerChild child = RunnerChild.start(dir, "com.example.NoSuchBot", Map.of())) {
            Message.Event e = child.awaitEvent(ChildExit.EVENT_START_FAILED);

            assertThat(child.awaitExit(RunnerChild.DEADLINE)).isEqualTo(ChildExit.CONFIG_ERROR);
            assertThat(e.gen()).isEqualTo(RunnerChild.GEN);
            assertThat(e.detail()).isEqualTo("type \"com.example.NoSuchBot\" is neither a built-in bot type "
                    + "[attack, chaos, echo, persona] nor a class on the bot's classpath (check the bot's type:, class: and "
                    + "classpath: in the fleet file)");
            assertThat(child.stderr())
                    .contains("bot 'child-1' failed to start, a configuration error (exit 78): type "
                            + "\"com.example.NoSuchBot\"")
                    // One line: no stack of the loader's failure (Chronicle's own threads may print theirs).
                    .doesNotContain("\tat io.botvisor.", "ClassNotFoundException: com.example.NoSuchBot");
        }
    }

    @Test
    void startThatThrowsExitsAsStartFailedWithTheCauseOnOneLine() throws Exception {
        try (RunnerChild child = RunnerChild.start(dir, StartThrowsBot.class.getName(), Map.of())) {
            Message.Event e = child.awaitEvent(ChildExit.EVENT_START_FAILED);

            assertThat(child.awaitExit(RunnerChild.DEADLINE)).isEqualTo(ChildExit.START_FAILED);
            assertThat(e.detail()).isEqualTo("java.lang.IllegalStateException: " + StartThrowsBot.MESSAGE
                    + "; caused by java.net.ConnectException: Connection refused");
        }
    }

    @Test
    void chaosWithAnUnknownConfigKeyExitsAsConfigError() throws Exception {
        try (RunnerChild child = RunnerChild.start(dir, "chaos", Map.of("crashAftr", "1s"))) {
            Message.Event e = child.awaitEvent(ChildExit.EVENT_START_FAILED);

            assertThat(child.awaitExit(RunnerChild.DEADLINE)).isEqualTo(ChildExit.CONFIG_ERROR);
            assertThat(e.detail()).startsWith("config has keys the chaos bot does not know: [crashAftr] (expected "
                    + "some of [crashAfter, ");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''            | config.peer is missing (expected the id of the bot to attack, e.g. shop-1)",
            "child-1       | config.peer \"child-1\" is this bot itself (expected another bot's id)",
            "other,2000    | config.forkBomb \"2000\" is not valid (expected a whole number from 0 to 1024)"})
    void attackWithABadPeerOrForkBombExitsAsConfigError(String config, String detail) throws Exception {
        String[] parts = config.split(",");
        Map<String, String> c = new java.util.HashMap<>();
        if (!parts[0].isEmpty()) {
            c.put("peer", parts[0]);
        }
        if (parts.length > 1) {
            c.put("forkBomb", parts[1]);
        }
        try (RunnerChild child = RunnerChild.start(dir, "attack", c)) {
            Message.Event e = child.awaitEvent(ChildExit.EVENT_START_FAILED);

            assertThat(child.awaitExit(RunnerChild.DEADLINE)).isEqualTo(ChildExit.CONFIG_ERROR);
            assertThat(e.detail()).isEqualTo(detail);
        }
    }

    @Test
    void chaosWithAMalformedDurationExitsAsConfigError() throws Exception {
        try (RunnerChild child = RunnerChild.start(dir, "chaos", Map.of("crashAfter", "soon"))) {
            Message.Event e = child.awaitEvent(ChildExit.EVENT_START_FAILED);

            assertThat(child.awaitExit(RunnerChild.DEADLINE)).isEqualTo(ChildExit.CONFIG_ERROR);
            assertThat(e.detail()).isEqualTo("config.crashAfter \"soon\" is not a duration (expected e.g. 500ms, 10s, "
                    + "5m, 1h, 30d)");
        }
    }

    @Test
    void selfCheckThatThrowsIsReportedAsFailingAndHeartbeatsGoOn() throws Exception {
        try (RunnerChild child = RunnerChild.start(dir, SelfCheckThrowsBot.class.getName(), Map.of())) {
            List<Message.Heartbeat> beats = child.awaitAll(Message.Heartbeat.class, h -> true, 3, "3 heartbeats");

            assertThat(beats).allSatisfy(h -> {
                assertThat(h.selfCheckOk()).isFalse();
                assertThat(h.selfCheckDetail()).isEqualTo("selfCheck threw java.lang.NoClassDefFoundError: "
                        + SelfCheckThrowsBot.MISSING);
            });
        }
    }

    @Test
    void orphanExitsEvenWhileItsStopHangsOnTheRuntimeThread() throws Exception {
        try (RunnerChild child = RunnerChild.start(dir, "chaos", Map.of("ignoreStop", "true"))) {
            child.await(Message.Ready.class, r -> true, "READY");
            long now = System.currentTimeMillis();
            child.send(new Message.Stop(RunnerChild.GEN, "test", 60_000, now + 60_000, now));
            child.awaitEvent("stopping"); // the bot's stop now hangs on the runtime thread

            child.closeSupervisorLink();

            // Liveness, not timing: before the fix such a child never exited.
            assertThat(child.awaitExit(Duration.ofSeconds(10))).isZero();
        }
    }
}
