package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.botvisor.supervisor.control.ControlClient;
import io.botvisor.supervisor.control.StateDirLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures the supervisor must survive and explain, each once broken (issue 9), with real JVMs. */
class CoreFailuresIT {
    private static final String FAST = SupervisorProcess.FAST_DEFAULTS;

    @TempDir
    Path dir;

    @Test
    void ctlSentWhileTheSupervisorStartsIsAnsweredOnceItIsUp() throws Exception {
        // The embedded database takes seconds to start: a request written then must not be missed.
        try (SupervisorProcess s = SupervisorProcess.launch(dir, FAST + """
                bots:
                  - { id: early, type: chaos }
                """, SupervisorProcess.runnerClasspath())) {
            s.await("the supervisor to take its lock", () -> StateDirLock.holder(s.stateDir).isPresent());
            assertThat(s.log()).as("the request must be sent before the supervisor is up").doesNotContain("supervising");
            ControlClient.Result r = ControlClient.send(s.stateDir, "status", List.of(), Duration.ofSeconds(40));
            assertThat(r.exitCode()).as(r.output() + "\n" + s.log()).isZero();
            assertThat(r.output()).contains("early");
        }
    }

    @Test
    void aBotThatCannotBeLaunchedDoesNotHoldBackTheFleet() throws Exception {
        Path state = dir.resolve("state");
        // Where bad's spec file must go is a file, not a directory: every launch of it fails (as on a full disk).
        Files.createDirectories(state.resolve("run"));
        Files.writeString(state.resolve("run").resolve("bad"), "in the way");
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                database: { enabled: false }
                supervisor: { startConcurrency: 1 }
                bots:
                  - { id: bad, type: chaos, restart: { intensity: { maxRestarts: 2, window: 60s } } }
                  - { id: good, type: chaos }
                """)) {
            s.awaitState("good", "RUNNING");
            JsonNode bad = s.awaitState("bad", "FAILED");
            assertThat(bad.get("failedReason").asText()).contains("bot 'bad' could not be launched: ")
                    .contains("giving up: more than 2 restarts in 60 s");
            assertThat(bad.get("stateForMillis").asLong()).isLessThan(Duration.ofMinutes(5).toMillis());
            assertThat(s.log()).contains("bot 'bad' could not be launched: ");
            ControlClient.Result stop = s.ctl("stop", "bad");
            assertThat(stop.exitCode()).as(stop.output()).isZero();
            assertThat(s.isAlive()).isTrue();
        }
    }

    @Test
    void neverStartedBotShowsHowLongItHasBeenStoppedSinceTheSupervisorStarted() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                database: { enabled: false }
                bots:
                  - { id: idle, type: chaos, restart: { policy: never } }
                """)) {
            s.awaitState("idle", "RUNNING");
            ControlClient.Result stop = s.ctl("stop", "idle");
            assertThat(stop.exitCode()).as(stop.output()).isZero();
            JsonNode b = s.bot("idle");
            assertThat(b.get("stateForMillis").asLong()).isBetween(0L, Duration.ofMinutes(5).toMillis());
        }
    }

    @Test
    void ctlStartOfAStoppingBotBringsItBackUp() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                database: { enabled: false }
                bots:
                  - { id: slow, type: chaos, config: { ignoreStop: true }, stopTimeout: 2s }
                """)) {
            long first = s.awaitState("slow", "RUNNING").get("pid").asLong();
            CompletableFuture<ControlClient.Result> stop = CompletableFuture.supplyAsync(() -> s.ctl("stop", "slow"));
            s.awaitState("slow", "STOPPING");
            ControlClient.Result start = s.ctl("start", "slow");
            assertThat(start.exitCode()).as(start.output() + "\n" + s.log()).isZero();
            JsonNode b = s.bot("slow");
            assertThat(b.get("state").asText()).isEqualTo("RUNNING");
            assertThat(b.get("pid").asLong()).isNotEqualTo(first);
            ControlClient.Result overtaken = stop.get();
            assertThat(overtaken.exitCode()).isEqualTo(1);
            assertThat(overtaken.output()).isEqualTo("stop of slow overtaken: now wanted running");
        }
    }

    @Test
    void botWhoseClassDoesNotExistFailsAtOnceWithTheCause() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                database: { enabled: false }
                bots:
                  - { id: ghost, type: com.example.NoSuchBot }
                """)) {
            JsonNode b = s.awaitState("ghost", "FAILED");
            assertThat(b.get("failedReason").asText()).contains("bot 'ghost' cannot start: ")
                    .contains("com.example.NoSuchBot").contains("nor a class on the bot's classpath")
                    .contains("a configuration error is not retried");
            assertThat(b.get("lastExit").get("code").asInt()).isEqualTo(78);
            assertThat(s.log().split("bot 'ghost' launched", -1)).as("launched once, not crash-looped").hasSize(2);
        }
    }

    @Test
    void loopRunsAheadOfTheBotsWhichKeepTheDefaultPriority() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "raising a thread's priority needs CAP_SYS_NICE (root; CI runs as root); skipped as "
                        + System.getProperty("user.name"));
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                database: { enabled: false }
                bots:
                  - { id: runner, type: chaos }
                  - { id: plain, command: ["sleep", "3600"] }
                """)) {
            s.await("the loop to be reniced", () -> s.log().contains("supervisor-loop runs at nice -10"));
            Path tasks = Path.of("/proc", Long.toString(s.process.pid()), "task");
            long loopNice = -99;
            try (var list = Files.list(tasks)) {
                for (Path t : (Iterable<Path>) list::iterator) {
                    if (Files.readString(t.resolve("comm")).trim().equals("supervisor-loop")) {
                        loopNice = nice(t.resolve("stat"));
                    }
                }
            }
            assertThat(loopNice).isEqualTo(-10);
            for (String bot : List.of("runner", "plain")) {
                long pid = s.awaitState(bot, "RUNNING").get("pid").asLong();
                assertThat(nice(Path.of("/proc", Long.toString(pid), "stat"))).as(bot).isZero();
            }
        }
    }

    /** Field 19 of a /proc stat line: the nice value. */
    private static long nice(Path stat) throws java.io.IOException {
        String s = Files.readString(stat);
        return Long.parseLong(s.substring(s.lastIndexOf(')') + 2).split(" ")[16]);
    }
}
