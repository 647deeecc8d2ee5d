package io.botvisor.supervisor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.botvisor.ipc.Message;
import io.botvisor.supervisor.control.ControlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real supervisor JVM, real bot-runner children, real Chronicle queues, real signals. */
class SupervisorIT {
    private static final String FAST = "database: { enabled: false }\n" + SupervisorProcess.FAST_DEFAULTS;

    @TempDir
    Path dir;

    @Test
    void crashedChildIsRestartedAfterBackoffWithTheReasonLogged() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: crasher, type: chaos, config: { crashAfter: 1s, exitCode: 3 } }
                """)) {
            long firstPid = s.awaitState("crasher", "RUNNING").get("pid").asLong();
            JsonNode again = s.awaitBot("crasher", "to run again after a crash",
                    b -> b.get("state").asText().equals("RUNNING") && b.get("pid").asLong() != firstPid);
            assertThat(again.get("restarts").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(again.get("lastExit").get("code").asInt()).isEqualTo(3);
            assertThat(s.log()).containsPattern("bot 'crasher' exited with code 3 \\[pid " + firstPid
                    + "\\]; restarting in 0\\.\\d s \\(restart 1 of 10 in 60 s\\)");
        }
    }

    @Test
    void crashLoopEndsFailedAndCtlStartClearsIt() throws Exception {
        // A command: child is RUNNING once spawned, so ctl start (which answers at RUNNING or FAILED) sees RUNNING
        // every time; a bot-runner child that crashes early may or may not have sent READY first.
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - id: looper
                    command: ["/bin/sh", "-c", "exit 1"]
                    restart: { intensity: { maxRestarts: 2, window: 60s } }
                """)) {
            JsonNode failed = s.awaitState("looper", "FAILED");
            assertThat(failed.get("failedReason").asText()).contains("giving up: more than 2 restarts in 60 s")
                    .contains("FAILED until 'botvisor ctl start looper'");
            assertThat(runs(s)).isEqualTo(3);
            ControlClient.Result r = s.ctl("start", "looper");
            assertThat(r.exitCode()).as(r.output() + "\n--- supervisor:\n" + s.log()).isZero();
            assertThat(r.output()).as(s.log()).isEqualTo("looper: RUNNING");
            // A cleared window allows the full three runs again before the next FAILED; an uncleared one, one run.
            s.await("three more launches after ctl start", () -> runs(s) == 6
                    && s.log().split("giving up", -1).length == 3);
        }
    }

    private static int runs(SupervisorProcess s) {
        return s.log().split("bot 'looper' launched", -1).length - 1;
    }

    @Test
    void stoppedJvmIsSeenStoppedInProcAndRestartedBeforeItsHeartbeatTimeout() throws Exception {
        // heartbeatTimeout 60 s: only the /proc state check can restart it within the wait below.
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: frozen, type: chaos, health: { heartbeatTimeout: 60s } }
                """)) {
            long pid = s.awaitState("frozen", "RUNNING").get("pid").asLong();
            SupervisorProcess.signal(pid, "STOP");
            s.awaitBot("frozen", "to run again in a new JVM",
                    b -> b.get("state").asText().equals("RUNNING") && b.get("pid").asLong() != pid);
            SupervisorProcess.awaitGone(pid);
            assertThat(s.log()).doesNotContain("no heartbeat for")
                    .containsPattern("bot 'frozen' exited with 137 \\(SIGKILL\\) \\[pid " + pid
                            + ", killed: stopped by a signal \\(state T\\) in 2 samples in a row\\]; restarting in");
        }
    }

    @Test
    void stuckWorkLoopIsDetectedAlthoughTheJvmLives() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: stuck, type: chaos, config: { hangAfter: 500ms } }
                """)) {
            long pid = s.awaitState("stuck", "RUNNING").get("pid").asLong();
            s.awaitBot("stuck", "to be restarted as hung", b -> b.get("pid").asLong() != pid);
            assertThat(s.botStdout("stuck")).contains("chaos: hanging the work loop");
            assertThat(s.log()).contains("bot 'stuck' (pid " + pid + ") no heartbeat for");
        }
    }

    @Test
    void childWithoutReadyWithinStartupTimeoutIsKilledAndCountedAsFailure() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - id: sleepy
                    type: chaos
                    config: { startupDelay: 60s }
                    health: { startupTimeout: 1s }
                """)) {
            JsonNode b = s.awaitBot("sleepy", "to have a startup-timeout exit", n -> !n.get("lastExit").isNull());
            assertThat(b.get("lastExit").get("reason").asText()).isEqualTo("no READY within 1.0 s");
            assertThat(b.get("lastExit").get("signal").asText()).isEqualTo("SIGKILL");
            assertThat(s.log()).contains("bot 'sleepy' (pid").contains("sent no READY within 1.0 s; killing");
        }
    }

    @Test
    void residentMemoryAboveLimitRestartsTheBotGracefully() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - id: leaker
                    type: chaos
                    config: { leakPerSecond: 40m }
                    jvm: { heap: 200m }
                    memoryLimit: 210m
                """)) {
            long pid = s.awaitState("leaker", "RUNNING").get("pid").asLong();
            JsonNode b = s.awaitBot("leaker", "to be restarted for memory", n -> !n.get("lastExit").isNull());
            assertThat(b.get("lastExit").get("reason").asText())
                    .matches("resident memory \\d+ MB is above memoryLimit 210 MB");
            assertThat(b.get("lastExit").get("code").asInt()).as("graceful: STOP, exit 0").isZero();
            s.awaitBot("leaker", "to run again in a new JVM",
                    n -> n.get("state").asText().equals("RUNNING") && n.get("pid").asLong() != pid);
        }
    }

    @Test
    void gracefulStopRunsTheBotsStopAndExitsZero() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: polite, type: chaos }
                """)) {
            s.awaitState("polite", "RUNNING");
            ControlClient.Result r = s.ctl("stop", "polite");
            assertThat(r.exitCode()).as(r.output()).isZero();
            JsonNode b = s.bot("polite");
            assertThat(b.get("state").asText()).isEqualTo("STOPPED");
            assertThat(b.get("lastExit").get("code").asInt()).isZero();
            assertThat(s.botStdout("polite")).contains("chaos: stopped");
        }
    }

    @Test
    void childIgnoringStopIsKilledWithItsGrandchild() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - id: stubborn
                    type: chaos
                    config: { ignoreStop: true, grandchild: true }
                    stopTimeout: 1s
                """)) {
            long pid = s.awaitState("stubborn", "RUNNING").get("pid").asLong();
            s.await("the grandchild to be reported", () -> grandchild(s) > 0);
            long grandchild = grandchild(s);
            assertThat(ProcessHandle.of(grandchild)).isPresent();
            ControlClient.Result r = s.ctl("stop", "stubborn");
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(s.bot("stubborn").get("state").asText()).isEqualTo("STOPPED");
            SupervisorProcess.awaitGone(pid);
            SupervisorProcess.awaitGone(grandchild);
            assertThat(s.log()).contains("bot 'stubborn' (pid " + pid + ") did not stop within 1.0 s; sending SIGTERM");
        }
    }

    private static long grandchild(SupervisorProcess s) {
        try {
            Matcher m = Pattern.compile("started grandchild pid (\\d+)").matcher(s.botStdout("stubborn"));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void killedSupervisorTakesEveryChildDown() throws Exception {
        assertThat(Path.of("/usr/bin/setpriv")).as("setpriv, which gives command: children a parent-death signal")
                .isExecutable();
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: runner, type: chaos }
                  - { id: plain, command: ["/bin/sh", "-c", "exec sleep 3600"] }
                """)) {
            ProcessHandle runner = handle(s.awaitState("runner", "RUNNING").get("pid").asLong());
            ProcessHandle plain = handle(s.awaitState("plain", "RUNNING").get("pid").asLong());
            assertThat(s.log()).containsPattern("bot 'plain' launched \\(gen \\d+, pid \\d+\\): /usr/bin/setpriv --pdeathsig "
                    + "SIGKILL -- /bin/sh -c exec sleep 3600");
            SupervisorProcess.signal(s.process.pid(), "KILL");
            // Liveness bounds, not measurements: the kernel sends the parent-death signal at once, and a runner notices
            // its stdin's end in ~25 ms and halts within 0.7 s. 10 s leaves room for a loaded machine.
            awaitGone(runner, Duration.ofSeconds(10));
            awaitGone(plain, Duration.ofSeconds(10));
            // Which path took each down. The runner has no parent-death signal: it stopped itself for being orphaned,
            // and said so in its events queue (its stdout went to the dead supervisor's pipe). `sleep` reads and
            // writes nothing, so only a signal could end it, and the test sent it none.
            assertThat(BotEvents.of(s.stateDir, "runner")).extracting(Message.Event::kind, Message.Event::detail)
                    .contains(tuple("stopping", "supervisor is gone"));
        }
    }

    private static ProcessHandle handle(long pid) {
        // A handle, not a pid: ProcessHandle checks the start time, so a recycled pid never looks alive.
        return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("process " + pid + " is not running"));
    }

    private static void awaitGone(ProcessHandle p, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (p.isAlive()) {
            assertThat(System.nanoTime()).as("process %d to be gone within %s", p.pid(), deadline).isLessThan(end);
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Test
    void secondSupervisorOnTheSameStateDirIsRefusedNamingTheHolder() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + "bots:\n  - { id: one, type: chaos }\n")) {
            Process second = SupervisorProcess.command(dir, dir.resolve("fleet.yaml"))
                    .redirectOutput(dir.resolve("second.out").toFile()).start();
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isEqualTo(1);
            assertThat(Files.readString(dir.resolve("second.out")))
                    .contains("another supervisor (pid " + s.process.pid() + ") is running with state dir");
        }
    }

    @Test
    void invalidFleetFileExitsTwoAndStartsNothing() throws Exception {
        Path fleet = dir.resolve("bad.yaml");
        Files.writeString(fleet, "bots:\n  - { id: Bad, type: chaos }\n  - { id: ok, type: chaos, stopTimeout: 0s }\n");
        Process p = SupervisorProcess.command(dir, fleet).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("supervisor.out")))
                .contains(fleet + ": bots[0]: id \"Bad\" is not valid")
                .contains(fleet + ": bot 'ok': stopTimeout \"0s\" is zero")
                .contains("nothing was started");
        assertThat(dir.resolve("state").resolve("logs")).doesNotExist();
    }

    @Test
    void ctlAnswersThreeWithoutSupervisorAndTwoForAnUnknownBot() throws Exception {
        assertThat(ControlClient.send(dir.resolve("nowhere"), "status", java.util.List.of(),
                java.time.Duration.ofSeconds(5)).exitCode()).isEqualTo(3);
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + "bots:\n  - { id: one, type: chaos }\n")) {
            ControlClient.Result r = s.ctl("restart", "one", "nope");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.output()).isEqualTo("unknown bot 'nope' (known: one)");
        }
    }

    @Test
    void sigtermStopsAllBotsAndExitsZero() throws Exception {
        try (SupervisorProcess s = SupervisorProcess.start(dir, FAST + """
                bots:
                  - { id: a, type: chaos }
                  - { id: b, command: ["/bin/sh", "-c", "exec sleep 3600"] }
                """)) {
            long a = s.awaitState("a", "RUNNING").get("pid").asLong();
            ProcessHandle b = handle(s.awaitState("b", "RUNNING").get("pid").asLong());
            s.process.destroy();
            assertThat(s.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(s.process.exitValue()).isZero();
            assertThat(s.log()).contains("all bots stopped").contains("bot 'a' stopped [pid " + a + ", exit code 0]");
            // The supervisor reaped its children before it exited: nothing to wait for.
            assertThat(b.isAlive()).as("command: bot b after the supervisor exited").isFalse();
        }
    }
}
